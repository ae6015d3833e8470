"""``kinchain serve --workers N`` (issue 13): several server processes on one port.

One process cannot hold 200 requests a second on this hardware (about 5 ms of CPU per assess
request); uvicorn's supervisor starts N processes that share the port. The supervising process
migrates the database and resumes interrupted analyses once; the server processes get their
settings through an environment variable and never resume analyses themselves (two would run
the same one twice).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from kinchain.store import Store
from kinchain.store.models import Patient, Visit
from kinchain.web import app as web_app
from kinchain.web.security import create_user
from kinchain.web.settings import Settings

from .conftest import EMAIL, PASSWORD, login, make_app


def test_settings_travel_to_the_server_processes_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        secure_cookies=True,
        max_upload_bytes=1234567,
        base_url="https://gait.example.org",
        host="0.0.0.0",
        port=8123,
        login_attempts=3,
    )
    monkeypatch.setenv(web_app.SETTINGS_ENV, web_app.settings_to_env(settings))
    app = web_app.app_from_env()
    got = app.state.ctx.settings
    assert got == dataclasses.replace(settings, recover_jobs=False)
    app.state.ctx.store.dispose()


def test_a_server_process_does_not_resume_analyses(store: Store, tmp_path: Path) -> None:
    """An analysis left 'running' by a stopped service is resumed by the process that
    supervises (recover_jobs=True, the default), not by each server process."""
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
        p = Patient(name="Ann Example")
        db.add(p)
        db.flush()
        v = Visit(patient_id=p.id, visit_date=date.today(), status="running", stage="processing")
        db.add(v)
        db.flush()
        vid = v.id
    with TestClient(make_app(store, tmp_path, recover_jobs=False, run_jobs=False)) as c:
        login(c)
    with store.session() as db:
        row = db.get(Visit, vid)
        assert row is not None and row.status == "running"  # untouched
    with TestClient(make_app(store, tmp_path, run_jobs=False)) as c:
        login(c)
    with store.session() as db:
        row = db.get(Visit, vid)
        assert row is not None and row.status == "queued" and "restart" in (row.stage or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_server_processes_answer_on_one_port(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    exe = [str(Path(sys.executable).parent / "kinchain")]
    env = {k: v for k, v in os.environ.items() if k != "KINCHAIN_DATABASE_URL"}
    subprocess.run(
        [
            *exe,
            "serve",
            "--data-dir",
            str(data),
            "--create-user",
            EMAIL,
            "--password-file",
            str(pw),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*exe, "serve", "--data-dir", str(data), "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        # both processes up: each writes one startup line
        with httpx.Client(base_url=base) as c:
            r = c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            assert r.status_code == 200
            csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
            body = {"pain": {"sites": ["knee"]}, "function": {"bears_weight_4_steps": "yes"}}
            for _ in range(20):  # a session made by one process is valid in the other
                r = c.post("/api/v1/assess", json=body, headers=csrf)
                assert r.status_code == 200, r.text
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=60)
    assert out.count("Started server process") == 2, out
    assert "2 server processes" in out

"""Every upload of a visit is kept (issue 11 item 5): a new upload does not touch the visit's
results; they change only when its analysis succeeds; a failed upload stays in the history with
its reason; an upload still waiting when a newer one arrives is marked superseded; several walking
trials in one upload are analysed as one session, as ``kinchain analyze A B`` does; migration 0003
turns the files of visits stored before into their first upload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kinchain.analysis import analyze
from kinchain.cli.trial_options import load_inputs
from kinchain.errors import InputError
from kinchain.process import process
from kinchain.session import analyze_session
from kinchain.store import Store, Upload, User, Visit
from kinchain.web import jobs
from kinchain.web import services as sv

from .conftest import DEMO, database_at, insert_old_patient, new_patient, new_visit, wait_done


def _upload(client: TestClient, csrf: dict[str, str], vid: int, *names: str, **fields: str) -> Any:
    data = DEMO.read_bytes()
    return client.post(
        f"/api/v1/visits/{vid}/trial",
        files=[("trial", (n, data, "application/octet-stream")) for n in names],
        data=fields,
        headers=csrf,
    )


def _visit(store: Store, vid: int) -> tuple[str | None, str | None, int | None, str]:
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        return v.analysis_json, v.report_pdf_sha, v.current_upload_id, v.status


def test_a_failed_upload_keeps_the_results_and_every_upload_is_listed(
    client: TestClient,
    csrf: dict[str, str],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    assert _upload(client, csrf, vid, "first.c3d").status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    analysis, pdf, current, _ = _visit(store, vid)
    assert analysis is not None and pdf is not None and current is not None

    real = jobs.process

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise InputError("trial", "the plates of this trial could not be read")

    monkeypatch.setattr(jobs, "process", broken)
    # While the new upload waits and runs, the earlier results stay.
    # (a typed body mass makes it a new analysis, not the one the server keeps in memory)
    assert _upload(client, csrf, vid, "second.c3d", mass_kg="71").status_code == 202
    assert _visit(store, vid)[:3] == (analysis, pdf, current)
    s = wait_done(client, vid)
    assert s["status"] == "failed" and "plates" in s["error"]
    assert _visit(store, vid)[:3] == (analysis, pdf, current)  # nothing replaced
    detail = client.get(f"/api/v1/visits/{vid}").json()
    assert detail["trial_name"] == "first.c3d" and detail["has_report"]
    newest, first = detail["uploads"]
    assert newest["trials"] == ["second.c3d"] and newest["status"] == "failed"
    assert "plates" in newest["error"] and not newest["current"]
    assert first["trials"] == ["first.c3d"] and first["status"] == "done" and first["current"]
    assert newest["uploaded_by"] == "clinician@example.org"
    assert client.get(f"/api/v1/visits/{vid}/report.pdf").status_code == 200
    page = client.get(f"/visits/{vid}").text
    assert "second.c3d" in page and "first.c3d" in page and "results shown" in page
    assert "still those of the earlier upload" in page

    # A good upload then replaces the results and becomes current; every file is kept.
    monkeypatch.setattr(jobs, "process", real)
    assert _upload(client, csrf, vid, "third.c3d", mass_kg="72").status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    _, _, now_current, status = _visit(store, vid)
    assert status == "done" and now_current != current
    detail = client.get(f"/api/v1/visits/{vid}").json()
    assert [u["trials"] for u in detail["uploads"]] == [
        ["third.c3d"],
        ["second.c3d"],
        ["first.c3d"],
    ]
    assert [u["current"] for u in detail["uploads"]] == [True, False, False]
    assert detail["uploads"][2]["status"] == "done"  # analysed, replaced by a newer upload
    assert detail["trial_name"] == "third.c3d"
    with store.session() as db:
        for u in db.query(Upload).filter(Upload.visit_id == vid):
            for t in json.loads(u.trials_json):
                assert store.blobs.get(t["sha"]) == DEMO.read_bytes()


def test_an_upload_still_waiting_is_superseded_by_a_newer_one(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    with store.session() as db:
        from kinchain.store import Patient

        p = Patient(name="P")
        db.add(p)
        db.flush()
        v = Visit(patient_id=p.id, visit_date=__import__("datetime").date(2026, 12, 1))
        db.add(v)
        db.flush()
        vid = v.id
    data = DEMO.read_bytes()
    first = sv.store_upload(store, vid, trial=data, trial_name="a.c3d", grf=None, subject=None)
    second = sv.store_upload(store, vid, trial=data, trial_name="b.c3d", grf=None, subject=None)
    with store.session() as db:
        assert db.get(Upload, first).status == "superseded"  # type: ignore[union-attr]
        assert db.get(Upload, second).status == "queued"  # type: ignore[union-attr]
    runner = jobs.JobRunner(store, start=False, work_dir=tmp_path / "work")
    runner.run(vid)
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None and v.status == "done" and v.current_upload_id == second
        assert v.trial_name == "b.c3d"
        assert db.get(Upload, first).status == "superseded"  # type: ignore[union-attr]
    store.dispose()


def test_several_trials_are_one_session_as_on_the_command_line(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    assert _upload(client, csrf, vid, "walk1.c3d", "walk2.c3d").status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    got = client.get(f"/api/v1/visits/{vid}/analysis").json()
    results = []
    for _ in range(2):
        trial, subject = load_inputs(DEMO)
        results.append(process(trial, subject))
    expected = json.loads(json.dumps(analyze_session(results).pooled.to_dict()))
    single = analyze(results[0]).to_dict()
    n = single["spatiotemporal"]["strides"]
    assert got["spatiotemporal"]["strides"] == {s: 2 * n[s] for s in ("left", "right")}
    assert got["spatiotemporal"] == expected["spatiotemporal"]
    assert got["findings"] == expected["findings"]
    detail = client.get(f"/api/v1/visits/{vid}").json()
    assert detail["uploads"][0]["trials"] == ["walk1.c3d", "walk2.c3d"]
    assert detail["trial_name"] == "walk1.c3d, walk2.c3d"
    # a bad second trial is refused by name, before anything is stored
    r = client.post(
        f"/api/v1/visits/{vid}/trial",
        files=[
            ("trial", ("good.c3d", DEMO.read_bytes(), "application/octet-stream")),
            ("trial", ("broken.c3d", b"not a c3d" * 20, "application/octet-stream")),
        ],
        headers=csrf,
    )
    assert r.status_code == 422 and r.json()["field"] == "trial"
    assert r.json()["detail"].startswith("broken.c3d: ")
    assert len(client.get(f"/api/v1/visits/{vid}").json()["uploads"]) == 1


def test_migration_0003_keeps_each_visit_as_its_first_upload(backend: str, tmp_path: Path) -> None:
    url = database_at(backend, tmp_path, "0002")
    engine = create_engine(url)
    row = (
        "INSERT INTO visits (id, patient_id, visit_date, label, created_at, updated_at, status,"
        " progress, stage, attempts, trial_sha, trial_name, analysis_json, error, static_sha,"
        " static_name) VALUES (:id, 1, '2026-11-25', '', '2026-11-25 10:00:00',"
        " '2026-11-26 09:00:00', :status, 0, '', 1, :sha, :name, :analysis, :error, :st, :stn)"
    )
    with engine.begin() as conn:
        insert_old_patient(conn)
        for uid, email in ((1, "first@example.org"), (2, "second@example.org")):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, active, created_at)"
                    " VALUES (:id, :email, 'x', :active, '2026-11-25 10:00:00')"
                ),
                {"id": uid, "email": email, "active": True},
            )
        base = {"st": None, "stn": None, "error": None}
        conn.execute(
            text(row),
            base
            | {"id": 1, "status": "done", "sha": "a" * 64, "name": "done.c3d", "analysis": "{}"}
            | {"st": "c" * 64, "stn": "static.c3d"},
        )
        conn.execute(
            text(row),
            base
            | {"id": 2, "status": "failed", "sha": "b" * 64, "name": "bad.c3d", "analysis": None}
            | {"error": "no plates"},
        )
        conn.execute(
            text(row),
            base | {"id": 3, "status": "empty", "sha": None, "name": None, "analysis": None},
        )
    engine.dispose()
    store = Store(url, tmp_path / "blobs")  # upgrades to head
    try:
        with store.session() as db:
            done, failed, empty = (db.get(Visit, i) for i in (1, 2, 3))
            assert done is not None and failed is not None and empty is not None
            (u1,) = done.uploads
            assert done.current_upload_id == u1.id and u1.status == "done"
            assert json.loads(u1.trials_json) == [{"sha": "a" * 64, "name": "done.c3d"}]
            assert (u1.static_sha, u1.static_name) == ("c" * 64, "static.c3d")
            (u2,) = failed.uploads
            assert u2.status == "failed" and u2.error == "no plates"
            assert failed.current_upload_id is None
            assert empty.uploads == [] and empty.current_upload_id is None
            roles = {u.email: u.role for u in db.query(User)}
        assert roles == {"first@example.org": "admin", "second@example.org": "clinician"}
    finally:
        store.dispose()

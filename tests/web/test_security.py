"""Security: only signed-in clinicians reach patient data; intake links are single-use and show
nothing else; CSRF; sign-in rate limit; cookie flags; upload limit; audit log; no patient data
in logs or errors."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinchain.store import AuditEvent, Store, User, Visit
from kinchain.web import api, pages

from .conftest import EMAIL, PASSWORD, login, make_app, new_patient, new_visit

PUBLIC = {
    "/login",
    "/",
    "/api/v1/auth/login",
    "/intake/t/{token}",
    "/intake/t/{token}/state",
    "/static-vendor/plotly.min.js",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/docs/oauth2-redirect",
}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for r in [*api.router.routes, *pages.router.routes]:
        if isinstance(r, APIRoute) and r.path not in PUBLIC:
            for m in sorted(r.methods - {"HEAD"}):
                out.append((m, r.path))
    return out


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_patient_route_refuses_anonymous(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) > 25
    with TestClient(app) as client:
        # something real to point at
        csrf = login(client)
        pid = new_patient(client, csrf, "Secret Person")
        vid = new_visit(client, csrf, pid)
        client.cookies.clear()
        for method, path in routes:
            url = re.sub(r"\{patient_id\}", str(pid), path)
            url = re.sub(r"\{visit_id\}", str(vid), url)
            url = re.sub(r"\{[a-z_]+\}", "1", url)
            r = client.request(method, url, params={"a": vid, "b": vid}, follow_redirects=False)
            assert "Secret Person" not in r.text, (method, path)
            if path.startswith("/api/"):
                assert r.status_code in (401, 422), (method, path, r.status_code)
                if r.status_code == 422:  # body validation ran first: still no data
                    assert "Secret" not in r.text
            else:
                assert r.status_code in (303, 401, 403, 422), (method, path, r.status_code)
                if r.status_code == 303:
                    assert r.headers["location"].startswith("/login")


def test_intake_link_is_single_use_and_shows_nothing_else(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    pa = new_patient(client, csrf, "Alice Private")
    pb = new_patient(client, csrf, "Bruno Private")
    va = new_visit(client, csrf, pa)
    vb = new_visit(client, csrf, pb)
    url = client.post(f"/api/v1/visits/{va}/intake-link", headers=csrf).json()["url"]
    path = urlsplit(url).path
    client.cookies.clear()  # the patient's browser: no clinician session
    page = client.get(path)
    assert page.status_code == 200
    assert "Alice" not in page.text and "Bruno" not in page.text
    assert "Patients" not in page.text  # no navigation into the record
    # the token opens nothing else
    for other in (
        f"/api/v1/patients/{pb}",
        f"/api/v1/visits/{vb}",
        f"/api/v1/visits/{va}",
        f"/visits/{va}",
        "/api/v1/patients",
    ):
        r = client.get(other, follow_redirects=False)
        assert r.status_code in (401, 303) and "Private" not in r.text
    csrf_cookie = client.cookies.get("kinchain_csrf")
    assert csrf_cookie
    # without the form's CSRF token the answers are refused
    r = client.post(path, data={"pain.sites": "knee"})
    assert r.status_code == 403
    r = client.post(path, data={"pain.sites": "knee", "csrf_token": csrf_cookie})
    assert r.status_code == 200 and "Thank you" in r.text
    with store.session() as db:
        a, b = db.get(Visit, va), db.get(Visit, vb)
        assert a is not None and b is not None
        assert a.intake_json is not None and a.intake_by == "patient"
        assert b.intake_json is None
    # single use
    assert client.get(path).status_code == 404
    r = client.post(path, data={"pain.sites": "ankle", "csrf_token": csrf_cookie})
    assert r.status_code == 404
    assert client.get("/intake/t/not-a-token").status_code == 404


def test_csrf_is_required(client: TestClient, csrf: dict[str, str]) -> None:
    r = client.post("/api/v1/patients", json={"name": "No Token"})
    assert r.status_code == 403 and r.json()["field"] == "X-CSRF-Token"
    r = client.post("/api/v1/patients", json={"name": "Bad"}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = client.post("/patients", data={"name": "Form Without Token"})
    assert r.status_code == 403
    r = client.post("/patients", data={"name": "Form", "csrf_token": "forged"})
    assert r.status_code == 403
    assert client.get("/api/v1/patients", params={"q": "Form"}).json() == []
    # the login form needs its double-submit token too
    client.cookies.clear()
    r = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 403


def test_page_login_and_logout(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        "/login",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/patients"
    patients = client.get("/patients")
    assert patients.status_code == 200
    session_csrf = re.search(r'name="csrf-token" content="([^"]+)"', patients.text)
    assert session_csrf
    r = client.post("/logout", data={"csrf_token": session_csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_login_rate_limit(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": "wrong"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 429


def test_cookie_flags_and_password_hash(store: Store, tmp_path: Path, client: TestClient) -> None:
    r = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    with store.session() as db:
        user = db.scalar(select(User))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
    secure_app = make_app(store, tmp_path, secure_cookies=True)
    with TestClient(secure_app) as c2:
        r = c2.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert "; secure" in r.headers["set-cookie"].lower()


def test_upload_size_limit(store: Store, tmp_path: Path, app: FastAPI) -> None:
    small = make_app(store, tmp_path, max_upload_bytes=10_000)
    with TestClient(small) as c:
        csrf = login(c)
        vid = new_visit(c, csrf, new_patient(c, csrf))
        r = c.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": ("big.c3d", b"\0" * 20_000, "application/octet-stream")},
            headers=csrf,
        )
        assert r.status_code == 413 and r.json()["field"] == "trial"
        with store.session() as db:
            v = db.get(Visit, vid)
            assert v is not None and v.trial_sha is None


def test_audit_log_records_access_and_changes_without_patient_data(
    client: TestClient, csrf: dict[str, str], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pid = new_patient(client, csrf, "Zelda Audit")
    client.get(f"/api/v1/patients/{pid}")
    client.get("/api/v1/patients", params={"q": "Zelda"})
    client.cookies.clear()
    client.get(f"/api/v1/patients/{pid}")
    with store.session() as db:
        rows = list(db.scalars(select(AuditEvent)))
    actions = {r.action for r in rows}
    assert {"login", "patient.create", "access"} <= actions
    reads = [r for r in rows if r.route == "/api/v1/patients/{patient_id}"]
    assert {r.status for r in reads} == {200, 401}
    assert all(r.target_type == "patient" and r.target_id == pid for r in reads)
    assert any(r.user_id is not None for r in reads)
    dump = " ".join(str(vars(r)) for r in rows)
    assert "Zelda" not in dump
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert not [m for m in server_logs if "Zelda" in m]


def test_a_signed_in_api_call_reads_its_session_once(
    client: TestClient, csrf: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in check ahead of the API routes and the route's own dependency share one
    database lookup of the session; a stale or ended session is still refused."""
    from kinchain.web import context

    calls: list[str] = []
    real = context._lookup

    def counted(request: object, token: str) -> object:
        calls.append(token)
        return real(request, token)  # type: ignore[arg-type]

    monkeypatch.setattr(context, "_lookup", counted)
    pid = new_patient(client, csrf, "Once Only")
    assert len(calls) == 1
    assert client.get(f"/api/v1/patients/{pid}").status_code == 200
    assert len(calls) == 2
    assert client.post("/api/v1/auth/logout", headers=csrf).status_code in (200, 204)
    assert client.get(f"/api/v1/patients/{pid}").status_code == 401

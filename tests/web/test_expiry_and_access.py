"""Expiry and access: an expired session, an expired or used intake link and a deactivated
user are refused; anonymous API calls answer 401 before any body validation (issue 15, item 7).

Times are moved in the database through the store (every time is stored as naive UTC), so no
clock is frozen: a row "past its time" is one whose ``expires_at`` lies before now."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from kinchain.store import AuditEvent, Store, User
from kinchain.store.models import IntakeToken, WebSession, utcnow
from kinchain.web import api
from kinchain.web.security import SESSION_COOKIE, token_hash

from .conftest import EMAIL, PASSWORD, login, new_patient, new_visit

PAGE = "/patients"
API = "/api/v1/patients"
JSON = {"content-type": "application/json"}


def _session_row(store: Store, client: TestClient) -> str:
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    return token_hash(token)


def test_expired_session_is_refused_on_pages_and_api(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    assert client.get(API).status_code == 200
    assert client.get(PAGE, follow_redirects=False).status_code == 200
    sid = _session_row(store, client)
    # a minute before its end the session still works ...
    with store.session() as db:
        db.execute(
            update(WebSession)
            .where(WebSession.id == sid)
            .values(expires_at=utcnow() + timedelta(seconds=60))
        )
    assert client.get(API).status_code == 200
    # ... once its end has passed it does not
    with store.session() as db:
        db.execute(
            update(WebSession)
            .where(WebSession.id == sid)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = client.get(API)
    assert r.status_code == 401 and r.json()["field"] == "session"
    assert client.get("/api/v1/auth/me").status_code == 401
    r = client.post(API, json={"name": "After Expiry"}, headers=csrf)
    assert r.status_code == 401
    r = client.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_session_lasts_the_configured_hours(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    sid = _session_row(store, client)
    hours = client.app.state.ctx.settings.session_hours  # type: ignore[attr-defined]
    with store.session() as db:
        row = db.get(WebSession, sid)
        assert row is not None
        length = (row.expires_at - row.created_at).total_seconds()
    assert length == pytest.approx(hours * 3600.0, abs=1.0)


def _link(client: TestClient, csrf: dict[str, str]) -> tuple[str, str]:
    vid = new_visit(client, csrf, new_patient(client, csrf, "Link Person"))
    r = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf)
    assert r.status_code == 201, r.text
    assert r.json()["expires_in_days"] == 7
    path = urlsplit(r.json()["url"]).path
    return path, token_hash(path.rsplit("/", 1)[-1])


def _open_link(client: TestClient, path: str) -> int:
    client.cookies.clear()  # the patient's browser: no clinician session
    return client.get(path).status_code


def test_intake_link_expires_after_seven_days(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    path, th = _link(client, csrf)
    with store.session() as db:
        row = db.scalar(select(IntakeToken).where(IntakeToken.token_hash == th))
        assert row is not None
        assert (row.expires_at - row.created_at).total_seconds() == pytest.approx(
            7 * 86400.0, abs=1.0
        )
        # six days, 23 hours and 59 minutes later: still open
        row.created_at -= timedelta(days=7) - timedelta(minutes=1)
        row.expires_at -= timedelta(days=7) - timedelta(minutes=1)
    assert _open_link(client, path) == 200
    # two minutes later: past its seven days
    with store.session() as db:
        row = db.scalar(select(IntakeToken).where(IntakeToken.token_hash == th))
        assert row is not None
        row.created_at -= timedelta(minutes=2)
        row.expires_at -= timedelta(minutes=2)
    assert _open_link(client, path) == 404
    r = client.post(f"{path}/state", json={"answers": {}})
    assert r.status_code == 404


def test_used_intake_link_is_refused(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    path, th = _link(client, csrf)
    assert _open_link(client, path) == 200
    with store.session() as db:
        db.execute(update(IntakeToken).where(IntakeToken.token_hash == th).values(used_at=utcnow()))
    assert _open_link(client, path) == 404
    assert client.post(f"{path}/state", json={"answers": {}}).status_code == 404


def _deactivate(store: Store) -> None:
    with store.session() as db:
        db.execute(update(User).where(User.email == EMAIL).values(active=False))


def test_deactivated_user_cannot_sign_in(client: TestClient, store: Store) -> None:
    _deactivate(store)
    r = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 401
    assert SESSION_COOKIE not in client.cookies
    r = client.post("/login", data={"email": EMAIL, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code != 303 and SESSION_COOKIE not in client.cookies
    with store.session() as db:
        assert db.scalar(select(WebSession)) is None


def test_deactivated_users_session_stops_working(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    assert client.get(API).status_code == 200
    _deactivate(store)
    assert client.get(API).status_code == 401
    assert client.post(API, json={"name": "After"}, headers=csrf).status_code == 401
    r = client.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


ANONYMOUS_BAD_BODIES = [
    ("PUT", "/api/v1/visits/1/intake", {"content": b"{broken", "headers": JSON}),
    ("POST", "/api/v1/assess", {"content": b"{broken", "headers": JSON}),
    ("POST", "/api/v1/assess", {"json": {"pain": {"sites": "nowhere"}}}),
    ("POST", "/api/v1/visits/1/trial", {}),
    ("POST", "/api/v1/patients", {"content": b"{broken", "headers": JSON}),
    ("POST", "/api/v1/patients", {"json": {"name": ""}}),
    ("POST", "/api/v1/patients/1/visits", {"content": b"{broken", "headers": JSON}),
    ("POST", "/api/v1/intake/form-state", {"content": b"[1,", "headers": JSON}),
    ("GET", "/api/v1/visits/0", {}),
    ("GET", "/api/v1/patients/1/compare", {"params": {"a": "x"}}),
]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("method", "url", "kw"), ANONYMOUS_BAD_BODIES)
def test_anonymous_bad_request_answers_401_not_422(
    client: TestClient, method: str, url: str, kw: dict[str, object]
) -> None:
    r = client.request(method, url, **kw)  # type: ignore[arg-type]
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.json() == {"detail": "sign in first (POST /api/v1/auth/login)", "field": "session"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_bad_body_still_answers_422_when_signed_in_and_public_routes_stay_public(
    client: TestClient, store: Store
) -> None:
    # the sign-in itself validates its body (no session needed to be told what is missing)
    r = client.post("/api/v1/auth/login", content=b"{broken", headers=JSON)
    assert r.status_code == 422
    assert client.get("/api/v1/openapi.json").status_code == 200
    csrf = login(client)
    r = client.post("/api/v1/patients", content=b"{broken", headers={**JSON, **csrf})
    assert r.status_code == 422
    # an anonymous 401 is still in the audit log under its route
    client.cookies.clear()
    assert client.post("/api/v1/patients", content=b"{broken", headers=JSON).status_code == 401
    with store.session() as db:
        last = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None
        assert (last.route, last.status, last.actor) == ("/api/v1/patients", 401, "anonymous")


def test_expired_session_cannot_pass_the_early_check_either(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    sid = _session_row(store, client)
    with store.session() as db:
        db.execute(
            update(WebSession)
            .where(WebSession.id == sid)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = client.put("/api/v1/visits/1/intake", content=b"{broken", headers={**JSON, **csrf})
    assert r.status_code == 401


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_signed_in_api_route_answers_401_to_anonymous_broken_json(
    client: TestClient,
) -> None:
    """Every API route but the sign-in, each method, with a broken JSON body and bad path
    values: 401, never 422 (and never anything that tells what the route expects)."""
    public = {"/api/v1/auth/login"}
    seen = 0
    for route in api.router.routes:
        if not isinstance(route, APIRoute) or route.path in public:
            continue
        url = re.sub(r"\{[a-z_]+\}", "0", route.path)  # 0 is not a valid id either
        for method in sorted((route.methods or set()) - {"HEAD"}):
            r = client.request(method, url, content=b'{"broken', headers=JSON)
            assert r.status_code == 401, (method, route.path, r.status_code, r.text)
            seen += 1
    assert seen > 20

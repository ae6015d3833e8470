"""Roles, accounts and the patient-access model (issue 11 item 8).

An administrator creates accounts (temporary password, to be changed first), deactivates and
reactivates them, resets passwords and chooses who sees which patients: under ``own``, a
clinician sees only the patients they created and those shared with them, and every route that
names a patient or a visit answers 404 to anyone else (tested on every such route, API and pages:
the test fails when a route is added without an entry here). Every access to a patient's record,
refused ones included, is in the audit trail the administrator reads.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from kinchain.store import Store
from kinchain.web import admin_api

from .conftest import DEMO, EMAIL, PASSWORD, login, new_patient, new_visit, upload_demo, wait_done

NEW_PASSWORD = "a password of my own choosing"


def _csrf(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.get("/api/v1/auth/me").json()["csrf_token"]}


def _account(admin: TestClient, email: str, role: str = "clinician") -> tuple[int, str]:
    r = admin.post("/api/v1/admin/users", json={"email": email, "role": role}, headers=_csrf(admin))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["must_change_password"] and body["role"] == role
    return body["id"], body["temporary_password"]


def _sign_in_new(app: FastAPI, email: str, temporary: str) -> TestClient:
    """A client of the new account, signed in with its own password (changed from the
    temporary one, which the API requires first)."""
    c = TestClient(app)
    r = c.post("/api/v1/auth/login", json={"email": email, "password": temporary})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
    blocked = c.get("/api/v1/patients")
    assert blocked.status_code == 403 and blocked.json()["field"] == "password"
    assert c.get("/patients", follow_redirects=False).headers["location"] == "/account/password"
    r = c.post(
        "/api/v1/auth/password",
        json={"current_password": temporary, "new_password": NEW_PASSWORD},
        headers=csrf,
    )
    assert r.status_code == 204, r.text
    assert c.get("/api/v1/patients").status_code == 200
    return c


@dataclass
class Clinic:
    app: FastAPI
    store: Store
    admin: TestClient
    owner: TestClient  # created the patient
    other: TestClient  # another clinician
    owner_id: int
    other_id: int
    patient: int
    visit: int


@pytest.fixture
def clinic(app: FastAPI, store: Store) -> Iterator[Clinic]:
    with TestClient(app) as admin:
        login(admin)  # the first account of the clinic: its administrator
        assert admin.get("/api/v1/auth/me").json()["role"] == "admin"
        r = admin.put(
            "/api/v1/admin/settings", json={"patient_access": "own"}, headers=_csrf(admin)
        )
        assert r.status_code == 200 and r.json()["patient_access"] == "own"
        owner_id, t1 = _account(admin, "owner@example.org")
        other_id, t2 = _account(admin, "other@example.org")
        owner = _sign_in_new(app, "owner@example.org", t1)
        other = _sign_in_new(app, "other@example.org", t2)
        csrf = _csrf(owner)
        pid = new_patient(owner, csrf, name="Private Patient")
        vid = new_visit(owner, csrf, pid)
        assert upload_demo(owner, csrf, vid).status_code == 202
        assert wait_done(owner, vid)["status"] == "done"
        r = owner.put(
            f"/api/v1/visits/{vid}/intake", json={"pain": {"sites": ["ankle"]}}, headers=csrf
        )
        assert r.status_code == 200
        wait_done(owner, vid)
        yield Clinic(app, store, admin, owner, other, owner_id, other_id, pid, vid)
        owner.close()
        other.close()


def _requests(visit: int, csrf_token: str) -> dict[tuple[str, str], dict[str, Any]]:
    """One valid request for every route that names a patient or a visit."""
    form = {"csrf_token": csrf_token}
    demo = {"trial": ("walk.c3d", DEMO.read_bytes(), "application/octet-stream")}
    ab = {"a": visit, "b": visit}
    return {
        ("GET", "/api/v1/patients/{patient_id}"): {},
        ("POST", "/api/v1/patients/{patient_id}/visits"): {"json": {"label": "x"}},
        ("GET", "/api/v1/patients/{patient_id}/compare"): {"params": ab},
        ("GET", "/api/v1/visits/{visit_id}"): {},
        ("GET", "/api/v1/visits/{visit_id}/status"): {},
        ("POST", "/api/v1/visits/{visit_id}/trial"): {"files": demo},
        ("PUT", "/api/v1/visits/{visit_id}/intake"): {"json": {"pain": {"sites": ["knee"]}}},
        ("POST", "/api/v1/visits/{visit_id}/intake-link"): {},
        ("GET", "/api/v1/visits/{visit_id}/analysis"): {},
        ("GET", "/api/v1/visits/{visit_id}/curves"): {},
        ("GET", "/api/v1/visits/{visit_id}/report.html"): {},
        ("GET", "/api/v1/visits/{visit_id}/report.pdf"): {},
        ("GET", "/api/v1/visits/{visit_id}/fhir"): {},
        ("GET", "/api/v1/visits/{visit_id}/referral.pdf"): {},
        ("GET", "/api/v1/visits/{visit_id}/referral.txt"): {},
        ("GET", "/api/v1/visits/{visit_id}/patient-summary.pdf"): {},
        ("GET", "/api/v1/visits/{visit_id}/patient-summary.html"): {},
        ("GET", "/visits/{visit_id}/patient-summary"): {},
        ("GET", "/api/v1/patients/{patient_id}/shares"): {},
        ("POST", "/api/v1/patients/{patient_id}/shares"): {"json": {"email": "other@example.org"}},
        ("DELETE", "/api/v1/patients/{patient_id}/shares/{user_id}"): {},
        ("GET", "/patients/{patient_id}"): {},
        ("POST", "/patients/{patient_id}/visits"): {"data": form | {"label": "x"}},
        ("GET", "/visits/{visit_id}"): {},
        ("POST", "/visits/{visit_id}/trial"): {"data": form, "files": demo},
        ("POST", "/visits/{visit_id}/intake-link"): {"data": form},
        ("GET", "/visits/{visit_id}/intake"): {},
        ("POST", "/visits/{visit_id}/intake"): {"data": form | {"pain.sites": "knee"}},
        ("GET", "/patients/{patient_id}/compare"): {"params": ab},
        ("POST", "/patients/{patient_id}/shares"): {"data": form | {"email": "other@example.org"}},
        ("POST", "/patients/{patient_id}/shares/{user_id}/remove"): {"data": form},
        ("GET", "/api/v1/visits/{visit_id}/questionnaires"): {},
        ("POST", "/api/v1/visits/{visit_id}/questionnaires"): {
            "json": {"instrument": "nprs", "answers": {"pain": 3}}
        },
        ("GET", "/api/v1/patients/{patient_id}/outcomes"): {},
        ("GET", "/visits/{visit_id}/questionnaires"): {},
        ("POST", "/visits/{visit_id}/questionnaires"): {
            "data": form | {"instrument": "nprs", "nprs.pain": "3"}
        },
        ("POST", "/api/v1/visits/{visit_id}/simulations"): {
            "json": {"restrictions": ["knee_flexion_max=20"], "side": "L"}
        },
        ("GET", "/api/v1/visits/{visit_id}/simulations"): {},
        ("GET", "/api/v1/visits/{visit_id}/simulations/{run_id}"): {},
        ("GET", "/api/v1/visits/{visit_id}/simulations/{run_id}.pdf"): {},
        ("GET", "/api/v1/visits/{visit_id}/simulations/{run_id}.html"): {},
        ("POST", "/visits/{visit_id}/simulations"): {
            "data": form | {"what": "stiff_knee", "value": "20", "side": "L"}
        },
        ("GET", "/visits/{visit_id}/simulations/{run_id}"): {},
    }


def _routers() -> list[APIRouter]:
    """Every router of every module of the web package, so a new module's routes are checked too."""
    import kinchain.web

    found = []
    for info in pkgutil.iter_modules(kinchain.web.__path__):
        module = importlib.import_module(f"kinchain.web.{info.name}")
        found += [v for v in vars(module).values() if isinstance(v, APIRouter)]
    return list({id(r): r for r in found}.values())


def _record_routes() -> set[tuple[str, str]]:
    out = set()
    for router in _routers():
        for r in router.routes:
            path = getattr(r, "path", "")
            if ("{patient_id}" in path or "{visit_id}" in path) and "/admin/" not in path:
                for method in getattr(r, "methods", ()):
                    out.add((method, path))
    return out


def _call(c: Clinic, client: TestClient, method: str, template: str, kw: dict[str, Any]) -> Any:
    path = template.format(patient_id=c.patient, visit_id=c.visit, user_id=c.other_id, run_id=1)
    headers = _csrf(client) if path.startswith("/api/") and method != "GET" else {}
    return client.request(method, path, headers=headers, follow_redirects=False, **kw)


def test_every_record_route_is_covered() -> None:
    """The table of :func:`_requests` names every route that reaches a patient's record."""
    assert set(_requests(1, "x")) == _record_routes()


def test_a_clinician_sees_only_own_and_shared_patients(clinic: Clinic) -> None:
    c = clinic
    assert [p["id"] for p in c.owner.get("/api/v1/patients").json()] == [c.patient]
    assert c.other.get("/api/v1/patients").json() == []
    assert "Private Patient" not in c.other.get("/patients").text
    assert c.other.get("/api/v1/patients", params={"q": "Private"}).json() == []
    # Every route that names the patient or its visit: 404 for the other clinician, as for a
    # patient that does not exist (the answer does not tell which).
    for (method, template), kw in _requests(c.visit, _csrf(c.other)["X-CSRF-Token"]).items():
        r = _call(c, c.other, method, template, kw)
        assert r.status_code == 404, (method, template, r.status_code, r.text[:200])
        assert "Private Patient" not in r.text
    # The administrator, too, sees only what is theirs or shared (they manage accounts).
    assert c.admin.get(f"/api/v1/patients/{c.patient}").status_code == 404
    # Nothing the other clinician tried changed the record.
    detail = c.owner.get(f"/api/v1/visits/{c.visit}").json()
    assert detail["intake"]["pain"]["sites"] == ["ankle"] and len(detail["uploads"]) == 1
    assert len(c.owner.get(f"/api/v1/patients/{c.patient}").json()["visits"]) == 1

    # Shared: the other clinician sees and works on the patient; not shared again: gone.
    r = c.owner.post(
        f"/api/v1/patients/{c.patient}/shares",
        json={"email": "other@example.org"},
        headers=_csrf(c.owner),
    )
    assert r.status_code == 201
    assert [p["id"] for p in c.other.get("/api/v1/patients").json()] == [c.patient]
    assert c.other.get(f"/api/v1/visits/{c.visit}/report.pdf").status_code == 200
    assert c.other.get(f"/visits/{c.visit}").status_code == 200
    # only the creator (or an administrator) shares further
    r = c.other.post(
        f"/api/v1/patients/{c.patient}/shares", json={"email": EMAIL}, headers=_csrf(c.other)
    )
    assert r.status_code == 403
    r = c.owner.delete(f"/api/v1/patients/{c.patient}/shares/{c.other_id}", headers=_csrf(c.owner))
    assert r.status_code == 204
    assert c.other.get(f"/api/v1/visits/{c.visit}").status_code == 404

    # Under the clinic model every clinician sees every patient.
    r = c.admin.put(
        "/api/v1/admin/settings", json={"patient_access": "clinic"}, headers=_csrf(c.admin)
    )
    assert r.status_code == 200
    assert c.other.get(f"/api/v1/visits/{c.visit}").status_code == 200
    assert [p["id"] for p in c.other.get("/api/v1/patients").json()] == [c.patient]


def test_only_an_administrator_manages_accounts(clinic: Clinic) -> None:
    c = clinic
    admin_calls = [
        ("GET", "/api/v1/admin/users", {}),
        ("POST", "/api/v1/admin/users", {"json": {"email": "x@example.org"}}),
        ("POST", f"/api/v1/admin/users/{c.owner_id}/deactivate", {}),
        ("POST", f"/api/v1/admin/users/{c.owner_id}/activate", {}),
        ("POST", f"/api/v1/admin/users/{c.owner_id}/reset-password", {}),
        ("PUT", f"/api/v1/admin/users/{c.other_id}/role", {"json": {"role": "admin"}}),
        ("GET", "/api/v1/admin/settings", {}),
        ("PUT", "/api/v1/admin/settings", {"json": {"patient_access": "clinic"}}),
        ("GET", "/api/v1/admin/audit", {}),
    ]
    covered = {(m, re.sub(r"/\d+/", "/{user_id}/", p)) for m, p, _ in admin_calls}
    routes = {
        (m, r.path)
        for r in admin_api.router.routes
        if "/admin/" in getattr(r, "path", "")
        for m in getattr(r, "methods", ())
    }
    assert covered == routes
    for method, path, kw in admin_calls:
        r = c.other.request(method, path, headers=_csrf(c.other), **kw)
        assert r.status_code == 403 and r.json()["field"] == "role", (method, path)
        anonymous = TestClient(c.app).request(method, path, **kw)
        assert anonymous.status_code == 401, (method, path)
    assert c.other.get("/admin").status_code == 403
    assert c.other.get("/admin/audit").status_code == 403
    form = {"csrf_token": _csrf(c.other)["X-CSRF-Token"]}
    r = c.other.post(f"/admin/users/{c.owner_id}/deactivate", data=form)
    assert r.status_code == 403
    assert c.owner.get("/api/v1/patients").status_code == 200  # still active
    assert c.other.get("/api/v1/auth/me").json()["role"] == "clinician"


def test_deactivate_reset_and_the_last_administrator(clinic: Clinic) -> None:
    c = clinic
    admin_csrf = _csrf(c.admin)
    me = c.admin.get("/api/v1/auth/me").json()
    users = {u["email"]: u for u in c.admin.get("/api/v1/admin/users").json()}
    admin_id = users[EMAIL]["id"]
    assert me["role"] == "admin"

    # Deactivated: its session ends at once and it cannot sign in; its patient is kept.
    r = c.admin.post(f"/api/v1/admin/users/{c.owner_id}/deactivate", headers=admin_csrf)
    assert r.status_code == 200 and r.json()["active"] is False
    assert c.owner.get("/api/v1/patients").status_code == 401
    fresh = TestClient(c.app)
    r = fresh.post(
        "/api/v1/auth/login", json={"email": "owner@example.org", "password": NEW_PASSWORD}
    )
    assert r.status_code == 401
    r = c.admin.post(f"/api/v1/admin/users/{c.owner_id}/activate", headers=admin_csrf)
    assert r.status_code == 200 and r.json()["active"] is True
    owner = TestClient(c.app)
    login(owner, "owner@example.org", NEW_PASSWORD)
    assert [p["id"] for p in owner.get("/api/v1/patients").json()] == [c.patient]

    # Reset: a new temporary password (shown once); the old one and its sessions stop working.
    r = c.admin.post(f"/api/v1/admin/users/{c.owner_id}/reset-password", headers=admin_csrf)
    assert r.status_code == 200
    temporary = r.json()["temporary_password"]
    assert len(temporary) >= 10 and r.json()["must_change_password"]
    assert owner.get("/api/v1/patients").status_code == 401
    bad = TestClient(c.app).post(
        "/api/v1/auth/login", json={"email": "owner@example.org", "password": NEW_PASSWORD}
    )
    assert bad.status_code == 401
    again = _sign_in_new(c.app, "owner@example.org", temporary)
    assert [p["id"] for p in again.get("/api/v1/patients").json()] == [c.patient]

    # The clinic keeps an administrator: not yourself, not the last one.
    r = c.admin.post(f"/api/v1/admin/users/{admin_id}/deactivate", headers=admin_csrf)
    assert r.status_code == 409
    r = c.admin.put(
        f"/api/v1/admin/users/{admin_id}/role", json={"role": "clinician"}, headers=admin_csrf
    )
    assert r.status_code == 409
    r = c.admin.put(
        f"/api/v1/admin/users/{c.other_id}/role", json={"role": "admin"}, headers=admin_csrf
    )
    assert r.status_code == 200 and r.json()["role"] == "admin"
    other_csrf = _csrf(c.other)
    assert c.other.get("/api/v1/admin/users").status_code == 200  # from the next request
    r = c.other.post(f"/api/v1/admin/users/{admin_id}/deactivate", headers=other_csrf)
    assert r.status_code == 200
    r = c.other.post(f"/api/v1/admin/users/{c.other_id}/deactivate", headers=other_csrf)
    assert r.status_code == 409  # the last active administrator
    dup = c.other.post(
        "/api/v1/admin/users", json={"email": "OWNER@example.org"}, headers=other_csrf
    )
    assert dup.status_code == 409


def test_every_access_to_a_record_is_audited(clinic: Clinic) -> None:
    c = clinic
    assert c.other.get(f"/api/v1/visits/{c.visit}/report.pdf").status_code == 404
    assert c.owner.get(f"/api/v1/visits/{c.visit}/fhir").status_code == 200
    assert c.owner.get(f"/patients/{c.patient}").status_code == 200
    trail = c.admin.get("/api/v1/admin/audit", params={"patient_id": c.patient}).json()
    seen = {(e["email"], e["route"], e["status"]) for e in trail if e["action"] == "access"}
    assert ("other@example.org", "/api/v1/visits/{visit_id}/report.pdf", 404) in seen
    assert ("owner@example.org", "/api/v1/visits/{visit_id}/fhir", 200) in seen
    assert ("owner@example.org", "/patients/{patient_id}", 200) in seen
    actions = {e["action"] for e in trail}
    assert {"patient.create", "visit.upload", "intake.save", "analysis.done"} <= actions
    assert all(e["target_type"] in ("patient", "visit") for e in trail)
    # nothing of the patient's data in the trail
    assert "Private Patient" not in str(trail)
    page = c.admin.get("/admin/audit", params={"patient_id": c.patient})
    assert page.status_code == 200 and "other@example.org" in page.text and "refused" in page.text
    assert "downloaded the PDF report" in page.text and "{visit_id}" not in page.text
    # an account's own trail
    mine = c.admin.get("/api/v1/admin/audit", params={"user_id": c.other_id}).json()
    assert mine and {e["email"] for e in mine} == {"other@example.org"}


def test_the_accounts_page_creates_and_resets_with_a_password_shown_once(
    clinic: Clinic,
) -> None:
    c = clinic
    form = {"csrf_token": _csrf(c.admin)["X-CSRF-Token"]}
    page = c.admin.get("/admin")
    assert page.status_code == 200 and "owner@example.org" in page.text
    r = c.admin.post("/admin/users", data=form | {"email": "new@example.org", "role": "clinician"})
    assert r.status_code == 200
    shown = re.search(r'id="temporary-password"[^>]*>.*?<code>([^<]+)</code>', r.text, re.S)
    assert shown is not None
    _sign_in_new(c.app, "new@example.org", shown.group(1))
    assert shown.group(1) not in c.admin.get("/admin").text  # shown only once
    r = c.admin.post(f"/admin/users/{c.other_id}/deactivate", data=form)
    assert r.status_code == 200 and "deactivated" in r.text
    assert c.other.get("/api/v1/patients").status_code == 401
    r = c.admin.post("/admin/settings", data=form | {"patient_access": "clinic"})
    assert r.status_code == 200
    assert c.admin.get("/api/v1/admin/settings").json()["patient_access"] == "clinic"
    # the password page changes one's own password
    owner_form = {"csrf_token": _csrf(c.owner)["X-CSRF-Token"]}
    r = c.owner.post(
        "/account/password",
        data=owner_form
        | {
            "current_password": NEW_PASSWORD,
            "new_password": "yet another long password",
            "repeat_password": "yet another long password",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    login(TestClient(c.app), "owner@example.org", "yet another long password")


def test_first_account_is_the_administrator(store: Store) -> None:
    from kinchain.web.security import create_user

    with store.session() as db:
        first = create_user(db, "a@example.org", PASSWORD)
        second = create_user(db, "b@example.org", PASSWORD)
        assert (first.role, second.role) == ("admin", "clinician")

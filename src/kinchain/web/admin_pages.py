"""The pages of accounts and access: your password, the administrator's accounts page (create,
deactivate, reactivate, reset a password, change a role, the clinic's patient-access model), the
audit trail of a patient's record, and sharing a patient. The same operations as the JSON API
(:mod:`kinchain.web.admin_api`), through :mod:`kinchain.web.accounts`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kinchain.web import accounts as ac
from kinchain.web import services as sv
from kinchain.web.audit import record_user
from kinchain.web.context import (
    MAX_ID,
    ApiError,
    DbId,
    Principal,
    ctx,
    page_admin,
    page_user,
)
from kinchain.web.pages import _check_csrf, _patient_page, render

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]
Admin = Annotated[Principal, Depends(page_admin)]

ACCESS_TEXT = {
    "clinic": "Every clinician sees every patient of the clinic",
    "own": "Each clinician sees the patients they created and those shared with them",
}


# ----------------------------------------------------------------------------- own password
@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, user: User) -> Response:
    return render(request, "account_password.html", user=user, error={})


@router.post("/account/password", response_class=HTMLResponse)
def password_change(
    request: Request,
    user: User,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    repeat_password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, user, csrf_token)
    try:
        if new_password != repeat_password:
            raise ApiError(422, "repeat_password", "the two new passwords differ")
        with ctx(request).store.session() as db:
            ac.change_password(db, user.user_id, current_password, new_password, user.session_id)
            record_user(db, user.user_id, "user.password", ("user", user.user_id))
    except ApiError as exc:
        return render(
            request,
            "account_password.html",
            status=exc.status,
            user=user,
            error={exc.field: exc.problem},
        )
    return RedirectResponse("/patients", status_code=303)


# ----------------------------------------------------------------------------- accounts
def _admin_page(
    request: Request,
    admin: Principal,
    *,
    status: int = 200,
    notice: str | None = None,
    temporary: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    with ctx(request).store.session() as db:
        users = [ac.user_dict(u) for u in ac.list_users(db)]
        settings = ac.settings_dict(db)
    return render(
        request,
        "admin.html",
        status=status,
        user=admin,
        users=users,
        settings=settings,
        access_text=ACCESS_TEXT,
        notice=notice,
        temporary=temporary,
        error=error,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, admin: Admin) -> Response:
    return _admin_page(request, admin)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_create(
    request: Request,
    admin: Admin,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = "clinician",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, admin, csrf_token)
    try:
        with ctx(request).store.session() as db:
            u, password = ac.create_account(db, email, role)
            record_user(db, admin.user_id, "user.create", ("user", u.id))
            shown = {"email": u.email, "password": password}
    except ApiError as exc:
        return _admin_page(request, admin, status=exc.status, error=exc.problem)
    return _admin_page(request, admin, temporary=shown)


_ACTIONS = ("deactivate", "activate", "reset-password", "make-admin", "make-clinician")


@router.post("/admin/users/{user_id}/{action}", response_class=HTMLResponse)
def admin_action(
    request: Request,
    admin: Admin,
    user_id: DbId,
    action: str,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, admin, csrf_token)
    if action not in _ACTIONS:
        raise ApiError(404, "action", "no such action")
    shown: dict[str, str] | None = None
    try:
        with ctx(request).store.session() as db:
            if action == "reset-password":
                u, password = ac.reset_password(db, admin, user_id)
                shown = {"email": u.email, "password": password}
            elif action in ("deactivate", "activate"):
                u = ac.set_active(db, admin, user_id, action == "activate")
            else:
                u = ac.set_role(db, admin, user_id, action.removeprefix("make-"))
            record_user(db, admin.user_id, f"user.{action.replace('-', '_')}", ("user", u.id))
            done = f"{u.email}: {action.replace('-', ' ')} done"
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _admin_page(request, admin, status=exc.status, error=exc.problem)
    return _admin_page(request, admin, notice=None if shown else done, temporary=shown)


@router.post("/admin/settings", response_class=HTMLResponse)
def admin_settings(
    request: Request,
    admin: Admin,
    patient_access: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, admin, csrf_token)
    try:
        with ctx(request).store.session() as db:
            ac.set_patient_access(db, admin, patient_access)
            record_user(db, admin.user_id, f"settings.patient_access.{patient_access}")
    except ApiError as exc:
        return _admin_page(request, admin, status=exc.status, error=exc.problem)
    return _admin_page(request, admin, notice=f"Patient access: {ACCESS_TEXT[patient_access]}.")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    admin: Admin,
    patient_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Who accessed or changed a patient's record, or what one account did (newest first)."""
    with ctx(request).store.session() as db:
        events = ac.audit_events(db, patient_id=patient_id, user_id=user_id, limit=500)
        patient: dict[str, Any] | None = None
        if patient_id is not None:
            p = db.get(sv.Patient, patient_id)
            patient = sv.patient_dict(p) if p is not None else None
    return render(
        request, "audit.html", user=admin, events=events, patient=patient, user_id=user_id
    )


# ----------------------------------------------------------------------------- sharing
@router.post("/patients/{patient_id}/shares", response_class=HTMLResponse)
def share_page(
    request: Request,
    user: User,
    patient_id: DbId,
    email: Annotated[str, Form(max_length=320)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, user, csrf_token)
    try:
        with ctx(request).store.session() as db:
            p = sv.get_patient(db, patient_id, user)
            ac.share_patient(db, user, p, email)
            record_user(db, user.user_id, "patient.share", ("patient", p.id))
    except ApiError as exc:
        if exc.status == 404 and exc.field == "patient_id":
            raise
        return _patient_page(
            request, user, patient_id, status=exc.status, error={"share": exc.problem}
        )
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)


@router.post("/patients/{patient_id}/shares/{user_id}/remove", response_class=HTMLResponse)
def unshare_page(
    request: Request,
    user: User,
    patient_id: DbId,
    user_id: DbId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, user, csrf_token)
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        ac.unshare_patient(db, user, p, user_id)
        record_user(db, user.user_id, "patient.unshare", ("patient", p.id))
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)

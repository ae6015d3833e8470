"""The JSON API of accounts and access: the administrator's account management and clinic
settings, the audit trail, each clinician's password, and sharing a patient.

Every route needs a signed-in account (401) and, for a change, the session's CSRF token (403);
``/admin/...`` needs an administrator (403 for a clinician). Each change is written to the audit
log with the account acting and the account or patient changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from kinchain.web import accounts as ac
from kinchain.web import services as sv
from kinchain.web.audit import record_user
from kinchain.web.context import MAX_ID, DbId, Principal, admin_user, api_user, ctx

router = APIRouter(prefix="/api/v1")
User = Annotated[Principal, Depends(api_user)]
Admin = Annotated[Principal, Depends(admin_user)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountIn(_In):
    email: str = Field(min_length=3, max_length=320)
    role: Literal["clinician", "admin"] = "clinician"


class RoleIn(_In):
    role: Literal["clinician", "admin"]


class SettingsIn(_In):
    patient_access: Literal["clinic", "own"] = Field(
        description="clinic: every clinician sees every patient; own: only the patients they "
        "created and those shared with them."
    )


class PasswordIn(_In):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class ShareIn(_In):
    email: str = Field(min_length=3, max_length=320)


class AccountOut(BaseModel):
    schema_version: Literal["1"] = "1"
    id: int
    email: str
    role: str
    active: bool
    must_change_password: bool
    created_at: str


class TemporaryPasswordOut(AccountOut):
    temporary_password: str = Field(
        description="Shown once: give it to the account's holder, who must change it at the "
        "first sign-in."
    )


# --------------------------------------------------------------------------- own account
@router.post("/auth/password", status_code=204, tags=["auth"])
def change_password(body: PasswordIn, request: Request, user: User) -> None:
    """Change your password (needed first after an account is created or reset); your other
    sessions end."""
    with ctx(request).store.session() as db:
        ac.change_password(
            db, user.user_id, body.current_password, body.new_password, user.session_id
        )
        record_user(db, user.user_id, "user.password", ("user", user.user_id))


# --------------------------------------------------------------------------- administration
@router.get("/admin/users", response_model=list[AccountOut], tags=["admin"])
def users(request: Request, admin: Admin) -> list[dict[str, Any]]:
    """Every account of the clinic."""
    with ctx(request).store.session() as db:
        return [ac.user_dict(u) for u in ac.list_users(db)]


@router.post("/admin/users", response_model=TemporaryPasswordOut, status_code=201, tags=["admin"])
def create_account(body: AccountIn, request: Request, admin: Admin) -> dict[str, Any]:
    """A new account with a temporary password (returned once, to be changed at the first
    sign-in)."""
    with ctx(request).store.session() as db:
        u, password = ac.create_account(db, body.email, body.role)
        record_user(db, admin.user_id, "user.create", ("user", u.id))
        return {**ac.user_dict(u), "temporary_password": password}


@router.post("/admin/users/{user_id}/deactivate", response_model=AccountOut, tags=["admin"])
def deactivate(user_id: DbId, request: Request, admin: Admin) -> dict[str, Any]:
    """The account can no longer sign in; its sessions end at once. Its patients and the
    audit trail are kept."""
    with ctx(request).store.session() as db:
        u = ac.set_active(db, admin, user_id, False)
        record_user(db, admin.user_id, "user.deactivate", ("user", u.id))
        return ac.user_dict(u)


@router.post("/admin/users/{user_id}/activate", response_model=AccountOut, tags=["admin"])
def activate(user_id: DbId, request: Request, admin: Admin) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        u = ac.set_active(db, admin, user_id, True)
        record_user(db, admin.user_id, "user.activate", ("user", u.id))
        return ac.user_dict(u)


@router.post(
    "/admin/users/{user_id}/reset-password", response_model=TemporaryPasswordOut, tags=["admin"]
)
def reset_password(user_id: DbId, request: Request, admin: Admin) -> dict[str, Any]:
    """A new temporary password (returned once); the account's sessions end and it must
    choose a new password at its next sign-in."""
    with ctx(request).store.session() as db:
        u, password = ac.reset_password(db, admin, user_id)
        record_user(db, admin.user_id, "user.reset_password", ("user", u.id))
        return {**ac.user_dict(u), "temporary_password": password}


@router.put("/admin/users/{user_id}/role", response_model=AccountOut, tags=["admin"])
def set_role(user_id: DbId, body: RoleIn, request: Request, admin: Admin) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        u = ac.set_role(db, admin, user_id, body.role)
        record_user(db, admin.user_id, f"user.role.{body.role}", ("user", u.id))
        return ac.user_dict(u)


@router.get("/admin/settings", tags=["admin"])
def get_settings(request: Request, admin: Admin) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        return ac.settings_dict(db)


@router.put("/admin/settings", tags=["admin"])
def put_settings(body: SettingsIn, request: Request, admin: Admin) -> dict[str, Any]:
    """Choose the clinic's patient-access model; it applies from the next request."""
    with ctx(request).store.session() as db:
        ac.set_patient_access(db, admin, body.patient_access)
        record_user(db, admin.user_id, f"settings.patient_access.{body.patient_access}")
        db.flush()
        return ac.settings_dict(db)


@router.get("/admin/audit", tags=["admin"])
def audit(
    request: Request,
    admin: Admin,
    patient_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:
    """The audit trail, newest first: who accessed or changed a patient's record (the patient
    and its visits, refused attempts included) and/or what one account did."""
    with ctx(request).store.session() as db:
        return ac.audit_events(db, patient_id=patient_id, user_id=user_id, since=since, limit=limit)


# --------------------------------------------------------------------------- sharing
@router.get("/patients/{patient_id}/shares", tags=["patients"])
def list_shares(patient_id: DbId, request: Request, user: User) -> list[dict[str, Any]]:
    """The clinicians the patient is shared with (used when the clinic's access model is
    ``own``)."""
    with ctx(request).store.session() as db:
        return ac.shares(db, sv.get_patient(db, patient_id, user))


@router.post("/patients/{patient_id}/shares", status_code=201, tags=["patients"])
def share(patient_id: DbId, body: ShareIn, request: Request, user: User) -> dict[str, Any]:
    """Share the patient with another clinician (the clinician who created it, or an
    administrator)."""
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        u = ac.share_patient(db, user, p, body.email)
        record_user(db, user.user_id, "patient.share", ("patient", p.id))
        return {"user_id": u.id, "email": u.email}


@router.delete("/patients/{patient_id}/shares/{user_id}", status_code=204, tags=["patients"])
def unshare(patient_id: DbId, user_id: DbId, request: Request, user: User) -> None:
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        ac.unshare_patient(db, user, p, user_id)
        record_user(db, user.user_id, "patient.unshare", ("patient", p.id))

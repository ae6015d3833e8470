"""Accounts and access, each in the caller's transaction: what an administrator does (create,
deactivate, reactivate, reset a password, change a role, choose the clinic's patient-access
model), what every clinician does with their own account (change the password) and with their
patients (share them), and the audit trail of one patient's record.

The rules that keep a clinic able to work: an administrator cannot deactivate or demote
themselves, and the last active administrator stays one. A reset or new account gets a random
temporary password shown once; its holder must change it before doing anything else. Ending an
account's access (deactivation, reset) ends its sessions at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from kinchain.store import (
    AuditEvent,
    ClinicSetting,
    Patient,
    PatientAccess,
    PatientShare,
    Role,
    User,
    Visit,
    WebSession,
)
from kinchain.web.context import ApiError, Principal
from kinchain.web.security import MIN_PASSWORD, create_user, hash_password, verify_password


def user_dict(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "role": u.role,
        "active": u.active,
        "must_change_password": u.must_change_password,
        "created_at": u.created_at.isoformat() + "Z",
    }


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.email)))


def _user(db: Session, user_id: int) -> User:
    u = db.get(User, user_id)
    if u is None:
        raise ApiError(404, "user_id", "no such account")
    return u


def temporary_password() -> str:
    """A random password for a new or reset account (shown once; 16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def create_account(db: Session, email: str, role: str) -> tuple[User, str]:
    """A new account with a temporary password that must be changed at the first sign-in;
    returns the account and the password (shown once, never stored in clear)."""
    if role not in (Role.clinician.value, Role.admin.value):
        raise ApiError(422, "role", "clinician or admin")
    password = temporary_password()
    try:
        user = create_user(db, email, password, role=role, must_change_password=True)
    except ValueError as exc:
        status = 409 if "exists" in str(exc) else 422
        raise ApiError(status, "email", str(exc)) from exc
    return user, password


def _active_admins(db: Session) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.admin.value, User.active.is_(True))
        )
        or 0
    )


def _end_sessions(db: Session, user_id: int) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))


def set_active(db: Session, admin: Principal, user_id: int, active: bool) -> User:
    """Deactivate (its sessions end at once; it can no longer sign in) or reactivate an
    account. An administrator cannot deactivate their own account."""
    u = _user(db, user_id)
    if not active:
        if u.id == admin.user_id:
            raise ApiError(409, "user_id", "you cannot deactivate your own account")
        if u.role == Role.admin.value and u.active and _active_admins(db) <= 1:
            raise ApiError(409, "user_id", "the last active administrator cannot be deactivated")
        _end_sessions(db, u.id)
    u.active = active
    return u


def reset_password(db: Session, admin: Principal, user_id: int) -> tuple[User, str]:
    """A new temporary password for the account (returned once); its sessions end and it must
    choose a new password at its next sign-in."""
    u = _user(db, user_id)
    if u.id == admin.user_id:
        raise ApiError(409, "user_id", "change your own password under your account instead")
    password = temporary_password()
    u.password_hash = hash_password(password)
    u.must_change_password = True
    _end_sessions(db, u.id)
    return u, password


def set_role(db: Session, admin: Principal, user_id: int, role: str) -> User:
    """Make the account a clinician or an administrator; the last active administrator and
    the administrator acting stay administrators."""
    if role not in (Role.clinician.value, Role.admin.value):
        raise ApiError(422, "role", "clinician or admin")
    u = _user(db, user_id)
    if role != Role.admin.value and u.role == Role.admin.value:
        if u.id == admin.user_id:
            raise ApiError(409, "user_id", "you cannot remove your own administrator role")
        if u.active and _active_admins(db) <= 1:
            raise ApiError(409, "user_id", "the last active administrator must stay one")
    u.role = role
    return u


def change_password(
    db: Session, user_id: int, current: str, new: str, keep_session: str | None
) -> None:
    """Replace the account's password (the current one must be given); every other session of
    the account ends."""
    u = _user(db, user_id)
    if not verify_password(current, u.password_hash):
        raise ApiError(403, "current_password", "the current password is wrong")
    if len(new) < MIN_PASSWORD:
        raise ApiError(422, "new_password", f"at least {MIN_PASSWORD} characters")
    if len(new) > 1000:
        raise ApiError(422, "new_password", "at most 1000 characters")
    if new == current:
        raise ApiError(422, "new_password", "choose a password different from the current one")
    u.password_hash = hash_password(new)
    u.must_change_password = False
    stmt = delete(WebSession).where(WebSession.user_id == u.id)
    if keep_session is not None:
        stmt = stmt.where(WebSession.id != keep_session)
    db.execute(stmt)


def settings_dict(db: Session) -> dict[str, Any]:
    row = db.get(ClinicSetting, "patient_access")
    return {
        "patient_access": row.value if row is not None else PatientAccess.clinic.value,
        "updated_at": row.updated_at.isoformat() + "Z" if row is not None else None,
    }


def set_patient_access(db: Session, admin: Principal, value: str) -> None:
    """Choose the clinic's patient-access model (``clinic`` or ``own``)."""
    if value not in (PatientAccess.clinic.value, PatientAccess.own.value):
        raise ApiError(422, "patient_access", "clinic or own")
    row = db.get(ClinicSetting, "patient_access")
    if row is None:
        db.add(ClinicSetting(name="patient_access", value=value, updated_by=admin.user_id))
    else:
        row.value = value
        row.updated_by = admin.user_id


# ---------------------------------------------------------------------------- sharing
def _may_share(viewer: Principal, p: Patient) -> None:
    if p.created_by != viewer.user_id and not viewer.is_admin:
        raise ApiError(
            403, "patient_id", "only the clinician who created the patient or an administrator"
        )


def shares(db: Session, p: Patient) -> list[dict[str, Any]]:
    """Whom the patient is shared with (besides the clinician who created it)."""
    rows = db.execute(
        select(PatientShare, User.email)
        .join(User, User.id == PatientShare.user_id)
        .where(PatientShare.patient_id == p.id)
        .order_by(User.email)
    ).all()
    return [
        {"user_id": s.user_id, "email": email, "granted_at": s.granted_at.isoformat() + "Z"}
        for s, email in rows
    ]


def share_patient(db: Session, viewer: Principal, p: Patient, email: str) -> User:
    """Share the patient with the active account ``email`` (no-op when already shared)."""
    _may_share(viewer, p)
    u = db.scalar(select(User).where(User.email == email.strip().lower()))
    if u is None or not u.active:
        raise ApiError(404, "email", "no active account with this e-mail")
    if db.get(PatientShare, (p.id, u.id)) is None and u.id != p.created_by:
        db.add(PatientShare(patient_id=p.id, user_id=u.id, granted_by=viewer.user_id))
    return u


def unshare_patient(db: Session, viewer: Principal, p: Patient, user_id: int) -> None:
    _may_share(viewer, p)
    row = db.get(PatientShare, (p.id, user_id))
    if row is None:
        raise ApiError(404, "user_id", "the patient is not shared with this account")
    db.delete(row)


# ---------------------------------------------------------------------------- audit
#: What an access to a route means, in words (API and page routes share most words).
_ROUTE_WORDS = {
    "/patients/{patient_id}": "opened the patient's page",
    "/patients/{patient_id}/visits": "created a visit",
    "/patients/{patient_id}/compare": "compared two visits",
    "/patients/{patient_id}/shares": "shared the patient",
    "/patients/{patient_id}/shares/{user_id}": "stopped sharing the patient",
    "/patients/{patient_id}/shares/{user_id}/remove": "stopped sharing the patient",
    "/visits/{visit_id}": "opened the visit",
    "/visits/{visit_id}/status": "checked the analysis progress",
    "/visits/{visit_id}/trial": "uploaded trials",
    "/visits/{visit_id}/intake": "opened or saved the intake",
    "/visits/{visit_id}/intake-link": "created a patient intake link",
    "/visits/{visit_id}/analysis": "downloaded the gait analysis",
    "/visits/{visit_id}/curves": "loaded the gait curves",
    "/visits/{visit_id}/report.html": "opened the report",
    "/visits/{visit_id}/report.pdf": "downloaded the PDF report",
    "/visits/{visit_id}/fhir": "exported the FHIR bundle",
    "/visits/{visit_id}/patient-summary": "opened the patient's summary",
    "/visits/{visit_id}/patient-summary.pdf": "downloaded the patient's summary",
    "/visits/{visit_id}/patient-summary.html": "opened the patient's summary",
    "/visits/{visit_id}/questionnaires": "opened or saved the questionnaires",
    "/patients/{patient_id}/outcomes": "loaded the outcome scores over the visits",
    "/intake/t/{token}": "the patient opened or sent the intake link",
    "/intake/t/{token}/state": "the patient filled the intake link",
}
_ACTION_WORDS = {
    "patient.create": "created the patient",
    "patient.share": "shared the patient",
    "patient.unshare": "stopped sharing the patient",
    "visit.create": "created a visit",
    "visit.upload": "uploaded trials",
    "intake.save": "saved the intake",
    "intake.link": "created a patient intake link",
    "intake.token_submit": "the patient sent the intake",
    "analysis.done": "analysis finished",
    "analysis.failed": "analysis failed",
    "analysis.resume": "analysis resumed after a restart",
}


def describe(action: str, method: str | None, route: str | None) -> str:
    """An audit event in words (the route's template when it has none)."""
    if action != "access":
        return _ACTION_WORDS.get(action, action.replace("_", " ").replace(".", ": "))
    template = (route or "").removeprefix("/api/v1")
    words = _ROUTE_WORDS.get(template)
    if words is None:
        return f"{'opened' if method == 'GET' else 'sent'} {route}"
    return words


def audit_events(
    db: Session,
    *,
    patient_id: int | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The audit trail, newest first: every access and change of one patient's record (the
    patient and all its visits, including refused attempts) and/or by one account."""
    stmt = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
    if patient_id is not None:
        visits = select(Visit.id).where(Visit.patient_id == patient_id)
        stmt = stmt.where(
            or_(
                and_(AuditEvent.target_type == "patient", AuditEvent.target_id == patient_id),
                and_(AuditEvent.target_type == "visit", AuditEvent.target_id.in_(visits)),
            )
        )
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    rows = db.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit)).all()
    return [
        {
            "at": e.at.isoformat() + "Z",
            "actor": e.actor,
            "user_id": e.user_id,
            "email": email,
            "action": e.action,
            "what": describe(e.action, e.method, e.route),
            "method": e.method,
            "route": e.route,
            "status": e.status,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "ip": e.ip,
        }
        for e, email in rows
    ]

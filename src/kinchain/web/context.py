"""The running service's shared objects and the request dependencies: who is signed in, CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.templating import Jinja2Templates

from kinchain.store import ClinicSetting, PatientAccess, Role, Store
from kinchain.web.jobs import JobRunner
from kinchain.web.security import (
    CSRF_HEADER,
    SESSION_COOKIE,
    RateLimiter,
    find_session,
    same,
)
from kinchain.web.settings import Settings

MAX_ID = 2_147_483_647
#: A database id in a path: positive and within a 32-bit integer (SQLite and PostgreSQL).
DbId = Annotated[int, Path(ge=1, le=MAX_ID)]


@dataclass
class Context:
    settings: Settings
    store: Store
    runner: JobRunner
    limiter: RateLimiter
    templates: Jinja2Templates


@dataclass(frozen=True)
class Principal:
    """A signed-in clinician: who, the session's CSRF token, the account's role, the clinic's
    patient-access model at the time of the request, and whether the account still has a
    temporary password that must be changed first."""

    user_id: int
    email: str
    csrf: str
    role: str = Role.clinician.value
    patient_access: str = PatientAccess.clinic.value
    must_change_password: bool = False
    session_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value


_ECHO = re.compile(r" \(got .*?\)(?=; [\w.]+: | \(and \d+ more problems?\)$|$)", re.DOTALL)


def without_values(problem: str) -> str:
    """A validation message without the ``(got <value>)`` echo of the submitted value, so that
    API error bodies carry no answers."""
    return _ECHO.sub("", problem)


class ApiError(Exception):
    """An API error: HTTP status, the field it is about and the problem (JSON body)."""

    def __init__(self, status: int, field: str, problem: str) -> None:
        super().__init__(problem)
        self.status = status
        self.field = field
        self.problem = problem


class LoginRequired(Exception):
    """A page needs a signed-in clinician: redirect to the sign-in page."""


class PasswordChangeRequired(Exception):
    """The account has a temporary password: redirect to the page that changes it."""


#: What an account with a temporary password may still do (API and pages).
PASSWORD_ROUTES = (
    "/api/v1/auth/password",
    "/api/v1/auth/me",
    "/api/v1/auth/logout",
    "/account/password",
    "/logout",
)


def ctx(request: Request) -> Context:
    c: Context = request.app.state.ctx
    return c


#: Where the principal looked up for a request is kept (in its ``scope["state"]``, with the
#: session token it was found for), so that the sign-in check ahead of the API routes
#: (:class:`kinchain.web.app.SignInFirst`) and the route's own dependency read the database once.
_FOUND = "kinchain.principal"


def _principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state: dict[str, Any] = request.scope.setdefault("state", {})
    found = state.get(_FOUND)
    if found is not None and found[0] == token:
        known: Principal | None = found[1]
        return known
    p = _lookup(request, token)
    state[_FOUND] = (token, p)
    return p


def _lookup(request: Request, token: str) -> Principal | None:
    """The signed-in user of session ``token`` from the database (None: no valid session)."""
    c = ctx(request)
    with c.store.session() as db:
        found = find_session(db, token)
        if found is None:
            return None
        row, user = found
        setting = db.get(ClinicSetting, "patient_access")
        p = Principal(
            user.id,
            user.email,
            row.csrf,
            role=user.role,
            patient_access=setting.value if setting is not None else PatientAccess.clinic.value,
            must_change_password=user.must_change_password,
            session_id=row.id,
        )
    request.state.user_id = p.user_id
    return p


def api_user(request: Request) -> Principal:
    """The signed-in clinician of an API call (401 otherwise); state-changing calls also need
    the session's CSRF token in ``X-CSRF-Token`` (403 otherwise)."""
    p = _principal(request)
    if p is None:
        raise ApiError(401, "session", "sign in first (POST /api/v1/auth/login)")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not same(
        request.headers.get(CSRF_HEADER), p.csrf
    ):
        raise ApiError(403, "X-CSRF-Token", "missing or wrong CSRF token")
    if p.must_change_password and request.url.path not in PASSWORD_ROUTES:
        raise ApiError(
            403,
            "password",
            "this account has a temporary password: change it first (POST /api/v1/auth/password)",
        )
    return p


def admin_user(p: Annotated[Principal, Depends(api_user)]) -> Principal:
    """The signed-in administrator of an API call (401 signed out, 403 for a clinician)."""
    if not p.is_admin:
        raise ApiError(403, "role", "only an administrator can do this")
    return p


def page_user(request: Request) -> Principal:
    """The signed-in clinician of a page (redirect to sign-in otherwise)."""
    p = _principal(request)
    if p is None:
        raise LoginRequired()
    if p.must_change_password and request.url.path not in PASSWORD_ROUTES:
        raise PasswordChangeRequired()
    return p


def page_admin(p: Annotated[Principal, Depends(page_user)]) -> Principal:
    """The signed-in administrator of a page (403 page for a clinician)."""
    if not p.is_admin:
        raise ApiError(403, "role", "only an administrator can see this page")
    return p


def optional_user(request: Request) -> Principal | None:
    return _principal(request)

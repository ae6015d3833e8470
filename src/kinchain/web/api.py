"""The JSON API, ``/api/v1``: everything the pages do. Errors are ``{"detail": problem,
"field": name}`` with a 4xx status; the OpenAPI document is at ``/api/v1/openapi.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from kinchain.clinical import (
    ClinicalAssessment,
    Intake,
    assess,
    intake_json_schema,
    parse_intake,
)
from kinchain.fhir import PatientInfo, VisitInfo, build_bundle
from kinchain.report.referral import RenderedLetter
from kinchain.store import Visit
from kinchain.store.models import Upload
from kinchain.store.models import User as Account
from kinchain.web import services as sv
from kinchain.web.audit import record
from kinchain.web.context import ApiError, DbId, Principal, api_user, ctx
from kinchain.web.intake_form import evaluate, question_list
from kinchain.web.jobs import visit_identity
from kinchain.web.outcomes import fhir_outcomes
from kinchain.web.security import (
    SESSION_COOKIE,
    LoginThrottle,
    create_intake_link,
    end_session,
    start_session,
)

API_VERSION = "1"
router = APIRouter(prefix="/api/v1")
User = Annotated[Principal, Depends(api_user)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class SessionOut(BaseModel):
    schema_version: Literal["1"] = "1"
    email: str
    csrf_token: str = Field(description="Send as X-CSRF-Token on POST/PUT/DELETE.")
    role: str = Field(default="clinician", description="clinician or admin")
    must_change_password: bool = Field(
        default=False,
        description="The account has a temporary password: POST /api/v1/auth/password first "
        "(every other call answers 403 until then).",
    )


class PatientIn(_In):
    name: str = Field(min_length=1, max_length=200)
    identifier: str | None = Field(default=None, max_length=100)
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"


class PatientOut(BaseModel):
    schema_version: Literal["1"] = "1"
    id: int
    name: str
    identifier: str | None
    birth_date: str | None
    sex: str
    created_at: str


class VisitIn(_In):
    visit_date: date | None = None
    label: str = Field(default="", max_length=200)


class VisitStatusOut(BaseModel):
    schema_version: Literal["1"] = "1"
    id: int
    status: Literal["empty", "queued", "running", "done", "failed"]
    progress: int = Field(ge=0, le=100)
    stage: str
    error: str | None


class FormStateIn(_In):
    answers: dict[str, str | list[str]] = Field(default_factory=dict)


class FormQuestionOut(BaseModel):
    path: str
    text: str
    label: str
    kind: str
    choices: list[str]


class FormStateOut(BaseModel):
    schema_version: Literal["1"] = "1"
    visible: list[str]
    errors: dict[str, str]
    emergency: bool
    intake: dict[str, Any]
    changes: list[str] = Field(
        default_factory=list,
        description="Questions added after the fixed list because their answer could raise the "
        "urgency (also in visible): show them first.",
    )
    extra: list[FormQuestionOut] = Field(
        default_factory=list,
        description="Those of changes that are not in /intake/questions.",
    )


class LinkOut(BaseModel):
    schema_version: Literal["1"] = "1"
    url: str
    expires_in_days: float


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --------------------------------------------------------------------------- auth
@router.post("/auth/login", response_model=SessionOut, tags=["auth"])
def login(body: LoginIn, request: Request, response: Response) -> SessionOut:
    """Sign in; sets the session cookie and returns the CSRF token."""
    c = ctx(request)
    with c.store.session() as db:
        result = login_throttle(request).sign_in(db, body.email, body.password, _client(request))
        user = result.user
        if result.throttled:
            record(db, action="login.throttled", actor="anonymous", ip=_client(request))
        elif user is None:
            record(db, action="login.failed", actor="anonymous", ip=_client(request))
        else:
            token, row = start_session(db, user, c.settings.session_hours)
            record(db, action="login", actor="user", user_id=user.id, ip=_client(request))
            out = SessionOut(
                email=user.email,
                csrf_token=row.csrf,
                role=user.role,
                must_change_password=user.must_change_password,
            )
    if result.throttled:
        raise ApiError(429, "email", f"too many failed sign-ins; {wait_text(result.retry_after_s)}")
    if user is None:
        raise ApiError(401, "password", "wrong e-mail or password")
    set_session_cookie(request, response, token)
    return out


def login_throttle(request: Request) -> LoginThrottle:
    """The service's sign-in limits (:class:`kinchain.web.security.LoginThrottle`)."""
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def wait_text(seconds: float) -> str:
    """'try again in N seconds/minutes' for a sign-in lock of ``seconds``."""
    s = max(1, round(seconds))
    if s < 120:
        return f"try again in {s} seconds"
    return f"try again in {round(s / 60)} minutes"


def intake_link_url(request: Request, token: str) -> str:
    """The patient's link for ``token``: on the configured base URL (``--base-url``), else on the
    host and port the service listens on; never built from the request's ``Host`` header."""
    path = request.app.url_path_for("token_intake", token=token)
    return ctx(request).settings.public_url(str(path))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    c = ctx(request)
    secure = c.settings.secure_cookies
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(c.settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(user: User, request: Request, response: Response) -> None:
    c = ctx(request)
    with c.store.session() as db:
        end_session(db, request.cookies.get(SESSION_COOKIE))
        record(db, action="logout", actor="user", user_id=user.user_id)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=SessionOut, tags=["auth"])
def me(user: User) -> SessionOut:
    return SessionOut(
        email=user.email,
        csrf_token=user.csrf,
        role=user.role,
        must_change_password=user.must_change_password,
    )


# --------------------------------------------------------------------------- patients
@router.get("/patients", response_model=list[PatientOut], tags=["patients"])
def list_patients(
    request: Request, user: User, q: Annotated[str | None, Query(max_length=100)] = None
) -> list[dict[str, Any]]:
    with ctx(request).store.session() as db:
        return [sv.patient_dict(p) for p in sv.search_patients(db, q, user)]


@router.post("/patients", response_model=PatientOut, status_code=201, tags=["patients"])
def new_patient(body: PatientIn, request: Request, user: User) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        p = sv.create_patient(
            db,
            name=body.name,
            identifier=body.identifier,
            birth_date=body.birth_date,
            sex=body.sex,
            user_id=user.user_id,
        )
        record(
            db,
            action="patient.create",
            actor="user",
            user_id=user.user_id,
            target=("patient", p.id),
        )
        return sv.patient_dict(p)


@router.get("/patients/{patient_id}", tags=["patients"])
def patient(patient_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """The patient and a summary of each visit."""
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        return {**sv.patient_dict(p), "visits": [sv.visit_summary(v) for v in p.visits]}


@router.post("/patients/{patient_id}/visits", status_code=201, tags=["visits"])
def new_visit(patient_id: DbId, body: VisitIn, request: Request, user: User) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        v = sv.create_visit(db, p, body.visit_date, body.label)
        record(
            db, action="visit.create", actor="user", user_id=user.user_id, target=("visit", v.id)
        )
        return sv.visit_summary(v)


# --------------------------------------------------------------------------- visits
@router.get("/visits/{visit_id}", tags=["visits"])
def visit(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """Status, intake, clinical assessment and a summary of the findings."""
    with ctx(request).store.session() as db:
        return sv.visit_detail(sv.get_visit(db, visit_id, user))


@router.get("/visits/{visit_id}/status", response_model=VisitStatusOut, tags=["visits"])
def status(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        return sv.visit_status(sv.get_visit(db, visit_id, user))


@router.post(
    "/visits/{visit_id}/trial", status_code=202, response_model=VisitStatusOut, tags=["visits"]
)
def upload(
    visit_id: DbId,
    request: Request,
    user: User,
    trial: Annotated[
        list[UploadFile],
        File(
            description="The walking trial: .c3d, or .trc with a GRF .mot. Give the field "
            "several times for a gait session: the strides of all trials are pooled, as "
            "`kinchain analyze A B C` does."
        ),
    ],
    grf: Annotated[UploadFile | None, File(description="OpenSim GRF .mot (with a .trc)")] = None,
    mass_kg: Annotated[str | None, Form()] = None,
    height_mm: Annotated[str | None, Form()] = None,
    leg_length_left_mm: Annotated[str | None, Form()] = None,
    leg_length_right_mm: Annotated[str | None, Form()] = None,
    knee_width_left_mm: Annotated[str | None, Form()] = None,
    knee_width_right_mm: Annotated[str | None, Form()] = None,
    ankle_width_left_mm: Annotated[str | None, Form()] = None,
    ankle_width_right_mm: Annotated[str | None, Form()] = None,
    subject_file: Annotated[
        UploadFile | None,
        File(description="Subject measurements: a Vicon .mp or .vsk file (the CLI's --subject)"),
    ] = None,
    static: Annotated[
        UploadFile | None,
        File(description="Static trial (.c3d): calibrates the foot offsets (--static)"),
    ] = None,
    flat_foot: Annotated[
        str | None, Form(description="With a static: the sole was flat on a level floor")
    ] = None,
    marker_diameter_mm: Annotated[
        str | None, Form(description="Marker diameter, mm, 1 to 50 (default: subject's or 14)")
    ] = None,
    marker_cutoff_hz: Annotated[
        str | None, Form(description="Low-pass the markers at this cut-off, Hz (default: none)")
    ] = None,
    max_gap_s: Annotated[
        str | None, Form(description="Longest marker gap interpolated, s (default 0.1)")
    ] = None,
) -> dict[str, Any]:
    """Upload a trial with the CLI's trial options: a subject file (.mp/.vsk), typed subject
    measurements (each wins over the subject file's and the C3D's value; with neither, all six
    lengths), a static trial (with ``flat_foot``), the marker diameter, the marker cut-off and
    the max gap. Everything is read and checked (static calibration included) before anything
    is stored: a problem is a 422 naming the field, and the visit keeps its earlier results. The
    analysis then runs in the background (poll ``/status``)."""
    c = ctx(request)
    values = {
        "mass_kg": mass_kg,
        "height_mm": height_mm,
        "leg_length_left_mm": leg_length_left_mm,
        "leg_length_right_mm": leg_length_right_mm,
        "knee_width_left_mm": knee_width_left_mm,
        "knee_width_right_mm": knee_width_right_mm,
        "ankle_width_left_mm": ankle_width_left_mm,
        "ankle_width_right_mm": ankle_width_right_mm,
        "flat_foot": flat_foot,
        "marker_diameter_mm": marker_diameter_mm,
        "marker_cutoff_hz": marker_cutoff_hz,
        "max_gap_s": max_gap_s,
    }
    do_upload(request, user, visit_id, trial, grf, values, subject_file=subject_file, static=static)
    with c.store.session() as db:
        return sv.visit_status(sv.get_visit(db, visit_id, user))


def do_upload(
    request: Request,
    user: Principal,
    visit_id: DbId,
    trial: Sequence[UploadFile],
    grf: UploadFile | None,
    values: dict[str, str | None],
    *,
    subject_file: UploadFile | None = None,
    static: UploadFile | None = None,
) -> None:
    """Check that ``user`` may change the visit, then validate, store and queue an upload
    (shared with the page): ``trial`` holds one walking trial or several (a session); ``values``
    holds the typed measurements and the trial options (form strings)."""
    c = ctx(request)
    with c.store.session() as db:
        sv.get_visit(db, visit_id, user)
    trials = list(trial)
    if not trials or not trials[0].filename:
        raise ApiError(422, "trial", "choose the trial file")
    subject = sv.subject_values(values)
    options = sv.option_values(values)

    def read(f: UploadFile | None) -> bytes | None:
        return f.file.read() if f is not None and f.filename else None

    sv.store_upload(
        c.store,
        visit_id,
        trial=trials[0].file.read(),
        trial_name=trials[0].filename or "trial",
        more_trials=[(t.file.read(), t.filename or "trial") for t in trials[1:] if t.filename],
        grf=read(grf),
        subject=subject,
        subject_file=read(subject_file),
        subject_file_name=subject_file.filename if subject_file is not None else None,
        static=read(static),
        static_name=static.filename if static is not None else None,
        options=options,
        user_id=user.user_id,
    )
    with c.store.session() as db:
        record(
            db,
            action="visit.upload",
            actor="user",
            user_id=user.user_id,
            target=("visit", visit_id),
        )
    c.runner.submit(visit_id)


_INTAKE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Intake"}}},
    }
}
"""The intake body is read raw and validated by :func:`parse_intake` (its size, nesting and
value limits run before any parsing); the OpenAPI document still describes it."""


async def _intake_body(request: Request) -> Intake:
    """The request body as a validated intake (InputError, answered as 422, names the field)."""
    return parse_intake(await request.body())


@router.put("/visits/{visit_id}/intake", tags=["intake"], openapi_extra=_INTAKE_BODY)
async def put_intake(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """Store the visit's intake (schema: ``/api/v1/intake/schema``); returns the clinical
    assessment at once (with the visit's gait findings when analysed); the report follows in
    the background."""
    body = await _intake_body(request)
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        clinical = sv.save_intake(
            db, v, body.model_dump(mode="json", exclude_defaults=True), "api", user_id=user.user_id
        )
        record(db, action="intake.save", actor="user", user_id=user.user_id, target=("visit", v.id))
        queue = sv.has_analysis_input(v)
    if queue:
        c.runner.submit(visit_id)
    return {"schema_version": "1", "clinical": clinical.model_dump(mode="json")}


@router.post(
    "/visits/{visit_id}/intake-link", response_model=LinkOut, status_code=201, tags=["intake"]
)
def intake_link(visit_id: DbId, request: Request, user: User) -> LinkOut:
    """A single-use link for the patient to fill this visit's intake (shows nothing else)."""
    c = ctx(request)
    with c.store.session() as db:
        sv.get_visit(db, visit_id, user)
        token = create_intake_link(db, visit_id, user.user_id, c.settings.intake_link_days)
        record(
            db, action="intake.link", actor="user", user_id=user.user_id, target=("visit", visit_id)
        )
    return LinkOut(
        url=intake_link_url(request, token),
        expires_in_days=c.settings.intake_link_days,
    )


def _done(v: Visit, what: str) -> None:
    if v.analysis_json is None:
        raise ApiError(409, "visit_id", f"no {what} yet: the analysis is {v.status}")


@router.get("/visits/{visit_id}/analysis", tags=["results"])
def analysis(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """The gait analysis (schema ``kinchain-analysis/1``)."""
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        _done(v, "analysis")
        out: dict[str, Any] = json.loads(v.analysis_json or "{}")
        return out


@router.get("/visits/{visit_id}/curves", tags=["results"])
def curves(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """Mean curves per side and the normative bands (schema ``kinchain-curves/1``)."""
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        _done(v, "curves")
        out: dict[str, Any] = json.loads(v.curves_json or "{}")
        return out


@router.get("/visits/{visit_id}/report.html", response_class=HTMLResponse, tags=["results"])
def report_html(visit_id: DbId, request: Request, user: User) -> Response:
    """The report rendered by :func:`kinchain.report.render_report`."""
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        if v.report_html_sha is None:
            raise ApiError(409, "visit_id", f"no report yet: the analysis is {v.status}")
        sha = v.report_html_sha
    return Response(
        c.store.blobs.get(sha),
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:; frame-ancestors 'self'"
        },
    )


@router.get(
    "/visits/{visit_id}/report.pdf",
    tags=["results"],
    responses={200: {"content": {"application/pdf": {}}}},
)
def report_pdf(visit_id: DbId, request: Request, user: User) -> Response:
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        if v.report_pdf_sha is None:
            raise ApiError(409, "visit_id", f"no report yet: the analysis is {v.status}")
        sha = v.report_pdf_sha
    return Response(
        c.store.blobs.get(sha),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="visit-{visit_id}.pdf"'},
    )


def _referral(request: Request, user: Principal, visit_id: int) -> RenderedLetter:
    """The visit's referral letter, written now by the signed-in clinician (409 without a
    clinical assessment)."""
    from kinchain.report.referral import render_referral

    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        intake = sv.stored_intake(v)
        if intake is None or v.clinical_json is None:
            raise ApiError(409, "visit_id", "no clinical assessment yet: fill the intake first")
        clinical = ClinicalAssessment.model_validate_json(v.clinical_json)
        identity = visit_identity(v, user.email)
        analysed = v.analysis_json is not None
    gait = c.runner.gait_for(visit_id) if analysed else None
    return render_referral(clinical, identity=identity, intake=intake, gait=gait)


@router.get(
    "/visits/{visit_id}/referral.pdf",
    tags=["results"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def referral_pdf(visit_id: DbId, request: Request, user: User) -> Response:
    """A referral letter to the chosen specialist (reason, urgency, red flags, findings, causes,
    tests), from the signed-in clinician, ready to sign."""
    letter = _referral(request, user, visit_id)
    return Response(
        letter.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="referral-visit-{visit_id}.pdf"'},
    )


@router.get("/visits/{visit_id}/referral.txt", tags=["results"], response_class=Response)
def referral_text(visit_id: DbId, request: Request, user: User) -> Response:
    """The referral letter as plain text (for a mail or a record system)."""
    return Response(_referral(request, user, visit_id).text, media_type="text/plain; charset=utf-8")


@router.get("/visits/{visit_id}/fhir", tags=["results"])
def fhir(visit_id: DbId, request: Request, user: User) -> dict[str, Any]:
    """The visit as a FHIR R4 ``collection`` Bundle (:func:`kinchain.fhir.build_bundle`): the
    patient, the intake, the gait observations and the clinical assessment, as far as the visit
    has them."""
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        p = v.patient
        patient = PatientInfo(
            identifier=p.identifier or f"kinchain-patient-{p.id}",
            name=p.name,
            birth_date=p.birth_date,
            sex=p.sex if p.sex in ("female", "male", "other", "unknown") else None,  # type: ignore[arg-type]
        )
        intake = sv.stored_intake(v)
        clinical = (
            ClinicalAssessment.model_validate_json(v.clinical_json) if v.clinical_json else None
        )
        analysed = v.analysis_json is not None
        outcomes = fhir_outcomes(v)
        # the clinician of the visit's results (who uploaded them), as in the report: the same
        # bundle whoever exports it
        current = db.get(Upload, v.current_upload_id) if v.current_upload_id else None
        by = db.get(Account, current.created_by) if current and current.created_by else None
        visit = VisitInfo(
            visit_date=v.visit_date, label=v.label or None, clinician=by.email if by else None
        )
        # The visit's own time, not the request's: when its data (upload, analysis, intake)
        # last changed, so two exports of one visit are the same bundle.
        recorded = v.updated_at.replace(tzinfo=UTC)
        source_name = v.trial_name
    if intake is None and not analysed and not outcomes:
        raise ApiError(
            409, "visit_id", "the visit has no intake, analysis or questionnaire answers yet"
        )
    gait = c.runner.gait_for(visit_id) if analysed else None
    bundle: dict[str, Any] = build_bundle(
        gait,
        clinical,
        intake,
        patient,
        recorded=recorded,
        source_name=source_name,
        outcomes=outcomes,
        visit=visit,
    )
    return bundle


# --------------------------------------------------------------------------- intake tools
@router.get("/intake/schema", tags=["intake"])
def schema(user: User) -> dict[str, Any]:
    """The intake's JSON Schema (the same as ``docs/intake.schema.json``)."""
    out: dict[str, Any] = intake_json_schema()
    return out


@router.get("/intake/questions", tags=["intake"])
def questions(user: User) -> list[dict[str, Any]]:
    """The form's questions in order, as the terminal asks them."""
    return question_list()


@router.post("/intake/form-state", response_model=FormStateOut, tags=["intake"])
def form_state(body: FormStateIn, user: User) -> dict[str, Any]:
    """Which questions to show for these raw answers, messages for refused ones, emergency."""
    s = evaluate(body.answers)
    return {
        "visible": s.visible,
        "errors": s.errors,
        "emergency": s.emergency,
        "intake": s.data,
        "changes": s.changes,
        "extra": s.extra,
    }


@router.post("/assess", tags=["intake"], openapi_extra=_INTAKE_BODY)
async def assess_intake(request: Request, user: User) -> dict[str, Any]:
    """Assess an intake without storing it: urgency, red flags, causes, referral, tests and
    reasons."""
    out: dict[str, Any] = assess(await _intake_body(request)).model_dump(mode="json")
    return out

"""Server-rendered pages (Jinja2): sign-in, patients, visits, upload, intake, report, comparison
and the patient's single-use intake link."""

from __future__ import annotations

import io
import json
import secrets
from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from kinchain.cli.assess import change_meaning, sentence
from kinchain.clinical import WhatWouldChange
from kinchain.store.models import utcnow
from kinchain.web import accounts
from kinchain.web import services as sv
from kinchain.web.api import (
    do_upload,
    intake_link_url,
    login_throttle,
    set_session_cookie,
    wait_text,
)
from kinchain.web.audit import record
from kinchain.web.context import ApiError, DbId, Principal, ctx, optional_user, page_user
from kinchain.web.intake_form import (
    CHANGES_NOTE,
    DURATION_UNITS,
    SITES,
    answers_from_intake,
    evaluate,
    exam_questions,
    form_question,
    merge_with_stored,
    patient_groups,
    patient_question,
    question_dict,
    question_list,
)
from kinchain.web.outcomes import over_time, save_response, visit_outcomes
from kinchain.web.outcomes_plot import series_svg
from kinchain.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    create_intake_link,
    end_session,
    find_intake_link,
    same,
    start_session,
)

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]

#: The patient link's 0-10 pain rating (stored as an ``nprs`` questionnaire response).
PAIN_FIELD = "nprs.pain"

#: Largest body of the patient form's live check (the answers as JSON), in bytes.
MAX_STATE_BODY = 64 * 1024

URGENCY_TEXT = {
    "emergency": "Emergency",
    "same_day": "Same day",
    "soon": "Soon",
    "routine": "Routine",
    "self_care": "Self-care",
}


def _change_meaning(w: Any) -> str:
    """What an answer of a ``what_would_change`` item (model or its JSON) would mean."""
    return change_meaning(WhatWouldChange.model_validate(w))


def render(request: Request, name: str, status: int = 200, **kw: Any) -> HTMLResponse:
    c = ctx(request)
    kw.setdefault("user", None)
    kw.setdefault("urgency_text", URGENCY_TEXT)
    kw.setdefault("change_meaning", _change_meaning)
    kw.setdefault("plain", sentence)
    return c.templates.TemplateResponse(request, name, kw, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)


def _check_csrf(request: Request, user: Principal, token: str | None) -> None:
    if not same(token, user.csrf):
        raise ApiError(403, CSRF_FIELD, "the form has expired; reload the page and try again")


def _anon_csrf(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def _with_anon_csrf(request: Request, resp: Response, token: str) -> Response:
    if request.cookies.get(CSRF_COOKIE) != token:
        c = ctx(request)
        secure = c.settings.secure_cookies
        resp.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https" if secure is None else secure,
        )
    return resp


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/patients"


# ----------------------------------------------------------------------------- sign-in
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return RedirectResponse("/patients", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    token = _anon_csrf(request)
    resp = render(request, "login.html", csrf=token, next=_safe_next(next), error=None)
    return _with_anon_csrf(request, resp, token)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/patients",
) -> Response:
    c = ctx(request)
    token = _anon_csrf(request)
    if not same(csrf_token, request.cookies.get(CSRF_COOKIE)):
        resp = render(
            request,
            "login.html",
            status=403,
            csrf=token,
            next=_safe_next(next),
            error="The form has expired; please sign in again.",
        )
        return _with_anon_csrf(request, resp, token)
    ip = request.client.host if request.client else "unknown"
    with c.store.session() as db:
        result = login_throttle(request).sign_in(db, email, password, ip)
        user = result.user
        if result.throttled:
            record(db, action="login.throttled", actor="anonymous", ip=ip)
        elif user is None:
            record(db, action="login.failed", actor="anonymous", ip=ip)
        else:
            session_token, _ = start_session(db, user, c.settings.session_hours)
            record(db, action="login", actor="user", user_id=user.id, ip=ip)
    if result.throttled:
        resp = render(
            request,
            "login.html",
            status=429,
            csrf=token,
            next=_safe_next(next),
            error=f"Too many failed sign-ins: {wait_text(result.retry_after_s)}.",
        )
        resp.headers["Retry-After"] = str(max(1, round(result.retry_after_s)))
        return resp
    if user is None:
        return render(
            request,
            "login.html",
            status=401,
            csrf=token,
            next=_safe_next(next),
            error="Wrong e-mail or password.",
        )
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, redirect, session_token)
    return redirect


@router.post("/logout")
def logout(request: Request, user: User, csrf_token: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, user, csrf_token)
    with ctx(request).store.session() as db:
        end_session(db, request.cookies.get(SESSION_COOKIE))
        record(db, action="logout", actor="user", user_id=user.user_id)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# ----------------------------------------------------------------------------- patients
@router.get("/patients", response_class=HTMLResponse)
def patients(
    request: Request, user: User, q: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    with ctx(request).store.session() as db:
        rows = [
            {**sv.patient_dict(p), "n_visits": len(p.visits)}
            for p in sv.search_patients(db, q, user)
        ]
    return render(
        request, "patients.html", user=user, patients=rows, q=q or "", error=None, form={}
    )


@router.post("/patients", response_class=HTMLResponse)
def patients_create(
    request: Request,
    user: User,
    name: Annotated[str, Form(max_length=300)] = "",
    identifier: Annotated[str, Form(max_length=300)] = "",
    birth_date: Annotated[str, Form(max_length=20)] = "",
    sex: Annotated[str, Form(max_length=20)] = "unknown",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, user, csrf_token)
    form = {"name": name, "identifier": identifier, "birth_date": birth_date, "sex": sex}
    try:
        try:
            born = date.fromisoformat(birth_date) if birth_date else None
        except ValueError:
            raise ApiError(422, "birth_date", "give a date YYYY-MM-DD") from None
        with ctx(request).store.session() as db:
            p = sv.create_patient(
                db, name=name, identifier=identifier, birth_date=born, sex=sex, user_id=user.user_id
            )
            record(
                db,
                action="patient.create",
                actor="user",
                user_id=user.user_id,
                target=("patient", p.id),
            )
            pid = p.id
    except ApiError as exc:
        with ctx(request).store.session() as db:
            rows = [
                {**sv.patient_dict(p), "n_visits": len(p.visits)}
                for p in sv.search_patients(db, None, user)
            ]
        return render(
            request,
            "patients.html",
            status=exc.status,
            user=user,
            patients=rows,
            q="",
            error={exc.field: exc.problem},
            form=form,
        )
    return RedirectResponse(f"/patients/{pid}", status_code=303)


def _patient_page(
    request: Request,
    user: Principal,
    patient_id: DbId,
    status: int = 200,
    error: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        info = sv.patient_dict(p)
        visits = [sv.visit_summary(v) for v in reversed(p.visits)]
        outcome_series = over_time(p.visits)
        shares = accounts.shares(db, p)
        can_share = p.created_by == user.user_id or user.is_admin
    return render(
        request,
        "patient.html",
        status=status,
        user=user,
        patient=info,
        visits=visits,
        # A subscale never scored at any visit (its missing-item rule) has nothing to plot.
        outcome_series=[
            s | {"svg": Markup(series_svg(s))}
            for s in outcome_series
            if any(p["score"] is not None for p in s["points"])
        ],
        shares=shares,
        can_share=can_share,
        subject_fields=sv.SUBJECT_FIELDS,
        error=error or {},
        form=form or {},
        today=date.today().isoformat(),
    )


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, user: User, patient_id: DbId) -> Response:
    return _patient_page(request, user, patient_id)


@router.post("/patients/{patient_id}/visits", response_class=HTMLResponse)
def visit_create(
    request: Request,
    user: User,
    patient_id: DbId,
    trial: Annotated[UploadFile | None, File()] = None,
    grf: Annotated[UploadFile | None, File()] = None,
    visit_date: Annotated[str, Form(max_length=20)] = "",
    label: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    mass_kg: Annotated[str, Form(max_length=30)] = "",
    height_mm: Annotated[str, Form(max_length=30)] = "",
    leg_length_left_mm: Annotated[str, Form(max_length=30)] = "",
    leg_length_right_mm: Annotated[str, Form(max_length=30)] = "",
    knee_width_left_mm: Annotated[str, Form(max_length=30)] = "",
    knee_width_right_mm: Annotated[str, Form(max_length=30)] = "",
    ankle_width_left_mm: Annotated[str, Form(max_length=30)] = "",
    ankle_width_right_mm: Annotated[str, Form(max_length=30)] = "",
    subject_file: Annotated[UploadFile | None, File()] = None,
    static: Annotated[UploadFile | None, File()] = None,
    flat_foot: Annotated[str, Form(max_length=10)] = "",
    marker_diameter_mm: Annotated[str, Form(max_length=30)] = "",
    marker_cutoff_hz: Annotated[str, Form(max_length=30)] = "",
    max_gap_s: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """A new visit with its trial and the trial options: everything is checked first; a bad
    file, option or measurement stores nothing (not even the visit) and shows the problem next
    to its field."""
    _check_csrf(request, user, csrf_token)
    values: dict[str, str | None] = {
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
    form = {k: v or "" for k, v in values.items()} | {"visit_date": visit_date, "label": label}
    c = ctx(request)
    with c.store.session() as db:
        sv.get_patient(db, patient_id, user)  # 404 unless the clinician may see the patient
    vid: int | None = None
    try:
        try:
            when = date.fromisoformat(visit_date) if visit_date else None
        except ValueError:
            raise ApiError(422, "visit_date", "give a date YYYY-MM-DD") from None
        sv.subject_values(values)  # check the measurements and options before creating anything
        sv.option_values(values)
        has_trial = trial is not None and bool(trial.filename)
        with c.store.session() as db:
            p = sv.get_patient(db, patient_id, user)
            v = sv.create_visit(db, p, when, label)
            vid = v.id
            record(
                db,
                action="visit.create",
                actor="user",
                user_id=user.user_id,
                target=("visit", v.id),
            )
        if has_trial:
            assert trial is not None
            try:
                do_upload(
                    request,
                    user,
                    vid,
                    [trial],
                    grf,
                    values,
                    subject_file=subject_file,
                    static=static,
                )
            except BaseException:
                with c.store.session() as db:  # nothing half-stored: drop the new visit
                    gone = db.get(sv.Visit, vid)
                    if gone is not None:
                        db.delete(gone)
                raise
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _patient_page(
            request, user, patient_id, status=exc.status, error={exc.field: exc.problem}, form=form
        )
    return RedirectResponse(f"/visits/{vid}", status_code=303)


# ----------------------------------------------------------------------------- visits
def _visit_context(request: Request, visit_id: DbId, user: Principal) -> dict[str, Any]:
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        detail = sv.visit_detail(v)
        patient = sv.patient_dict(v.patient)
        others = [sv.visit_summary(o) for o in v.patient.visits if o.id != v.id]
        curves = json.loads(v.curves_json) if v.curves_json else None
        analysis = json.loads(v.analysis_json) if v.analysis_json else None
        outcomes = visit_outcomes(v)
    return {
        "outcomes": outcomes,
        "visit": detail,
        "patient": patient,
        "others": others,
        "curves": curves,
        "analysis": analysis,
    }


@router.get("/visits/{visit_id}", response_class=HTMLResponse)
def visit_page(request: Request, user: User, visit_id: DbId) -> Response:
    """The combined report: progress while the analysis runs, then the curves over the
    normative bands, the clinical summary and the full report. (A new intake link is shown
    only on the page that answers its creation, never from the URL.)"""
    data = _visit_context(request, visit_id, user)
    return render(request, "visit.html", user=user, link=None, **data)


@router.post("/visits/{visit_id}/trial", response_class=HTMLResponse)
def visit_upload(
    request: Request,
    user: User,
    visit_id: DbId,
    trial: Annotated[list[UploadFile], File()],
    grf: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    subject_file: Annotated[UploadFile | None, File()] = None,
    static: Annotated[UploadFile | None, File()] = None,
    flat_foot: Annotated[str, Form(max_length=10)] = "",
    marker_diameter_mm: Annotated[str, Form(max_length=30)] = "",
    marker_cutoff_hz: Annotated[str, Form(max_length=30)] = "",
    max_gap_s: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Upload a visit's walking trial(s), with the trial options (the subject file, the static,
    the marker diameter ...); a problem is shown next to its field. Earlier uploads and the
    results shown stay until the new analysis succeeds."""
    _check_csrf(request, user, csrf_token)
    values: dict[str, str | None] = {
        "flat_foot": flat_foot,
        "marker_diameter_mm": marker_diameter_mm,
        "marker_cutoff_hz": marker_cutoff_hz,
        "max_gap_s": max_gap_s,
    }
    try:
        do_upload(
            request, user, visit_id, trial, grf, values, subject_file=subject_file, static=static
        )
    except ApiError as exc:
        if exc.status == 404:
            raise
        data = _visit_context(request, visit_id, user)
        return render(
            request,
            "visit.html",
            status=exc.status,
            user=user,
            link=None,
            upload_error=f"{exc.field}: {exc.problem}",
            upload_errors={exc.field: exc.problem},
            upload_form=values,
            **data,
        )
    return RedirectResponse(f"/visits/{visit_id}", status_code=303)


@router.post("/visits/{visit_id}/intake-link", response_class=HTMLResponse)
def visit_link(
    request: Request,
    user: User,
    visit_id: DbId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _check_csrf(request, user, csrf_token)
    c = ctx(request)
    with c.store.session() as db:
        sv.get_visit(db, visit_id, user)
        token = create_intake_link(db, visit_id, user.user_id, c.settings.intake_link_days)
        record(
            db, action="intake.link", actor="user", user_id=user.user_id, target=("visit", visit_id)
        )
    url = intake_link_url(request, token)
    data = _visit_context(request, visit_id, user)
    return render(
        request,
        "visit.html",
        user=user,
        link=url,
        link_qr=Markup(link_qr_svg(url)),
        link_days=c.settings.intake_link_days,
        **data,
    )


def link_qr_svg(url: str) -> str:
    """The patient's link as a QR code, an inline ``<svg>`` (segno; error correction M, a quiet
    zone of 4 modules as the QR standard asks, 5 CSS pixels per module)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buf,
        kind="svg",
        scale=5,
        border=4,
        xmldecl=False,
        svgclass="qr",
        lineclass=None,
        title="QR code of the patient's link",
    )
    return buf.getvalue().decode("utf-8")


def _intake_form(
    request: Request,
    *,
    action: str,
    state_url: str,
    answers: dict[str, Any],
    for_patient: bool,
    status: int = 200,
    user: Principal | None = None,
    csrf: str,
    title: str,
    submitted: bool = False,
    pain_rating: str = "",
    pain_error: str = "",
) -> HTMLResponse:
    state = evaluate(answers, answered_by="patient" if for_patient else None)
    errors = state.errors if submitted or answers else {}
    questions = question_list(for_patient=for_patient)
    by_path = {q["path"]: q for q in questions + state.extra}
    groups = patient_groups(questions) if for_patient else []
    shown = [p for p in state.visible if p in by_path]
    return render(
        request,
        "intake.html",
        status=status,
        user=user,
        title=title,
        action=action,
        state_url=state_url,
        questions=questions,
        exam=[] if for_patient else [question_dict(q) for q in exam_questions()],
        visible=set(state.visible),
        changes=set(state.changes),
        change_questions=[
            patient_question(by_path[p]) if for_patient else by_path[p]
            for p in state.changes
            if p in by_path
        ],
        groups=groups,
        progress={"shown": len(shown), "answered": sum(1 for p in shown if answers.get(p))},
        changes_note=CHANGES_NOTE,
        errors=errors,
        emergency=state.emergency,
        answers=answers,
        csrf=csrf,
        sites=SITES,
        pain_scale=for_patient,
        pain_rating=pain_rating,
        pain_error=pain_error,
    )


def _form_answers(form: Any) -> dict[str, Any]:
    """Raw answers (path -> text, or a list for the sites) from the posted form: the fixed
    questions and any question the assessment added (a duration is a number and a unit)."""
    answers: dict[str, Any] = {}
    for name in dict.fromkeys(form.keys()):
        q = form_question(str(name))
        if q is None or q.path in answers:
            continue
        if q.kind == "sites":
            vals = [str(x) for x in form.getlist(q.path) if str(x) in SITES]
            if vals:
                answers[q.path] = vals
        elif q.kind == "duration":
            number, unit = form.get("pain.duration_value"), form.get("pain.duration_unit")
            if isinstance(number, str) and number.strip() and len(number) < 50:
                unit = unit if isinstance(unit, str) and unit in DURATION_UNITS else ""
                answers[q.path] = f"{number.strip()} {unit}".strip()
        else:
            raw = form.get(q.path)
            if isinstance(raw, str) and raw.strip() and len(raw) < 100:
                answers[q.path] = raw.strip()
    return answers


@router.get("/visits/{visit_id}/intake", response_class=HTMLResponse)
def intake_page(request: Request, user: User, visit_id: DbId) -> Response:
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        stored = json.loads(v.intake_json) if v.intake_json else {"answered_by": "clinician"}
    answers = answers_from_intake(stored)
    return _intake_form(
        request,
        action=f"/visits/{visit_id}/intake",
        state_url="/api/v1/intake/form-state",
        answers=answers,
        for_patient=False,
        user=user,
        csrf=user.csrf,
        title="Clinical intake",
    )


@router.post("/visits/{visit_id}/intake", response_class=HTMLResponse)
async def intake_submit(request: Request, visit_id: DbId) -> Response:
    user = page_user(request)
    form = await request.form(max_files=0, max_fields=200)
    _check_csrf(request, user, str(form.get(CSRF_FIELD) or ""))
    with ctx(request).store.session() as db:
        sv.get_visit(db, visit_id, user)  # 404 unless the clinician may see the patient
    answers = _form_answers(form)
    state = evaluate(answers)
    if state.errors or not state.data.get("pain"):
        if not state.data.get("pain"):
            state.errors.setdefault("pain.sites", f"give one or more of {', '.join(SITES)}")
        return _intake_form(
            request,
            action=f"/visits/{visit_id}/intake",
            state_url="/api/v1/intake/form-state",
            answers=answers,
            for_patient=False,
            user=user,
            csrf=user.csrf,
            status=422,
            title="Clinical intake",
            submitted=True,
        )
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        stored = json.loads(v.intake_json) if v.intake_json else None
        sv.save_intake(
            db,
            v,
            merge_with_stored(
                stored, state.data, [*state.visible, *(q.path for q in exam_questions())]
            ),
            "clinician",
            answers=state.data,
            user_id=user.user_id,
        )
        record(
            db, action="intake.save", actor="user", user_id=user.user_id, target=("visit", visit_id)
        )
        queue = sv.has_analysis_input(v)
    if queue:
        c.runner.submit(visit_id)
    return RedirectResponse(f"/visits/{visit_id}", status_code=303)


# ----------------------------------------------------------------------------- token link
def _link_or_410(request: Request, token: str) -> int:
    with ctx(request).store.session() as db:
        row = find_intake_link(db, token)
        if row is None:
            raise ApiError(404, "token", "this link is not valid (used, expired or unknown)")
        return row.visit_id


@router.get("/intake/t/{token}", response_class=HTMLResponse, name="token_intake")
def token_intake(request: Request, token: str) -> Response:
    """The patient's intake form: nothing else of the record is shown."""
    try:
        _link_or_410(request, token)
    except ApiError as exc:
        return error_page(request, 404, exc.problem)
    csrf = _anon_csrf(request)
    resp = _intake_form(
        request,
        action=f"/intake/t/{token}",
        state_url=f"/intake/t/{token}/state",
        answers={},
        for_patient=True,
        csrf=csrf,
        title="Your answers before the visit",
    )
    return _with_anon_csrf(request, resp, csrf)


@router.post("/intake/t/{token}/state")
async def token_state(request: Request, token: str) -> Response:
    try:
        _link_or_410(request, token)
    except ApiError as exc:
        return error_page(request, 404, exc.problem)
    raw = await request.body()
    if len(raw) > MAX_STATE_BODY:
        return JSONResponse(
            {"detail": "the answers are too long", "field": "body"}, status_code=413
        )
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return JSONResponse(
            {"detail": 'the body is not JSON: send {"answers": {...}}', "field": "body"},
            status_code=422,
        )
    answers = body.get("answers", {}) if isinstance(body, dict) else {}
    if not isinstance(answers, dict):
        answers = {}
    s = evaluate(answers, answered_by="patient")
    return JSONResponse(
        {
            "visible": s.visible,
            "errors": s.errors,
            "emergency": s.emergency,
            "changes": s.changes,
            # The patient's words for the questions the assessment adds, as on the page.
            "extra": [patient_question(q) for q in s.extra],
        }
    )


@router.post("/intake/t/{token}", response_class=HTMLResponse)
async def token_submit(request: Request, token: str) -> Response:
    form = await request.form(max_files=0, max_fields=200)
    if not same(str(form.get(CSRF_FIELD) or ""), request.cookies.get(CSRF_COOKIE)):
        return error_page(request, 403, "the form has expired; reload the page and try again")
    answers = _form_answers(form)
    state = evaluate(answers, answered_by="patient")
    raw_pain = form.get(PAIN_FIELD)
    pain_text = raw_pain.strip() if isinstance(raw_pain, str) else ""
    digits = pain_text.isascii() and pain_text.isdigit() and len(pain_text) <= 2
    pain = int(pain_text) if digits and int(pain_text) <= 10 else None
    pain_error = "" if pain is not None or not pain_text else "choose a number from 0 to 10"
    if state.errors or not state.data.get("pain") or pain_error:
        if not state.data.get("pain"):
            state.errors.setdefault("pain.sites", f"give one or more of {', '.join(SITES)}")
        return _intake_form(
            request,
            action=f"/intake/t/{token}",
            state_url=f"/intake/t/{token}/state",
            answers=answers,
            for_patient=True,
            csrf=str(form.get(CSRF_FIELD)),
            status=422,
            title="Your answers before the visit",
            submitted=True,
            pain_rating=pain_text if digits else "",
            pain_error=pain_error,
        )
    c = ctx(request)
    with c.store.session() as db:
        row = find_intake_link(db, token)
        if row is None:
            return error_page(request, 404, "this link is not valid (used, expired or unknown)")
        row.used_at = utcnow()
        v = sv.get_visit_row(db, row.visit_id)
        stored = json.loads(v.intake_json) if v.intake_json else None
        sv.save_intake(
            db,
            v,
            merge_with_stored(stored, state.data, state.visible),
            "patient",
            answers=state.data,
        )
        if pain is not None:  # stored with the intake, before the link is spent
            save_response(db, v, "nprs", {"pain": pain}, "patient")
        record(db, action="intake.token_submit", actor="token", target=("visit", v.id))
        vid, queue = v.id, sv.has_analysis_input(v)
    if queue:
        c.runner.submit(vid)
    return render(request, "intake_done.html", emergency=state.emergency, pain_rating=pain)


# ----------------------------------------------------------------------------- API reference
@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request, user: User) -> Response:
    """The API's operations, for signed-in clinicians, rendered here from the OpenAPI document
    (no Swagger UI: it would load scripts from a CDN into this origin)."""
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            if not isinstance(op, dict):
                continue
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or [""])[0],
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                }
            )
    return render(
        request,
        "api_docs.html",
        user=user,
        title=schema.get("info", {}).get("title", "kinchain"),
        api_version=schema.get("info", {}).get("version", ""),
        operations=operations,
    )


def current_user_or_none(request: Request) -> Principal | None:
    return optional_user(request)

"""Outcome questionnaires in the web app (issue 12 item 4): the clinician's "Questionnaires" page
of a visit, the API to send and read a visit's questionnaires, and a patient's scores over the
visits.

kinchain stores no questionnaire wording (``docs/outcomes.md``): the clinician gives the patient
the developers' own KOOS, FAAM or LEFS form and enters each item's score here by its item code;
the 0-10 pain rating is also asked on the patient's intake link.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kinchain.clinical.outcomes import INSTRUMENTS, Instrument
from kinchain.store.models import Visit
from kinchain.web import services as sv
from kinchain.web.audit import record
from kinchain.web.context import ApiError, DbId, Principal, api_user, ctx, page_user
from kinchain.web.outcomes import (
    ORDER,
    check_answers,
    latest_responses,
    over_time,
    save_response,
    visit_outcomes,
)
from kinchain.web.pages import _check_csrf, render
from kinchain.web.security import CSRF_FIELD

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]

#: What each item score means, from the instruments' published scoring (no item wording).
SCORE_HINTS = {
    "nprs": "0 = no pain, 10 = worst possible pain.",
    "koos": "Each item's score as the KOOS scoring defines it: 0 = none (no problem) … "
    "4 = extreme, whatever the order of the boxes on the form.",
    "faam": "4 = no difficulty, 3 = slight, 2 = moderate, 1 = extreme difficulty, 0 = unable "
    "to do; leave “not applicable” items blank.",
    "lefs": "0 = extreme difficulty or unable to perform the activity … 4 = no difficulty.",
}

SUBSCALE_ORDER_NOTE = (
    "KOOS, FAAM and LEFS wording is not reproduced here (their licences do not allow it free "
    "of charge): give the patient the developers' own form and enter each item's score "
    "by its item code. Items left blank count as not answered; each subscale is scored only when "
    "enough of its items are answered (its published missing-item rule)."
)


def instrument_form(inst: Instrument) -> dict[str, Any]:
    """One instrument as the page's form: its subscales with their item codes and range."""
    by_id = {i.id: i for i in inst.items}
    return {
        "id": inst.id,
        "name": inst.name,
        "version": inst.version,
        "hint": SCORE_HINTS.get(inst.id, ""),
        "subscales": [
            {
                "id": s.id,
                "label": s.label,
                "min_answered": s.min_answered,
                "entries": [
                    {"id": i, "minimum": by_id[i].minimum, "maximum": by_id[i].maximum}
                    for i in s.item_ids
                ],
            }
            for s in inst.subscales
        ],
    }


# ----------------------------------------------------------------------------- API
class QuestionnaireIn(BaseModel):
    """One completed questionnaire: the instrument and each item's score."""

    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(max_length=32, description="nprs, koos, faam or lefs")
    answers: dict[str, int | None] = Field(
        max_length=100,
        description='item id -> item score as the instrument defines it, e.g. {"P1": 2}; '
        "null or absent = not answered",
    )


@api_router.get("/visits/{visit_id}/questionnaires", tags=["outcomes"])
def questionnaires(visit_id: DbId, request: Request, user: ApiUser) -> dict[str, Any]:
    """The visit's latest answers of each questionnaire with the scores recomputed from them
    (per subscale: score, range, direction, items answered, validity and reason, MCID)."""
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        return {"visit_id": v.id, "questionnaires": visit_outcomes(v)}


def _save(
    db: Session, v: Visit, instrument: str, answers: dict[str, Any], source: str, user: Principal
) -> None:
    """Keep one questionnaire's answers for the visit and record it in the audit trail."""
    save_response(db, v, instrument, answers, source, user_id=user.user_id)
    record(
        db, action="questionnaire.save", actor="user", user_id=user.user_id, target=("visit", v.id)
    )


@api_router.post("/visits/{visit_id}/questionnaires", status_code=201, tags=["outcomes"])
def questionnaire_add(
    visit_id: DbId, body: QuestionnaireIn, request: Request, user: ApiUser
) -> dict[str, Any]:
    """Keep one completed questionnaire for the visit (source ``api``); returns its scores."""
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        _save(db, v, body.instrument, body.answers, "api", user)
        shown = visit_outcomes(v)
        rerender = sv.queue_report(v, "questionnaire changed")
    if rerender:  # the report shows the scores: make it again
        ctx(request).runner.submit(visit_id)
    return next(q for q in shown if q["instrument"] == body.instrument)


@api_router.get("/patients/{patient_id}/outcomes", tags=["outcomes"])
def patient_outcomes(patient_id: DbId, request: Request, user: ApiUser) -> dict[str, Any]:
    """Every subscale's score over the patient's visits, each change from the previous visit
    classified against the MCID (improved, worsened, no important change)."""
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        return {"patient_id": p.id, "series": over_time(p.visits)}


# ----------------------------------------------------------------------------- pages
def _page(
    request: Request,
    user: Principal,
    visit_id: int,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> HTMLResponse:
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        shown = visit_outcomes(v)
        detail = sv.visit_summary(v)
        patient = sv.patient_dict(v.patient)
    latest = {q["instrument"]: q["answers"] for q in shown}
    if posted:
        latest |= posted
    return render(
        request,
        "questionnaires.html",
        status=status,
        user=user,
        visit=detail,
        patient=patient,
        instruments=[instrument_form(INSTRUMENTS[i]) for i in ORDER],
        outcomes=shown,
        latest=latest,
        errors=errors or {},
        note=SUBSCALE_ORDER_NOTE,
    )


@page_router.get("/visits/{visit_id}/questionnaires", response_class=HTMLResponse)
def questionnaires_page(request: Request, user: PageUser, visit_id: DbId) -> Response:
    """The visit's questionnaires: the pain rating and each instrument's item scores, with the
    scores of the latest answers."""
    return _page(request, user, visit_id)


@page_router.post("/visits/{visit_id}/questionnaires", response_class=HTMLResponse)
async def questionnaires_submit(request: Request, visit_id: DbId) -> Response:
    """Save the clinician's answers of every instrument given on the form (at least one item
    answered, and different from the visit's latest answers of it). Every answer is checked
    first: one bad answer stores nothing and is shown next to its item."""
    user = page_user(request)
    form = await request.form(max_files=0, max_fields=200)
    _check_csrf(request, user, str(form.get(CSRF_FIELD) or ""))
    posted: dict[str, dict[str, int | None]] = {}
    errors: dict[str, str] = {}
    for inst_id in ORDER:
        inst = INSTRUMENTS[inst_id]
        answers: dict[str, int | None] = {}
        for item in inst.items:
            raw = form.get(f"{inst.id}.{item.id}")
            text = raw.strip() if isinstance(raw, str) else ""
            if not text:
                answers[item.id] = None
            elif text.isascii() and text.isdigit() and len(text) < 4:
                answers[item.id] = int(text)
            else:
                errors[f"{inst.id}.{item.id}"] = (
                    f"give a whole number {item.minimum}-{item.maximum}"
                )
        if any(v is not None for v in answers.values()):
            posted[inst.id] = answers
            try:
                check_answers(inst, answers)
            except ApiError as exc:
                errors[exc.field] = exc.problem
    if not posted and not errors:
        errors["form"] = "no item was answered"
    if errors:
        return _page(request, user, visit_id, status=422, errors=errors, posted=posted)
    changed = False
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        latest = {i: json.loads(r.answers_json) for i, r in latest_responses(v).items()}
        for inst_id, answers in posted.items():
            if latest.get(inst_id) == answers:
                continue  # unchanged: no new version
            changed = True
            _save(db, v, inst_id, answers, "clinician", user)
        rerender = changed and sv.queue_report(v, "questionnaire changed")
    if rerender:  # the report shows the scores: make it again
        ctx(request).runner.submit(visit_id)
    return RedirectResponse(f"/visits/{visit_id}#outcomes", status_code=303)

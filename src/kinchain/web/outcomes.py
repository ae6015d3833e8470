"""Outcome questionnaires of a visit: storing the answers and recomputing the scores (issue 12
item 4).

The answers of each completed questionnaire are kept in
:class:`~kinchain.store.models.QuestionnaireResponse` rows (migration 0005); scores are never
stored, they are recomputed from the answers by :mod:`kinchain.clinical.outcomes` every time
they are shown. A visit's score of an instrument is that of its latest response.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kinchain.clinical.outcomes import (
    INSTRUMENTS,
    Instrument,
    OutcomeScore,
    SubscaleScore,
    change,
)
from kinchain.errors import InputError
from kinchain.store.models import QuestionnaireResponse, User, Visit
from kinchain.web.context import ApiError

SOURCES = ("clinician", "patient", "api")
"""Who can answer a questionnaire: the clinician's form, the patient's link, the API."""

ORDER = ("nprs", "koos", "faam", "lefs")
"""The order instruments are offered and shown in."""

SOURCE_TEXT = {
    "clinician": "entered by the clinician",
    "patient": "answered by the patient (link)",
    "api": "sent through the API",
}

CHANGE_TEXT = {
    "improved": "improved",
    "worsened": "worsened",
    "no_important_change": "no important change",
}


def instrument(instrument_id: str) -> Instrument:
    """The instrument of that id, or a 422 :class:`ApiError` naming ``instrument``."""
    found = INSTRUMENTS.get(instrument_id)
    if found is None:
        raise ApiError(
            422, "instrument", f"unknown instrument; give one of {', '.join(sorted(INSTRUMENTS))}"
        )
    return found


def check_answers(inst: Instrument, answers: Any) -> dict[str, int | None]:
    """The answers checked against the instrument (item id -> item score or ``None``).

    Raises
    ------
    ApiError
        422 naming the item (``koos.P3``) for an unknown item or a value out of range.
    """
    try:
        return inst.validate(answers)
    except InputError as exc:
        raise ApiError(422, exc.source, exc.problem) from exc


def save_response(
    db: Session,
    v: Visit,
    instrument_id: str,
    answers: Mapping[str, Any],
    source: str,
    *,
    user_id: int | None = None,
) -> QuestionnaireResponse:
    """Check and keep one completed questionnaire of visit ``v`` as a new response.

    Parameters
    ----------
    db
        The open session (the caller commits).
    v
        The visit.
    instrument_id
        ``nprs``, ``koos``, ``faam`` or ``lefs``.
    answers
        Item id -> item score as the instrument defines it (``None`` = not answered).
    source
        ``clinician``, ``patient`` or ``api`` (:data:`SOURCES`).
    user_id
        The account that entered it, when there is one.

    Raises
    ------
    ApiError
        422 for an unknown instrument, item or source, a value out of range, or no answer at all.
    """
    if source not in SOURCES:
        raise ApiError(422, "source", f"give one of {', '.join(SOURCES)}")
    inst = instrument(instrument_id)
    checked = check_answers(inst, answers)
    if not any(value is not None for value in checked.values()):
        raise ApiError(422, inst.id, "no item was answered")
    row = QuestionnaireResponse(
        instrument=inst.id,
        version=inst.version,
        answers_json=json.dumps(checked, sort_keys=True),
        source=source,
        user_id=user_id,
    )
    v.questionnaires.append(row)
    db.flush()
    return row


def response_score(row: QuestionnaireResponse) -> OutcomeScore:
    """The score of one stored response, recomputed from its answers."""
    return INSTRUMENTS[row.instrument].score(json.loads(row.answers_json))


def latest_responses(v: Visit) -> dict[str, QuestionnaireResponse]:
    """Instrument id -> the visit's latest response of it, in :data:`ORDER`."""
    latest: dict[str, QuestionnaireResponse] = {}
    for row in v.questionnaires:
        if row.instrument in INSTRUMENTS:
            latest[row.instrument] = row  # ordered by id: the last one wins
    return {i: latest[i] for i in ORDER if i in latest}


def visit_scores(db: Session, visit: Visit | int) -> dict[str, OutcomeScore]:
    """The visit's score of every instrument answered, from its latest response.

    Parameters
    ----------
    db
        An open session.
    visit
        The visit, or its id (no access check: the caller has one).

    Returns
    -------
    dict[str, OutcomeScore]
        Instrument id (``nprs``, ``koos``, ``faam``, ``lefs``) -> its score, recomputed from the
        stored answers; instruments never answered at that visit are absent.
    """
    v = db.get(Visit, visit) if isinstance(visit, int) else visit
    if v is None:
        return {}
    return {i: response_score(row) for i, row in latest_responses(v).items()}


def fhir_outcomes(v: Visit) -> dict[str, dict[str, int | None]]:
    """The ``outcomes`` argument of :func:`kinchain.fhir.build_bundle` for visit ``v``: each
    instrument's latest answers (instrument id -> item id -> item score)."""
    return {i: json.loads(row.answers_json) for i, row in latest_responses(v).items()}


def emails(v: Visit) -> dict[int, str]:
    """The e-mail of each account that entered one of the visit's questionnaires."""
    db = object_session(v)
    ids = {r.user_id for r in v.questionnaires if r.user_id is not None}
    if db is None or not ids:
        return {}
    rows = db.execute(select(User.id, User.email).where(User.id.in_(ids))).all()
    return {int(uid): str(email) for uid, email in rows}


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text[:-2] if text.endswith(".0") else text


def subscale_dict(inst: Instrument, s: SubscaleScore) -> dict[str, Any]:
    """One subscale score as a JSON-ready dict with words for the page."""
    sub = inst.subscale(s.subscale)
    low, high = s.score_range
    better = "higher is better" if s.direction == "higher_is_better" else "higher is worse"
    return {
        "id": s.subscale,
        "label": sub.label,
        "score": s.score,
        "score_text": _fmt(s.score),
        "range": [low, high],
        "range_text": f"{_fmt(low, 0)}–{_fmt(high, 0)}, {better}",
        "direction": s.direction,
        "answered": s.answered,
        "n_items": s.n_items,
        "valid": s.valid,
        "reason": s.reason,
        "mcid": None
        if s.mcid is None
        else {"points": s.mcid.points, "relative": s.mcid.relative, "source": s.mcid.source},
    }


def score_dict(row: QuestionnaireResponse, emails: Mapping[int, str]) -> dict[str, Any]:
    """A stored response with its recomputed scores, as a JSON-ready dict."""
    inst = INSTRUMENTS[row.instrument]
    score = response_score(row)
    return {
        "id": row.id,
        "instrument": inst.id,
        "name": inst.name,
        "version": row.version,
        "source": row.source,
        "source_text": SOURCE_TEXT.get(row.source, row.source),
        "by": emails.get(row.user_id) if row.user_id is not None else None,
        "at": row.created_at.isoformat(timespec="seconds"),
        "answered": score.answered,
        "n_items": score.n_items,
        "answers": json.loads(row.answers_json),
        "subscales": [subscale_dict(inst, s) for s in score.subscales.values()],
    }


def visit_outcomes(v: Visit) -> list[dict[str, Any]]:
    """The visit's latest response of each instrument with its scores, for the visit page and
    the API (:func:`score_dict`)."""
    who = emails(v)
    return [score_dict(row, who) for row in latest_responses(v).values()]


def over_time(visits: Sequence[Visit]) -> list[dict[str, Any]]:
    """Every instrument's subscales over the visits (in date order), each visit's change from the
    previous visit that has a score of the same instrument, classified against the MCID.

    Returns
    -------
    list[dict]
        One dict per instrument and subscale answered at any visit: ``instrument``, ``name``,
        ``subscale``, ``label``, ``range``, ``direction``, ``mcid`` (points or ``None``) and
        ``points``: ``[{visit_id, date, label, score, reason, delta, classification,
        change_reason}]``; ``classification`` is ``improved`` / ``worsened`` /
        ``no_important_change`` or ``None`` (first visit, or a score not valid, with
        ``change_reason``).
    """
    ordered = sorted(visits, key=lambda v: (v.visit_date, v.id))
    per_visit = [
        (v, {i: response_score(r) for i, r in latest_responses(v).items()}) for v in ordered
    ]
    out: list[dict[str, Any]] = []
    for inst_id in ORDER:
        inst = INSTRUMENTS[inst_id]
        rows = [(v, scores[inst_id]) for v, scores in per_visit if inst_id in scores]
        if not rows:
            continue
        for sub in inst.subscales:
            points: list[dict[str, Any]] = []
            previous: OutcomeScore | None = None
            for v, score in rows:
                s = score.subscales[sub.id]
                delta = classification = change_reason = None
                if previous is not None and previous.version == score.version:
                    c = change(previous, score).subscales[sub.id]
                    delta, classification, change_reason = c.delta, c.classification, c.reason
                points.append(
                    {
                        "visit_id": v.id,
                        "date": v.visit_date.isoformat(),
                        "label": v.label,
                        "score": s.score,
                        "score_text": _fmt(s.score),
                        "reason": s.reason,
                        "delta": delta,
                        "delta_text": None if delta is None else f"{delta:+.1f}",
                        "classification": classification,
                        "classification_text": CHANGE_TEXT.get(classification or "", None),
                        "change_reason": change_reason,
                    }
                )
                previous = score
            out.append(
                {
                    "instrument": inst.id,
                    "name": inst.name,
                    "subscale": sub.id,
                    "label": sub.label,
                    "range": list(sub.score_range),
                    "direction": sub.direction,
                    "mcid": None if sub.mcid is None else sub.mcid.points,
                    "mcid_source": None if sub.mcid is None else sub.mcid.source,
                    "points": points,
                }
            )
    return out

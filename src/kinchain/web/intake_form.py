"""The intake as a web form: the same questions, order, skip logic and per-answer checks as
``kinchain assess --interactive`` (:data:`kinchain.cli.assess.QUESTIONS`, then the assessment's
``what_would_change`` questions not asked yet), evaluated on the server so that the page, the API
and the terminal can never disagree."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kinchain.cli.assess import (
    CHANGES_NOTE,
    DURATION_UNITS,
    QUESTIONS,
    SITES,
    Q,
    _assign,
    _convert,
    _label,
    _leaf_types,
    _sites,
    next_change,
    question_for,
)
from kinchain.clinical import Intake, Urgency, assess, parse_intake
from kinchain.clinical.intake import Exam
from kinchain.errors import InputError

__all__ = [
    "CHANGES_NOTE",
    "DURATION_UNITS",
    "SITES",
    "FormState",
    "answers_from_intake",
    "evaluate",
    "form_question",
    "merge_with_stored",
    "question_dict",
    "question_list",
]

_IN_LIST = frozenset(q.path for q in QUESTIONS)


@dataclass
class FormState:
    """What the form shows after the given answers.

    Attributes
    ----------
    data
        The accepted answers as intake data (nested mapping).
    visible
        Paths of the questions to show, in order.
    errors
        Path -> message for answers that were refused (shown next to the field).
    emergency
        The answers already show an emergency: the questions stop there, as in the terminal.
    changes
        Paths of the questions added after the fixed list because their answer could raise the
        urgency (the assessment's ``what_would_change``); also in ``visible``. The form shows
        them first.
    extra
        Those of ``changes`` that are not in the fixed list, as :func:`question_dict` dicts (the
        page has no field for them until they are added).
    """

    data: dict[str, Any] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    emergency: bool = False
    changes: list[str] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)

    def intake(self) -> Intake:
        """The validated intake (raises :class:`InputError` naming the field)."""
        if self.errors:
            path, problem = next(iter(self.errors.items()))
            raise InputError(path, problem)
        return parse_intake(self.data)


def question_dict(q: Q) -> dict[str, Any]:
    """One question as a JSON-ready dict (path, text, label, kind, choices)."""
    choices: tuple[str, ...] = SITES if q.kind == "sites" else q.choices
    # The terminal's "(knee, ankle, ...; comma-separated)" is for typing; the form has tick boxes.
    text = q.text.split(" (")[0] + "? Tick every place" if q.kind == "sites" else q.text
    return {
        "path": q.path,
        "text": text,
        "label": _label(q),
        "kind": q.kind,
        "choices": list(choices),
    }


def question_list(*, for_patient: bool = False) -> list[dict[str, Any]]:
    """The fixed questions as JSON-ready dicts (path, text, label, kind, choices)."""
    return [question_dict(q) for q in QUESTIONS if not (for_patient and q.path == "answered_by")]


def form_question(name: str) -> Q | None:
    """The question a form field name belongs to (a fixed question, or any intake field the
    assessment may add), or None for a name that is no intake field the form can ask."""
    return None if name == "schema_version" else question_for(name)


def _raw(answers: Mapping[str, Any], q: Q) -> str:
    value = answers.get(q.path)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value).strip().lower()


def _apply(state: FormState, q: Q, answers: Mapping[str, Any]) -> None:
    """Convert and check the answer to ``q`` (if any) into ``state``, as the terminal does."""
    try:
        value = _convert(q, _raw(answers, q))
    except ValueError as exc:
        state.errors[q.path] = str(exc)
        return
    if value is None:
        return
    trial = copy.deepcopy(state.data)
    _assign(trial, q, value)
    if not _sites(trial):
        state.data = trial
        return
    try:
        intake = parse_intake(trial)
    except InputError as exc:
        where = "" if exc.source in q.paths else f"{exc.source}: "
        state.errors[q.path] = f"{where}{exc.problem}"
        return
    state.data = trial
    if assess(intake).urgency == Urgency.emergency:
        state.emergency = True


@cache
def exam_questions() -> tuple[Q, ...]:
    """The examination findings a clinician enters (``exam.*`` of the intake: Ottawa bone
    tenderness points, straight-leg raise, calf difference and the other Wells items, DN4
    examination items ...), worded by the intake schema's own descriptions. Never shown on the
    patient's link."""
    out = []
    for name, info in Exam.model_fields.items():
        q = question_for(f"exam.{name}", info.description or name)
        if q is not None and q.path not in _IN_LIST:
            out.append(q)
    return tuple(out)


def evaluate(answers: Mapping[str, Any], *, answered_by: str | None = None) -> FormState:
    """Walk :data:`QUESTIONS` over raw form answers (path -> text, or a list for the sites),
    then add the assessment's ``what_would_change`` questions not shown yet.

    Mirrors :func:`kinchain.cli.assess.ask_intake`: a question is shown only when its ``when``
    holds for the answers accepted so far; each answer is converted and checked with
    :func:`parse_intake` at once (a refused answer gets its message and is left out); as soon as
    the accepted answers are an emergency, the remaining questions are not shown. After the
    fixed list, :func:`kinchain.cli.assess.next_change` adds one question at a time (its answer
    applied before the next is chosen), so a question stays shown once it is answered.
    ``answered_by`` fixes that answer (a patient's link).
    """
    state = FormState()
    if answered_by is not None:
        state.data["answered_by"] = answered_by
    for q in QUESTIONS:
        if q.path == "answered_by" and answered_by is not None:
            continue
        if not q.when(state.data):
            continue
        state.visible.append(q.path)
        _apply(state, q, answers)
        if state.emergency:
            return state
    asked = set(state.visible)
    if answered_by is not None:
        asked.add("answered_by")
    while (nq := next_change(state.data, asked)) is not None:
        asked.add(nq.path)
        state.visible.append(nq.path)
        state.changes.append(nq.path)
        if nq.path not in _IN_LIST:
            state.extra.append(question_dict(nq))
        _apply(state, nq, answers)
        if state.emergency:
            break
    if answered_by is None:
        # The clinician's examination section: always shown, so every answer given there is
        # kept, also past an emergency (stopping there dropped the clinician's other findings
        # on saving). The questions, order and skip logic above stay exactly the terminal's.
        for q in exam_questions():
            if q.path not in asked and q.path in answers:
                _apply(state, q, answers)
    return state


def leaves(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """``("a.b", value)`` for every leaf of nested intake data (lists are leaves)."""
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answers_from_intake(data: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Raw form answers from stored intake data (to fill the form again): the fixed questions'
    fields and any other field the form may ask (the assessment's added questions)."""
    out: dict[str, str | list[str]] = {}
    leaf_types = _leaf_types()
    for path, value in leaves(data):
        if value is None or path not in leaf_types:
            continue
        q = question_for(path)
        if q is None or q.kind == "duration":
            continue
        if isinstance(value, list):
            if q.kind == "sites":
                out[q.path] = [str(x) for x in value]
        else:
            out[q.path] = _text(value)
    pain = data.get("pain")
    if isinstance(pain, Mapping):
        number, unit = pain.get("duration_value"), pain.get("duration_unit")
        if number is None and pain.get("duration_days") is not None:
            number, unit = pain["duration_days"], "days"
        if number is not None and unit in DURATION_UNITS:
            out["pain.duration_value"] = f"{_text(number)} {unit}"
    return out


def _drop(d: dict[str, Any], path: str) -> None:
    *head, last = path.split(".")
    cur: Any = d
    for part in head:
        cur = cur.get(part) if isinstance(cur, dict) else None
        if cur is None:
            return
    if isinstance(cur, dict):
        cur.pop(last, None)


def _deep_merge(base: dict[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def merge_with_stored(
    stored: Mapping[str, Any] | None,
    form_data: Mapping[str, Any],
    shown: Iterable[str] = (),
) -> dict[str, Any]:
    """The intake to store when the form is submitted over an earlier intake.

    Every field the form asks about (visible or skipped, and the added questions in ``shown``)
    takes the form's answer or goes back to unknown; every other field stored before (lab
    values, examination findings, gait findings set through the API) is kept, so saving the form
    never loses them.
    """
    merged: dict[str, Any] = copy.deepcopy(dict(stored or {}))
    for q in QUESTIONS:
        for path in q.paths:
            _drop(merged, path)
    for path in shown:
        sq = question_for(path)
        for p in sq.paths if sq is not None else (path,):
            _drop(merged, p)
    return _deep_merge(merged, form_data)


# ----------------------------------------------------------------------------- patient's link
#: The patient's link groups the questions under plain headings (issue 12 item 6): heading, and
#: the question paths (exact, or a prefix ending in ".") it takes; a question goes to the first
#: group that takes it. Order within a group is the terminal's; the skip logic is unchanged.
PATIENT_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("about", "About you", ("demographics.",)),
    ("pain", "Your pain", ("pain.",)),
    ("injury", "If it started with an injury", ("trauma.", "function.bears_weight_4_steps")),
    ("skin", "Swelling, redness and your temperature", ("signs.", "skin.")),
    (
        "breathing",
        "Blood flow, breathing and chest",
        ("vascular.", "general.breathless", "general.chest_pain", "general.coughing_blood"),
    ),
    ("nerves", "Numbness, weakness and other sudden changes", ("neuro.",)),
    ("general", "How you feel in general", ("general.",)),
    ("history", "Your health and medicines", ("history.",)),
    ("daily", "Moving and daily life", ("function.",)),
    ("check", "Things your clinician may check (leave blank if unsure)", ("exam.",)),
)

#: Plainer words on the patient's link for questions whose terminal wording is a clinical term;
#: the meaning is the same. Every other question keeps the terminal's words.
PATIENT_TEXT = {
    "pain.sites": "Where is the pain? Tick every place that hurts",
    "demographics.age_years": "Your age in years",
    "pain.side": "Which side hurts",
    "pain.onset": "Did the pain start suddenly or slowly",
    "pain.duration_value": "How long have you had the pain (a number, then days, weeks or months)",
    "signs.temperature_c": "Your temperature, if you measured it (°C)",
    "pain.distribution": "Where do you feel it: in one spot, along a strip of the leg, or all "
    "around the foot and lower leg like a sock or stocking",
    "history.diabetes": "Do you have diabetes",
    "history.immunosuppression": "Do you take medicines that weaken the immune system, or have "
    "HIV or chemotherapy",
    "history.cancer_history": "Have you ever had cancer",
    "signs.morning_stiffness_minutes": "How many minutes are your joints stiff in the morning",
    "signs.small_joints_involved": "How many small joints (hands, feet) are swollen or tender",
    "function.rest_and_otc": "After a few days of rest and painkillers, is it",
}

#: Plainer labels of a few choices on the patient's link (the value sent stays the same).
PATIENT_CHOICES = {
    "unknown": "don't know",
    "sudden": "suddenly",
    "gradual": "slowly",
    "local": "in one spot",
    "dermatomal": "along a strip of the leg",
    "stocking": "like a sock or stocking",
    "one_leg": "yes, one leg",
    "both_legs": "yes, both legs",
    "not_tried": "not tried yet",
    "not_improved": "not better",
    "improved": "better",
    "blunt_or_fall": "a fall or a knock",
    "direct_blow": "a direct blow",
    "high_energy": "a high-energy accident (e.g. a road accident or a fall from a height)",
    "exertion": "straining or overuse",
}


def patient_group(path: str) -> str:
    """The id of the :data:`PATIENT_GROUPS` group a question path belongs to (the last one,
    ``check``, for any path no group takes)."""
    for gid, _, takes in PATIENT_GROUPS:
        if any(path == t or (t.endswith(".") and path.startswith(t)) for t in takes):
            return gid
    return PATIENT_GROUPS[-1][0]


def patient_question(q: Mapping[str, Any]) -> dict[str, Any]:
    """A :func:`question_dict` in the patient's words (:data:`PATIENT_TEXT`) with plain choice
    labels (``labels``: value -> label)."""
    out = dict(q)
    out["text"] = PATIENT_TEXT.get(str(q["path"]), str(q["text"]))
    out["labels"] = {c: PATIENT_CHOICES.get(c, c.replace("_", " ")) for c in q["choices"]}
    return out


def patient_groups(questions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The questions of the patient's link in :data:`PATIENT_GROUPS` (groups with no question
    left out), each question in the patient's words (:func:`patient_question`)."""
    by_group: dict[str, list[dict[str, Any]]] = {gid: [] for gid, _, _ in PATIENT_GROUPS}
    for q in questions:
        by_group[patient_group(str(q["path"]))].append(patient_question(q))
    return [
        {"id": gid, "heading": heading, "questions": by_group[gid]}
        for gid, heading, _ in PATIENT_GROUPS
        if by_group[gid]
    ]

"""The intake as a web form: the same questions, order, skip logic and per-answer checks as
``kinchain assess --interactive`` (:data:`kinchain.cli.assess.QUESTIONS`), evaluated on the
server so that the page, the API and the terminal can never disagree."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kinchain.cli.assess import QUESTIONS, Q, _convert, _label, _set, _sites
from kinchain.clinical import Intake, Urgency, assess, parse_intake
from kinchain.errors import InputError

SITES = ("knee", "ankle", "foot", "hip", "back")


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
    """

    data: dict[str, Any] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    emergency: bool = False

    def intake(self) -> Intake:
        """The validated intake (raises :class:`InputError` naming the field)."""
        if self.errors:
            path, problem = next(iter(self.errors.items()))
            raise InputError(path, problem)
        return parse_intake(self.data)


def question_list(*, for_patient: bool = False) -> list[dict[str, Any]]:
    """The questions as JSON-ready dicts (path, text, label, kind, choices)."""
    out = []
    for q in QUESTIONS:
        if for_patient and q.path == "answered_by":
            continue
        choices: tuple[str, ...] = SITES if q.kind == "sites" else q.choices
        out.append(
            {
                "path": q.path,
                "text": q.text,
                "label": _label(q),
                "kind": q.kind,
                "choices": list(choices),
            }
        )
    return out


def _raw(answers: Mapping[str, Any], q: Q) -> str:
    value = answers.get(q.path)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value).strip().lower()


def evaluate(answers: Mapping[str, Any], *, answered_by: str | None = None) -> FormState:
    """Walk :data:`QUESTIONS` over raw form answers (path -> text, or a list for the sites).

    Mirrors :func:`kinchain.cli.assess.ask_intake`: a question is shown only when its ``when``
    holds for the answers accepted so far; each answer is converted and checked with
    :func:`parse_intake` at once (a refused answer gets its message and is left out); as soon as
    the accepted answers are an emergency, the remaining questions are not shown.
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
        try:
            value = _convert(q, _raw(answers, q))
        except ValueError as exc:
            state.errors[q.path] = str(exc)
            continue
        if value is None:
            continue
        trial = copy.deepcopy(state.data)
        _set(trial, q.path, value)
        if not _sites(trial):
            state.data = trial
            continue
        try:
            intake = parse_intake(trial)
        except InputError as exc:
            where = "" if exc.source == q.path else f"{exc.source}: "
            state.errors[q.path] = f"{where}{exc.problem}"
            continue
        state.data = trial
        if assess(intake).urgency == Urgency.emergency:
            state.emergency = True
            break
    return state


def answers_from_intake(data: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Raw form answers from stored intake data (to fill the form again)."""
    out: dict[str, str | list[str]] = {}
    for q in QUESTIONS:
        cur: Any = data
        for p in q.path.split("."):
            cur = cur.get(p) if isinstance(cur, Mapping) else None
        if cur is None:
            continue
        if isinstance(cur, list):
            out[q.path] = [str(x) for x in cur]
        elif isinstance(cur, float) and cur.is_integer():
            out[q.path] = str(int(cur))
        else:
            out[q.path] = str(cur)
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
    stored: Mapping[str, Any] | None, form_data: Mapping[str, Any]
) -> dict[str, Any]:
    """The intake to store when the form is submitted over an earlier intake.

    Every field the form asks about (visible or skipped) takes the form's answer or goes back
    to unknown; every other field stored before (lab values, examination findings, gait
    findings set through the API) is kept, so saving the form never loses them.
    """
    merged: dict[str, Any] = copy.deepcopy(dict(stored or {}))
    for q in QUESTIONS:
        _drop(merged, q.path)
    return _deep_merge(merged, form_data)

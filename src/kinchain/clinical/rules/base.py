"""Shared types of the clinical rules: urgency levels, a rule's items and its result, and the
three-valued (Kleene) logic that carries "unknown" through every rule.

Every rule module under :mod:`kinchain.clinical.rules` defines ``RULE_ID``, ``CITATION`` and an
``evaluate(intake) -> RuleResult`` (the Ottawa ankle module defines two: ankle and midfoot).
A rule is monotone in information: replacing a known answer by "unknown" can turn a positive or
negative outcome into "indeterminate", never into the opposite outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Tri = bool | None
"""Three-valued truth: True, False, or None for unknown."""


class Urgency(StrEnum):
    """Ordered urgency levels, most urgent first."""

    emergency = "emergency"
    same_day = "same_day"
    soon = "soon"
    routine = "routine"
    self_care = "self_care"

    @property
    def rank(self) -> int:
        """0 for self_care up to 4 for emergency (higher is more urgent)."""
        return _RANK[self]

    @property
    def meaning(self) -> str:
        """Plain-language meaning of the level."""
        return _MEANING[self]


_RANK = {
    Urgency.self_care: 0,
    Urgency.routine: 1,
    Urgency.soon: 2,
    Urgency.same_day: 3,
    Urgency.emergency: 4,
}
_MEANING = {
    Urgency.emergency: "now: emergency department",
    Urgency.same_day: "urgent assessment today",
    Urgency.soon: "prompt assessment within days (urgent specialist referral)",
    Urgency.routine: "see a clinician or specialist (routine appointment)",
    Urgency.self_care: "self-care with a review date",
}


def max_urgency(levels: Iterable[Urgency | None], floor: Urgency = Urgency.self_care) -> Urgency:
    """The most urgent of ``levels`` (None ignored), never below ``floor``."""
    best = floor
    for level in levels:
        if level is not None and level.rank > best.rank:
            best = level
    return best


Outcome = Literal["positive", "negative", "indeterminate", "not_applicable"]


def as_outcome(value: str) -> Outcome:
    """Check and narrow a string to an :data:`Outcome`."""
    if value not in ("positive", "negative", "indeterminate", "not_applicable"):
        raise ValueError(f"not an outcome: {value}")
    return value  # type: ignore[return-value]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleItem(_Frozen):
    """One published item of a rule and whether it fired (None: unknown)."""

    id: str = Field(description="Item id within the rule.")
    label: str = Field(description="The item as published.")
    fired: bool | None = Field(description="True, False, or None when unknown.")
    points: float = Field(default=0.0, description="Points scored when it fired (score rules).")
    fields: list[str] = Field(default_factory=list, description="Intake fields it reads.")


def rule_item(id: str, label: str, fired: Tri, fields: Iterable[str]) -> RuleItem:
    """A :class:`RuleItem` (no points), built without validating again when the values already
    have the model's exact types (the red-flag builders make ~170 items per assessment); the
    result is the same model either way.

    Parameters
    ----------
    id, label
        Item id and its label as published.
    fired
        True, False, or None when unknown.
    fields
        Intake fields it reads.
    """
    names = list(fields)
    if (
        (fired is None or type(fired) is bool)
        and type(id) is str
        and type(label) is str
        and set(map(type, names)) <= _STR
    ):
        values = {"id": id, "label": label, "fired": fired, "points": 0.0, "fields": names}
        return prevalidated(RuleItem, values, _ITEM_GIVEN)
    return RuleItem(id=id, label=label, fired=fired, fields=names)


_ITEM_GIVEN = frozenset({"id", "label", "fired", "fields"})
_STR = frozenset({str})
M = TypeVar("M", bound=BaseModel)


def prevalidated(cls: type[M], values: dict[str, Any], given: Iterable[str]) -> M:
    """An instance of the pydantic model ``cls`` from ``values`` that already are what
    validation would make of them: every field, in the model's types (no coercion is left to
    do). What :meth:`~pydantic.BaseModel.model_construct` does, without its per-field
    bookkeeping (about 10 times faster); ``given`` are the fields the caller set explicitly
    (``model_fields_set``). Only for models without private attributes, extras or
    ``model_post_init``.
    """
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(given))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


class RuleResult(_Frozen):
    """A rule's result: whether it applies, its outcome, score, the items that fired, the
    urgency it sets, the fields that are missing and the citation."""

    rule_id: str
    name: str
    citation: str
    evidence: str = Field(description="Confidence tags of the encoding ([V]/[S]/[R]).")
    applies: bool = Field(description="Whether the rule applies to this intake at all.")
    not_applicable_reason: str | None = None
    outcome: Outcome
    score: float | None = Field(default=None, description="Score (unknown items count 0).")
    score_best: float | None = Field(default=None, description="Best case over unknown items.")
    score_worst: float | None = Field(default=None, description="Worst case over unknowns.")
    threshold: str | None = Field(default=None, description="The published cut-off.")
    cutoff: float | None = Field(
        default=None, description="Numeric cut-off for score rules (positive at or above)."
    )
    lower_cutoff: float | None = Field(
        default=None,
        description="For three-band scores: negative at or below this (e.g. Netherlands <= 4).",
    )
    items: list[RuleItem] = Field(default_factory=list)
    urgency: Urgency | None = Field(
        default=None, description="Urgency floor this result sets (None: none)."
    )
    interpretation: str = ""
    missing: list[str] = Field(
        default_factory=list, description="Unknown intake fields that could change the outcome."
    )
    notes: list[str] = Field(default_factory=list, description="Assumptions and caveats.")
    applicability_unknown: list[str] = Field(
        default_factory=list,
        description="Exclusion questions left unknown: the rule was applied as if they were "
        "'no', so its result is not certain (robust_truth is None).",
    )

    @property
    def fired_items(self) -> list[RuleItem]:
        """Items that fired."""
        return [i for i in self.items if i.fired]

    @property
    def positive(self) -> bool:
        """True when the outcome is positive."""
        return self.outcome == "positive"

    @property
    def truth(self) -> Tri:
        """Outcome as three-valued truth: positive True, negative False, otherwise None."""
        if self.outcome == "positive":
            return True
        if self.outcome == "negative":
            return False
        return None

    @property
    def robust_truth(self) -> Tri:
        """Outcome that holds whatever the unknown items turn out to be.

        For score rules: True if the worst case reaches the cut-off, False if the best case does
        not (or is at or below ``lower_cutoff``), otherwise None. For other rules: :attr:`truth`.
        Monotone in information: an unknown answer never makes it True or False.
        """
        if not self.applies or self.applicability_unknown:
            return None
        if self.cutoff is not None and self.score_worst is not None and self.score_best is not None:
            if self.outcome == "positive" and self.score is None:
                return True  # a sufficient criterion (e.g. MSU crystals) classified it
            if self.score_worst >= self.cutoff:
                return True
            neg = self.lower_cutoff if self.lower_cutoff is not None else self.cutoff - 1e-9
            if self.score_best <= neg:
                return False
            return None
        return self.truth

    @property
    def fields(self) -> list[str]:
        """Intake fields of the items that fired (or of all items when none fired)."""
        chosen = self.fired_items or self.items
        out: list[str] = []
        for item in chosen:
            for f in item.fields:
                if f not in out:
                    out.append(f)
        return out


def _defaults(cls: type[BaseModel]) -> tuple[tuple[str, Any, Any], ...]:
    """(field, default, default factory) of every field of ``cls``, in order."""
    return tuple(
        (name, info.default, info.default_factory) for name, info in cls.model_fields.items()
    )


_RESULT_FIELDS = _defaults(RuleResult)


def flag_rule_result(**given: Any) -> RuleResult:
    """A :class:`RuleResult` of a red-flag builder (:mod:`.red_flags._flag`), built without
    validating again when the values already have the model's exact types (strings, a list of
    :class:`RuleItem`, lists of strings, an :class:`Urgency`); the same model either way."""
    texts = ("rule_id", "name", "citation", "evidence", "interpretation", "outcome")
    lists = [given.get(k, []) for k in ("missing", "notes", "applicability_unknown")]
    urgency = given.get("urgency")
    if (
        given.get("applies") is True
        and all(type(given[k]) is str for k in texts)
        and given["outcome"] in ("positive", "negative", "indeterminate", "not_applicable")
        and set(given) <= _FLAG_KEYS
        and (urgency is None or type(urgency) is Urgency)
        and type(given["items"]) is list
        and all(type(it) is RuleItem for it in given["items"])
        and all(type(v) is list and set(map(type, v)) <= _STR for v in lists)
    ):
        values = {
            name: given[name] if name in given else (factory() if factory else default)
            for name, default, factory in _RESULT_FIELDS
        }
        return prevalidated(RuleResult, values, given)
    return RuleResult(**given)


_FLAG_KEYS = frozenset(
    {
        "rule_id",
        "name",
        "citation",
        "evidence",
        "applies",
        "outcome",
        "items",
        "urgency",
        "interpretation",
        "missing",
        "applicability_unknown",
    }
)


def not_applicable(
    rule_id: str, name: str, citation: str, evidence: str, reason: str, **kw: object
) -> RuleResult:
    """A result for a rule that does not apply, with the reason."""
    return RuleResult(
        rule_id=rule_id,
        name=name,
        citation=citation,
        evidence=evidence,
        applies=False,
        not_applicable_reason=reason,
        outcome="not_applicable",
        interpretation=f"Not applicable: {reason}",
        **kw,  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- Kleene logic


def t_and(*values: Tri) -> Tri:
    """Kleene AND: False if any is False, True if all are True, otherwise None.

    Tuple membership (``in``) over the three values True, False and None, which are singletons
    equal only to themselves: the same answer as testing each with ``is``, a third of the time
    (the rules call it ~200 times per assessment)."""
    if False in values:
        return False
    if None in values:
        return None
    return True


def t_or(*values: Tri) -> Tri:
    """Kleene OR: True if any is True, False if all are False, otherwise None (see
    :func:`t_and`)."""
    if True in values:
        return True
    if None in values:
        return None
    return False


def t_not(value: Tri) -> Tri:
    """Kleene NOT."""
    return None if value is None else not value


def t_ge(value: float | None, threshold: float) -> Tri:
    """``value >= threshold`` with None for an unknown value."""
    return None if value is None else value >= threshold


def t_lt(value: float | None, threshold: float) -> Tri:
    """``value < threshold`` with None for an unknown value."""
    return None if value is None else value < threshold


def t_le(value: float | None, threshold: float) -> Tri:
    """``value <= threshold`` with None for an unknown value."""
    return None if value is None else value <= threshold


def t_gt(value: float | None, threshold: float) -> Tri:
    """``value > threshold`` with None for an unknown value."""
    return None if value is None else value > threshold


def count_range(values: Iterable[Tri]) -> tuple[int, int]:
    """(known-true count, known-true plus unknown count)."""
    lo = hi = 0
    for v in values:
        if v is True:
            lo += 1
            hi += 1
        elif v is None:
            hi += 1
    return lo, hi


def missing_of(items: Iterable[RuleItem]) -> list[str]:
    """Intake fields of the items whose value is unknown."""
    out: list[str] = []
    for item in items:
        if item.fired is None:
            for f in item.fields:
                if f not in out:
                    out.append(f)
    return out

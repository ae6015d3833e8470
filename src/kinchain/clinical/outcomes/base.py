"""The shared model of a patient-reported outcome instrument and its scoring.

An :class:`Instrument` is a list of items (an id, the subscale it belongs to and its integer
response range) grouped into :class:`Subscale` s. Each subscale has its published scoring formula,
its published missing-item rule (the least number of answered items for a valid score), the
direction of its scale and, where one is published, its minimal clinically important difference
(:class:`Mcid`) with the source. :meth:`Instrument.score` turns the answers into an
:class:`OutcomeScore`; :func:`change` compares two scores of the same instrument against the MCID.

kinchain stores no item wording: item ids are the instruments' own item codes (``P1``, ``A17``)
or a neutral numbering, so no copyrighted questionnaire text is redistributed
(see ``docs/outcomes.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kinchain.errors import InputError

Direction = Literal["higher_is_better", "higher_is_worse"]
"""Which way a subscale's scale points: ``higher_is_better`` (0 = worst, e.g. KOOS, LEFS) or
``higher_is_worse`` (e.g. NPRS, 10 = worst pain imaginable)."""

Formula = Callable[[Sequence[int], int], float]
"""A subscale formula: the answered item values and the maximum value of one item -> the score."""

ChangeClass = Literal["improved", "worsened", "no_important_change"]

_TOLERANCE = 1e-9
"""Scale points (or fraction) within which a change counts as equal to the MCID, so that float
rounding of a score (e.g. 19/21 * 100) never moves a change exactly at the MCID below it."""


@dataclass(frozen=True)
class Mcid:
    """A minimal clinically important difference of one subscale.

    Parameters
    ----------
    points
        The MCID in the subscale's own units (points on its scale).
    source
        The publication the value comes from, with the population it was estimated in.
    relative
        An alternative MCID for improvement, as a fraction of the earlier score (0.30 = 30 %),
        where the source gives one (Farrar 2001 for the NPRS, estimated for reductions of pain);
        ``None`` otherwise. It is applied to improvements only.
    """

    points: float
    source: str
    relative: float | None = None


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its id, its subscale and its integer response range (inclusive)."""

    id: str
    subscale: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Subscale:
    """One separately scored subscale.

    Parameters
    ----------
    id
        Short identifier (``"pain"``, ``"adl"``).
    label
        A neutral name of the subscale.
    item_ids
        Its items, in questionnaire order.
    min_answered
        The published missing-item rule: the least number of answered items for a valid score.
    formula
        The published scoring formula (:data:`Formula`).
    score_range
        The lowest and highest possible score.
    direction
        Which way the scale points (:data:`Direction`).
    mcid
        The MCID with its source, or ``None`` when no value is carried.
    missing_rule
        The missing-item rule in words with its source, for reports.
    """

    id: str
    label: str
    item_ids: tuple[str, ...]
    min_answered: int
    formula: Formula
    score_range: tuple[float, float]
    direction: Direction
    mcid: Mcid | None
    missing_rule: str


@dataclass(frozen=True)
class SubscaleScore:
    """The score of one subscale.

    ``score`` is ``None`` when the subscale is not valid under its missing-item rule, and
    ``reason`` then says why (how many items were answered, how many are needed).
    """

    subscale: str
    score: float | None
    answered: int
    n_items: int
    valid: bool
    reason: str | None
    direction: Direction
    score_range: tuple[float, float]
    mcid: Mcid | None


@dataclass(frozen=True)
class OutcomeScore:
    """All subscale scores of one completed questionnaire."""

    instrument: str
    version: str
    subscales: dict[str, SubscaleScore]
    answered: int
    n_items: int


@dataclass(frozen=True)
class SubscaleChange:
    """The change of one subscale between two administrations.

    Attributes
    ----------
    delta
        ``after - before`` in scale points, or ``None`` when either score is not valid.
    relative
        ``delta / before`` (a fraction), or ``None`` when ``before`` is 0 or a score is missing.
    classification
        ``"improved"`` / ``"worsened"`` when the change in that direction reaches the MCID
        (``|delta| >= mcid.points``, or for an improvement ``|relative| >= mcid.relative`` where
        the source gives a relative MCID), ``"no_important_change"`` otherwise; ``None`` when it
        cannot be said (a score not valid, or no MCID carried), with ``reason``.
    """

    subscale: str
    before: float | None
    after: float | None
    delta: float | None
    relative: float | None
    mcid: Mcid | None
    reaches_mcid: bool | None
    classification: ChangeClass | None
    reason: str | None


@dataclass(frozen=True)
class OutcomeChange:
    """The change of every subscale of one instrument between two administrations."""

    instrument: str
    subscales: dict[str, SubscaleChange]


@dataclass(frozen=True)
class Instrument:
    """A patient-reported outcome instrument: items, subscales, scoring and terms of use.

    Parameters
    ----------
    id
        Short identifier (``"koos"``).
    name
        Full name.
    version
        The version scored, including the missing-item rule version.
    subscales
        Its subscales; every item belongs to exactly one.
    items
        Every item with its response range.
    licence
        What the terms of use say, in one sentence, with where it was read.
    scoring_source
        The publication the scoring and missing-item rules come from.
    """

    id: str
    name: str
    version: str
    subscales: tuple[Subscale, ...]
    items: tuple[Item, ...]
    licence: str
    scoring_source: str
    _by_id: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {item.id: item for item in self.items}
        if len(by_id) != len(self.items):
            raise ValueError(f"{self.id}: duplicate item ids")
        listed = [i for s in self.subscales for i in s.item_ids]
        if sorted(listed) != sorted(by_id) or len(set(listed)) != len(listed):
            raise ValueError(f"{self.id}: subscale items do not match the item list")
        object.__setattr__(self, "_by_id", by_id)

    def subscale(self, subscale_id: str) -> Subscale:
        """The subscale of that id (``KeyError`` if there is none)."""
        for s in self.subscales:
            if s.id == subscale_id:
                return s
        raise KeyError(subscale_id)

    def validate(self, answers: Mapping[str, int | None]) -> dict[str, int | None]:
        """Check the answers and return them as a plain dict (unanswered items absent or None).

        Raises
        ------
        InputError
            Naming the item (``"koos.P3"``) for an unknown item id, a value that is not an
            integer, or a value outside the item's response range.
        """
        if not isinstance(answers, Mapping):
            raise InputError(self.id, "answers must be a mapping of item id to value")
        checked: dict[str, int | None] = {}
        for key, value in answers.items():
            where = f"{self.id}.{key}"
            item = self._by_id.get(key) if isinstance(key, str) else None
            if item is None:
                raise InputError(where, f"unknown item of {self.name} ({self.id} {self.version})")
            if value is None:
                checked[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(where, f"answer {value!r} is not a whole number")
            if not item.minimum <= value <= item.maximum:
                raise InputError(where, f"answer {value} is outside {item.minimum}-{item.maximum}")
            checked[key] = value
        return checked

    def score(self, answers: Mapping[str, int | None]) -> OutcomeScore:
        """Score a completed questionnaire.

        Parameters
        ----------
        answers
            Item id -> the item's score as published (an integer in the item's range), or
            ``None`` / absent when the item was not answered (or answered "not applicable").

        Returns
        -------
        OutcomeScore
            Every subscale's score in its own units with its direction, the number of items
            answered, and ``None`` with the reason for a subscale that is not valid under the
            published missing-item rule.

        Raises
        ------
        InputError
            For an unknown item or an out-of-range or non-integer answer (see :meth:`validate`).
        """
        checked = self.validate(answers)
        results: dict[str, SubscaleScore] = {}
        for s in self.subscales:
            values = [v for i in s.item_ids if (v := checked.get(i)) is not None]
            n = len(s.item_ids)
            if len(values) < s.min_answered:
                results[s.id] = SubscaleScore(
                    subscale=s.id,
                    score=None,
                    answered=len(values),
                    n_items=n,
                    valid=False,
                    reason=(
                        f"{len(values)} of {n} items answered; at least {s.min_answered} "
                        f"needed ({s.missing_rule})"
                    ),
                    direction=s.direction,
                    score_range=s.score_range,
                    mcid=s.mcid,
                )
                continue
            item_max = max(self._by_id[i].maximum for i in s.item_ids)
            results[s.id] = SubscaleScore(
                subscale=s.id,
                score=s.formula(values, item_max),
                answered=len(values),
                n_items=n,
                valid=True,
                reason=None,
                direction=s.direction,
                score_range=s.score_range,
                mcid=s.mcid,
            )
        answered = sum(1 for v in checked.values() if v is not None)
        return OutcomeScore(
            instrument=self.id,
            version=self.version,
            subscales=results,
            answered=answered,
            n_items=len(self.items),
        )


def mean_normalised_inverted(values: Sequence[int], item_max: int) -> float:
    """``100 - mean(values) / item_max * 100``: 0 = extreme problems, 100 = no problems
    (the KOOS formula, where each item is scored 0 = none ... 4 = extreme)."""
    return 100.0 - (math.fsum(values) / len(values)) / item_max * 100.0


def percent_of_answered(values: Sequence[int], item_max: int) -> float:
    """``sum(values) / (answered * item_max) * 100``: the FAAM formula, 100 = no dysfunction;
    unanswered and "not applicable" items leave the denominator."""
    return math.fsum(values) / (len(values) * item_max) * 100.0


def plain_sum(values: Sequence[int], item_max: int) -> float:
    """The sum of the item values (the LEFS formula, 0-80; a single NPRS rating, 0-10)."""
    del item_max
    return float(sum(values))


def _not_classified(
    sid: str,
    before: float | None,
    after: float | None,
    delta: float | None,
    mcid: Mcid | None,
    reason: str,
) -> SubscaleChange:
    relative = delta / before if delta is not None and before else None
    return SubscaleChange(sid, before, after, delta, relative, mcid, None, None, reason)


def change(before: OutcomeScore, after: OutcomeScore) -> OutcomeChange:
    """Compare two administrations of one instrument against each subscale's MCID.

    A subscale's change reaches the MCID when ``|after - before| >= mcid.points`` or, for an
    improvement where the source gives a relative MCID (NPRS), ``|after - before| / before >=
    mcid.relative``. Its classification is ``improved`` or ``worsened`` following the subscale's
    direction. The published MCIDs were estimated for improvement; using ``mcid.points`` for a
    worsening too is kinchain's choice, stated in ``docs/outcomes.md``.

    Parameters
    ----------
    before, after
        Scores of the same instrument and version, earlier and later.

    Returns
    -------
    OutcomeChange
        Per subscale: the difference, the relative difference, whether it reaches the MCID and
        the classification, or ``None`` with the reason when a score is not valid or no MCID is
        carried.

    Raises
    ------
    InputError
        When the two scores are of different instruments or versions.
    """
    if (before.instrument, before.version) != (after.instrument, after.version):
        raise InputError(
            "change",
            f"cannot compare {before.instrument} {before.version} with "
            f"{after.instrument} {after.version}",
        )
    out: dict[str, SubscaleChange] = {}
    for sid, b in before.subscales.items():
        a = after.subscales[sid]
        mcid = b.mcid
        if b.score is None or a.score is None:
            which = (
                "earlier and the later"
                if b.score is None and a.score is None
                else ("earlier" if b.score is None else "later")
            )
            out[sid] = _not_classified(
                sid, b.score, a.score, None, mcid, f"the {which} score is not valid"
            )
            continue
        delta = a.score - b.score
        relative = delta / b.score if b.score != 0 else None
        if mcid is None:
            out[sid] = _not_classified(
                sid, b.score, a.score, delta, None, "no MCID is carried for this subscale"
            )
            continue
        better = delta != 0 and (delta > 0) == (b.direction == "higher_is_better")
        reaches = abs(delta) >= mcid.points - _TOLERANCE or (
            better
            and mcid.relative is not None
            and relative is not None
            and abs(relative) >= mcid.relative - _TOLERANCE
        )
        classification: ChangeClass
        if not reaches:
            classification = "no_important_change"
        elif better:
            classification = "improved"
        else:
            classification = "worsened"
        out[sid] = SubscaleChange(
            sid, b.score, a.score, delta, relative, mcid, reaches, classification, None
        )
    return OutcomeChange(instrument=before.instrument, subscales=out)

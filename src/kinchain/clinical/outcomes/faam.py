"""FAAM, the Foot and Ankle Ability Measure (Martin et al. 2005, Foot Ankle Int 26:968-983):
a 21-item Activities of Daily Living subscale and an 8-item Sports subscale.

Scoring: each item is scored 4 (no difficulty), 3 (slight), 2 (moderate), 1 (extreme difficulty)
or 0 (unable to do); "not applicable" items are left out. A subscale score is
``sum(item scores) / (items answered * 4) * 100`` (percent), 100 = no dysfunction; the ADL
subscale's highest raw total is 84 and the Sports subscale's 32. No total FAAM score.
Missing items: a subscale is scored only when at least 19 of the 21 ADL items, or 7 of the 8
Sports items, are answered (the "90% or more" recommendation as stated with those counts).
MCIDs: 8 points (ADL) and 9 points (Sports), Martin et al. 2005.

Item ids are a neutral numbering (``ADL1``-``ADL21``, ``SPORT1``-``SPORT8``, in form order);
kinchain stores no item wording. Enter "not applicable" as ``None``.
"""

from __future__ import annotations

from kinchain.clinical.outcomes.base import Instrument, Item, Mcid, Subscale, percent_of_answered

SCORING_SOURCE = (
    "Martin RL, Irrgang JJ, Burdett RG, Conti SF, Van Swearingen JM. Evidence of validity for "
    "the Foot and Ankle Ability Measure (FAAM). Foot Ankle Int 2005;26(11):968-983"
)
_MARTIN = "Martin et al. 2005, Foot Ankle Int 26(11):968-983 (abstract)"


def _build() -> Instrument:
    adl = tuple(f"ADL{k}" for k in range(1, 22))
    sport = tuple(f"SPORT{k}" for k in range(1, 9))
    items = tuple(Item(i, "adl", 0, 4) for i in adl) + tuple(Item(i, "sports", 0, 4) for i in sport)
    return Instrument(
        id="faam",
        name="Foot and Ankle Ability Measure",
        version="FAAM (ADL 21 items, Sports 8 items)",
        subscales=(
            Subscale(
                id="adl",
                label="Activities of daily living",
                item_ids=adl,
                min_answered=19,
                formula=percent_of_answered,
                score_range=(0.0, 100.0),
                direction="higher_is_better",
                mcid=Mcid(points=8.0, source=_MARTIN),
                missing_rule="FAAM: at least 19 of the 21 ADL items answered",
            ),
            Subscale(
                id="sports",
                label="Sports",
                item_ids=sport,
                min_answered=7,
                formula=percent_of_answered,
                score_range=(0.0, 100.0),
                direction="higher_is_better",
                mcid=Mcid(points=9.0, source=_MARTIN),
                missing_rule="FAAM: at least 7 of the 8 Sports items answered",
            ),
        ),
        items=items,
        licence=(
            "Listed as free of cost by the Rehabilitation Measures Database; no licence text from "
            "the developers was found. kinchain stores neutral item ids only, no item wording."
        ),
        scoring_source=SCORING_SOURCE,
    )


FAAM = _build()
"""The FAAM instrument."""

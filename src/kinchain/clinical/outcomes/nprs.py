"""NPRS, the 11-point (0-10) numeric pain rating scale: 0 = no pain, 10 = worst possible pain.

A single rating, carried as it is (higher = worse). MCID: on average a reduction of about two
points, or of about 30%, represented a clinically important difference (Farrar et al. 2001,
Pain 94:149-158, 2724 patients with chronic pain in 10 pregabalin trials).
The 0-10 numeric rating scale is a generic format without an owner's licence.
"""

from __future__ import annotations

from kinchain.clinical.outcomes.base import (
    Instrument,
    Item,
    Mcid,
    OutcomeScore,
    Subscale,
    plain_sum,
)

FARRAR_2001 = (
    "Farrar JT, Young JP, LaMoreaux L, Werth JL, Poole RM. Clinical importance of changes in "
    "chronic pain intensity measured on an 11-point numerical pain rating scale. "
    "Pain 2001;94(2):149-158"
)

NPRS = Instrument(
    id="nprs",
    name="Numeric pain rating scale (0-10)",
    version="NPRS 0-10",
    subscales=(
        Subscale(
            id="pain",
            label="Pain intensity",
            item_ids=("pain",),
            min_answered=1,
            formula=plain_sum,
            score_range=(0.0, 10.0),
            direction="higher_is_worse",
            mcid=Mcid(points=2.0, relative=0.30, source="Farrar et al. 2001, Pain 94(2):149-158"),
            missing_rule="NPRS: the single rating must be given",
        ),
    ),
    items=(Item("pain", "pain", 0, 10),),
    licence="A generic 0-10 numeric rating format; no owner or licence applies.",
    scoring_source=FARRAR_2001,
)
"""The NPRS as a one-item instrument (item id ``pain``)."""


def score_pain(rating: int | None) -> OutcomeScore:
    """Score one 0-10 pain rating (``None`` = not given, scored as not valid).

    Raises
    ------
    InputError
        ``nprs.pain`` when the rating is not a whole number from 0 to 10.
    """
    return NPRS.score({"pain": rating})

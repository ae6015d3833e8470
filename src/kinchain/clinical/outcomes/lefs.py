"""LEFS, the Lower Extremity Functional Scale (Binkley et al. 1999, Phys Ther 79:371-383):
20 activities, each scored 0 (extreme difficulty or unable to perform) to 4 (no difficulty).

Scoring: the sum of the 20 item scores, 0-80, higher = better function.
Missing items: the sources read give no rule for scoring an incomplete LEFS, so kinchain scores it
only when all 20 items are answered and reports it as not valid otherwise (no imputation).
MCID: 9 scale points (90% confidence), Binkley et al. 1999.

Item ids are a neutral numbering (``LEFS1``-``LEFS20``, in form order); kinchain stores no item
wording.
"""

from __future__ import annotations

from kinchain.clinical.outcomes.base import Instrument, Item, Mcid, Subscale, plain_sum

SCORING_SOURCE = (
    "Binkley JM, Stratford PW, Lott SA, Riddle DL. The Lower Extremity Functional Scale (LEFS): "
    "scale development, measurement properties, and clinical application. Phys Ther "
    "1999;79(4):371-383"
)


def _build() -> Instrument:
    ids = tuple(f"LEFS{k}" for k in range(1, 21))
    return Instrument(
        id="lefs",
        name="Lower Extremity Functional Scale",
        version="LEFS (20 items)",
        subscales=(
            Subscale(
                id="total",
                label="Lower extremity function",
                item_ids=ids,
                min_answered=20,
                formula=plain_sum,
                score_range=(0.0, 80.0),
                direction="higher_is_better",
                mcid=Mcid(points=9.0, source="Binkley et al. 1999, Phys Ther 79(4):371-383"),
                missing_rule=(
                    "LEFS: no published missing-item rule was found; all 20 items are required"
                ),
            ),
        ),
        items=tuple(Item(i, "total", 0, 4) for i in ids),
        licence=(
            "Listed as free of cost by the Rehabilitation Measures Database; no licence text from "
            "the developers was found. kinchain stores neutral item ids only, no item wording."
        ),
        scoring_source=SCORING_SOURCE,
    )


LEFS = _build()
"""The LEFS instrument."""

"""KOOS, the Knee injury and Osteoarthritis Outcome Score (Roos et al. 1998), 42 items in five
subscales, scored with the 2012 missing-item rule.

Scoring (KOOS Scoring 2012, koos.nu): each item is scored 0 (none) to 4 (extreme); a subscale
score is ``100 - mean(item scores) / 4 * 100``, so 100 = no problems and 0 = extreme problems.
Items are entered as their score, not as the box ticked: on the form a few items (e.g. S4, S5)
list their boxes in the opposite order, and the score still runs 0 = no problem to 4 = extreme.
Missing items: a subscale is scored when at least half of its items are answered (Pain 5 of 9,
Symptoms 4 of 7, ADL 9 of 17, Sport/Rec 3 of 5, QOL 2 of 4); otherwise it is not valid and no
score is calculated. Each subscale is valid or not independently of the others; no total score.

MCIDs: the developers give no single value; kinchain carries the anchor-based minimal important
changes of Monticone et al. 2013 (Am J Phys Med Rehabil 92:864-870, 148 patients in rehabilitation
after total knee arthroplasty). They are population-specific (see ``docs/outcomes.md``).
"""

from __future__ import annotations

from kinchain.clinical.outcomes.base import (
    Instrument,
    Item,
    Mcid,
    Subscale,
    mean_normalised_inverted,
)

SCORING_SOURCE = (
    "KOOS Scoring 2012 (koos.nu, August 2012): scores 0-4 per item, "
    "100 - mean/4*100 per subscale, at least 50% of a subscale's items answered"
)
_MONTICONE = "Monticone et al. 2013, Am J Phys Med Rehabil 92(10), rehabilitation after TKA"
_RULE = "KOOS 2012 rule: at least 50% of the subscale's items answered"

# (subscale id, label, item-code prefix, number of items, least answered, MCID points)
_LAYOUT: tuple[tuple[str, str, str, int, int, float], ...] = (
    ("pain", "Pain", "P", 9, 5, 16.7),
    ("symptoms", "Symptoms", "S", 7, 4, 10.7),
    ("adl", "Function in daily living (ADL)", "A", 17, 9, 18.4),
    ("sport_rec", "Function in sport and recreation (Sport/Rec)", "SP", 5, 3, 12.5),
    ("qol", "Knee-related quality of life (QOL)", "Q", 4, 2, 15.6),
)


def _build() -> Instrument:
    subscales: list[Subscale] = []
    items: list[Item] = []
    for sid, label, prefix, n, least, mcid in _LAYOUT:
        ids = tuple(f"{prefix}{k}" for k in range(1, n + 1))
        items.extend(Item(i, sid, 0, 4) for i in ids)
        subscales.append(
            Subscale(
                id=sid,
                label=label,
                item_ids=ids,
                min_answered=least,
                formula=mean_normalised_inverted,
                score_range=(0.0, 100.0),
                direction="higher_is_better",
                mcid=Mcid(points=mcid, source=_MONTICONE),
                missing_rule=_RULE,
            )
        )
    return Instrument(
        id="koos",
        name="Knee injury and Osteoarthritis Outcome Score",
        version="KOOS (42 items), 2012 missing-item rule",
        subscales=tuple(subscales),
        items=tuple(items),
        licence=(
            "Copyright (c) Ewa M. Roos 1998, all rights reserved; listed as free of cost by the "
            "Rehabilitation Measures Database. kinchain stores item codes only, no item wording."
        ),
        scoring_source=SCORING_SOURCE,
    )


KOOS = _build()
"""The KOOS instrument (item ids P1-P9, S1-S7, A1-A17, SP1-SP5, Q1-Q4)."""

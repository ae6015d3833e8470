"""Scores checked against a published, worked administration rather than hand-derived values.

LEFS: a BMJ Case Reports article's Table 1 lists one patient's 20 LEFS item scores at four
time points (before a class, after it, 6 and 12 months after) with the totals the authors
computed: 50, 58, 54 and 58 (read at casereports.bmj.com, table expansion "highwire/markup/
238681"). The item scores below are that table's columns in item order (LEFS1-LEFS20).

No such worked example was found for the KOOS (koos.nu's "KOOS Scoring 2012" gives the formula
only) or the FAAM; their expected values stay derived by hand in the other test files.
"""

from __future__ import annotations

import pytest

from kinchain.clinical.outcomes import LEFS, change

#: Columns of the table: item scores LEFS1..LEFS20, and the published total.
PUBLISHED = {
    "preclass": (
        (1, 2, 4, 4, 4, 1, 2, 3, 1, 4, 4, 1, 4, 3, 3, 3, 0, 3, 1, 2),
        50,
    ),
    "postclass": (
        (3, 3, 4, 4, 4, 4, 1, 4, 1, 4, 4, 3, 4, 3, 4, 1, 0, 0, 4, 3),
        58,
    ),
    "6 months": (
        (2, 3, 4, 4, 4, 3, 2, 4, 1, 4, 4, 4, 4, 3, 4, 0, 0, 0, 1, 3),
        54,
    ),
    "12 months": (
        (2, 3, 4, 4, 4, 4, 2, 3, 2, 4, 4, 2, 3, 2, 4, 2, 2, 2, 2, 3),
        58,
    ),
}


def _answers(items: tuple[int, ...]) -> dict[str, int | None]:
    return {f"LEFS{k}": v for k, v in enumerate(items, start=1)}


@pytest.mark.parametrize("when", list(PUBLISHED))
def test_lefs_total_equals_the_published_total(when: str) -> None:
    items, total = PUBLISHED[when]
    assert len(items) == 20
    assert LEFS.score(_answers(items)).subscales["total"].score == total


def test_lefs_changes_of_the_published_case_against_the_mcid() -> None:
    scores = {w: LEFS.score(_answers(items)) for w, (items, _) in PUBLISHED.items()}
    first = change(scores["preclass"], scores["postclass"]).subscales["total"]
    # 50 -> 58: +8 points, below the 9-point MCID.
    assert first.delta == 8 and first.classification == "no_important_change"
    later = change(scores["postclass"], scores["6 months"]).subscales["total"]
    assert later.delta == -4 and later.classification == "no_important_change"

"""LEFS (Binkley et al. 1999, Phys Ther 79:371-383: 20 items 0-4, score = sum 0-80, higher =
better, MCID 9 points) and the 0-10 pain rating (Farrar et al. 2001, Pain 94:149-158: a reduction
of about 2 points or about 30 % is clinically important). Expected values are computed by hand."""

from __future__ import annotations

import pytest

from kinchain.clinical.outcomes import INSTRUMENTS, LEFS, NPRS, change, score_pain
from kinchain.errors import InputError

IDS = [f"LEFS{k}" for k in range(1, 21)]


def lefs(total_pattern: list[int]) -> dict[str, int | None]:
    return dict(zip(IDS, total_pattern, strict=True))


def test_lefs_sum() -> None:
    """All 4 -> 80, all 0 -> 0; values k % 5 for k = 0..19 (each of 0..4 four times) ->
    4 * (0+1+2+3+4) = 40."""
    assert LEFS.score(lefs([4] * 20)).subscales["total"].score == 80.0
    assert LEFS.score(lefs([0] * 20)).subscales["total"].score == 0.0
    assert LEFS.score(lefs([k % 5 for k in range(20)])).subscales["total"].score == 40.0
    assert LEFS.subscale("total").direction == "higher_is_better"


def test_lefs_incomplete_is_not_scored() -> None:
    """No published missing-item rule was found: 19 of 20 answered is not valid."""
    r = LEFS.score(lefs([4] * 19 + [None]))  # type: ignore[list-item]
    s = r.subscales["total"]
    assert s.score is None and not s.valid and s.answered == 19
    assert r.answered == 19


def test_lefs_change_against_mcid() -> None:
    """40 -> 49 (+9 = MCID): improved; 40 -> 48 (+8): no important change; 40 -> 31: worsened."""
    base = [2] * 20
    before = LEFS.score(lefs(base))
    assert (
        change(before, LEFS.score(lefs([3] * 9 + [2] * 11))).subscales["total"].classification
        == "improved"
    )
    assert (
        change(before, LEFS.score(lefs([3] * 8 + [2] * 12))).subscales["total"].classification
        == "no_important_change"
    )
    assert (
        change(before, LEFS.score(lefs([1] * 9 + [2] * 11))).subscales["total"].classification
        == "worsened"
    )


@pytest.mark.parametrize(
    ("before", "after", "expected", "delta", "relative"),
    [
        (7, 5, "improved", -2, -2 / 7),  # 2 points (Farrar: ~2 points)
        (7, 6, "no_important_change", -1, -1 / 7),  # 1 point, 14 %
        (3, 2, "improved", -1, -1 / 3),  # 1 point but 33 % >= 30 %
        (10, 7, "improved", -3, -0.3),  # exactly 30 % and 3 points
        (2, 3, "no_important_change", 1, 0.5),  # the 30 % is for reductions only
        (4, 6, "worsened", 2, 0.5),  # 2 points worse
        (0, 1, "no_important_change", 1, None),  # no relative change from 0
        (5, 5, "no_important_change", 0, 0.0),
    ],
)
def test_nprs_change(
    before: int, after: int, expected: str, delta: int, relative: float | None
) -> None:
    c = change(score_pain(before), score_pain(after)).subscales["pain"]
    assert c.classification == expected
    assert c.delta == delta
    assert c.relative == (None if relative is None else pytest.approx(relative))
    assert c.mcid is not None and (c.mcid.points, c.mcid.relative) == (2.0, 0.30)


def test_nprs_validation() -> None:
    assert score_pain(0).subscales["pain"].score == 0.0
    assert score_pain(10).subscales["pain"].score == 10.0
    assert NPRS.subscale("pain").direction == "higher_is_worse"
    missing = score_pain(None).subscales["pain"]
    assert missing.score is None and missing.reason is not None
    for bad in (11, -1, 2.5, True):
        with pytest.raises(InputError) as err:
            score_pain(bad)  # type: ignore[arg-type]
        assert err.value.source == "nprs.pain"


def test_change_needs_two_valid_scores_of_one_instrument() -> None:
    c = change(score_pain(None), score_pain(4)).subscales["pain"]
    assert c.classification is None and c.delta is None
    assert c.reason == "the earlier score is not valid"
    both = change(score_pain(None), score_pain(None)).subscales["pain"]
    assert both.reason == "the earlier and the later score is not valid"
    with pytest.raises(InputError):
        change(score_pain(3), LEFS.score(lefs([2] * 20)))


def test_registry_and_terms_are_recorded() -> None:
    assert set(INSTRUMENTS) == {"koos", "faam", "lefs", "nprs"}
    for inst in INSTRUMENTS.values():
        assert inst.licence and inst.scoring_source
        for s in inst.subscales:
            assert s.mcid is not None and s.mcid.source


def test_instrument_definition_is_checked() -> None:
    """A subscale naming an item that is not in the item list is a programming error."""
    from dataclasses import replace

    with pytest.raises(ValueError, match="subscale items"):
        replace(LEFS, items=LEFS.items[:-1])
    with pytest.raises(ValueError, match="duplicate"):
        replace(LEFS, items=(*LEFS.items, LEFS.items[0]))

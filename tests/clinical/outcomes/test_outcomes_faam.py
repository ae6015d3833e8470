"""FAAM scoring against Martin et al. 2005 (Foot Ankle Int 26:968-983) as summarised by the
scoring instructions read (RehabMeasures / patient-watch FAAM pages): items 4 (no difficulty) to
0 (unable to do), "not applicable" left out; subscale = sum / (answered * 4) * 100, 100 = no
dysfunction; ADL raw total 0-84, Sports 0-32; a subscale is scored when at least 19 of 21 (ADL) or
7 of 8 (Sports) items are answered; MCID 8 (ADL) and 9 (Sports) points. Expected values are
computed by hand from that formula."""

from __future__ import annotations

import pytest

from kinchain.clinical.outcomes import FAAM, change
from kinchain.errors import InputError

ADL = FAAM.subscale("adl").item_ids
SPORT = FAAM.subscale("sports").item_ids


def test_layout() -> None:
    """21 ADL and 8 Sports items, each 0-4 (raw maxima 84 and 32)."""
    assert len(ADL) == 21 and len(SPORT) == 8
    assert sum(i.maximum for i in FAAM.items if i.subscale == "adl") == 84
    assert sum(i.maximum for i in FAAM.items if i.subscale == "sports") == 32


def test_best_and_worst() -> None:
    """All 4: 84/84 and 32/32 -> 100 %. All 0: 0 %."""
    best = FAAM.score({i.id: 4 for i in FAAM.items})
    worst = FAAM.score({i.id: 0 for i in FAAM.items})
    assert best.subscales["adl"].score == best.subscales["sports"].score == 100.0
    assert worst.subscales["adl"].score == worst.subscales["sports"].score == 0.0


def test_all_slight_difficulty() -> None:
    """ADL all 3: 63 / 84 * 100 = 75. Sports all 2: 16 / 32 * 100 = 50."""
    r = FAAM.score({i: 3 for i in ADL} | {i: 2 for i in SPORT})
    assert r.subscales["adl"].score == pytest.approx(75.0)
    assert r.subscales["sports"].score == pytest.approx(50.0)


def test_not_applicable_leaves_the_denominator() -> None:
    """ADL1-ADL19 all 4 and ADL20, ADL21 "not applicable": 76 / (19 * 4) * 100 = 100.
    ADL1-ADL10 = 4, ADL11-ADL19 = 2, two N/A: (40 + 18) / 76 * 100 = 5800/76."""
    full = FAAM.score({i: 4 for i in ADL[:19]} | {"ADL20": None, "ADL21": None})
    assert full.subscales["adl"].score == pytest.approx(100.0)
    assert full.subscales["adl"].answered == 19
    mixed = FAAM.score({i: 4 for i in ADL[:10]} | {i: 2 for i in ADL[10:19]})
    assert mixed.subscales["adl"].score == pytest.approx(5800 / 76)


def test_missing_item_rule_edges() -> None:
    """19 of 21 ADL valid, 18 not; 7 of 8 Sports valid, 6 not."""
    r = FAAM.score({i: 2 for i in ADL[:19]} | {i: 2 for i in SPORT[:7]})
    assert r.subscales["adl"].valid and r.subscales["sports"].valid
    r = FAAM.score({i: 2 for i in ADL[:18]} | {i: 2 for i in SPORT[:6]})
    assert r.subscales["adl"].score is None and r.subscales["sports"].score is None
    assert "at least 19" in (r.subscales["adl"].reason or "")
    assert "at least 7" in (r.subscales["sports"].reason or "")


def test_change_against_mcid() -> None:
    """ADL: 7 more raw points = 7/84*100 = 8.33 >= 8 (improved); 6 = 7.14 < 8 (no important
    change). Sports: 3 raw points = 9.375 >= 9 (improved); 2 = 6.25 < 9."""
    base = {i: 2 for i in ADL} | {i: 2 for i in SPORT}
    before = FAAM.score(base)
    plus7 = base | {i: 3 for i in ADL[:7]} | {i: 3 for i in SPORT[:3]}
    plus6 = base | {i: 3 for i in ADL[:6]} | {i: 3 for i in SPORT[:2]}
    up = change(before, FAAM.score(plus7))
    assert up.subscales["adl"].delta == pytest.approx(700 / 84)
    assert up.subscales["adl"].classification == "improved"
    assert up.subscales["sports"].classification == "improved"
    small = change(before, FAAM.score(plus6))
    assert small.subscales["adl"].classification == "no_important_change"
    assert small.subscales["sports"].classification == "no_important_change"
    down = change(FAAM.score(plus7), before)
    assert down.subscales["adl"].classification == "worsened"
    assert down.subscales["adl"].mcid is not None and down.subscales["adl"].mcid.points == 8.0
    assert down.subscales["sports"].mcid is not None and down.subscales["sports"].mcid.points == 9.0


def test_out_of_range_names_the_item() -> None:
    with pytest.raises(InputError) as err:
        FAAM.score({"SPORT8": 5})
    assert err.value.source == "faam.SPORT8"

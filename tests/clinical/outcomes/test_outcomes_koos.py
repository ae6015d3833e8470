"""KOOS scoring against the rules of the developers' scoring guide, "KOOS Scoring 2012" (koos.nu,
August 2012): items scored 0 (none) to 4 (extreme); subscale = 100 - mean/4 * 100 (100 = no
problems, 0 = extreme problems); a subscale is scored when at least 50% of its items are answered
(Pain 5, Symptoms 4, ADL 9, Sport/Rec 3, QOL 2 items) and each subscale stands on its own.
The guide gives no worked patient example in the text read, so every expected value below is
computed by hand from that formula and stated in the test."""

from __future__ import annotations

import pytest

from kinchain.clinical.outcomes import KOOS
from kinchain.errors import InputError

LAYOUT = {"pain": 9, "symptoms": 7, "adl": 17, "sport_rec": 5, "qol": 4}
# "Number of items needed for calculation of subscale score (2012 rule for missing items)"
NEEDED_2012 = {"pain": 5, "symptoms": 4, "adl": 9, "sport_rec": 3, "qol": 2}


def all_items(value: int) -> dict[str, int | None]:
    return {item.id: value for item in KOOS.items}


def test_items_and_subscales_match_the_published_layout() -> None:
    """42 items in five subscales: Pain 9, Symptoms 7, ADL 17, Sport/Rec 5, QOL 4
    (Roos & Lohmander 2003; item codes P1-P9, S1-S7, A1-A17, SP1-SP5, Q1-Q4)."""
    assert len(KOOS.items) == 42
    assert {s.id: len(s.item_ids) for s in KOOS.subscales} == LAYOUT
    assert KOOS.subscale("sport_rec").item_ids == ("SP1", "SP2", "SP3", "SP4", "SP5")
    assert all((i.minimum, i.maximum) == (0, 4) for i in KOOS.items)
    assert {s.id: s.min_answered for s in KOOS.subscales} == NEEDED_2012


def test_no_problems_scores_100_and_extreme_problems_0() -> None:
    """All items 0 (none): mean 0 -> 100 - 0 = 100. All items 4 (extreme): 100 - 4/4*100 = 0."""
    best = KOOS.score(all_items(0))
    worst = KOOS.score(all_items(4))
    for sid in LAYOUT:
        assert best.subscales[sid].score == 100.0
        assert worst.subscales[sid].score == 0.0
        assert best.subscales[sid].direction == "higher_is_better"
    assert best.answered == best.n_items == 42


def test_stated_pattern_by_hand() -> None:
    """Pain P1..P9 = 0,1,2,3,4,0,1,2,3: sum 16, mean 16/9, score 100 - (16/9)/4*100 = 500/9.
    QOL Q1..Q4 = 1,2,3,4: mean 2.5, score 100 - 62.5 = 37.5.
    Symptoms all 1: 100 - 25 = 75."""
    answers: dict[str, int | None] = dict(
        zip([f"P{k}" for k in range(1, 10)], [0, 1, 2, 3, 4, 0, 1, 2, 3], strict=True)
    )
    answers |= {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4}
    answers |= {f"S{k}": 1 for k in range(1, 8)}
    result = KOOS.score(answers)
    assert result.subscales["pain"].score == pytest.approx(500 / 9)
    assert result.subscales["qol"].score == pytest.approx(37.5)
    assert result.subscales["symptoms"].score == pytest.approx(75.0)
    assert result.answered == 9 + 4 + 7


@pytest.mark.parametrize("sid", list(LAYOUT))
def test_missing_item_rule_edge(sid: str) -> None:
    """Exactly the 2012 minimum answered (all 2 -> 100 - 2/4*100 = 50) is valid; one fewer is
    not valid, and no score is calculated."""
    ids = KOOS.subscale(sid).item_ids
    need = NEEDED_2012[sid]
    enough = KOOS.score({i: 2 for i in ids[:need]}).subscales[sid]
    assert enough.valid and enough.score == 50.0 and enough.answered == need
    short = KOOS.score({i: 2 for i in ids[: need - 1]} | {i: None for i in ids[need - 1 :]})
    s = short.subscales[sid]
    assert not s.valid and s.score is None
    assert s.answered == need - 1
    assert s.reason is not None
    assert f"{need - 1} of {len(ids)} items answered" in s.reason
    assert f"at least {need}" in s.reason


def test_the_mean_is_of_answered_items_only() -> None:
    """Pain with P1-P5 answered 4,4,4,0,0 and P6-P9 missing: mean 12/5 = 2.4, 100 - 60 = 40."""
    r = KOOS.score({"P1": 4, "P2": 4, "P3": 4, "P4": 0, "P5": 0})
    assert r.subscales["pain"].score == pytest.approx(40.0)


def test_subscales_are_independent() -> None:
    """The guide's example: Sport/Rec not valid (e.g. 2 weeks after knee replacement) while the
    other subscales are reported."""
    answers = {i: v for i, v in all_items(1).items() if not i.startswith("SP")}
    r = KOOS.score(answers)
    assert r.subscales["sport_rec"].score is None
    for sid in ("pain", "symptoms", "adl", "qol"):
        assert r.subscales[sid].score == 75.0
    assert r.answered == 37


@pytest.mark.parametrize(
    ("answers", "where", "words"),
    [
        ({"P10": 1}, "koos.P10", "unknown item"),
        ({"p1": 1}, "koos.p1", "unknown item"),
        ({"P3": 5}, "koos.P3", "outside 0-4"),
        ({"A17": -1}, "koos.A17", "outside 0-4"),
        ({"S1": 2.0}, "koos.S1", "not a whole number"),
        ({"Q1": True}, "koos.Q1", "not a whole number"),
        ({"Q2": "3"}, "koos.Q2", "not a whole number"),
    ],
)
def test_bad_answers_name_the_item(answers: dict, where: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        KOOS.score(answers)
    assert err.value.source == where
    assert words in err.value.problem


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(InputError):
        KOOS.score([("P1", 1)])  # type: ignore[arg-type]

"""Ottawa ankle/midfoot, Ottawa knee and Pittsburgh knee rules: every item, edge and exclusion."""

from __future__ import annotations

from typing import Any

import pytest
from clinical_helpers import intake, merge

from kinchain.clinical.rules import ottawa_ankle, ottawa_knee, pittsburgh_knee

ANKLE: dict[str, Any] = {
    "demographics": {"age_years": 30},
    "trauma": {"injury": "yes", "mechanism": "twisting", "days_since_injury": 1,
               "bore_weight_immediately": "yes"},
    "function": {"bears_weight_4_steps": "yes"},
    "exam": {"malleolar_zone_pain": "yes", "tender_lateral_malleolus": "no",
             "tender_medial_malleolus": "no", "midfoot_zone_pain": "yes",
             "tender_fifth_metatarsal_base": "no", "tender_navicular": "no"},
}


def ankle(**extra: Any) -> Any:
    return intake(["ankle", "foot"], **merge(ANKLE, extra))


def test_ankle_all_negative() -> None:
    r = ottawa_ankle.evaluate_ankle(ankle())
    assert r.applies and r.outcome == "negative"
    assert "not indicated" in r.interpretation
    assert r.urgency is None


@pytest.mark.parametrize(
    ("extra", "item"),
    [
        ({"exam": {"tender_lateral_malleolus": "yes"}}, "A"),
        ({"exam": {"tender_medial_malleolus": "yes"}}, "B"),
        ({"trauma": {"bore_weight_immediately": "no"},
          "function": {"bears_weight_4_steps": "no"}}, "E"),
    ],
)
def test_ankle_each_item(extra: dict[str, Any], item: str) -> None:
    r = ottawa_ankle.evaluate_ankle(ankle(**extra))
    assert r.outcome == "positive"
    assert [i.id for i in r.fired_items if i.id != "malleolar_zone_pain"] == [item]
    assert r.urgency is not None and r.urgency.value == "same_day"


def test_ankle_e_needs_both_immediately_and_now() -> None:
    only_now = ankle(function={"bears_weight_4_steps": "no"})
    assert ottawa_ankle.evaluate_ankle(only_now).outcome == "negative"
    only_then = ankle(trauma={"bore_weight_immediately": "no"})
    assert ottawa_ankle.evaluate_ankle(only_then).outcome == "negative"


def test_ankle_gate_zone_pain() -> None:
    r = ottawa_ankle.evaluate_ankle(ankle(exam={"malleolar_zone_pain": "no",
                                                "tender_lateral_malleolus": "yes"}))
    assert r.outcome == "negative"
    r = ottawa_ankle.evaluate_ankle(ankle(exam={"malleolar_zone_pain": "unknown",
                                                "tender_lateral_malleolus": "yes"}))
    assert r.outcome == "indeterminate" and "exam.malleolar_zone_pain" in r.missing


@pytest.mark.parametrize(
    ("extra", "item"),
    [
        ({"exam": {"tender_fifth_metatarsal_base": "yes"}}, "C"),
        ({"exam": {"tender_navicular": "yes"}}, "D"),
        ({"trauma": {"bore_weight_immediately": "no"},
          "function": {"bears_weight_4_steps": "no"}}, "E"),
    ],
)
def test_midfoot_each_item(extra: dict[str, Any], item: str) -> None:
    r = ottawa_ankle.evaluate_midfoot(ankle(**extra))
    assert r.outcome == "positive"
    assert item in [i.id for i in r.fired_items]


def test_midfoot_negative() -> None:
    assert ottawa_ankle.evaluate_midfoot(ankle()).outcome == "negative"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"trauma": {"days_since_injury": 11}}, "10 days"),
        ({"demographics": {"age_years": 4}}, "under 5"),
        ({"demographics": {"pregnant": "yes"}}, "pregnancy"),
        ({"trauma": {"intoxicated": "yes"}}, "intoxication"),
        ({"trauma": {"head_injury": "yes"}}, "head injury"),
        ({"trauma": {"multiple_trauma": "yes"}}, "multiple trauma"),
        ({"trauma": {"isolated_skin_injury": "yes"}}, "skin"),
        ({"trauma": {"reassessment_visit": "yes"}}, "reassessment"),
        ({"pain": {"numbness": "yes"}}, "sensation"),
        ({"trauma": {"injury": "unknown"}}, "not known"),
    ],
)
def test_ankle_exclusions(extra: dict[str, Any], reason: str) -> None:
    i = ankle(**merge(extra, {"exam": {"tender_lateral_malleolus": "yes"}}))
    for fn in (ottawa_ankle.evaluate_ankle, ottawa_ankle.evaluate_midfoot):
        r = fn(i)
        assert not r.applies and r.outcome == "not_applicable"
        assert r.not_applicable_reason and reason in r.not_applicable_reason


def test_ankle_edges_applicable() -> None:
    r = ottawa_ankle.evaluate_ankle(ankle(trauma={"days_since_injury": 10},
                                          demographics={"age_years": 5}))
    assert r.applies
    assert any("children" in n for n in r.notes)


def test_no_injury_not_applicable() -> None:
    i = intake(["ankle"], trauma={"injury": "no"})
    assert ottawa_ankle.evaluate_ankle(i).outcome == "not_applicable"


KNEE: dict[str, Any] = {
    "demographics": {"age_years": 30},
    "trauma": {"injury": "yes", "mechanism": "blunt_or_fall", "days_since_injury": 1,
               "bore_weight_immediately": "yes"},
    "function": {"bears_weight_4_steps": "yes", "can_flex_knee_90": "yes"},
    "exam": {"tender_patella_isolated": "no", "tender_fibular_head": "no"},
}


def knee(**extra: Any) -> Any:
    return intake(["knee"], **merge(KNEE, extra))


def test_ottawa_knee_negative() -> None:
    assert ottawa_knee.evaluate(knee()).outcome == "negative"


@pytest.mark.parametrize(
    ("extra", "item"),
    [
        ({"demographics": {"age_years": 55}}, "age_55"),
        ({"exam": {"tender_patella_isolated": "yes"}}, "patella"),
        ({"exam": {"tender_fibular_head": "yes"}}, "fibular_head"),
        ({"function": {"can_flex_knee_90": "no"}}, "flex_90"),
        ({"trauma": {"bore_weight_immediately": "no"},
          "function": {"bears_weight_4_steps": "no"}}, "weight_bearing"),
    ],
)
def test_ottawa_knee_each_item(extra: dict[str, Any], item: str) -> None:
    r = ottawa_knee.evaluate(knee(**extra))
    assert r.outcome == "positive"
    assert [i.id for i in r.fired_items] == [item]


def test_ottawa_knee_age_edge() -> None:
    assert ottawa_knee.evaluate(knee(demographics={"age_years": 54.9})).outcome == "negative"
    assert ottawa_knee.evaluate(knee(demographics={"age_years": 55})).outcome == "positive"


def test_ottawa_knee_applicability() -> None:
    assert not ottawa_knee.evaluate(knee(trauma={"days_since_injury": 7})).applies
    assert ottawa_knee.evaluate(knee(trauma={"days_since_injury": 6.9})).applies
    assert not ottawa_knee.evaluate(knee(demographics={"age_years": 1})).applies
    child = ottawa_knee.evaluate(knee(demographics={"age_years": 10}))
    assert child.applies and any("Bulloch" in n for n in child.notes)
    assert not ottawa_knee.evaluate(intake(["ankle"], **ANKLE)).applies


def test_pittsburgh_negative_and_items() -> None:
    assert pittsburgh_knee.evaluate(knee()).outcome == "negative"
    old = pittsburgh_knee.evaluate(knee(demographics={"age_years": 51}))
    assert old.outcome == "positive"
    assert pittsburgh_knee.evaluate(knee(demographics={"age_years": 50})).outcome == "negative"
    assert pittsburgh_knee.evaluate(knee(demographics={"age_years": 11})).outcome == "positive"
    assert pittsburgh_knee.evaluate(knee(demographics={"age_years": 12})).outcome == "negative"
    walk = pittsburgh_knee.evaluate(knee(function={"bears_weight_4_steps": "no"}))
    assert walk.outcome == "positive" and [i.id for i in walk.fired_items][-1] == "walk_4_steps"


def test_pittsburgh_needs_blunt_trauma_or_fall() -> None:
    r = pittsburgh_knee.evaluate(knee(trauma={"mechanism": "twisting"},
                                      demographics={"age_years": 70}))
    assert r.outcome == "negative"
    r = pittsburgh_knee.evaluate(knee(trauma={"mechanism": "unknown"},
                                      demographics={"age_years": 70}))
    assert r.outcome == "indeterminate" and "trauma.mechanism" in r.missing


@pytest.mark.parametrize(
    "extra",
    [
        {"trauma": {"days_since_injury": 7}},
        {"trauma": {"isolated_skin_injury": "yes"}},
        {"trauma": {"previous_knee_surgery": "yes"}},
        {"trauma": {"reassessment_visit": "yes"}},
    ],
)
def test_pittsburgh_exclusions(extra: dict[str, Any]) -> None:
    r = pittsburgh_knee.evaluate(knee(**merge(extra, {"demographics": {"age_years": 70}})))
    assert r.outcome == "not_applicable" and r.not_applicable_reason


def test_citations_present() -> None:
    for mod in (ottawa_ankle, ottawa_knee, pittsburgh_knee):
        assert mod.CITATION and mod.__doc__ and ("[S]" in mod.__doc__ or "[R]" in mod.__doc__)

"""Ottawa ankle rule result fields that mutation testing found untested (``make mutate`` on
``clinical/rules/ottawa_ankle.py``): the positive text names the fired criteria, the threshold
is stated, unanswered applicability fields are reported, and a decided rule lists no missing
items even when an item it did not need is unanswered (Stiell et al., JAMA 1993)."""

from __future__ import annotations

from test_rules_imaging import ankle

from kinchain.clinical.rules import ottawa_ankle


def test_positive_text_names_the_fired_criterion_and_the_threshold() -> None:
    r = ottawa_ankle.evaluate_ankle(ankle(exam={"tender_lateral_malleolus": "yes"}))
    assert r.outcome == "positive"
    assert r.interpretation == (
        "Ankle X-ray indicated by the Ottawa ankle rule "
        "(bone tenderness, posterior edge or tip of the lateral malleolus)."
    )
    assert r.threshold == "zone pain and any one criterion"


def test_unanswered_days_reported_as_applicability_unknown() -> None:
    r = ottawa_ankle.evaluate_ankle(ankle(trauma={"days_since_injury": None}))
    assert r.applies and "trauma.days_since_injury" in r.applicability_unknown
    assert (
        "trauma.days_since_injury" not in ottawa_ankle.evaluate_ankle(ankle()).applicability_unknown
    )


def test_decided_rule_lists_no_missing_items() -> None:
    # No malleolar zone pain decides the rule (negative) whatever the malleoli answers are.
    r = ottawa_ankle.evaluate_ankle(
        ankle(exam={"malleolar_zone_pain": "no", "tender_lateral_malleolus": "unknown"})
    )
    assert r.outcome == "negative" and r.missing == []
    undecided = ottawa_ankle.evaluate_ankle(ankle(exam={"tender_lateral_malleolus": "unknown"}))
    assert undecided.outcome == "indeterminate"
    assert undecided.missing == ["exam.tender_lateral_malleolus"]

"""Ottawa knee rule edges that mutation testing found untested (``make mutate`` on
``clinical/rules/ottawa_knee.py``): the age-2 applicability edge and the age-18 note edge, the
notes and unknown fields when age or time since injury are not answered, and the intake fields
each published item rests on (Stiell 1995/1996; Bulloch 2003 for children)."""

from __future__ import annotations

from test_rules_imaging import knee

from kinchain.clinical.rules import ottawa_knee

BULLOCH = "Age under 18: validated in children aged 2-16 (Bulloch 2003) [S]."
DAYS_UNKNOWN = "Time since injury unknown: applied as an acute (< 7 days) injury."


def test_age_edges() -> None:
    assert not ottawa_knee.evaluate(knee(demographics={"age_years": 1.9})).applies
    two = ottawa_knee.evaluate(knee(demographics={"age_years": 2}))
    assert two.applies and two.notes == [BULLOCH]
    assert ottawa_knee.evaluate(knee(demographics={"age_years": 17.9})).notes == [BULLOCH]
    adult = ottawa_knee.evaluate(knee(demographics={"age_years": 18}))
    assert adult.applies and adult.notes == []


def test_unanswered_age_and_days_are_named() -> None:
    r = ottawa_knee.evaluate(
        knee(trauma={"days_since_injury": None}, demographics={"age_years": None})
    )
    assert r.applies
    assert r.notes == [DAYS_UNKNOWN]
    assert r.applicability_unknown == ["trauma.days_since_injury", "demographics.age_years"]
    answered = ottawa_knee.evaluate(knee())
    assert answered.notes == [] and answered.applicability_unknown == []


def test_items_name_their_intake_fields_and_the_positive_text_names_the_item() -> None:
    r = ottawa_knee.evaluate(knee(exam={"tender_patella_isolated": "yes"}))
    assert {i.id: (i.label, i.fields) for i in r.items} == {
        "age_55": ("age 55 or older", ["demographics.age_years"]),
        "patella": ("isolated tenderness of the patella", ["exam.tender_patella_isolated"]),
        "fibular_head": ("tenderness at the head of the fibula", ["exam.tender_fibular_head"]),
        "flex_90": ("unable to flex the knee to 90 degrees", ["function.can_flex_knee_90"]),
        "weight_bearing": (
            "unable to bear weight immediately and at assessment (4 steps)",
            ["trauma.bore_weight_immediately", "function.bears_weight_4_steps"],
        ),
    }
    assert r.interpretation == (
        "Knee X-ray indicated by the Ottawa knee rule (isolated tenderness of the patella)."
    )

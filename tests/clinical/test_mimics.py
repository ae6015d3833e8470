"""The leg-pain mimic screens, each at its published levels from what a patient can say, with
the cause it points to and the first test it asks for."""

from __future__ import annotations

from typing import Any

import pytest

from kinchain.clinical import CauseId, Specialist, Urgency, assess, parse_intake

E, U, S, R = Urgency.emergency, Urgency.same_day, Urgency.soon, Urgency.routine


def _a(sites: list[str], **groups: Any) -> Any:
    data: dict[str, Any] = {"answered_by": "patient", "pain": {"sites": sites}}
    for group, values in groups.items():
        data.setdefault(group, {}).update(values)
    return assess(parse_intake(data))


CASES: list[tuple[str, list[str], dict[str, Any], Urgency, CauseId]] = [
    ("one swollen calf", ["calf"], {"signs": {"leg_swelling": "one_leg"}}, U, CauseId.dvt),
    ("painful calf after a long flight", ["calf"],
     {"signs": {"calf_pain": "yes"}, "history": {"long_travel_4_weeks": "yes"}}, U, CauseId.dvt),
    ("swollen calf and breathless", ["calf"],
     {"signs": {"leg_swelling": "one_leg"}, "general": {"breathless": "yes"}}, E,
     CauseId.pulmonary_embolism),
    ("sudden one-sided weakness", ["thigh"], {"neuro": {"sudden_one_side_weakness": "yes"}}, E,
     CauseId.stroke_tia),
    ("spreading red skin", ["calf"], {"skin": {"redness_spreading": "yes"}}, U,
     CauseId.cellulitis),
    ("spreading red skin with fever", ["calf"],
     {"skin": {"redness_spreading": "yes"}, "signs": {"fever": "yes"}}, E, CauseId.cellulitis),
    ("sudden cold pale foot", ["foot"],
     {"pain": {"onset": "sudden"}, "vascular": {"foot_cold_or_pale": "yes"}}, E,
     CauseId.acute_limb_ischaemia),
    ("walking pain that stops with rest", ["calf"], {"vascular": {"claudication": "yes"}}, R,
     CauseId.peripheral_arterial_disease),
    ("rest pain in the foot", ["foot"],
     {"vascular": {"rest_pain_foot": "yes", "claudication": "yes"}}, U,
     CauseId.peripheral_arterial_disease),
    ("dark urine after exercise", ["thigh"],
     {"general": {"dark_urine": "yes"}, "history": {"strenuous_exercise": "yes"}}, E,
     CauseId.rhabdomyolysis),
    ("sickle cell with fever", ["knee"],
     {"history": {"sickle_cell_disease": "yes"}, "signs": {"fever": "yes"}}, E,
     CauseId.sickle_cell_crisis),
    ("fever with an artificial valve", ["knee"],
     {"history": {"heart_valve_disease": "yes"}, "signs": {"fever": "yes"}}, E,
     CauseId.infective_endocarditis),
    ("leaking wound after a knee replacement", ["knee"],
     {"history": {"surgery_on_this_leg_6_weeks": "yes"}, "skin": {"wound_problem": "yes"},
      "signs": {"fever": "no"}, "general": {"very_unwell": "no"}}, U,
     CauseId.postoperative_complication),
    ("jaw pain on chewing at 70", ["hip"],
     {"demographics": {"age_years": 70}, "general": {"jaw_pain_chewing": "yes"}}, U,
     CauseId.pmr_gca),
    ("shoulder and hip stiffness at 68", ["hip", "thigh"],
     {"demographics": {"age_years": 68}, "signs": {"shoulder_hip_girdle_stiffness": "yes"}}, S,
     CauseId.pmr_gca),
    ("diabetic foot ulcer not healing", ["foot"],
     {"history": {"diabetes": "yes"}, "skin": {"ulcer_not_healing": "yes"}}, U,
     CauseId.diabetic_foot),
]


@pytest.mark.parametrize(("name", "sites", "groups", "level", "cause"), CASES,
                         ids=[c[0] for c in CASES])
def test_screen_from_patient_answers(name: str, sites: list[str], groups: dict[str, Any],
                                     level: Urgency, cause: CauseId) -> None:
    a = _a(sites, **groups)
    assert a.urgency == level, a.urgency_statement
    assert a.causes[0].cause == cause, [c.cause for c in a.causes[:3]]
    assert a.not_musculoskeletal
    if level == E:
        assert a.referral.specialist == Specialist.emergency_department
    elif level == U:
        assert a.referral.specialist == Specialist.same_day_care
    else:
        assert a.referral.specialist in (Specialist.gp, Specialist.neurology)
    fired = [f for f in a.red_flags if f.rule_id.startswith("screen_")]
    assert fired and fired[0].citation
    assert any(t.rule_id == fired[0].rule_id for t in a.tests), "the screen asks for a test"


def test_young_person_is_not_screened_for_giant_cell_arteritis() -> None:
    a = _a(["hip"], demographics={"age_years": 30}, general={"jaw_pain_chewing": "yes"})
    assert not any(f.rule_id == "screen_pmr_gca" for f in a.red_flags)


def test_a_passed_tia_depends_on_when() -> None:
    tia = {"neuro": {"sudden_one_side_weakness": "yes", "symptoms_resolved": "yes"}}
    assert _a(["thigh"], **tia).urgency == E  # time unknown: as now
    assert _a(["thigh"], pain={"duration_days": 0.1}, **tia).urgency == E
    assert _a(["thigh"], pain={"duration_days": 2}, **tia).urgency == U
    late = _a(["thigh"], pain={"duration_days": 10}, **tia)
    assert late.urgency == S and late.referral.specialist == Specialist.neurology


def test_a_long_standing_cold_foot_is_not_an_acute_occlusion() -> None:
    chronic = _a(["foot"], pain={"onset": "gradual", "duration_days": 200},
                 vascular={"foot_cold_or_pale": "yes", "claudication": "yes"})
    assert chronic.urgency == U
    assert chronic.causes[0].cause == CauseId.peripheral_arterial_disease
    # an unknown onset is never read as long-standing
    assert _a(["foot"], vascular={"foot_cold_or_pale": "yes"}).urgency == E


def test_mild_sickle_episode_eased_at_home_is_not_same_day() -> None:
    a = _a(["calf"], history={"sickle_cell_disease": "yes"},
           function={"rest_and_otc": "improved"}, signs={"fever": "no"},
           general={"breathless": "no", "chest_pain": "no"})
    assert a.urgency.rank < U.rank

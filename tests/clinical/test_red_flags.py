"""Red-flag sets, the seed article's referral triggers and NICE NG100."""

from __future__ import annotations

from typing import Any

import pytest
from clinical_helpers import intake

from kinchain.clinical.rules import nice_ng100, referral_triggers
from kinchain.clinical.rules.base import Urgency
from kinchain.clinical.rules.red_flags import (
    cauda_equina,
    compartment_syndrome,
    foot_drop,
    fracture_dislocation,
    infection_malignancy,
    knee_pathway,
    neurovascular,
    septic_arthritis,
)

E, U, S, R = Urgency.emergency, Urgency.same_day, Urgency.soon, Urgency.routine

HOT = {"signs": {"warmth": "yes", "swelling": "yes"}, "pain": {"duration_days": 2}}


def _i(sites: list[str], *patches: dict[str, Any]) -> Any:
    from clinical_helpers import merge

    data: dict[str, Any] = {}
    for p in patches:
        data = merge(data, p)
    return intake(sites, **data)


@pytest.mark.parametrize(
    ("extra", "level"),
    [
        ({"signs": {"fever": "yes"}}, E),
        ({"signs": {"temperature_c": 38.0}}, E),
        ({"function": {"restricted_movement": "yes"}}, E),
        ({"history": {"diabetes": "yes"}}, E),
        ({"history": {"prosthetic_joint": "yes"}}, E),
        ({"history": {"immunosuppression": "yes"}}, E),
        ({}, U),
    ],
)
def test_septic_levels(extra: dict[str, Any], level: Urgency) -> None:
    r = septic_arthritis.evaluate(_i(["knee"], HOT, extra))
    assert r.outcome == "positive" and r.urgency == level


def test_septic_needs_short_history_and_hot_swollen_joint() -> None:
    assert septic_arthritis.evaluate(_i(["knee"], HOT, {"pain": {"duration_days": 15}})
                                     ).outcome == "negative"
    assert septic_arthritis.evaluate(_i(["knee"], HOT, {"pain": {"duration_days": 14}})
                                     ).outcome == "positive"
    assert septic_arthritis.evaluate(_i(["knee"], {"signs": {"warmth": "no", "swelling": "yes"}})
                                     ).outcome != "positive"
    assert septic_arthritis.evaluate(_i(["back"], HOT)).outcome == "negative"
    gram = septic_arthritis.evaluate(_i(["knee"], {"labs": {"synovial_gram_stain": "positive"}}))
    assert gram.urgency == E


def test_septic_temperature_just_below_38_is_not_fever() -> None:
    r = septic_arthritis.evaluate(_i(["knee"], HOT, {"signs": {"temperature_c": 37.9,
                                                               "fever": "no"}}))
    assert r.urgency == U


@pytest.mark.parametrize(
    "field",
    ["bladder_or_bowel_dysfunction", "saddle_numbness", "sexual_dysfunction",
     "bilateral_leg_symptoms"],
)
def test_cauda_equina_each_item(field: str) -> None:
    r = cauda_equina.evaluate(_i(["back"], {"neuro": {field: "yes"}}))
    assert r.urgency == E and r.fired_items[0].fields[0] == f"neuro.{field}"


def test_cauda_equina_long_standing_stable_bilateral_symptoms_are_not_counted() -> None:
    # neurogenic claudication for 18 months: not new, not worsening (RULES.md: "recent onset
    # or worsening"); spread to both legs within weeks still counts
    old = {"neuro": {"bilateral_leg_symptoms": "yes", "worsening_deficit": "no"},
           "pain": {"duration_days": 540}}
    assert cauda_equina.evaluate(_i(["back"], old)).urgency is None
    assert cauda_equina.evaluate(_i(["back"], old, {"pain": {"duration_days": 21}})).urgency == E
    assert cauda_equina.evaluate(_i(["back"], old, {"neuro": {"worsening_deficit": "yes"}})
                                 ).urgency == E


def test_cauda_equina_negative_and_unknown() -> None:
    no = {"neuro": {k: "no" for k in ("bladder_or_bowel_dysfunction", "saddle_numbness",
                                     "sexual_dysfunction", "bilateral_leg_symptoms")}}
    assert cauda_equina.evaluate(_i(["back"], no)).outcome == "negative"
    r = cauda_equina.evaluate(_i(["back"]))
    assert r.outcome == "indeterminate" and "neuro.saddle_numbness" in r.missing


def test_foot_drop() -> None:
    assert foot_drop.evaluate(_i(["back"], {"neuro": {"foot_drop": "yes"}})).urgency == U
    r = foot_drop.evaluate(_i(["back"], {"neuro": {"new_leg_weakness": "yes",
                                                   "worsening_deficit": "yes"}}))
    assert r.urgency == E  # a progressing deficit: an opinion at once
    r = foot_drop.evaluate(_i(["back"], {"neuro": {"new_leg_weakness": "yes",
                                                   "worsening_deficit": "no",
                                                   "foot_drop": "no"}}))
    assert r.outcome == "negative"


@pytest.mark.parametrize(
    "sign",
    [{"pain": {"out_of_proportion": "yes"}}, {"vascular": {"pain_on_passive_stretch": "yes"}},
     {"vascular": {"compartment_tense": "yes"}}],
)
def test_compartment_needs_context(sign: dict[str, Any]) -> None:
    assert compartment_syndrome.evaluate(_i(["ankle"], {"trauma": {"injury": "yes"}}, sign)
                                         ).urgency == E
    assert compartment_syndrome.evaluate(_i(["ankle"], {"trauma": {
        "injury": "no", "mechanism": "exertion"}}, sign)).urgency == E
    assert compartment_syndrome.evaluate(_i(["ankle"], {"trauma": {
        "injury": "no", "in_cast_or_tight_dressing": "no"}}, sign)).outcome == "indeterminate"
    assert compartment_syndrome.evaluate(_i(["ankle"], {"trauma": {
        "injury": "no", "in_cast_or_tight_dressing": "no", "mechanism": "exertion"}},
        {"pain": {"out_of_proportion": "no"}, "vascular": {
            "pain_on_passive_stretch": "no", "compartment_tense": "no"}})).outcome == "negative"


def test_fracture_dislocation_levels() -> None:
    inj = {"trauma": {"injury": "yes"}}
    assert fracture_dislocation.evaluate(_i(["ankle"], inj, {"signs": {"deformity": "yes"}})
                                         ).urgency == E
    assert fracture_dislocation.evaluate(_i(["ankle"], inj, {"trauma": {
        "open_wound_over_injury": "yes"}})).urgency == E
    assert fracture_dislocation.evaluate(_i(["knee"], inj, {"trauma": {
        "dislocation_suspected": "yes"}})).urgency == E
    # a dislocation that went back by itself: same-day fracture clinic
    assert fracture_dislocation.evaluate(_i(["knee"], inj, {"trauma": {
        "dislocation_suspected": "yes"}, "function": {"bears_weight_4_steps": "yes"}})
                                         ).urgency == U
    # high-energy mechanism (NICE NG39) and an older person who cannot bear weight after a
    # fall (NICE CG124): emergency
    assert fracture_dislocation.evaluate(_i(["ankle"], {"trauma": {
        "injury": "yes", "mechanism": "high_energy"}})).urgency == E
    old_fall = {"trauma": {"injury": "yes", "mechanism": "blunt_or_fall"},
                "function": {"bears_weight_4_steps": "no"}}
    assert fracture_dislocation.evaluate(_i(["hip"], old_fall, {"demographics": {
        "age_years": 80}})).urgency == E
    assert fracture_dislocation.evaluate(_i(["hip"], old_fall, {"demographics": {
        "age_years": 64}})).urgency == U
    assert fracture_dislocation.evaluate(_i(["ankle"], inj, {"function": {
        "bears_weight_4_steps": "no"}})).urgency == U
    # deformity without injury is not this flag (seed trigger: prompt assessment)
    assert fracture_dislocation.evaluate(_i(["knee"], {"trauma": {"injury": "no"},
                                                       "signs": {"deformity": "yes"}})
                                         ).outcome != "positive"


def test_fracture_flag_includes_positive_imaging_rule() -> None:
    r = fracture_dislocation.evaluate(_i(["knee"], {"trauma": {
        "injury": "yes", "mechanism": "blunt_or_fall", "days_since_injury": 0},
        "demographics": {"age_years": 70}}))
    assert r.urgency == U
    assert {"ottawa_knee", "pittsburgh_knee"} <= {i.id for i in r.fired_items}


def test_neurovascular() -> None:
    inj = {"trauma": {"injury": "yes"}}
    assert neurovascular.evaluate(_i(["foot"], inj, {"vascular": {"foot_cold_or_pale": "yes"}})
                                  ).urgency == E
    assert neurovascular.evaluate(_i(["foot"], inj, {"vascular": {
        "foot_pulses_absent": "yes"}})).urgency == E
    # without an injury a cold or pulseless foot is the arterial screen's (still an emergency)
    from kinchain.clinical.rules.mimics import arterial

    cold = _i(["foot"], {"trauma": {"injury": "no"}, "vascular": {"foot_cold_or_pale": "yes"}})
    assert neurovascular.evaluate(cold).urgency is None
    assert arterial.evaluate(cold).urgency == E
    assert neurovascular.evaluate(_i(["ankle"], {"trauma": {"injury": "yes"},
                                                 "pain": {"numbness": "yes"}})).urgency == E
    # numbness without injury or cast (e.g. neuropathy) is not a neurovascular emergency
    r = neurovascular.evaluate(_i(["foot"], {"trauma": {"injury": "no",
                                                        "in_cast_or_tight_dressing": "no"},
                                             "pain": {"numbness": "yes"},
                                             "vascular": {"foot_cold_or_pale": "no",
                                                          "foot_pulses_absent": "no"}}))
    assert r.outcome == "negative"


def test_infection_malignancy_levels() -> None:
    cancer = {"history": {"cancer_history": "yes"}}
    assert infection_malignancy.evaluate(_i(["back"], cancer, {"neuro": {
        "new_leg_weakness": "yes"}})).urgency == E
    assert infection_malignancy.evaluate(_i(["back"], {"signs": {"fever": "yes"}})).urgency == U
    assert infection_malignancy.evaluate(_i(["knee"], {"signs": {"fever": "yes"},
                                                       "history": {"iv_drug_use": "yes"}})
                                         ).urgency == U
    assert infection_malignancy.evaluate(_i(["back"], cancer)).urgency == S
    assert infection_malignancy.evaluate(_i(["knee"], {"signs": {"hard_mass": "yes"}})
                                         ).urgency == S
    assert infection_malignancy.evaluate(_i(["knee"], {"signs": {
        "unexplained_weight_loss": "yes"}, "pain": {"night_pain": "yes"}})).urgency == S


def test_knee_pathway() -> None:
    assert knee_pathway.evaluate(_i(["knee"], {"signs": {"warmth": "yes", "redness": "yes",
                                                         "swelling": "yes", "fever": "yes"}})
                                 ).urgency == E
    assert knee_pathway.evaluate(_i(["knee"], {"exam": {"tendon_rupture_suspected": "yes"}})
                                 ).urgency == E
    assert knee_pathway.evaluate(_i(["knee"], {"trauma": {"injury": "yes"}, "function": {
        "can_straight_leg_raise": "no"}})).urgency == E
    assert knee_pathway.evaluate(_i(["knee"], {"function": {"knee_locked": "yes"}})
                                 ).urgency == U
    # haemarthrosis: immediate referral to an emergency department (NICE CKS Sprains and strains)
    assert knee_pathway.evaluate(_i(["knee"], {"exam": {"large_effusion": "yes"}})).urgency == E
    assert knee_pathway.evaluate(_i(["ankle"])).outcome == "not_applicable"


@pytest.mark.parametrize(
    ("extra", "level"),
    [
        ({"function": {"rest_and_otc": "not_improved"}}, R),
        ({"function": {"interferes_daily_activities": "yes"}}, R),
        ({"function": {"interferes_sleep": "yes"}}, R),
        ({"signs": {"swelling_sudden_severe": "yes"}}, S),
        ({"signs": {"warmth": "yes"}}, S),
        ({"signs": {"redness": "yes"}}, S),
        ({"function": {"bears_weight_4_steps": "no"}}, S),
        ({"signs": {"deformity": "yes"}}, S),
        ({"signs": {"instability": "yes"}}, S),
        ({"signs": {"fever": "yes"}}, U),
    ],
)
def test_referral_triggers(extra: dict[str, Any], level: Urgency) -> None:
    quiet = {"function": {"rest_and_otc": "improved", "interferes_daily_activities": "no",
                          "interferes_sleep": "no", "bears_weight_4_steps": "yes"},
             "signs": {"swelling_sudden_severe": "no", "warmth": "no", "redness": "no",
                       "fever": "no", "deformity": "no", "instability": "no"}}
    assert referral_triggers.evaluate(_i(["knee"], quiet)).outcome == "negative"
    r = referral_triggers.evaluate(_i(["knee"], quiet, extra))
    assert r.outcome == "positive" and r.urgency == level


def test_nice_ng100() -> None:
    base = {"signs": {"swelling": "yes", "small_joints_involved": 0, "large_joints_involved": 1},
            "pain": {"duration_days": 42}, "trauma": {"injury": "no"},
            "history": {"symptom_onset_to_advice_days": 30, "rheumatoid_arthritis": "no"}}
    assert nice_ng100.evaluate(_i(["knee"], base)).urgency == R
    assert nice_ng100.evaluate(_i(["knee"], base, {"pain": {"duration_days": 41}})
                               ).outcome == "negative"
    assert nice_ng100.evaluate(_i(["knee"], base, {"signs": {"small_joints_involved": 1}})
                               ).urgency == S
    assert nice_ng100.evaluate(_i(["knee"], base, {"signs": {"large_joints_involved": 2}})
                               ).urgency == S
    assert nice_ng100.evaluate(_i(["knee"], base, {"history": {
        "symptom_onset_to_advice_days": 89}})).urgency == R
    assert nice_ng100.evaluate(_i(["knee"], base, {"history": {
        "symptom_onset_to_advice_days": 90}})).urgency == S
    assert nice_ng100.evaluate(_i(["knee"], base, {"trauma": {"injury": "yes"}})
                               ).outcome == "negative"
    # what a patient can say: both sides swollen is more than one joint; swollen feet are
    # small joints (NICE NG100 1.1.1)
    both = {"pain": {"side": "both"}, "signs": {"small_joints_involved": None,
                                                "large_joints_involved": None}}
    assert nice_ng100.evaluate(_i(["knee"], base, both)).urgency == S
    feet = {"signs": {"small_joints_involved": None, "large_joints_involved": None}}
    assert nice_ng100.evaluate(_i(["foot"], base, feet)).urgency == S
    # a flare of known RA, and new swelling of two joints without injury or fever (NICE NG65)
    assert nice_ng100.evaluate(_i(["ankle"], {"signs": {"swelling": "yes"}, "history": {
        "rheumatoid_arthritis": "yes"}})).urgency == S
    assert nice_ng100.evaluate(_i(["knee", "ankle"], {"signs": {"swelling": "yes", "fever": "no"},
                                                      "trauma": {"injury": "no"},
                                                      "pain": {"duration_days": 5}})
                               ).urgency == S


def test_kocher_hip_predictor_counts() -> None:
    from kinchain.clinical.rules.red_flags import kocher_hip

    child = {"demographics": {"age_years": 7}, "function": {"bears_weight_4_steps": "yes"},
             "signs": {"temperature_c": 37.0},
             "labs": {"esr_mm_h": 10, "crp_mg_l": 3, "wbc_per_mm3": 8000}}
    assert kocher_hip.evaluate(_i(["hip"], child)).outcome == "negative"
    one = kocher_hip.evaluate(_i(["hip"], child, {"signs": {"temperature_c": 38.6}}))
    assert one.urgency == U and "3%" in one.interpretation
    edge = kocher_hip.evaluate(_i(["hip"], child, {"signs": {"temperature_c": 38.5}}))
    assert edge.outcome == "negative"
    two = kocher_hip.evaluate(_i(["hip"], child, {"signs": {"temperature_c": 38.6},
                                                 "labs": {"wbc_per_mm3": 12001}}))
    assert two.urgency == E and "40%" in two.interpretation
    crp = kocher_hip.evaluate(_i(["hip"], child, {"labs": {"crp_mg_l": 25}},
                                 {"function": {"bears_weight_4_steps": "no"}}))
    assert crp.urgency == E
    assert kocher_hip.evaluate(_i(["hip"], {"demographics": {"age_years": 30}})
                               ).outcome == "not_applicable"
    assert kocher_hip.evaluate(_i(["knee"], child)).outcome == "not_applicable"

"""RA 2010, gout 2015, Netherlands gout rule, DN4 and Wells: published items and exact edges."""

from __future__ import annotations

from typing import Any

import pytest
from clinical_helpers import intake, merge

from kinchain.clinical.rules import (
    acr_eular_gout_2015 as gout,
)
from kinchain.clinical.rules import (
    acr_eular_ra_2010 as ra,
)
from kinchain.clinical.rules import (
    dn4,
    netherlands_gout,
    wells_dvt,
)

# ----------------------------------------------------------------------------- RA 2010


@pytest.mark.parametrize(
    ("small", "large", "points"),
    [
        (0, 1, 0), (0, 2, 1), (0, 10, 1), (1, 0, 2), (3, 5, 2), (4, 0, 3), (10, 0, 3),
        (1, 10, 5), (11, 0, 5), (0, 11, 0),
    ],
)
def test_ra_joint_domain(small: int, large: int, points: int) -> None:
    assert ra.joint_points(small, large) == points


@pytest.mark.parametrize(
    ("value", "uln", "cat"),
    [(20, 20, "negative"), (20.1, 20, "low_positive"), (60, 20, "low_positive"),
     (60.1, 20, "high_positive"), (None, 20, None)],
)
def test_ra_serology_bands(value: float | None, uln: float, cat: str | None) -> None:
    assert ra.serology_category(value, uln) == cat


RA_BASE: dict[str, Any] = {
    "signs": {"swelling": "yes", "small_joints_involved": 2, "large_joints_involved": 0},
    "labs": {"rf_iu_ml": 10, "rf_uln_iu_ml": 20, "acpa_u_ml": 1, "acpa_uln_u_ml": 7,
             "crp_mg_l": 2, "crp_uln_mg_l": 5, "esr_mm_h": 5, "esr_uln_mm_h": 20},
    "pain": {"duration_days": 10},
}


def ra_eval(**extra: Any) -> Any:
    return ra.evaluate(intake(["knee"], **merge(RA_BASE, extra)))


def test_ra_score_5_is_not_6_is() -> None:
    # A 2 (1-3 small) + B 3 (high RF) + C 0 + D 0 = 5
    r = ra_eval(labs={"rf_iu_ml": 61})
    assert (r.score, r.outcome) == (5, "negative")
    # + D (duration 42 days) = 6
    r = ra_eval(labs={"rf_iu_ml": 61}, pain={"duration_days": 42})
    assert (r.score, r.outcome) == (6, "positive")
    r = ra_eval(labs={"rf_iu_ml": 61}, pain={"duration_days": 41.9})
    assert r.outcome == "negative"


def test_ra_unknown_esr_keeps_it_open() -> None:
    r = ra.evaluate(intake(["knee"], **merge(RA_BASE, {"labs": {"rf_iu_ml": 61}}).copy()))
    assert r.outcome == "negative"
    data = merge(RA_BASE, {"labs": {"rf_iu_ml": 61}})
    del data["labs"]["esr_mm_h"]
    r = ra.evaluate(intake(["knee"], **data))
    assert (r.score, r.score_best, r.outcome) == (5, 6, "indeterminate")


def test_ra_one_to_three_small_joints_scores_two_not_three() -> None:
    r = ra_eval(signs={"small_joints_involved": 3})
    assert r.items[0].points == 2


def test_ra_needs_serology_and_acute_phase_to_classify() -> None:
    r = ra.evaluate(intake(["knee"], signs={"swelling": "yes", "small_joints_involved": 12,
                                            "large_joints_involved": 2},
                           pain={"duration_days": 100},
                           exam={"synovitis_better_explained": "no"}))
    assert r.score_worst == 6 and r.outcome == "indeterminate"
    assert any("serology" in n for n in r.notes)
    assert r.robust_truth is True  # any serology result would classify


def test_ra_unknown_exclusion_is_not_certain() -> None:
    data = merge(RA_BASE, {"labs": {"rf_iu_ml": 61}, "pain": {"duration_days": 42}})
    r = ra.evaluate(intake(["knee"], **data))
    assert r.outcome == "positive" and r.robust_truth is None
    assert r.applicability_unknown == ["exam.synovitis_better_explained"]


def test_ra_applicability() -> None:
    assert ra.evaluate(intake(["knee"], signs={"swelling": "no"})).outcome == "not_applicable"
    assert ra.evaluate(intake(["knee"])).outcome == "not_applicable"
    r = ra.evaluate(intake(["knee"], signs={"swelling": "yes"},
                           exam={"synovitis_better_explained": "yes"}))
    assert r.outcome == "not_applicable"
    r = ra.evaluate(intake(["knee"], signs={"swelling": "yes"}, labs={"ra_erosions_xray": "yes"}))
    assert r.outcome == "positive"


def test_ra_best_worst_over_unknowns() -> None:
    r = ra.evaluate(intake(["knee"], signs={"swelling": "yes"}))
    assert (r.score_worst, r.score_best) == (0, 10)


# ----------------------------------------------------------------------------- gout 2015


@pytest.mark.parametrize(
    ("mg", "points"),
    [(3.99, -4), (4.0, 0), (5.99, 0), (6.0, 2), (7.99, 2), (8.0, 3), (9.99, 3), (10.0, 4)],
)
def test_gout_urate_bands(mg: float, points: int) -> None:
    assert gout.urate_points(mg) == points


GOUT_BASE: dict[str, Any] = {
    "pain": {"first_mtp": "yes"},
    "signs": {"redness": "yes", "tophus": "no"},
    "episode": {"cannot_bear_touch": "yes", "great_difficulty_walking": "yes",
                "max_pain_within_24h": "yes", "resolved_within_14_days": "yes",
                "complete_resolution_between": "no", "recurrent": "no"},
    "labs": {"urate_deposition_imaging": "no", "gout_erosion_xray": "no"},
}


def gout_eval(**extra: Any) -> Any:
    return gout.evaluate(intake(["foot"], **merge(GOUT_BASE, extra)))


def test_gout_urate_just_below_and_at_6() -> None:
    # 1st MTP 2 + characteristics 3 + one typical episode 1 = 6, + urate
    below = gout_eval(labs={"urate": 5.99, "urate_unit": "mg/dL"})
    at = gout_eval(labs={"urate": 6.0, "urate_unit": "mg/dL"})
    assert below.score == 6 and below.outcome != "positive"
    assert at.score == 8 and at.outcome == "positive"
    # the same edge in umol/L: 6 mg/dL = 356.9 umol/L
    assert gout_eval(labs={"urate": 356.0, "urate_unit": "umol/L"}).score == 6
    assert gout_eval(labs={"urate": 357.0, "urate_unit": "umol/L"}).score == 8


def test_gout_negative_scores() -> None:
    r = gout_eval(labs={"urate": 3.9, "urate_unit": "mg/dL", "synovial_msu": "negative"})
    assert r.score == 6 - 4 - 2
    assert r.outcome == "negative"


def test_gout_ankle_without_mtp_and_recurrent() -> None:
    r = gout.evaluate(intake(["ankle"], **merge(GOUT_BASE, {
        "pain": {"first_mtp": "no"}, "episode": {"recurrent": "yes"},
        "labs": {"urate": 8.0, "urate_unit": "mg/dL", "synovial_msu": "not_done"}})))
    # ankle 1 + characteristics 3 + recurrent typical 2 + urate 3 = 9
    assert r.score == 9 and r.outcome == "positive"
    assert r.score_worst == 7  # MSU not done: -2 in the worst case
    assert r.robust_truth is None


def test_gout_sufficient_criterion() -> None:
    r = gout.evaluate(intake(["knee"], labs={"synovial_msu": "positive"}))
    assert r.outcome == "positive" and r.robust_truth is True


def test_gout_tophus_and_imaging_score_4() -> None:
    base = gout_eval(labs={"urate": 5.0, "urate_unit": "mg/dL"}).score
    assert gout_eval(signs={"tophus": "yes"}, labs={"urate": 5.0, "urate_unit": "mg/dL"}).score \
        == base + 4
    assert gout_eval(labs={"urate": 5.0, "urate_unit": "mg/dL",
                           "urate_deposition_imaging": "yes"}).score == base + 4


def test_gout_best_worst_over_unknowns() -> None:
    r = gout.evaluate(intake(["foot"]))
    assert r.score == 1  # foot involvement known, all else unknown (scores 0)
    assert r.score_worst == 1 - 4 - 2
    assert r.score_best == 2 + 3 + 2 + 4 + 4 + 4 + 4
    assert r.outcome == "indeterminate"


def test_gout_entry_criterion() -> None:
    assert gout.evaluate(intake(["back"])).outcome == "not_applicable"


# ----------------------------------------------------------------------------- Netherlands

NL_ALL: dict[str, Any] = {
    "demographics": {"sex": "male"},
    "episode": {"previous_arthritis_attack": "yes", "max_pain_within_24h": "yes"},
    "signs": {"redness": "yes", "swelling": "yes"},
    "pain": {"first_mtp": "yes", "onset": "sudden"},
    "history": {"hypertension_or_cvd": "yes"},
    "labs": {"urate": 6.0, "urate_unit": "mg/dL"},
}


def test_netherlands_weights_sum_to_13() -> None:
    r = netherlands_gout.evaluate(intake(["foot"], **NL_ALL))
    assert r.score == 13 and r.outcome == "positive"
    assert [it.points for it in r.items] == [2, 2, 0.5, 1, 2.5, 1.5, 3.5]


def test_netherlands_urate_edge() -> None:
    at = netherlands_gout.evaluate(intake(["foot"], **merge(NL_ALL, {"labs": {"urate": 5.88}})))
    above = netherlands_gout.evaluate(intake(["foot"], **merge(NL_ALL,
                                                               {"labs": {"urate": 5.89}})))
    assert above.score - at.score == 3.5


def test_netherlands_bands() -> None:
    # female, no previous attack, gradual, red, no MTP, no HTN, urate 5 -> 1 (unlikely)
    low = {"demographics": {"sex": "female"}, "episode": {"previous_arthritis_attack": "no",
           "max_pain_within_24h": "no"}, "pain": {"first_mtp": "no", "onset": "gradual"},
           "signs": {"redness": "yes"}, "history": {"hypertension_or_cvd": "no",
           "previous_gout": "no"}, "labs": {"urate": 5.0, "urate_unit": "mg/dL"}}
    r = netherlands_gout.evaluate(intake(["foot"], **low))
    assert r.score == 1 and r.outcome == "negative" and r.robust_truth is False
    # + 1st MTP 2.5 + onset 0.5 = 4 -> still <= 4 unlikely
    r = netherlands_gout.evaluate(intake(["foot"], **merge(low, {"pain": {"first_mtp": "yes",
                                                                          "onset": "sudden"}})))
    assert r.score == 4 and r.outcome == "negative"
    # + male 2 = 6 -> intermediate band: aspirate
    r = netherlands_gout.evaluate(intake(["foot"], **merge(low, {
        "pain": {"first_mtp": "yes", "onset": "sudden"}, "demographics": {"sex": "male"}})))
    assert r.score == 6 and r.outcome == "indeterminate" and "synovial fluid" in r.interpretation
    # 7.5 vs 8
    r = netherlands_gout.evaluate(intake(["foot"], **merge(low, {
        "pain": {"first_mtp": "yes", "onset": "sudden"}, "demographics": {"sex": "male"},
        "history": {"hypertension_or_cvd": "yes"}})))
    assert r.score == 7.5 and r.outcome == "indeterminate"
    r = netherlands_gout.evaluate(intake(["foot"], **merge(low, {
        "pain": {"first_mtp": "yes", "onset": "sudden"}, "demographics": {"sex": "male"},
        "episode": {"previous_arthritis_attack": "yes"}})))
    assert r.score == 8 and r.outcome == "positive"


def test_netherlands_needs_arthritis() -> None:
    r = netherlands_gout.evaluate(intake(["foot"], signs={"swelling": "no", "redness": "no"}))
    assert r.outcome == "not_applicable"


# ----------------------------------------------------------------------------- DN4

DN4_NO: dict[str, Any] = {
    "pain": {"character": {"burning": "no", "painful_cold": "no", "electric_shocks": "no"},
             "tingling": "no", "pins_and_needles": "no", "numbness": "no", "itching": "no"},
    "exam": {"hypoaesthesia_touch": "no", "hypoaesthesia_pinprick": "no",
             "brushing_increases_pain": "no"},
}


def test_dn4_three_versus_four() -> None:
    three = merge(DN4_NO, {"pain": {"character": {"burning": "yes"}, "tingling": "yes",
                                    "numbness": "yes"}})
    r = dn4.evaluate(intake(["foot"], **three))
    assert (r.score, r.outcome) == (3, "negative")
    four = merge(three, {"exam": {"brushing_increases_pain": "yes"}})
    r = dn4.evaluate(intake(["foot"], **four))
    assert (r.score, r.outcome) == (4, "positive")
    assert len(r.fired_items) == 4


def test_dn4_each_item_counts_one() -> None:
    for path in ("pain.character.burning", "pain.character.painful_cold",
                 "pain.character.electric_shocks", "pain.tingling", "pain.pins_and_needles",
                 "pain.numbness", "pain.itching", "exam.hypoaesthesia_touch",
                 "exam.hypoaesthesia_pinprick", "exam.brushing_increases_pain"):
        parts = path.split(".")
        patch: dict[str, Any] = {}
        cur = patch
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = "yes"
        r = dn4.evaluate(intake(["foot"], **merge(DN4_NO, patch)))
        assert r.score == 1, path


def test_dn4_interview_only() -> None:
    data = {"pain": {"character": {"burning": "yes", "painful_cold": "no",
                                   "electric_shocks": "no"}, "tingling": "yes",
                     "pins_and_needles": "yes", "numbness": "no", "itching": "no"}}
    r = dn4.evaluate(intake(["foot"], **data))
    assert r.outcome == "positive" and "interview" in r.interpretation
    assert r.robust_truth is None  # full DN4 not decided
    data["pain"]["pins_and_needles"] = "no"
    assert dn4.evaluate(intake(["foot"], **data)).outcome == "negative"


# ----------------------------------------------------------------------------- Wells

WELLS_NO: dict[str, Any] = {
    "history": {"cancer_active": "no", "leg_immobilised": "no", "bedridden_3_days": "no",
                "recent_surgery_12_weeks": "no", "previous_dvt": "no"},
    "trauma": {"in_cast_or_tight_dressing": "no"},
    "exam": {"tender_deep_veins": "no", "entire_leg_swollen": "no", "calf_difference_cm": 0.5,
             "pitting_oedema_symptomatic_leg": "no", "collateral_superficial_veins": "no",
             "alternative_diagnosis_as_likely": "no"},
}


def wells(**extra: Any) -> Any:
    return wells_dvt.evaluate(intake(["knee"], **merge(WELLS_NO, extra)))


def test_wells_calf_edge() -> None:
    assert wells(exam={"calf_difference_cm": 2.9}).score == 0
    assert wells(exam={"calf_difference_cm": 3.0}).score == 1


def test_wells_one_versus_two() -> None:
    one = wells(history={"previous_dvt": "yes"})
    assert (one.score, one.outcome) == (1, "negative")
    assert "unlikely" in one.interpretation and "D-dimer" in one.interpretation
    two = wells(history={"previous_dvt": "yes"}, exam={"calf_difference_cm": 3.0})
    assert (two.score, two.outcome) == (2, "positive")
    assert "likely" in two.interpretation and "ultrasound" in two.interpretation


def test_wells_each_item_and_alternative() -> None:
    items = [
        {"history": {"cancer_active": "yes"}}, {"history": {"leg_immobilised": "yes"}},
        {"history": {"bedridden_3_days": "yes"}}, {"history": {"recent_surgery_12_weeks": "yes"}},
        {"exam": {"tender_deep_veins": "yes"}}, {"exam": {"entire_leg_swollen": "yes"}},
        {"exam": {"pitting_oedema_symptomatic_leg": "yes"}},
        {"exam": {"collateral_superficial_veins": "yes"}}, {"history": {"previous_dvt": "yes"}},
    ]
    for extra in items:
        assert wells(**extra).score == 1, extra
    r = wells(exam={"tender_deep_veins": "yes", "entire_leg_swollen": "yes",
                    "alternative_diagnosis_as_likely": "yes"})
    assert r.score == 0 and r.outcome == "negative"


def test_wells_not_applied_without_suspicion() -> None:
    assert wells_dvt.evaluate(intake(["knee"])).outcome == "not_applicable"


def test_wells_best_worst() -> None:
    r = wells_dvt.evaluate(intake(["knee"], exam={"calf_difference_cm": 3.2}))
    assert r.score == 1 and r.score_worst == -1 and r.score_best == 9
    assert r.robust_truth is None

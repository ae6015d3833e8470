"""The engine: red-flag floor, reasons as data, gait evidence, questions, review date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from clinical_helpers import intake, merge

from kinchain import DISCLAIMER
from kinchain.clinical import (
    CauseId,
    ClinicalAssessment,
    Specialist,
    Urgency,
    assess,
    run_rules,
)
from kinchain.errors import InputError

GAIT = [{"name": "stiff_knee", "side": "right", "fired": True, "severity": "moderate"},
        {"name": "knee_to_ankle_propagation", "side": "right", "fired": True}]
MECH: dict[str, Any] = {
    "pain": {"onset": "gradual", "duration_days": 60, "worse_with_activity": "yes"},
    "trauma": {"injury": "no"},
    "signs": {"swelling": "no", "fever": "no", "morning_stiffness_minutes": 10},
}


def mech(**extra: Any) -> Any:
    return intake(["knee", "ankle"], **merge(MECH, extra))


def cause(a: ClinicalAssessment, c: CauseId) -> Any:
    return next(x for x in a.causes if x.cause == c)


def test_red_flag_floor_is_not_lowered_by_a_mechanical_picture() -> None:
    a = assess(mech(gait_findings=GAIT, signs={"swelling": "yes", "warmth": "yes",
                                               "fever": "yes", "temperature_c": 38.9},
                    pain={"duration_days": 2}))
    assert a.urgency == Urgency.emergency
    assert a.referral.specialist == Specialist.emergency_department
    assert a.red_flags[0].rule_id == "red_flag_septic_arthritis"
    assert any(r.kind == "urgency" and "no other rule may lower" in r.text for r in a.reasons)


def test_result_is_data_with_reasons_citations_and_disclaimer() -> None:
    a = assess(intake(["ankle"], trauma={"injury": "yes", "days_since_injury": 1,
                                         "bore_weight_immediately": "yes"},
                      function={"bears_weight_4_steps": "yes"},
                      exam={"malleolar_zone_pain": "yes", "tender_medial_malleolus": "yes"}))
    assert a.disclaimer == DISCLAIMER
    ottawa = [r for r in a.reasons if r.rule_id == "ottawa_ankle" and r.kind == "rule"]
    assert ottawa and "JAMA 1993" in ottawa[0].citation
    assert "exam.tender_medial_malleolus" in ottawa[0].fields
    assert any(t.id == "xray_ankle" for t in a.tests)
    assert ClinicalAssessment.model_validate_json(a.model_dump_json()) == a


def test_negative_imaging_rule_says_not_indicated_and_never_lowers_a_flag() -> None:
    a = assess(intake(["ankle"], trauma={"injury": "yes", "days_since_injury": 1,
                                         "bore_weight_immediately": "yes"},
                      function={"bears_weight_4_steps": "yes"},
                      vascular={"foot_cold_or_pale": "yes"},
                      exam={"malleolar_zone_pain": "yes", "tender_lateral_malleolus": "no",
                            "tender_medial_malleolus": "no"}))
    assert any("not indicated" in r.text for r in a.reasons if r.rule_id == "ottawa_ankle")
    assert a.urgency == Urgency.emergency


def test_gait_findings_are_evidence_for_the_mechanical_cause() -> None:
    without = cause(assess(mech()), CauseId.kinetic_chain_mechanical)
    with_gait = cause(assess(mech(gait_findings=GAIT)), CauseId.kinetic_chain_mechanical)
    assert with_gait.score > without.score
    assert any(e.id == "gait_findings" for e in with_gait.evidence_for)
    assert assess(mech(gait_findings=GAIT)).causes[0].cause == CauseId.kinetic_chain_mechanical


def test_systemic_or_gout_picture_points_away_from_mechanical() -> None:
    base = cause(assess(mech(gait_findings=GAIT)), CauseId.kinetic_chain_mechanical).score
    systemic = assess(mech(gait_findings=GAIT, signs={
        "swelling": "yes", "symmetric_joints": "yes", "small_joints_involved": 6,
        "morning_stiffness_minutes": 90}))
    m = cause(systemic, CauseId.kinetic_chain_mechanical)
    assert m.score < base
    assert {e.id for e in m.evidence_against} >= {"symmetric_small", "long_stiffness"}
    assert systemic.causes[0].cause == CauseId.inflammatory_arthritis


def test_positive_dn4_in_a_painful_ankle_points_to_nerve_causes() -> None:
    a = assess(intake(["ankle"], trauma={"injury": "no"}, pain={
        "character": {"burning": "yes", "electric_shocks": "yes"}, "tingling": "yes",
        "numbness": "yes", "side": "both", "distribution": "stocking"}))
    top = a.causes[0].cause
    assert top in (CauseId.peripheral_neuropathy, CauseId.lumbar_radiculopathy)
    assert cause(a, CauseId.kinetic_chain_mechanical).likelihood == "unlikely"


def test_questions_name_only_unknown_fields_red_flags_first() -> None:
    a = assess(intake(["back", "knee"], pain={"radiation_from_back": "yes"},
                      neuro={"saddle_numbness": "no"}))
    fields = [q.field for q in a.ask_next]
    assert "neuro.saddle_numbness" not in fields
    assert "neuro.bladder_or_bowel_dysfunction" in fields
    assert all(q.question and q.why for q in a.ask_next)


def test_self_care_with_review_date() -> None:
    quiet = {"function": {"rest_and_otc": "not_tried", "interferes_daily_activities": "no",
                          "interferes_sleep": "no", "bears_weight_4_steps": "yes"},
             "signs": {"swelling_sudden_severe": "no", "warmth": "no", "redness": "no",
                       "fever": "no", "deformity": "no", "instability": "no"}}
    a = assess(mech(**quiet), today=date(2026, 1, 10))
    assert a.urgency == Urgency.self_care
    assert a.referral.specialist == Specialist.self_care
    assert a.referral.review_date == date(2026, 1, 17)
    # an unanswered trigger is not enough to advise self-care
    partial = merge(quiet, {"function": {"interferes_sleep": "unknown"}})
    assert assess(mech(**partial)).urgency == Urgency.routine


def test_assumptions_are_stated() -> None:
    a = assess(intake(["foot"], labs={"urate": 480}))
    assert any("umol/L" in x for x in a.assumptions)
    assert any(r.kind == "assumption" for r in a.reasons)


def test_assess_takes_raw_data_and_reports_bad_input() -> None:
    # Knee pain and nothing else: no red flag, no rule item fires, so the lowest level (issue 15
    # item 6: this used to check only that the result was some Urgency).
    assert assess({"pain": {"sites": ["knee"]}}).urgency == Urgency.routine
    with pytest.raises(InputError) as exc:
        assess({"pain": {"sites": ["knee"], "duration_days": -3}})
    assert exc.value.source == "pain.duration_days"


def test_every_rule_runs_and_cites() -> None:
    results = run_rules(intake(["knee"]))
    from kinchain.clinical.engine import DECISION_RULES, FLAG_RULES

    # every screen, red flag and decision rule, plus the rule-not-applicable check
    assert len({r.rule_id for r in results}) == len(results) == 35
    assert len(results) == len(FLAG_RULES) + len(DECISION_RULES) + 1
    for r in results:
        assert r.citation and r.evidence, r.rule_id
        assert r.applies or r.not_applicable_reason


def test_clinical_does_not_import_the_movement_side() -> None:
    import ast
    from pathlib import Path

    import kinchain.clinical

    root = Path(kinchain.clinical.__file__).parent
    forbidden = ("kinchain.io", "kinchain.model", "kinchain.kinematics", "kinchain.kinetics",
                 "kinchain.process")
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"

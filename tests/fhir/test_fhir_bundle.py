"""The bundle of the demo trial with a vignette intake: valid for fhir.resources and for
validate_bundle, with the expected codes, units, links and priorities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir_testdata import PATIENT, RECORDED

from kinchain import DISCLAIMER, __version__
from kinchain.analysis import GaitAnalysis
from kinchain.assessment import Assessment
from kinchain.fhir import PatientInfo, build_bundle, validate_bundle
from kinchain.fhir import codes as C


def _of(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def _obs(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [o for o in _of(bundle, "Observation") if o["code"]["coding"][0]["code"] == code]


def test_valid_for_fhir_resources_and_our_checks(bundle: dict[str, Any]) -> None:
    assert validate_bundle(bundle) == []
    assert json.loads(json.dumps(bundle)) == bundle  # JSON-ready
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    for entry in bundle["entry"]:
        res = entry["resource"]
        model = get_fhir_model_class(res["resourceType"]).model_validate(res)
        # Every entry parses back into its model and serialises to the same content.
        assert json.loads(model.model_dump_json()) == res
        assert entry["fullUrl"] == "urn:uuid:" + res["id"]


def test_resource_counts(bundle: dict[str, Any], joined: Assessment) -> None:
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 1
    assert kinds.count("RiskAssessment") == 1
    assert kinds.count("Provenance") == 1
    assert kinds.count("ServiceRequest") == 1 + len(joined.clinical.tests)


def test_patient(bundle: dict[str, Any]) -> None:
    (p,) = _of(bundle, "Patient")
    assert p["identifier"] == [{"system": C.DEFAULT_PATIENT_ID_SYSTEM, "value": "MRN-0042"}]
    assert p["gender"] == "male" and p["name"] == [{"text": "Alex Example"}]
    assert "birthDate" not in p


def test_gait_observations_codes_units_values(
    bundle: dict[str, Any], analysis: GaitAnalysis
) -> None:
    expected = {
        "walking-speed": ("speed_m_s", "m/s", C.GAIT_SYSTEM),
        "cadence": ("cadence_steps_min", "/min", C.GAIT_SYSTEM),
        "stride-length": ("stride_length_m", "m", C.GAIT_SYSTEM),
        "250000008": ("step_length_m", "m", C.SNOMED),
        "stance-phase": ("stance_pct", "%", C.GAIT_SYSTEM),
        "step-width": ("step_width_m", "m", C.GAIT_SYSTEM),
    }
    for code, (key, unit, system) in expected.items():
        obs = _obs(bundle, code)
        assert [o["bodySite"]["text"] for o in obs] == ["left lower limb", "right lower limb"]
        for o, side in zip(
            obs, (analysis.spatiotemporal.left, analysis.spatiotemporal.right), strict=True
        ):
            assert o["code"]["coding"][0]["system"] == system
            assert o["category"][0]["coding"][0] == {
                "system": C.OBSERVATION_CATEGORY,
                "code": "exam",
                "display": "Exam",
            }
            q = o["valueQuantity"]
            assert q["system"] == C.UCUM and q["code"] == unit
            assert q["value"] == pytest.approx(side.as_dict()[key], abs=1e-4)
    speed = _obs(bundle, "walking-speed")[0]["valueQuantity"]["value"]
    assert 1.0 < speed < 2.0
    gps = _obs(bundle, "gait-profile-score")
    assert len(gps) == 2 and all(o["valueQuantity"]["code"] == "deg" for o in gps)
    assert len(_obs(bundle, "gait-profile-score-overall")) == 1


def test_findings_panel_and_links(bundle: dict[str, Any], fired_analysis: GaitAnalysis) -> None:
    fired = fired_analysis.fired()
    assert len(fired) == 1
    (finding,) = _obs(bundle, C.finding_code(fired[0].name))
    assert finding["valueCodeableConcept"]["coding"][0] == {
        "system": C.FINDING_SEVERITY_SYSTEM,
        "code": "moderate",
        "display": "Moderate",
    }
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    derived = [by_url[r["reference"]] for r in finding["derivedFrom"]]
    assert derived and all(d["resourceType"] == "Observation" for d in derived)
    assert {d.get("bodySite", {}).get("text") for d in derived} <= {"left lower limb", None}
    (panel,) = _obs(bundle, "63448001")
    assert panel["code"]["coding"][0]["system"] == C.SNOMED
    members = {r["reference"] for r in panel["hasMember"]}
    obs_urls = {
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation" and e["resource"]["id"] != panel["id"]
    }
    assert members == obs_urls
    (risk,) = _of(bundle, "RiskAssessment")
    basis = {r["reference"] for r in risk["basis"]}
    assert "urn:uuid:" + finding["id"] in basis


def test_questionnaire_response(bundle: dict[str, Any], joined: Assessment) -> None:
    (qr,) = _of(bundle, "QuestionnaireResponse")
    assert qr["questionnaire"] == f"{C.INTAKE_QUESTIONNAIRE}|{joined.intake.schema_version}"
    assert qr["status"] == "completed"
    flat: dict[str, Any] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for it in items:
            if "answer" in it:
                flat[it["linkId"]] = [next(iter(a.values())) for a in it["answer"]]
            walk(it.get("item", []))

    walk(qr["item"])
    assert flat["pain.sites"] == ["foot"]
    assert flat["pain.first_mtp"] == ["yes"]
    assert flat["demographics.age_years"] == [55.0]
    assert flat["labs.urate_unit"] == ["mg/dL"]
    assert "gait_findings.name" in flat  # the analysis's findings joined into the intake


def test_risk_assessment(bundle: dict[str, Any], joined: Assessment) -> None:
    (risk,) = _of(bundle, "RiskAssessment")
    a = joined.clinical
    outcomes = [p["outcome"]["coding"][0]["code"] for p in risk["prediction"]]
    assert outcomes == [c.cause.value for c in a.causes]
    top = risk["prediction"][0]
    assert outcomes[0] == "gout"
    assert top["qualitativeRisk"]["coding"][0] == {
        "system": C.RISK_PROBABILITY,
        "code": "high",
        "display": "High likelihood",
    }
    notes = [n["text"] for n in risk["note"]]
    assert notes[0].startswith("Urgency: same_day")
    assert any("red_flag_septic_arthritis" in n for n in notes)
    assert DISCLAIMER in notes or a.disclaimer in notes


def test_service_requests_priority(bundle: dict[str, Any], joined: Assessment) -> None:
    srs = _of(bundle, "ServiceRequest")
    referral = srs[0]
    assert referral["code"]["coding"][0] == {
        "system": C.SPECIALIST_SYSTEM,
        "code": "same_day_care",
        "display": joined.clinical.referral.label,
    }
    assert referral["priority"] == "asap"  # same_day
    assert referral["intent"] == "proposal" and referral["status"] == "draft"
    assert referral["reasonCode"][0]["text"] == joined.clinical.referral.reason
    (risk,) = _of(bundle, "RiskAssessment")
    assert referral["reasonReference"] == [{"reference": "urn:uuid:" + risk["id"]}]
    tests = {s["code"]["coding"][0]["code"]: s for s in srs[1:]}
    for t in joined.clinical.tests:
        assert tests[t.id]["priority"] == C.TEST_PRIORITY[t.priority]
        assert tests[t.id]["code"]["coding"][0]["system"] == C.TEST_SYSTEM
    assert C.URGENCY_PRIORITY == {
        "emergency": "stat",
        "same_day": "asap",
        "soon": "urgent",
        "routine": "routine",
        "self_care": "routine",
    }


def test_provenance(bundle: dict[str, Any], analysis: GaitAnalysis) -> None:
    (prov,) = _of(bundle, "Provenance")
    (device,) = _of(bundle, "Device")
    targets = {t["reference"] for t in prov["target"]}
    others = {
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] not in {"Provenance", "Device"}
    }
    assert targets == others
    assert prov["agent"][0]["who"]["reference"] == "urn:uuid:" + device["id"]
    assert device["version"] == [{"value": __version__}]
    what = prov["entity"][0]["what"]
    assert what["identifier"]["value"] == analysis.result.trial.sha256
    assert prov["recorded"] == RECORDED.strftime("%Y-%m-%dT%H:%M:%SZ") == "2026-11-24T09:30:00Z"


def test_deterministic_and_partial(
    fired_analysis: GaitAnalysis, joined: Assessment, bundle: dict[str, Any]
) -> None:
    again = build_bundle(fired_analysis, joined.clinical, joined.intake, PATIENT, recorded=RECORDED)
    assert again == bundle
    # Only an intake and its assessment (no gait trial); only a gait trial; only a patient.
    for args in (
        (None, joined.clinical, joined.intake),
        (fired_analysis, None, None),
        (None, None, None),
    ):
        b = build_bundle(*args, PatientInfo(identifier="x"), recorded=RECORDED)
        assert validate_bundle(b) == [], args


def test_patient_info_requires_identifier() -> None:
    with pytest.raises(ValueError):
        PatientInfo(identifier="  ")
    with pytest.raises(ValueError):
        PatientInfo(identifier="a", sex="bogus")  # type: ignore[arg-type]


def test_risk_assessment_carries_the_decision_and_what_would_change(
    fired_analysis: GaitAnalysis, joined: Assessment
) -> None:
    """The urgency statement is the RiskAssessment's mitigation (and a note); each
    what_would_change item is a note; the bundle stays valid."""
    from kinchain.clinical import Specialist, Urgency, WhatWouldChange

    statement = (
        "Urgent: be seen today (a GP the same day or urgent care) for a possible infected "
        "joint. Go to the emergency department now if the joint is warm or hot."
    )
    change = WhatWouldChange(
        field="signs.warmth",
        question="Is the joint warm or hot?",
        answer="yes",
        urgency=Urgency.emergency,
        destination=Specialist.emergency_department,
        because="septic arthritis",
        rule_id="red_flag_septic_arthritis",
    )
    clinical = joined.clinical.model_copy(
        update={
            "urgency_statement": statement,
            "what_would_change": [change],
            "not_musculoskeletal": True,
        }
    )
    bundle = build_bundle(fired_analysis, clinical, joined.intake, PATIENT, recorded=RECORDED)
    assert validate_bundle(bundle) == []
    Bundle.model_validate(bundle)
    (risk,) = _of(bundle, "RiskAssessment")
    get_fhir_model_class("RiskAssessment").model_validate(risk)
    assert risk["mitigation"] == statement
    notes = [n["text"] for n in risk["note"]]
    assert notes[0].startswith("Urgency: ")
    assert f"Decision: {statement}" in notes
    (note,) = [n for n in notes if n.startswith("What would change this answer:")]
    assert "Is the joint warm or hot?" in note and "If yes: emergency" in note
    assert "septic arthritis" in note and "signs.warmth" in note
    assert any("a doctor for something else" in n for n in notes)


def test_risk_assessment_without_a_statement_keeps_the_referral(
    bundle: dict[str, Any], joined: Assessment
) -> None:
    (risk,) = _of(bundle, "RiskAssessment")
    statement = joined.clinical.urgency_statement.strip()
    referral = joined.clinical.referral
    assert risk["mitigation"] == (statement or f"{referral.label}: {referral.reason}")
    notes = [n["text"] for n in risk["note"]]
    changes = [n for n in notes if n.startswith("What would change this answer:")]
    assert len(changes) == len(joined.clinical.what_would_change)


def test_source_name_and_naive_recorded_time(fired_analysis: GaitAnalysis) -> None:
    """The trial's name as the user knows it (the web service analyses a stored copy named
    ``trial.c3d``) and a naive ``recorded`` time read as UTC (how the store keeps times)."""
    from datetime import UTC

    named = build_bundle(
        fired_analysis,
        None,
        None,
        PATIENT,
        recorded=RECORDED.astimezone(UTC).replace(tzinfo=None),
        source_name="baseline walk 2026-11-24.c3d",
    )
    (prov,) = _of(named, "Provenance")
    assert prov["entity"][0]["what"]["display"] == "baseline walk 2026-11-24.c3d"
    assert named["timestamp"] == prov["recorded"] == "2026-11-24T09:30:00Z"
    plain = build_bundle(fired_analysis, None, None, PATIENT, recorded=RECORDED)
    (prov,) = _of(plain, "Provenance")
    assert prov["entity"][0]["what"]["display"] == Path(fired_analysis.result.trial.path).name
    assert validate_bundle(named) == []


def test_the_visit_is_an_encounter_every_clinical_resource_points_to(
    fired_analysis: GaitAnalysis, joined: Assessment
) -> None:
    """Issue 12 item 1: the visit's date, label and clinician are in the bundle (an Encounter),
    and each Observation, RiskAssessment, QuestionnaireResponse and ServiceRequest belongs to
    it; without a visit, no Encounter (as before)."""
    from datetime import date

    from kinchain.fhir import VisitInfo

    visit = VisitInfo(visit_date=date(2026, 12, 1), label="baseline walk", clinician="Dr Lee")
    b = build_bundle(
        fired_analysis, joined.clinical, joined.intake, PATIENT, recorded=RECORDED, visit=visit
    )
    assert validate_bundle(b) == []
    Bundle.model_validate(b)
    resources = [e["resource"] for e in b["entry"]]
    (enc,) = [r for r in resources if r["resourceType"] == "Encounter"]
    ref = next(e["fullUrl"] for e in b["entry"] if e["resource"] is enc)
    assert enc["period"]["start"] == "2026-12-01" and enc["type"][0]["text"] == "baseline walk"
    assert enc["participant"][0]["individual"]["display"] == "Dr Lee"
    patient_ref = next(
        e["fullUrl"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert enc["subject"]["reference"] == patient_ref
    kinds = {"Observation", "RiskAssessment", "QuestionnaireResponse", "ServiceRequest"}
    of_visit = [r for r in resources if r["resourceType"] in kinds]
    assert of_visit and all(r["encounter"]["reference"] == ref for r in of_visit)
    plain = build_bundle(fired_analysis, joined.clinical, joined.intake, PATIENT, recorded=RECORDED)
    assert not [e for e in plain["entry"] if e["resource"]["resourceType"] == "Encounter"]
    assert all("encounter" not in e["resource"] for e in plain["entry"])

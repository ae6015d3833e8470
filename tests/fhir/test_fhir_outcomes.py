"""Outcome questionnaires in the visit's bundle: a QuestionnaireResponse per instrument, an
Observation per score (LOINC where checked, kinchain's code otherwise), valid for fhir.resources
and validate_bundle; a score not valid carries its missing-item reason."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir_testdata import PATIENT, RECORDED

from kinchain.clinical.outcomes import INSTRUMENTS
from kinchain.fhir import build_bundle, validate_bundle
from kinchain.fhir import codes as C

KOOS = {f"P{k}": v for k, v in zip(range(1, 10), (0, 1, 2, 3, 4, 0, 1, 2, 3), strict=True)}
OUTCOMES: dict[str, dict[str, int | None]] = {"nprs": {"pain": 6}, "koos": KOOS}


@pytest.fixture()
def bundle() -> dict[str, Any]:
    return build_bundle(None, None, None, PATIENT, recorded=RECORDED, outcomes=OUTCOMES)


def _of(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def _code(obs: dict[str, Any]) -> str:
    return next(c["code"] for c in obs["code"]["coding"] if c["system"] == C.OUTCOME_SYSTEM)


def test_valid_bundle_with_a_response_per_instrument(bundle: dict[str, Any]) -> None:
    assert validate_bundle(bundle) == []
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    qrs = _of(bundle, "QuestionnaireResponse")
    assert [q["questionnaire"] for q in qrs] == [
        f"{C.OUTCOME_QUESTIONNAIRE}nprs|NPRS 0-10",
        f"{C.OUTCOME_QUESTIONNAIRE}koos|{INSTRUMENTS['koos'].version}",
    ]
    koos_items = qrs[1]["item"]
    assert [i["linkId"] for i in koos_items] == [f"P{k}" for k in range(1, 10)]
    assert [i["answer"][0]["valueInteger"] for i in koos_items] == [0, 1, 2, 3, 4, 0, 1, 2, 3]


def test_an_observation_per_score_equal_to_the_scoring_core(bundle: dict[str, Any]) -> None:
    obs = {_code(o): o for o in _of(bundle, "Observation")}
    assert set(obs) == {"nprs-pain"} | {
        C.outcome_code("koos", s.id) for s in INSTRUMENTS["koos"].subscales
    }
    pain = obs["nprs-pain"]
    assert pain["code"]["coding"][0] == {
        "system": C.LOINC,
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert pain["valueQuantity"]["value"] == 6 and pain["valueQuantity"]["code"] == "{score}"
    expected = INSTRUMENTS["koos"].score(KOOS)
    assert obs["koos-pain"]["valueQuantity"]["value"] == round(
        expected.subscales["pain"].score or 0, 4
    )
    # Nothing of the ADL answered: no value, the missing-item reason instead.
    adl = obs["koos-adl"]
    assert "valueQuantity" not in adl
    assert adl["dataAbsentReason"]["text"] == expected.subscales["adl"].reason
    qr_refs = {e["fullUrl"] for e in bundle["entry"]}
    assert all(o["derivedFrom"][0]["reference"] in qr_refs for o in obs.values())


def test_a_score_out_of_range_is_refused(bundle: dict[str, Any]) -> None:
    for e in bundle["entry"]:
        res = e["resource"]
        if res["resourceType"] == "Observation" and _code(res) == "nprs-pain":
            res["valueQuantity"]["value"] = 12
    problems = validate_bundle(bundle)
    assert any("12 is outside 0-10 for nprs-pain" in p for p in problems), problems


def test_same_inputs_same_bundle() -> None:
    a = build_bundle(None, None, None, PATIENT, recorded=RECORDED, outcomes=OUTCOMES)
    b = build_bundle(None, None, None, PATIENT, recorded=RECORDED, outcomes=OUTCOMES)
    assert a == b

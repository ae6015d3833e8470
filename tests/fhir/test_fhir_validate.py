"""validate_bundle catches what the library does not: wrong units, dangling references,
missing codes, out-of-range values, wrong code systems; each problem names resource and field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kinchain.fhir import codes as C
from kinchain.fhir import validate_bundle


def _first(bundle: dict[str, Any], rtype: str, code: str | None = None) -> dict[str, Any]:
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] != rtype:
            continue
        if code is None or r.get("code", {}).get("coding", [{}])[0].get("code") == code:
            return dict(r)
    raise AssertionError(f"no {rtype} {code}")


def _wrong_unit(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "walking-speed")
    o["valueQuantity"]["code"] = "km/h"
    return o


def _unit_of_other_quantity(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "cadence")
    o["valueQuantity"]["code"] = "m"
    return o


def _dangling(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "cadence")
    o["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    return o


def _missing_code(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "stride-length")
    o["code"] = {"text": "stride length"}
    return o


def _speed_out_of_range(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "walking-speed")
    o["valueQuantity"]["value"] = 7.5
    return o


def _stance_out_of_range(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "stance-phase")
    o["valueQuantity"]["value"] = 130.0
    return o


def _cadence_out_of_range(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "cadence")
    o["valueQuantity"]["value"] = 400
    return o


def _wrong_system(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "step-width")
    o["code"]["coding"][0]["system"] = "http://example.org/gait"
    return o


def _not_ucum(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "step-width")
    o["valueQuantity"]["system"] = "http://example.org/units"
    return o


def _bad_priority(b: dict[str, Any]) -> dict[str, Any]:
    s = _first(b, "ServiceRequest")
    s["priority"] = "whenever"
    return s


def _referral_no_code(b: dict[str, Any]) -> dict[str, Any]:
    s = _first(b, "ServiceRequest")
    s["code"] = {"text": "see someone"}
    return s


def _risk_wrong_system(b: dict[str, Any]) -> dict[str, Any]:
    r = _first(b, "RiskAssessment")
    r["prediction"][0]["qualitativeRisk"]["coding"][0]["system"] = "http://example.org/risk"
    return r


def _no_disclaimer(b: dict[str, Any]) -> dict[str, Any]:
    r = _first(b, "RiskAssessment")
    r["note"] = [n for n in r["note"] if "does not replace" not in n["text"]]
    return r


def _patient_no_identifier(b: dict[str, Any]) -> dict[str, Any]:
    p = _first(b, "Patient")
    p["identifier"] = []
    return p


def _library_error(b: dict[str, Any]) -> dict[str, Any]:
    o = _first(b, "Observation", "cadence")
    o["valueQuantity"]["value"] = "fast"
    return o


CASES: list[tuple[Callable[[dict[str, Any]], dict[str, Any]], str, str]] = [
    (_wrong_unit, "valueQuantity.code", "'km/h'"),
    (_unit_of_other_quantity, "valueQuantity.code", "wrong unit for cadence"),
    (_dangling, "subject.reference", "does not resolve"),
    (_missing_code, "code.coding", "missing code"),
    (_speed_out_of_range, "valueQuantity.value", "0-5 m/s"),
    (_stance_out_of_range, "valueQuantity.value", "0-100 %"),
    (_cadence_out_of_range, "valueQuantity.value", "0-250 /min"),
    (_wrong_system, "code.coding[0].system", "http://example.org/gait"),
    (_not_ucum, "valueQuantity.system", "not UCUM"),
    (_bad_priority, "priority", "'whenever'"),
    (_referral_no_code, "code.coding", "missing code"),
    (_risk_wrong_system, "prediction[0].qualitativeRisk", C.RISK_PROBABILITY),
    (_no_disclaimer, "note", "disclaimer"),
    (_patient_no_identifier, "identifier", "required"),
    (_library_error, "fhir.resources", "valueQuantity.value"),
]


@pytest.mark.parametrize(("breaker", "field", "needle"), CASES, ids=[c[0].__name__ for c in CASES])
def test_broken_bundle_is_caught(
    bundle: dict[str, Any],
    breaker: Callable[[dict[str, Any]], dict[str, Any]],
    field: str,
    needle: str,
) -> None:
    broken = copy.deepcopy(bundle)
    res = breaker(broken)
    for e in broken["entry"]:
        if e["resource"]["id"] == res["id"]:
            e["resource"] = res
    problems = validate_bundle(broken)
    name = f"{res['resourceType']}/{res['id']}"
    hits = [p for p in problems if p.startswith(name) and f": {field}" in p and needle in p]
    assert hits, problems


def test_unresolved_provenance_target_and_missing_target(bundle: dict[str, Any]) -> None:
    broken = copy.deepcopy(bundle)
    prov = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Provenance"
    )
    dropped = prov["target"].pop(0)["reference"]
    problems = validate_bundle(broken)
    assert any(p.startswith("Provenance: target: does not include Patient/") for p in problems)
    assert dropped.startswith("urn:uuid:")


def test_not_a_bundle() -> None:
    assert validate_bundle({"resourceType": "Patient"}) == ["Bundle: resourceType must be 'Bundle'"]
    assert any(
        "Bundle.entry" in p
        for p in validate_bundle({"resourceType": "Bundle", "type": "collection"})
    )


def test_bundle_type(bundle: dict[str, Any]) -> None:
    broken = copy.deepcopy(bundle)
    broken["type"] = "transaction"
    assert any(p.startswith("Bundle.type") for p in validate_bundle(broken))

"""Check a bundle: every resource parses into its fhir.resources model (R4B models, identical to
R4 for the resource types kinchain writes), plus kinchain's own checks that the library does not
do (required codes, expected code-system URLs, UCUM units per quantity, plausible ranges,
references resolving inside the bundle, enumerated values)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from kinchain.fhir import codes as C

__all__ = ["validate_bundle"]

_RESOURCE_TYPES = (
    "Patient",
    "Encounter",
    "QuestionnaireResponse",
    "Observation",
    "RiskAssessment",
    "ServiceRequest",
    "Device",
    "Provenance",
)
_BUNDLE_TYPES = frozenset({"collection", "document"})
_OBS_STATUS = frozenset(
    {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    }
)
_SR_STATUS = frozenset(
    {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
)
_SR_INTENT = frozenset(
    {
        "proposal",
        "plan",
        "directive",
        "order",
        "original-order",
        "reflex-order",
        "filler-order",
        "instance-order",
        "option",
    }
)
_GENDERS = frozenset({"male", "female", "other", "unknown"})


def _model_class(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _errors(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        out.append(f"{loc}: {err['msg']}")
    return out


def _references(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every ``reference`` string inside ``obj`` with its field path."""
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "reference" and isinstance(value, str):
                yield path or "reference", value
            else:
                yield from _references(value, sub)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _references(value, f"{path}[{i}]")


def _codings(concept: Any) -> list[Mapping[str, Any]]:
    if not isinstance(concept, Mapping):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, Mapping)]


def _outcome_questionnaire(url: str) -> bool:
    from kinchain.clinical.outcomes import INSTRUMENTS

    return url.startswith(C.OUTCOME_QUESTIONNAIRE) and (
        url.removeprefix(C.OUTCOME_QUESTIONNAIRE) in INSTRUMENTS
    )


def _outcome_ranges() -> dict[str, tuple[float, float]]:
    from kinchain.clinical.outcomes import INSTRUMENTS

    return {
        C.outcome_code(i.id, s.id): s.score_range for i in INSTRUMENTS.values() for s in i.subscales
    }


def _check_outcome(res: Mapping[str, Any], codings: list[Mapping[str, Any]], add: Any) -> None:
    """An outcome score: a known code, a ``{score}`` within the subscale's range, or a
    ``dataAbsentReason`` (not valid under the missing-item rule)."""
    ours = [c for c in codings if c.get("system") == C.OUTCOME_SYSTEM]
    if not ours:
        return
    code = str(ours[0].get("code"))
    ranges = _outcome_ranges()
    if code not in ranges:
        add("code.coding", f"{code!r} is not an outcome score kinchain knows")
        return
    qty = res.get("valueQuantity")
    if isinstance(qty, Mapping):
        value = qty.get("value")
        low, high = ranges[code]
        if qty.get("code") != C.SCORE_UCUM:
            add("valueQuantity.code", f"an outcome score's unit is {C.SCORE_UCUM!r}")
        elif isinstance(value, int | float) and not low <= value <= high:
            add("valueQuantity.value", f"{value} is outside {low:g}-{high:g} for {code}")
    elif not res.get("dataAbsentReason"):
        add("valueQuantity", f"{code}: needs a score or a dataAbsentReason")


def _check_observation(res: Mapping[str, Any], add: Any) -> None:
    if res.get("status") not in _OBS_STATUS:
        add("status", f"{res.get('status')!r} is not an Observation status")
    codings = _codings(res.get("code"))
    if not codings or not all(c.get("code") for c in codings):
        add("code.coding", "missing code")
        return
    for i, c in enumerate(codings):
        if c.get("system") not in C.OBSERVATION_CODE_SYSTEMS:
            add(
                f"code.coding[{i}].system",
                f"{c.get('system')!r} is not one of {sorted(C.OBSERVATION_CODE_SYSTEMS)}",
            )
    cats = [c for cat in res.get("category") or [] for c in _codings(cat)]
    if not any(
        c.get("system") == C.OBSERVATION_CATEGORY and c.get("code") in {"exam", "survey"}
        for c in cats
    ):
        add("category", f"needs an {C.OBSERVATION_CATEGORY} code exam or survey")
    _check_outcome(res, codings, add)
    qty = res.get("valueQuantity")
    first = codings[0]
    measure = C.MEASURES.get((str(first.get("system")), str(first.get("code"))))
    if measure is not None and not isinstance(qty, Mapping):
        add("valueQuantity", f"missing for {measure.code}")
    if isinstance(qty, Mapping):
        if qty.get("system") != C.UCUM:
            add("valueQuantity.system", f"{qty.get('system')!r} is not UCUM ({C.UCUM})")
        unit = qty.get("code")
        if unit not in C.UCUM_ALLOWED:
            add(
                "valueQuantity.code",
                f"{unit!r} is not an allowed UCUM unit {sorted(C.UCUM_ALLOWED)}",
            )
        elif measure is not None and unit != measure.ucum:
            add(
                "valueQuantity.code",
                f"{unit!r} is the wrong unit for {measure.code} (expected {measure.ucum!r})",
            )
        value = qty.get("value")
        if not isinstance(value, int | float) or isinstance(value, bool):
            add("valueQuantity.value", "missing or not a number")
        elif measure is not None and not measure.low <= value <= measure.high:
            add(
                "valueQuantity.value",
                f"{value} {unit} is outside the plausible range "
                f"{measure.low:g}-{measure.high:g} {measure.ucum} for {measure.code}",
            )
        elif unit == "%" and not 0 <= value <= 100:
            add("valueQuantity.value", f"{value} % is outside 0-100")
    if str(first.get("code", "")).startswith(C.FINDING_PREFIX):
        vc = _codings(res.get("valueCodeableConcept"))
        if not vc or vc[0].get("system") != C.FINDING_SEVERITY_SYSTEM:
            add(
                "valueCodeableConcept",
                f"a finding needs a severity from {C.FINDING_SEVERITY_SYSTEM}",
            )


def _check_service_request(res: Mapping[str, Any], add: Any) -> None:
    if res.get("status") not in _SR_STATUS:
        add("status", f"{res.get('status')!r} is not a ServiceRequest status")
    if res.get("intent") not in _SR_INTENT:
        add("intent", f"{res.get('intent')!r} is not a ServiceRequest intent")
    if res.get("priority") not in C.REQUEST_PRIORITIES:
        add("priority", f"{res.get('priority')!r} is not one of {sorted(C.REQUEST_PRIORITIES)}")
    codings = _codings(res.get("code"))
    if not codings or not codings[0].get("code"):
        add("code.coding", "missing code")
    elif codings[0].get("system") not in {C.SPECIALIST_SYSTEM, C.TEST_SYSTEM, C.SNOMED, C.LOINC}:
        add("code.coding[0].system", f"{codings[0].get('system')!r} is not an expected system")
    if not res.get("reasonCode") and not res.get("reasonReference"):
        add("reasonCode", "missing reason")


def _check_risk(res: Mapping[str, Any], add: Any) -> None:
    preds = res.get("prediction") or []
    if not preds:
        add("prediction", "no prediction")
    for i, p in enumerate(preds):
        if not _codings(p.get("outcome")):
            add(f"prediction[{i}].outcome", "missing code")
        risk = _codings(p.get("qualitativeRisk"))
        if (
            not risk
            or risk[0].get("system") != C.RISK_PROBABILITY
            or risk[0].get("code") not in C.RISK_DISPLAY
        ):
            add(
                f"prediction[{i}].qualitativeRisk",
                f"needs a {C.RISK_PROBABILITY} code {sorted(C.RISK_DISPLAY)}",
            )
    if not any("does not replace" in str(n.get("text", "")) for n in res.get("note") or []):
        add("note", "the disclaimer is missing")


def validate_bundle(bundle: Mapping[str, Any]) -> list[str]:
    """Problems with a kinchain FHIR bundle; an empty list when it is valid.

    Each problem names the resource (``Observation/<id> (entry 3)``) and the field.
    """
    problems: list[str] = []
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        return ["Bundle: resourceType must be 'Bundle'"]
    if bundle.get("type") not in _BUNDLE_TYPES:
        problems.append(f"Bundle.type: {bundle.get('type')!r} is not collection or document")
    try:
        _model_class("Bundle").model_validate(dict(bundle))
    except ValidationError as exc:
        problems.extend(f"Bundle: {e}" for e in _errors(exc))
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not entries:
        return [*problems, "Bundle.entry: empty"]

    full_urls: dict[str, int] = {}
    for i, entry in enumerate(entries):
        url = entry.get("fullUrl") if isinstance(entry, Mapping) else None
        if not isinstance(url, str) or not url.startswith("urn:uuid:"):
            problems.append(f"Bundle.entry[{i}].fullUrl: missing or not a urn:uuid")
        elif url in full_urls:
            problems.append(f"Bundle.entry[{i}].fullUrl: {url} repeats entry {full_urls[url]}")
        else:
            full_urls[url] = i

    counts: dict[str, int] = {}
    provenance_targets: set[str] | None = None
    for i, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(res, Mapping):
            problems.append(f"Bundle.entry[{i}].resource: missing")
            continue
        rtype = str(res.get("resourceType"))
        name = f"{rtype}/{res.get('id')} (entry {i})"

        def add(fld: str, msg: str, name: str = name) -> None:
            problems.append(f"{name}: {fld}: {msg}")

        if rtype not in _RESOURCE_TYPES:
            add("resourceType", f"{rtype!r} is not a resource kinchain writes")
            continue
        counts[rtype] = counts.get(rtype, 0) + 1
        try:
            _model_class(rtype).model_validate(dict(res))
        except ValidationError as exc:
            for e in _errors(exc):
                add("fhir.resources", e)
        for path, ref in _references(res, ""):
            if ref not in full_urls:
                add(f"{path}.reference", f"{ref!r} does not resolve inside the bundle")
        if rtype == "Observation":
            _check_observation(res, add)
        elif rtype == "ServiceRequest":
            _check_service_request(res, add)
        elif rtype == "RiskAssessment":
            _check_risk(res, add)
        elif rtype == "Patient":
            ids = [x for x in res.get("identifier") or [] if isinstance(x, Mapping)]
            if not ids or not all(x.get("value") for x in ids):
                add("identifier", "a patient identifier is required")
            if "gender" in res and res["gender"] not in _GENDERS:
                add("gender", f"{res['gender']!r} is not an administrative gender")
        elif rtype == "QuestionnaireResponse":
            q = str(res.get("questionnaire", "")).split("|", 1)[0]
            if q != C.INTAKE_QUESTIONNAIRE and not _outcome_questionnaire(q):
                add(
                    "questionnaire",
                    f"{q!r} is neither {C.INTAKE_QUESTIONNAIRE} nor an outcome questionnaire "
                    f"{C.OUTCOME_QUESTIONNAIRE}<instrument>",
                )
        elif rtype == "Provenance":
            provenance_targets = {
                str(t.get("reference")) for t in res.get("target") or [] if isinstance(t, Mapping)
            }
            if not res.get("agent"):
                add("agent", "missing")
    if counts.get("Patient") != 1:
        problems.append(f"Bundle: needs exactly one Patient, has {counts.get('Patient', 0)}")
    if provenance_targets is None:
        problems.append("Bundle: no Provenance")
    else:
        for i, entry in enumerate(entries):
            res = entry.get("resource") if isinstance(entry, Mapping) else None
            if not isinstance(res, Mapping) or res.get("resourceType") in {"Provenance", "Device"}:
                continue
            if entry.get("fullUrl") not in provenance_targets:
                problems.append(
                    f"Provenance: target: does not include {res.get('resourceType')}/"
                    f"{res.get('id')} (entry {i})"
                )
    return problems

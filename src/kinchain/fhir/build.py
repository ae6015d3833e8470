"""Build the HL7 FHIR R4 Bundle of a visit: Patient, intake QuestionnaireResponse, gait
Observations, outcome questionnaires (a QuestionnaireResponse per instrument and an Observation
per score), RiskAssessment, ServiceRequests and Provenance.

:func:`build_bundle` is pure apart from reading the clock when no ``recorded`` time is given:
no file or network access, and the same inputs (and ``recorded``) give the same bundle, with
resource ids derived from the inputs (UUID version 5).
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kinchain import DISCLAIMER, __version__
from kinchain.fhir import codes as C

if TYPE_CHECKING:
    from kinchain.analysis import GaitAnalysis
    from kinchain.clinical import ClinicalAssessment, Intake, WhatWouldChange

__all__ = ["PatientInfo", "VisitInfo", "build_bundle"]

_NAMESPACE = uuid.UUID("5b0c3f2e-8f43-5e0a-9d57-6b1f0c6a7e21")
_SIDES = ("left", "right")


class PatientInfo(BaseModel):
    """Who the bundle is about. Only ``identifier`` is required.

    Attributes
    ----------
    identifier
        The patient's identifier (e.g. the clinic's record number).
    identifier_system
        URI of the identifier's namespace (default: kinchain's patient-id NamingSystem).
    name
        Full name as one text (HumanName.text).
    birth_date
        Date of birth.
    sex
        Administrative gender: ``female``, ``male``, ``other`` or ``unknown``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    identifier: str = Field(min_length=1)
    identifier_system: str = C.DEFAULT_PATIENT_ID_SYSTEM
    name: str | None = None
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None

    @field_validator("identifier")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class VisitInfo(BaseModel):
    """The visit a bundle is about: an Encounter that every clinical resource of the bundle
    points to (``encounter``).

    Attributes
    ----------
    visit_date
        The day of the visit (Encounter.period.start).
    label
        The visit's label, e.g. "baseline walk" (Encounter.type.text).
    clinician
        The responsible clinician, as written (Encounter.participant.individual.display).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    visit_date: date | None = None
    label: str | None = Field(default=None, max_length=200)
    clinician: str | None = Field(default=None, max_length=320)


def _encounter(v: VisitInfo, patient_ref: str) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": v.label or "gait analysis and clinical assessment"}],
        "subject": {"reference": patient_ref},
    }
    if v.visit_date is not None:
        res["period"] = {"start": v.visit_date.isoformat()}
    if v.clinician:
        res["participant"] = [{"individual": {"display": v.clinician}}]
    return res


#: Resources that belong to the visit and point to its Encounter.
_OF_THE_VISIT = ("Observation", "RiskAssessment", "QuestionnaireResponse", "ServiceRequest")


@dataclass
class _Builder:
    seed: str
    entries: list[dict[str, Any]] = field(default_factory=list)

    def ref(self, key: str) -> str:
        return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"{self.seed}/{key}"))

    def add(self, key: str, resource: dict[str, Any]) -> str:
        full_url = self.ref(key)
        resource = {"resourceType": resource.pop("resourceType"), "id": full_url[9:], **resource}
        self.entries.append({"fullUrl": full_url, "resource": resource})
        return full_url


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)], "text": text or display}


def _category(code: str) -> list[dict[str, Any]]:
    display = {"exam": "Exam", "survey": "Survey"}[code]
    return [_concept(C.OBSERVATION_CATEGORY, code, display)]


def _quantity(value: float, measure: C.Measure) -> dict[str, Any]:
    return {
        "value": round(float(value), 4),
        "unit": measure.unit,
        "system": C.UCUM,
        "code": measure.ucum,
    }


def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def _seed(
    analysis: GaitAnalysis | None,
    assessment: ClinicalAssessment | None,
    intake: Intake | None,
    patient: PatientInfo,
    outcomes: Mapping[str, Mapping[str, int | None]] | None = None,
    visit: VisitInfo | None = None,
) -> str:
    h = hashlib.sha256()
    h.update(patient.model_dump_json().encode())
    if visit is not None:
        h.update(visit.model_dump_json().encode())
    if outcomes:
        h.update(json.dumps(outcomes, sort_keys=True).encode())
    if analysis is not None:
        h.update(analysis.result.trial.sha256.encode())
    if intake is not None:
        h.update(intake.model_dump_json().encode())
    if assessment is not None:
        h.update(assessment.model_dump_json().encode())
    return h.hexdigest()


def _patient(p: PatientInfo) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": p.identifier_system, "value": p.identifier}],
    }
    if p.name:
        res["name"] = [{"text": p.name}]
    if p.sex:
        res["gender"] = p.sex
    if p.birth_date:
        res["birthDate"] = p.birth_date.isoformat()
    return res


# --------------------------------------------------------------------------------------------
# QuestionnaireResponse
# --------------------------------------------------------------------------------------------


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _qr_items(data: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for key, value in data.items():
        link = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            sub = _qr_items(value, link + ".")
            if sub:
                items.append({"linkId": link, "item": sub})
        elif isinstance(value, list):
            if value and all(isinstance(v, Mapping) for v in value):
                # Repeating group: one item per element, same linkId.
                for element in value:
                    sub = _qr_items(element, link + ".")
                    if sub:
                        items.append({"linkId": link, "item": sub})
            elif value:
                items.append({"linkId": link, "answer": [_answer(v) for v in value]})
        else:
            items.append({"linkId": link, "answer": [_answer(value)]})
    return items


def _questionnaire_response(intake: Intake, patient_ref: str) -> dict[str, Any]:
    data = intake.model_dump(mode="json", exclude_defaults=True)
    data.pop("schema_version", None)
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{C.INTAKE_QUESTIONNAIRE}|{intake.schema_version}",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "item": _qr_items(data, ""),
    }


def _outcomes(
    b: _Builder, outcomes: Mapping[str, Mapping[str, int | None]], patient_ref: str
) -> list[str]:
    """Add a QuestionnaireResponse per instrument (the item scores as given) and an Observation
    per subscale score (valid: the score; not valid: no value, the missing-item reason as
    ``dataAbsentReason``), derived from the response. Returns the Observation refs."""
    from kinchain.clinical.outcomes import INSTRUMENTS

    refs: list[str] = []
    for inst_id, answers in outcomes.items():
        inst = INSTRUMENTS[inst_id]
        score = inst.score(answers)
        order = {item.id: k for k, item in enumerate(inst.items)}
        given = sorted(
            ((i, v) for i, v in answers.items() if v is not None), key=lambda x: order[x[0]]
        )
        qr_ref = b.add(
            f"qr/outcome/{inst.id}",
            {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": f"{C.OUTCOME_QUESTIONNAIRE}{inst.id}|{inst.version}",
                "status": "completed",
                "subject": {"reference": patient_ref},
                "item": [{"linkId": i, "answer": [{"valueInteger": v}]} for i, v in given],
            },
        )
        for sub in score.subscales.values():
            code = C.outcome_code(inst.id, sub.subscale)
            label = f"{inst.name}: {inst.subscale(sub.subscale).label}"
            codings = []
            if code in C.OUTCOME_LOINC:
                loinc, display = C.OUTCOME_LOINC[code]
                codings.append(_coding(C.LOINC, loinc, display))
            codings.append(_coding(C.OUTCOME_SYSTEM, code, label))
            res: dict[str, Any] = {
                "resourceType": "Observation",
                "status": "final",
                "category": _category("survey"),
                "code": {"coding": codings, "text": label},
                "subject": {"reference": patient_ref},
                "derivedFrom": [{"reference": qr_ref}],
            }
            if sub.score is not None:
                res["valueQuantity"] = {
                    "value": round(float(sub.score), 4),
                    "unit": "score",
                    "system": C.UCUM,
                    "code": C.SCORE_UCUM,
                }
                low, high = sub.score_range
                res["referenceRange"] = [
                    {
                        "low": {"value": low},
                        "high": {"value": high},
                        "text": sub.direction.replace("_", " "),
                    }
                ]
            else:
                res["dataAbsentReason"] = {"text": sub.reason or "not valid"}
            refs.append(b.add(f"obs/outcome/{code}", res))
    return refs


# --------------------------------------------------------------------------------------------
# Observations
# --------------------------------------------------------------------------------------------


def _observation(
    measure: C.Measure, value: float, patient_ref: str, side: str | None
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": _category("exam"),
        "code": _concept(measure.system, measure.code, measure.display),
        "subject": {"reference": patient_ref},
        "valueQuantity": _quantity(value, measure),
    }
    if side is not None:
        res["bodySite"] = {"text": f"{side} lower limb"}
    return res


def _gait_observations(
    b: _Builder, analysis: GaitAnalysis, patient_ref: str
) -> tuple[list[str], dict[str, list[str]]]:
    """Add the measurement, GPS and finding Observations; return the finding refs and, per
    side, the measurement refs."""
    per_side: dict[str, list[str]] = {s: [] for s in _SIDES}
    st = analysis.spatiotemporal
    for side in _SIDES:
        values = st.left.as_dict() if side == "left" else st.right.as_dict()
        for m in C.SPATIOTEMPORAL:
            v = values.get(m.key)
            if _finite(v):
                assert v is not None
                ref = b.add(f"obs/{m.code}/{side}", _observation(m, v, patient_ref, side))
                per_side[side].append(ref)
    comp = analysis.comparison
    overall: list[str] = []
    if comp is not None:
        for side in _SIDES:
            v = comp.gps.get(side)
            if _finite(v):
                assert v is not None
                per_side[side].append(
                    b.add(f"obs/gps/{side}", _observation(C.GPS, v, patient_ref, side))
                )
        if _finite(comp.gps_overall):
            overall.append(
                b.add(
                    "obs/gps-overall",
                    _observation(C.GPS_OVERALL, comp.gps_overall, patient_ref, None),
                )
            )
    findings: list[str] = []
    for f in analysis.findings:
        if not f.fired:
            continue
        sides = list(_SIDES) if f.side == "both" else [f.side]
        derived = [r for s in sides for r in per_side[s]] + overall
        evidence = "; ".join(
            f"{e.quantity}: {e.value:.3g} {e.unit} (normal {e.normal_low:.3g}-{e.normal_high:.3g}, "
            f"{e.source})"
            for e in f.evidence
        )
        res: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": _category("exam"),
            "code": _concept(
                C.GAIT_SYSTEM, C.finding_code(f.name), f.name.replace("_", " ").capitalize()
            ),
            "subject": {"reference": patient_ref},
            "bodySite": {
                "text": f"{f.side} lower limb" if f.side != "both" else "both lower limbs"
            },
            "valueCodeableConcept": _concept(
                C.FINDING_SEVERITY_SYSTEM, f.severity, f.severity.capitalize()
            ),
            "derivedFrom": [{"reference": r} for r in derived],
            "note": [{"text": f.sentence}]
            + ([{"text": "Evidence: " + evidence}] if evidence else []),
        }
        findings.append(b.add(f"obs/finding/{f.name}/{f.side}", res))
    members = [r for s in _SIDES for r in per_side[s]] + overall + findings
    if members:
        panel_system, panel_code, panel_display = C.GAIT_PANEL
        b.add(
            "obs/gait-panel",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": _category("exam"),
                "code": _concept(
                    panel_system, panel_code, panel_display, "Instrumented gait analysis (kinchain)"
                ),
                "subject": {"reference": patient_ref},
                "hasMember": [{"reference": r} for r in members],
                "note": [{"text": DISCLAIMER}],
            },
        )
    return findings, per_side


# --------------------------------------------------------------------------------------------
# RiskAssessment and ServiceRequests
# --------------------------------------------------------------------------------------------


def _change_note(w: WhatWouldChange) -> str:
    """A ``what_would_change`` item as a note: the open question and what its answer would
    mean (with the field and the rule, for a reader of the bundle)."""
    answer = w.answer.replace("_", " ")
    condition = str(getattr(w, "condition", "") or "").strip()
    if condition and w.answer not in ("yes", "no"):
        answer = condition
    where = w.destination.value.replace("_", " ")
    because = w.because.strip().rstrip(".")
    return (
        f"What would change this answer: {w.question.strip()} If {answer}: {w.urgency.value}, "
        f"{where}, for {because} (unanswered: {w.field}; {w.rule_id})."
    )


def _risk_assessment(a: ClinicalAssessment, patient_ref: str, basis: list[str]) -> dict[str, Any]:
    predictions = []
    for cause in a.causes:
        risk = C.LIKELIHOOD_RISK[cause.likelihood]
        rationale = "; ".join(e.text for e in cause.evidence_for) or "no evidence for"
        against = "; ".join(e.text for e in cause.evidence_against)
        predictions.append(
            {
                "outcome": _concept(C.CAUSE_SYSTEM, cause.cause.value, cause.label),
                "qualitativeRisk": _concept(C.RISK_PROBABILITY, risk, C.RISK_DISPLAY[risk]),
                "rationale": f"Rank {cause.rank} ({cause.likelihood}, confidence "
                f"{cause.confidence}). For: {rationale}."
                + (f" Against: {against}." if against else ""),
            }
        )
    statement = a.urgency_statement.strip()
    notes = [
        {"text": f"Urgency: {a.urgency.value} ({a.urgency_meaning})."},
        *([{"text": f"Decision: {statement}"}] if statement else []),
        *({"text": f"Red flag {r.name}: {'; '.join(r.features)}. {r.action}"} for r in a.red_flags),
        *({"text": _change_note(w)} for w in a.what_would_change),
        *(
            [
                {
                    "text": "Most likely cause is outside the knee and ankle's joints, bones, "
                    "tendons and nerves: a doctor for something else."
                }
            ]
            if a.not_musculoskeletal
            else []
        ),
        *(
            {
                "text": f"[{r.kind}] {r.text} ({r.rule_id}"
                + (f"; {r.citation}" if r.citation else "")
                + ")"
            }
            for r in a.reasons
        ),
        {"text": a.disclaimer or DISCLAIMER},
    ]
    res: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "code": _concept(C.ASSESSMENT_SYSTEM, "knee-ankle-triage", "Knee/ankle pain triage"),
        "subject": {"reference": patient_ref},
        "method": {"text": f"kinchain clinical engine {a.kinchain_version}"},
        "prediction": predictions,
        "mitigation": statement or f"{a.referral.label}: {a.referral.reason}",
        "note": notes,
    }
    if basis:
        res["basis"] = [{"reference": r} for r in basis]
    return res


def _service_requests(
    b: _Builder, a: ClinicalAssessment, patient_ref: str, risk_ref: str
) -> list[str]:
    refs: list[str] = []
    r = a.referral
    text = r.label + (f"; then {r.then.value.replace('_', ' ')}" if r.then else "")
    referral: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [{"text": "referral"}],
        "priority": C.URGENCY_PRIORITY[r.urgency.value],
        "code": _concept(C.SPECIALIST_SYSTEM, r.specialist.value, r.label, text),
        "subject": {"reference": patient_ref},
        "reasonCode": [{"text": r.reason}],
        "reasonReference": [{"reference": risk_ref}],
        "note": [{"text": a.disclaimer or DISCLAIMER}],
    }
    if r.review_date is not None:
        referral["occurrenceDateTime"] = r.review_date.isoformat()
    refs.append(b.add("sr/referral", referral))
    for t in a.tests:
        res: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "category": [{"text": "test"}],
            "priority": C.TEST_PRIORITY[t.priority],
            "code": _concept(C.TEST_SYSTEM, t.id, t.name),
            "subject": {"reference": patient_ref},
            "reasonCode": [{"text": t.reason}],
            "reasonReference": [{"reference": risk_ref}],
        }
        if t.citation:
            res["note"] = [{"text": f"{t.rule_id}: {t.citation}"}]
        refs.append(b.add(f"sr/test/{t.id}", res))
    return refs


# --------------------------------------------------------------------------------------------
# The bundle
# --------------------------------------------------------------------------------------------


def build_bundle(
    analysis: GaitAnalysis | None,
    assessment: ClinicalAssessment | None,
    intake: Intake | None,
    patient: PatientInfo,
    *,
    recorded: datetime | None = None,
    source_name: str | None = None,
    outcomes: Mapping[str, Mapping[str, int | None]] | None = None,
    visit: VisitInfo | None = None,
) -> dict[str, Any]:
    """The FHIR R4 ``collection`` Bundle of one visit, as JSON-ready data.

    Parameters
    ----------
    analysis
        Gait analysis (:func:`kinchain.analysis.analyze`), or None: no Observations.
    assessment
        Clinical assessment (:func:`kinchain.clinical.assess`), or None: no RiskAssessment or
        ServiceRequest.
    intake
        The intake that was assessed, or None: no QuestionnaireResponse.
    patient
        Who it is about (only the identifier is required).
    recorded
        Provenance.recorded and Bundle.timestamp (timezone-aware; naive means UTC; default: now,
        UTC). Pass the visit's own time (the web service passes when the visit's data last
        changed) to get the same bundle from the same inputs.
    source_name
        The trial's file name as the user knows it (Provenance.entity.what.display); default:
        the name of the file that was analysed (the web service analyses a stored copy, so it
        passes the uploaded file's name).
    outcomes
        Outcome questionnaires answered at the visit: instrument id of
        :data:`kinchain.clinical.outcomes.INSTRUMENTS` -> item id -> item score (``None`` = not
        answered), e.g. ``{"koos": {"P1": 2, ...}, "nprs": {"pain": 6}}``. Each becomes a
        QuestionnaireResponse and an Observation per subscale, scored by the scoring core.
    visit
        The visit (date, label, clinician), or None: an Encounter, referenced by every
        Observation, RiskAssessment, QuestionnaireResponse and ServiceRequest of the bundle.

    Returns
    -------
    dict
        The Bundle (``json.dumps``-ready). Check it with :func:`kinchain.fhir.validate_bundle`.
    """
    when = recorded or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    b = _Builder(_seed(analysis, assessment, intake, patient, outcomes, visit))
    patient_ref = b.add("patient", _patient(patient))
    encounter_ref = b.add("encounter", _encounter(visit, patient_ref)) if visit else None

    basis: list[str] = []
    if intake is not None:
        basis.append(b.add("qr/intake", _questionnaire_response(intake, patient_ref)))
    if outcomes:
        _outcomes(b, outcomes, patient_ref)
    if analysis is not None:
        findings, _ = _gait_observations(b, analysis, patient_ref)
        basis.extend(findings)
    if assessment is not None:
        risk_ref = b.add("risk", _risk_assessment(assessment, patient_ref, basis))
        _service_requests(b, assessment, patient_ref, risk_ref)

    if encounter_ref is not None:
        for e in b.entries:
            if e["resource"]["resourceType"] in _OF_THE_VISIT:
                e["resource"]["encounter"] = {"reference": encounter_ref}
    device_ref = b.add(
        "device/kinchain",
        {
            "resourceType": "Device",
            "deviceName": [{"name": "kinchain", "type": "manufacturer-name"}],
            "version": [{"value": __version__}],
            "note": [{"text": DISCLAIMER}],
        },
    )
    targets = [e["fullUrl"] for e in b.entries if e["fullUrl"] != device_ref]
    provenance: dict[str, Any] = {
        "resourceType": "Provenance",
        "target": [{"reference": r} for r in targets],
        "recorded": stamp,
        "agent": [{"who": {"reference": device_ref, "display": f"kinchain {__version__}"}}],
    }
    if analysis is not None:
        trial = analysis.result.trial
        provenance["entity"] = [
            {
                "role": "source",
                "what": {
                    "identifier": {"system": C.SHA256_IDENTIFIER_SYSTEM, "value": trial.sha256},
                    "display": source_name or str(trial.path).replace("\\", "/").rsplit("/", 1)[-1],
                },
            }
        ]
    b.add("provenance", provenance)
    bundle = {
        "resourceType": "Bundle",
        "id": b.ref("bundle")[9:],
        "type": "collection",
        "timestamp": stamp,
        "entry": b.entries,
    }
    # Round-trip through JSON: plain dicts, lists, str, int, float only.
    result: dict[str, Any] = json.loads(json.dumps(bundle))
    return result

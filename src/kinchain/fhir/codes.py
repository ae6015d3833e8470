"""Every code system, code and unit the FHIR export uses, in one place (see ``docs/fhir.md``).

A standard code (SNOMED CT, HL7 terminology) is used only where one was found and checked; the
gait quantities that have no point-in-time LOINC or SNOMED CT code of their own are coded in
kinchain's CodeSystem :data:`GAIT_SYSTEM`, and that is stated in ``docs/fhir.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: HL7 FHIR version the bundle targets (content validated with fhir.resources' R4B models,
#: which are identical to R4 for every resource type used here).
FHIR_VERSION = "4.0.1"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"

#: kinchain's own code systems (no standard code exists or none could be verified).
GAIT_SYSTEM = "https://kinchain.org/fhir/CodeSystem/gait"
FINDING_SEVERITY_SYSTEM = "https://kinchain.org/fhir/CodeSystem/gait-finding-severity"
CAUSE_SYSTEM = "https://kinchain.org/fhir/CodeSystem/cause"
SPECIALIST_SYSTEM = "https://kinchain.org/fhir/CodeSystem/specialist"
TEST_SYSTEM = "https://kinchain.org/fhir/CodeSystem/test"
ASSESSMENT_SYSTEM = "https://kinchain.org/fhir/CodeSystem/assessment"
#: Canonical URL of kinchain's intake Questionnaire; the version is the intake schema version.
INTAKE_QUESTIONNAIRE = "https://kinchain.org/fhir/Questionnaire/intake"
#: Identifier system of a trial input file's SHA-256 (Provenance.entity).
SHA256_IDENTIFIER_SYSTEM = "https://kinchain.org/fhir/NamingSystem/input-sha256"
#: Default identifier system of a patient identifier given without one.
DEFAULT_PATIENT_ID_SYSTEM = "https://kinchain.org/fhir/NamingSystem/patient-id"

#: kinchain's code system of outcome-measure scores (``koos-pain``, ``lefs-total``): the code is
#: ``<instrument>-<subscale>`` of :mod:`kinchain.clinical.outcomes`.
OUTCOME_SYSTEM = "https://kinchain.org/fhir/CodeSystem/outcome-score"
#: Canonical URL prefix of an outcome questionnaire (``.../Questionnaire/outcome-koos``); the
#: version after ``|`` is the instrument version scored.
OUTCOME_QUESTIONNAIRE = "https://kinchain.org/fhir/Questionnaire/outcome-"
#: LOINC codes of outcome scores, only where one was found and checked: 72514-3 "Pain severity -
#: 0-10 verbal numeric rating [Score] - Reported" (loinc.org/72514-3, as used by the HL7 Belgium
#: patient-monitoring IG's pain-scale value set) and 72101-9 "Symptoms score [KOOS]" (LOINC
#: record as reproduced by a third party). Every score also carries its OUTCOME_SYSTEM code.
OUTCOME_LOINC: dict[str, tuple[str, str]] = {
    "nprs-pain": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    "koos-symptoms": ("72101-9", "Symptoms score [KOOS]"),
}
#: UCUM unit of a questionnaire score (an annotation: a unitless score).
SCORE_UCUM = "{score}"

#: Code systems an Observation.code may use.
OBSERVATION_CODE_SYSTEMS = frozenset({LOINC, SNOMED, GAIT_SYSTEM, OUTCOME_SYSTEM})


@dataclass(frozen=True)
class Measure:
    """One gait quantity exported as an Observation.

    Attributes
    ----------
    key
        The field of :class:`kinchain.gait.spatiotemporal.SideSpatiotemporal` (or ``gps``).
    system, code, display
        Observation.code.
    ucum, unit
        UCUM code and human-readable unit of the value.
    low, high
        Plausible range (inclusive); a value outside it is rejected by ``validate_bundle``.
    """

    key: str
    system: str
    code: str
    display: str
    ucum: str
    unit: str
    low: float
    high: float


#: Spatiotemporal parameters exported per side, in order.
SPATIOTEMPORAL: tuple[Measure, ...] = (
    Measure("speed_m_s", GAIT_SYSTEM, "walking-speed", "Walking speed", "m/s", "m/s", 0.0, 5.0),
    Measure(
        "cadence_steps_min", GAIT_SYSTEM, "cadence", "Cadence", "/min", "steps/min", 0.0, 250.0
    ),
    Measure("stride_length_m", GAIT_SYSTEM, "stride-length", "Stride length", "m", "m", 0.0, 3.0),
    # SNOMED CT 250000008 |Step length (observable entity)| (International edition 2024-08).
    Measure("step_length_m", SNOMED, "250000008", "Step length", "m", "m", 0.0, 2.0),
    Measure(
        "stance_pct", GAIT_SYSTEM, "stance-phase", "Stance phase, % of stride", "%", "%", 0.0, 100.0
    ),
    Measure("step_width_m", GAIT_SYSTEM, "step-width", "Step width", "m", "m", 0.0, 1.0),
)
GPS = Measure(
    "gps", GAIT_SYSTEM, "gait-profile-score", "Gait Profile Score", "deg", "deg", 0.0, 90.0
)
GPS_OVERALL = Measure(
    "gps_overall",
    GAIT_SYSTEM,
    "gait-profile-score-overall",
    "Gait Profile Score, both sides",
    "deg",
    "deg",
    0.0,
    90.0,
)
#: The panel Observation grouping every gait Observation: SNOMED CT 63448001 |Gait|.
GAIT_PANEL = (SNOMED, "63448001", "Gait")
#: Code prefix of a kinetic-chain finding in :data:`GAIT_SYSTEM` (``finding-antalgic-gait``).
FINDING_PREFIX = "finding-"

#: (system, code) -> Measure, for the checks of ``validate_bundle``.
MEASURES: dict[tuple[str, str], Measure] = {
    (m.system, m.code): m for m in (*SPATIOTEMPORAL, GPS, GPS_OVERALL)
}
#: UCUM codes allowed anywhere in the bundle.
UCUM_ALLOWED = frozenset({"m/s", "/min", "m", "%", "deg", SCORE_UCUM})

#: Clinical urgency -> ServiceRequest.priority (request-priority: routine | urgent | asap | stat).
URGENCY_PRIORITY: dict[str, str] = {
    "emergency": "stat",
    "same_day": "asap",
    "soon": "urgent",
    "routine": "routine",
    "self_care": "routine",
}
#: A recommended test's own priority -> ServiceRequest.priority.
TEST_PRIORITY: dict[str, str] = {
    "now": "stat",
    "same_day": "asap",
    "soon": "urgent",
    "routine": "routine",
    "if_needed": "routine",
}
REQUEST_PRIORITIES = frozenset({"routine", "urgent", "asap", "stat"})
#: Cause likelihood -> risk-probability code.
LIKELIHOOD_RISK: dict[str, str] = {"likely": "high", "possible": "moderate", "unlikely": "low"}
RISK_DISPLAY: dict[str, str] = {
    "negligible": "Negligible likelihood",
    "low": "Low likelihood",
    "moderate": "Moderate likelihood",
    "high": "High likelihood",
    "certain": "Certain",
}


def finding_code(name: str) -> str:
    """kinchain code of a kinetic-chain finding: ``antalgic_gait`` -> ``finding-antalgic-gait``."""
    return FINDING_PREFIX + name.replace("_", "-")


def outcome_code(instrument: str, subscale: str) -> str:
    """kinchain code of an outcome score: ``("koos", "sport_rec")`` -> ``koos-sport-rec``."""
    return f"{instrument}-{subscale}".replace("_", "-")

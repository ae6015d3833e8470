"""The clinical assessment as data: urgency, red flags, ranked causes, referral, tests, reasons.

Every model here is a frozen pydantic model with a JSON round-trip
(``ClinicalAssessment.model_validate_json(a.model_dump_json()) == a``), so the report, the web
API, FHIR and a later ``kinchain analyze --intake`` all show the same explanation.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kinchain.clinical.rules.base import RuleResult, Urgency


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CauseId(StrEnum):
    """Cause categories the engine ranks."""

    kinetic_chain_mechanical = "kinetic_chain_mechanical"
    soft_tissue_injury = "soft_tissue_injury"
    inflammatory_arthritis = "inflammatory_arthritis"
    gout = "gout"
    lumbar_radiculopathy = "lumbar_radiculopathy"
    peripheral_neuropathy = "peripheral_neuropathy"
    fracture = "fracture"
    septic_arthritis = "septic_arthritis"
    dvt = "dvt"
    compartment_syndrome = "compartment_syndrome"
    acute_limb_ischaemia = "acute_limb_ischaemia"
    infection_or_malignancy = "infection_or_malignancy"
    pulmonary_embolism = "pulmonary_embolism"
    stroke_tia = "stroke_tia"
    cellulitis = "cellulitis"
    peripheral_arterial_disease = "peripheral_arterial_disease"
    rhabdomyolysis = "rhabdomyolysis"
    sickle_cell_crisis = "sickle_cell_crisis"
    infective_endocarditis = "infective_endocarditis"
    postoperative_complication = "postoperative_complication"
    pmr_gca = "pmr_gca"
    diabetic_foot = "diabetic_foot"


NOT_MUSCULOSKELETAL: frozenset[CauseId] = frozenset(
    {
        CauseId.dvt,
        CauseId.acute_limb_ischaemia,
        CauseId.pulmonary_embolism,
        CauseId.stroke_tia,
        CauseId.cellulitis,
        CauseId.peripheral_arterial_disease,
        CauseId.rhabdomyolysis,
        CauseId.sickle_cell_crisis,
        CauseId.infective_endocarditis,
        CauseId.postoperative_complication,
        CauseId.pmr_gca,
        CauseId.diabetic_foot,
    }
)
"""Causes outside the knee and ankle's joints, bones, tendons and nerves: a doctor for
something else (the leg-pain mimics)."""


CAUSE_LABELS: dict[CauseId, str] = {
    CauseId.kinetic_chain_mechanical: "Knee-driven mechanical compensation through the kinetic "
    "chain (overload of the knee/ankle)",
    CauseId.soft_tissue_injury: "Ligament sprain or soft-tissue injury",
    CauseId.inflammatory_arthritis: "Inflammatory arthritis (e.g. rheumatoid arthritis)",
    CauseId.gout: "Gout (crystal arthritis)",
    CauseId.lumbar_radiculopathy: "Sciatica / lumbar radiculopathy (incl. cauda equina)",
    CauseId.peripheral_neuropathy: "Peripheral neuropathy",
    CauseId.fracture: "Fracture or dislocation",
    CauseId.septic_arthritis: "Septic arthritis",
    CauseId.dvt: "Deep-vein thrombosis",
    CauseId.compartment_syndrome: "Acute compartment syndrome",
    CauseId.acute_limb_ischaemia: "Acute limb ischaemia (arterial)",
    CauseId.infection_or_malignancy: "Bone/spinal infection or malignancy",
    CauseId.pulmonary_embolism: "Pulmonary embolism (a clot in the lung)",
    CauseId.stroke_tia: "Stroke or transient ischaemic attack (mini-stroke)",
    CauseId.cellulitis: "Cellulitis or another skin and soft-tissue infection",
    CauseId.peripheral_arterial_disease: "Peripheral arterial disease (narrowed leg arteries)",
    CauseId.rhabdomyolysis: "Rhabdomyolysis (muscle breakdown)",
    CauseId.sickle_cell_crisis: "Sickle cell crisis",
    CauseId.infective_endocarditis: "Infective endocarditis (infection of the heart valves)",
    CauseId.postoperative_complication: "Complication of a recent operation",
    CauseId.pmr_gca: "Polymyalgia rheumatica or giant-cell arteritis",
    CauseId.diabetic_foot: "Diabetic foot problem (infection, ulcer or Charcot foot)",
}


class Specialist(StrEnum):
    """Where to go."""

    emergency_department = "emergency_department"
    same_day_care = "same_day_care"
    orthopaedics = "orthopaedics"
    physiotherapy = "physiotherapy"
    rheumatology = "rheumatology"
    neurology = "neurology"
    gp = "gp"
    self_care = "self_care"


SPECIALIST_LABELS: dict[Specialist, str] = {
    Specialist.emergency_department: "Emergency department now",
    Specialist.same_day_care: "Urgent same-day care (urgent care, GP same day, fracture or DVT "
    "clinic)",
    Specialist.orthopaedics: "Orthopaedist",
    Specialist.physiotherapy: "Physical therapist",
    Specialist.rheumatology: "Rheumatologist",
    Specialist.neurology: "Neurologist",
    Specialist.gp: "GP (family doctor)",
    Specialist.self_care: "Self-care with a review date",
}

Confidence = Literal["low", "moderate", "high"]
CONFIDENCE_RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}


class Reason(_Frozen):
    """One step of the reasoning: which rule, what it concluded, from which fields, citing what."""

    kind: Literal["red_flag", "rule", "urgency", "cause", "referral", "test", "assumption"]
    rule_id: str
    text: str
    fields: list[str] = Field(default_factory=list)
    citation: str = ""


class RedFlag(_Frozen):
    """A red flag that fired, with the urgency floor it sets."""

    rule_id: str
    name: str
    urgency: Urgency
    features: list[str]
    fields: list[str]
    action: str
    citation: str


class Evidence(_Frozen):
    """One piece of evidence for or against a cause."""

    id: str
    text: str
    status: Literal["present", "absent", "unknown"]
    weight: float = Field(description="Contribution to the cause's score (0 when unknown).")
    fields: list[str] = Field(default_factory=list)
    rule_id: str | None = None


class CauseAssessment(_Frozen):
    """A ranked cause category with the evidence for and against it.

    ``score`` counts known evidence only; ``score_lower``/``score_upper`` range over every unknown
    item. ``confidence`` is read from ``score_lower`` (so less information never raises it);
    ``likelihood`` from ``score``.
    """

    cause: CauseId
    label: str
    rank: int
    score: float
    score_lower: float
    score_upper: float
    likelihood: Literal["likely", "possible", "unlikely"]
    confidence: Confidence
    evidence_for: list[Evidence]
    evidence_against: list[Evidence]
    unknown: list[Evidence] = Field(description="Evidence items not yet known (ask or test).")


class Referral(_Frozen):
    """Who to see, how soon, and why."""

    specialist: Specialist
    label: str
    urgency: Urgency
    reason: str
    then: Specialist | None = Field(
        default=None, description="Specialist after the urgent assessment, by the top cause."
    )
    also_consider: list[Specialist] = Field(default_factory=list)
    review_after_days: int | None = Field(
        default=None, description="For self-care: review if not better after this many days."
    )
    review_date: date | None = None


class TestRecommendation(_Frozen):
    """A test that helps, and why."""

    id: str
    name: str
    priority: Literal["now", "same_day", "soon", "routine", "if_needed"]
    reason: str
    rule_id: str
    citation: str = ""


class Question(_Frozen):
    """Missing information: what to ask or test next, and why it matters."""

    field: str
    question: str
    why: str
    rule_ids: list[str]


class WhatWouldChange(_Frozen):
    """An unanswered question whose answer would raise the urgency: ask it first.

    ``urgency`` and ``destination`` are what the answer ``answer`` to ``field`` would lead to
    (from the same decision table as the assessment's own urgency and referral), ``because``
    names the red flag or condition it would reveal, in plain words.
    """

    field: str = Field(description="Intake field path, e.g. 'signs.warmth'.")
    question: str = Field(description="The question as a person reads it.")
    answer: str = Field(description="The answer that would change the result, e.g. 'yes'.")
    condition: str = Field(
        default="",
        description="That answer as a plain condition, e.g. 'the joint is warm or hot'.",
    )
    urgency: Urgency = Field(description="Urgency that answer would lead to.")
    destination: Specialist = Field(description="Where that answer would send the person.")
    because: str = Field(description="What it would reveal (red flag or condition), plainly.")
    rule_id: str = Field(description="The rule that would fire.")


class ClinicalAssessment(_Frozen):
    """The result of :func:`kinchain.clinical.assess`."""

    kinchain_version: str
    intake_schema_version: str
    urgency: Urgency
    urgency_meaning: str
    red_flags: list[RedFlag]
    causes: list[CauseAssessment]
    referral: Referral
    tests: list[TestRecommendation]
    reasons: list[Reason]
    ask_next: list[Question]
    assumptions: list[str]
    confidence: Confidence = Field(
        description="Highest cause confidence (read from worst-case scores over unknown items)."
    )
    rules: list[RuleResult] = Field(description="Every rule's full result.")
    disclaimer: str
    what_would_change: list[WhatWouldChange] = Field(
        default_factory=list,
        description="Unanswered questions whose answer would raise the urgency, most urgent "
        "first: ask these before anything else.",
    )
    urgency_statement: str = Field(
        default="",
        description="The decision in one or two plain sentences: how urgent, where to go and "
        "for what, and the conditions under which it would be more urgent. Never contradicts "
        "the urgency or the referral.",
    )
    not_musculoskeletal: bool = Field(
        default=False,
        description="The most likely cause is outside the knee and ankle's joints, bones, "
        "tendons and nerves (a leg-pain mimic such as a clot, an infection of the skin or an "
        "arterial problem): a doctor for something else.",
    )

    @property
    def top_cause(self) -> CauseAssessment:
        """The highest-ranked cause."""
        return self.causes[0]

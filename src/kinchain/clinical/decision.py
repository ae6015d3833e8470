"""One decision, stated once: the table that turns an urgency and the condition behind it into a
destination, and the plain sentences that say both.

Every output (CLI, JSON, report, web page, FHIR) reads the urgency, the destination and the
statement from here, so they cannot disagree:

* ``emergency``  -> the emergency department now;
* ``same_day``   -> same-day care (a GP the same day, urgent care, a DVT or fracture clinic);
* ``soon`` / ``routine`` -> the specialist of the condition that set the urgency, or of the most
  likely cause when that cause is at least *possible*; a GP when the cause is outside the knee and
  ankle (a leg-pain mimic) or when no cause has evidence for it;
* ``self_care`` -> self-care with a review date.

A destination is therefore never less urgent than the urgency (an emergency is never sent to a
physiotherapist), and never chosen for a cause ranked *unlikely*.
"""

from __future__ import annotations

from kinchain.clinical.result import (
    CAUSE_LABELS,
    NOT_MUSCULOSKELETAL,
    CauseAssessment,
    CauseId,
    Specialist,
)
from kinchain.clinical.rules.base import Urgency

CAUSE_SPECIALIST: dict[CauseId, Specialist] = {
    CauseId.kinetic_chain_mechanical: Specialist.physiotherapy,
    CauseId.soft_tissue_injury: Specialist.physiotherapy,
    CauseId.inflammatory_arthritis: Specialist.rheumatology,
    CauseId.gout: Specialist.gp,
    CauseId.lumbar_radiculopathy: Specialist.physiotherapy,
    CauseId.peripheral_neuropathy: Specialist.gp,
    CauseId.fracture: Specialist.orthopaedics,
    CauseId.septic_arthritis: Specialist.orthopaedics,
    CauseId.compartment_syndrome: Specialist.orthopaedics,
    CauseId.infection_or_malignancy: Specialist.orthopaedics,
    CauseId.stroke_tia: Specialist.neurology,
}
"""Specialist for a musculoskeletal cause at ``soon``/``routine`` urgency. Gout is managed in
primary care (NICE NG219: refer to rheumatology only when the diagnosis is uncertain or treatment
fails) and so is a length-dependent neuropathy (NICE CKS Diabetes - neuropathy; neurology when
atypical). The mimics go to a GP, except a TIA that has passed. Septic arthritis and compartment
syndrome reach this table only after the emergency department, as the specialty that takes
over."""

URGENCY_DESTINATION: dict[Urgency, Specialist] = {
    Urgency.emergency: Specialist.emergency_department,
    Urgency.same_day: Specialist.same_day_care,
    Urgency.self_care: Specialist.self_care,
}

URGENCY_PHRASE: dict[Urgency, str] = {
    Urgency.emergency: "Emergency: go to the emergency department now (or call an ambulance)",
    Urgency.same_day: "Urgent: be seen today (a GP the same day, urgent care, or a same-day "
    "clinic)",
    Urgency.soon: "Soon: be seen within days",
    Urgency.routine: "Routine: book an appointment",
    Urgency.self_care: "Self-care: look after it at home, with a review date",
}

IF_PHRASE: dict[Urgency, str] = {
    Urgency.emergency: "Go to the emergency department now if",
    Urgency.same_day: "Be seen today if",
    Urgency.soon: "Be seen within days if",
    Urgency.routine: "Book an appointment if",
}


def specialist_for(cause: CauseId) -> Specialist:
    """Specialist for a cause at ``soon``/``routine`` urgency (GP for the mimics, except a
    passed TIA: a neurologist or TIA clinic)."""
    if cause in NOT_MUSCULOSKELETAL and cause not in CAUSE_SPECIALIST:
        return Specialist.gp
    return CAUSE_SPECIALIST.get(cause, Specialist.gp)


def destination(
    urgency: Urgency,
    driver: CauseId | None,
    causes: list[CauseAssessment],
    orthopaedic_signs: bool = False,
) -> Specialist:
    """Where to go for ``urgency``.

    Parameters
    ----------
    urgency
        The decided urgency.
    driver
        The cause of the rule that set the urgency (a red flag or screen), if any.
    causes
        The ranked causes; the top one is used at ``soon``/``routine`` only when it is not
        *unlikely*.
    orthopaedic_signs
        The knee or ankle gives way, is locked or deformed: a mechanical or soft-tissue cause
        then goes to an orthopaedist rather than a physiotherapist.
    """
    if urgency in URGENCY_DESTINATION:
        return URGENCY_DESTINATION[urgency]
    if driver is not None:
        return specialist_for(driver)
    top = causes[0] if causes else None
    if top is None or top.likelihood == "unlikely":
        return Specialist.gp
    if orthopaedic_signs and top.cause in (
        CauseId.kinetic_chain_mechanical,
        CauseId.soft_tissue_injury,
    ):
        return Specialist.orthopaedics
    return specialist_for(top.cause)


def follow_on(
    urgency: Urgency, dest: Specialist, driver: CauseId | None, causes: list[CauseAssessment]
) -> Specialist | None:
    """After an emergency or same-day assessment: the specialist for what is most likely going
    on (the top cause when it is *likely*, else the condition that set the urgency, else the top
    cause, each only when it is not ranked unlikely); None when that is the same place or no
    cause has evidence."""
    if urgency not in (Urgency.emergency, Urgency.same_day):
        return None
    likelihood = {c.cause: c.likelihood for c in causes}
    top = causes[0] if causes else None
    if top is not None and top.likelihood == "likely":
        cause: CauseId | None = top.cause  # the most likely cause, once the alarm is excluded
    elif driver is not None and likelihood.get(driver) != "unlikely":
        cause = driver
    elif top is not None and top.likelihood != "unlikely":
        cause = top.cause
    else:
        cause = None
    if cause is None:
        return None
    nxt = specialist_for(cause)
    return None if nxt == dest else nxt


def cause_phrase(cause: CauseId) -> str:
    """A cause's label, lower-cased for use inside a sentence."""
    label = CAUSE_LABELS[cause]
    return label[0].lower() + label[1:]

"""Derived three-valued facts shared by several rules (fever from a measured temperature,
weight bearing, risk factors). Pure functions of the intake."""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import Tri, t_and, t_not, t_or


def fever(i: Intake) -> Tri:
    """Fever: reported, or a measured temperature >= 38.0 C."""
    temp = i.signs.temperature_c
    if temp is not None and temp >= 38.0:
        return True
    return answer(i.signs.fever)


def injury(i: Intake) -> Tri:
    """The pain followed an injury."""
    return answer(i.trauma.injury)


def unable_now(i: Intake) -> Tri:
    """Unable to take 4 weight-bearing steps at assessment."""
    return t_not(answer(i.function.bears_weight_4_steps))


def unable_immediately_and_now(i: Intake) -> Tri:
    """Unable to bear weight both immediately after the injury and at assessment (Ottawa E)."""
    return t_and(t_not(answer(i.trauma.bore_weight_immediately)), unable_now(i))


def has_site(i: Intake, *sites: str) -> bool:
    """Any of ``sites`` is among the painful sites (sites are always known)."""
    return any(s in i.pain.sites for s in sites)


def joint_site(i: Intake) -> bool:
    """A peripheral joint (knee, ankle, foot, toes, hip) is painful."""
    return has_site(i, "knee", "ankle", "foot", "toes", "hip")


def septic_risk_factor(i: Intake) -> Tri:
    """Any septic-arthritis risk factor (Coakley 2006): RA or OA, prosthetic joint, IV drug use,
    diabetes, recent intra-articular injection, skin ulcers, immunosuppression, alcohol."""
    h = i.history
    return t_or(
        answer(h.rheumatoid_arthritis),
        answer(h.osteoarthritis),
        answer(h.prosthetic_joint),
        answer(h.iv_drug_use),
        answer(h.diabetes),
        answer(h.recent_joint_injection),
        answer(h.skin_ulcer),
        answer(h.immunosuppression),
        answer(h.alcohol_excess),
    )


CRP_ULN_RANGE_MG_L = (5.0, 10.0)


def crp_raised(i: Intake) -> Tri:
    """CRP above the upper limit of normal: the laboratory's when given; otherwise above 10 mg/L
    is raised, 5 mg/L or less is normal, and in between is unknown (common ULNs are 5-10)."""
    crp = i.labs.crp_mg_l
    if crp is None:
        return None
    lo, hi = (
        (i.labs.crp_uln_mg_l, i.labs.crp_uln_mg_l)
        if i.labs.crp_uln_mg_l is not None
        else CRP_ULN_RANGE_MG_L
    )
    if crp > hi:
        return True
    if crp <= lo:
        return False
    return None


ESR_ULN_FLOOR_MM_H = 20.0


def esr_uln_range(i: Intake) -> tuple[float, float]:
    """ESR upper limit of normal (mm/h) as a range over what is unknown.

    Given by the laboratory: that value. Otherwise age/2 (men) or (age+10)/2 (women) (Miller
    1983 [R]), never below 20 mm/h (kinchain's floor, also used for children); with the age or
    the sex unknown, the range over every possible age (up to 120) and sex.
    """
    if i.labs.esr_uln_mm_h is not None:
        return i.labs.esr_uln_mm_h, i.labs.esr_uln_mm_h
    age, sex = i.demographics.age_years, i.demographics.sex
    ages = [age] if age is not None else [0.0, 120.0]
    sexes = [sex] if sex in ("male", "female") else ["male", "female"]
    values = [
        max(ESR_ULN_FLOOR_MM_H, a / 2 if s == "male" else (a + 10) / 2) for a in ages for s in sexes
    ]
    return min(values), max(values)


def esr_raised(i: Intake) -> Tri:
    """ESR above the upper limit of normal (None when that depends on an unknown age or sex)."""
    esr = i.labs.esr_mm_h
    if esr is None:
        return None
    lo, hi = esr_uln_range(i)
    if esr > hi:
        return True
    if esr <= lo:
        return False
    return None


def acute_phase_raised(i: Intake) -> Tri:
    """CRP or ESR abnormal."""
    return t_or(crp_raised(i), esr_raised(i))


def urate_mg_dl(i: Intake) -> float | None:
    """Serum urate in mg/dL (unit detected when not given)."""
    return i.labs.urate_mg_dl()[0]


def ankle_or_foot(i: Intake) -> bool:
    """Ankle, foot or toes are a painful site."""
    return has_site(i, "ankle", "foot", "toes")

"""Facts shared by the mimic screens (clot risk factors, age bands)."""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import Tri, t_or


def one_leg_swollen(i: Intake) -> Tri:
    """The calf or lower leg of one leg is swollen (not only a joint).

    Read from ``signs.leg_swelling``; when that is unanswered, a swelling reported in
    ``signs.swelling`` counts when the only painful sites are the calf or thigh (no joint) and
    the symptoms are on one side."""
    s = i.signs.leg_swelling
    if s != "unknown":
        return s == "one_leg"
    if (
        i.signs.swelling == "yes"
        and set(i.pain.sites) <= {"calf", "thigh"}
        and i.pain.side in ("left", "right")
    ):
        return True
    return None


def clot_risk(i: Intake) -> Tri:
    """Any patient-answerable risk factor for a venous clot (NICE NG158 / CKS DVT): recent
    major surgery or an operation on this leg, immobilisation or bed rest, a long journey,
    active cancer, pregnancy or a recent birth, the combined pill or HRT, a previous clot."""
    h, d = i.history, i.demographics
    return t_or(
        answer(h.recent_surgery_12_weeks),
        answer(h.surgery_on_this_leg_6_weeks),
        answer(h.bedridden_3_days),
        answer(h.leg_immobilised),
        answer(h.long_travel_4_weeks),
        answer(h.cancer_active),
        answer(d.pregnant),
        answer(d.gave_birth_6_weeks),
        answer(h.hormones),
        answer(h.previous_dvt),
        answer(i.trauma.in_cast_or_tight_dressing),
    )


CLOT_RISK_FIELDS: tuple[str, ...] = (
    "history.recent_surgery_12_weeks",
    "history.surgery_on_this_leg_6_weeks",
    "history.long_travel_4_weeks",
    "history.cancer_active",
    "history.previous_dvt",
    "history.hormones",
    "demographics.pregnant",
    "demographics.gave_birth_6_weeks",
    "history.bedridden_3_days",
    "history.leg_immobilised",
)


def age_50_or_more_or_unknown(i: Intake) -> bool:
    """Age 50 or over, or not known (so that an unknown age never hides an older person's
    condition)."""
    age = i.demographics.age_years
    return age is None or age >= 50

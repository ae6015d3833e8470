"""Red flag: bone or spinal infection, malignancy or metastatic cord compression.

Sources: NICE CKS Sciatica (lumbar radiculopathy), red flags [V, framing only]; NHS pathway pages
for spinal red flags [S]; NHS Gloucestershire knee pathway (malignancy: rapidly worsening deformity,
weight loss, constant or night pain, hard mass) [S].

kinchain's operationalisation: history of cancer with back pain and a new neurological deficit
(possible metastatic cord compression): emergency. Fever with back pain, or fever with
immunosuppression or IV drug use (possible spinal or bone infection): same day. History of cancer
with new back or night pain, unexplained weight loss with night pain, or a hard mass: urgent
suspected-cancer pathway (soon). Aged 60 or over with persistent (4 weeks or more) bone or back
pain and unexplained weight loss: soon (NICE NG12 (2015) Suspected cancer, myeloma: full blood
count, calcium, plasma viscosity or ESR, and very urgent protein electrophoresis [S]). A child
under 16 with fever and a painful leg who will not bear weight: emergency (possible septic
arthritis or osteomyelitis; NICE CKS Acute childhood limp: febrile limp needs same-day hospital
assessment [S]).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_ge, t_lt, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_infection_malignancy"
NAME = "infection or malignancy"
CITATION = (
    "NICE CKS Sciatica (lumbar radiculopathy): red flags; NHS spinal and knee pathway pages "
    "(NHS Gloucestershire knee pathway)."
)
EVIDENCE = "[S]; CKS framing [V]"


def evaluate(i: Intake) -> RuleResult:
    """Infection/malignancy red flag."""
    h, n = i.history, i.neuro
    back: Tri = F.has_site(i, "back")
    cancer = t_or(answer(h.cancer_history), answer(h.cancer_active))
    deficit = t_or(
        answer(n.new_leg_weakness), answer(n.foot_drop), answer(n.bilateral_leg_symptoms)
    )
    night = answer(i.pain.night_pain)
    items = [
        FlagItem(
            "cord_compression",
            "history of cancer, back pain and a new neurological "
            "deficit (metastatic cord compression)",
            t_and(cancer, back, deficit),
            Urgency.emergency,
            ("history.cancer_history", "neuro.new_leg_weakness"),
        ),
        FlagItem(
            "fever_back",
            "fever with back pain (spinal infection)",
            t_and(F.fever(i), back),
            Urgency.same_day,
            ("signs.fever", "pain.sites"),
        ),
        FlagItem(
            "fever_immunosuppressed",
            "fever with immunosuppression or IV drug use",
            t_and(F.fever(i), t_or(answer(h.immunosuppression), answer(h.iv_drug_use))),
            Urgency.same_day,
            ("signs.fever", "history.immunosuppression", "history.iv_drug_use"),
        ),
        FlagItem(
            "cancer_pain",
            "history of cancer with back or night pain",
            t_and(cancer, t_or(back, night)),
            Urgency.soon,
            ("history.cancer_history", "pain.night_pain"),
        ),
        FlagItem(
            "weight_loss_night_pain",
            "unexplained weight loss with night pain",
            t_and(answer(i.signs.unexplained_weight_loss), night),
            Urgency.soon,
            ("signs.unexplained_weight_loss", "pain.night_pain"),
        ),
        FlagItem(
            "child_fever_limp",
            "a child with fever and a painful leg who will not bear weight (bone or joint "
            "infection)",
            t_and(t_lt(i.demographics.age_years, 16), F.fever(i), F.unable_now(i)),
            Urgency.emergency,
            ("demographics.age_years", "signs.fever", "function.bears_weight_4_steps"),
        ),
        FlagItem(
            "older_bone_pain_weight_loss",
            "aged 60 or over with persistent bone or back pain and unexplained weight loss "
            "(myeloma or metastases)",
            t_and(
                t_ge(i.demographics.age_years, 60),
                answer(i.signs.unexplained_weight_loss),
                t_ge(i.pain.duration_days, 28),
            ),
            Urgency.soon,
            ("demographics.age_years", "signs.unexplained_weight_loss", "pain.duration_days"),
        ),
        FlagItem(
            "hard_mass",
            "hard mass near the bone or joint",
            answer(i.signs.hard_mass),
            Urgency.soon,
            ("signs.hard_mass",),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "FBC, ESR, CRP, calcium, myeloma screen; X-ray or MRI.",
    )

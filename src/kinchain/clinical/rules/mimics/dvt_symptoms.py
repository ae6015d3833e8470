"""Screen: deep-vein thrombosis from what a patient can say (no examination needed).

Sources: NICE NG158 (2020, updated 2023) Venous thromboembolic diseases: diagnosis, management and
thrombophilia testing, rec. 1.1.1 (assess for DVT in people with signs or symptoms) [V]; NICE CKS
Deep vein thrombosis (2024): symptoms (unilateral leg pain and swelling, tenderness, warmth,
redness) and risk factors (recent surgery, immobility, long-distance travel, active cancer,
pregnancy and the puerperium, combined oral contraceptive or HRT, previous VTE) [S]; NHS
"DVT (deep vein thrombosis)": throbbing or cramping pain in one leg, swelling, warm and red or
darkened skin; "ask for an urgent GP appointment or get help from NHS 111 if you think you have
DVT" [S].

kinchain's operationalisation: a swollen calf or lower leg on one side, or a painful, tender or
warm calf on one side with a clot risk factor, is a possible DVT needing a same-day assessment
(Wells score and a proximal leg-vein ultrasound; NG158 1.1.3-1.1.4). The clinician's two-level
Wells score (``wells_dvt``) still applies when the leg was examined.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and
from kinchain.clinical.rules.mimics._common import CLOT_RISK_FIELDS, clot_risk, one_leg_swollen
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_dvt"
NAME = "possible deep-vein thrombosis (clot in the leg)"
CAUSE = "dvt"
CITATION = (
    "NICE NG158 (2020) Venous thromboembolic diseases, rec. 1.1.1-1.1.4; NICE CKS Deep vein "
    "thrombosis; NHS 'DVT (deep vein thrombosis)'."
)
EVIDENCE = "[S] symptoms and risk factors (CKS, NHS); the same-day urgency follows NG158 1.1.3"


def evaluate(i: Intake) -> RuleResult:
    """DVT screen from patient-answerable items."""
    calf = answer(i.signs.calf_pain)
    items = [
        FlagItem(
            "one_leg_swollen",
            "one calf or lower leg swollen",
            one_leg_swollen(i),
            Urgency.same_day,
            ("signs.leg_swelling",),
        ),
        FlagItem(
            "calf_pain_risk",
            "painful, tender or warm calf with a clot risk factor",
            t_and(calf, clot_risk(i)),
            Urgency.same_day,
            ("signs.calf_pain", *CLOT_RISK_FIELDS),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Be seen today: Wells score and a leg-vein ultrasound (NICE NG158).",
        prefix="",
        assumed=["signs.leg_swelling"] if i.signs.leg_swelling == "unknown" else None,
    )

"""Red flag: cauda equina syndrome.

Sources: BMJ Best Practice, Cauda equina syndrome [V page]; NICE CKS Sciatica (lumbar
radiculopathy), "interpreting red flags" [V]; NHS Lothian RefHelp (bilateral or alternating
sciatica, or unilateral sciatica progressing to bilateral) [S].

Any of, new or worsening: bladder or bowel dysfunction; saddle (perianal/perineal/genital) numbness
or altered sensation; bilateral leg symptoms or motor weakness; sexual dysfunction. Emergency:
emergency department with emergency MRI of the lumbosacral spine (within 4 h of request in
hospital). Ask about perineal numbness explicitly: patients do not volunteer it. (kinchain
asks these questions next only with back pain or pain radiating from the back, and otherwise
asks about radiation first; the flag fires on the answers whatever the sites.)
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_cauda_equina"
NAME = "cauda equina syndrome"
CITATION = (
    "BMJ Best Practice: Cauda equina syndrome; NICE CKS Sciatica (lumbar radiculopathy): red "
    "flags; NHS Lothian RefHelp."
)
EVIDENCE = "features [V] (Best Practice, CKS); bilateral sciatica wording [S] (NHS Lothian)"


def evaluate(i: Intake) -> RuleResult:
    """Cauda equina red flag."""
    n = i.neuro
    e = Urgency.emergency
    items = [
        FlagItem(
            "bladder_bowel",
            "new bladder or bowel dysfunction",
            answer(n.bladder_or_bowel_dysfunction),
            e,
            ("neuro.bladder_or_bowel_dysfunction",),
        ),
        FlagItem(
            "saddle",
            "saddle (perineal) numbness",
            answer(n.saddle_numbness),
            e,
            ("neuro.saddle_numbness",),
        ),
        FlagItem(
            "bilateral",
            "bilateral leg symptoms or weakness",
            answer(n.bilateral_leg_symptoms),
            e,
            ("neuro.bilateral_leg_symptoms",),
        ),
        FlagItem(
            "sexual",
            "new sexual dysfunction",
            answer(n.sexual_dysfunction),
            e,
            ("neuro.sexual_dysfunction",),
        ),
    ]
    result = flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Emergency department: emergency MRI of the lumbosacral spine.",
    )
    spinal = "back" in i.pain.sites or i.pain.radiation_from_back == "yes"
    if result.outcome != "positive" and not spinal:
        # no back pain and no radiation from the back: ask about radiation first
        screen = ["pain.radiation_from_back"] if i.pain.radiation_from_back == "unknown" else []
        result = result.model_copy(update={"missing": screen})
    return result

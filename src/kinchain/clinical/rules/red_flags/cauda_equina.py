"""Red flag: cauda equina syndrome.

Sources: BMJ Best Practice, Cauda equina syndrome [V page]; NICE CKS Sciatica (lumbar
radiculopathy), "interpreting red flags" [V]; NHS Lothian RefHelp (bilateral or alternating
sciatica, or unilateral sciatica progressing to bilateral) [S].

Any of, new or worsening: bladder or bowel dysfunction; saddle (perianal/perineal/genital) numbness
or altered sensation; bilateral leg symptoms or motor weakness (not when known to be stable for
over 12 weeks); sexual dysfunction. Emergency:
emergency department with emergency MRI of the lumbosacral spine (within 4 h of request in
hospital). Ask about perineal numbness explicitly: patients do not volunteer it. (kinchain
asks these questions next only with back pain or pain radiating from the back, and otherwise
asks about radiation first; the flag fires on the answers whatever the sites.)
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
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
    # "recent onset or worsening": only long-standing (over 12 weeks), stable bilateral symptoms
    # (e.g. neurogenic claudication of spinal stenosis) are not counted; sciatica that has
    # spread to both legs within weeks is (the bilateral part may be new)
    days = i.pain.duration_days
    new_or_worse = t_or(days is None or days <= 84, answer(n.worsening_deficit))
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
            "new or worsening bilateral leg symptoms or weakness",
            t_and(answer(n.bilateral_leg_symptoms), new_or_worse),
            e,
            ("neuro.bilateral_leg_symptoms", "pain.duration_days", "neuro.worsening_deficit"),
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
        assumed=["pain.duration_days"] if days is None else None,
    )
    spinal = "back" in i.pain.sites or i.pain.radiation_from_back == "yes"
    if result.outcome != "positive" and not spinal:
        # no back pain and no radiation from the back: ask about radiation first
        screen = ["pain.radiation_from_back"] if i.pain.radiation_from_back == "unknown" else []
        result = result.model_copy(update={"missing": screen})
    return result

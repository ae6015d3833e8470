"""Red flag: Achilles tendon rupture.

Sources: NICE CKS Achilles tendinopathy (2020), "Suspect Achilles tendon rupture if there is
sudden pain in the back of the ankle or calf during activity, often with a 'snap' or a feeling of
being kicked; refer the same day (emergency department or orthopaedics)" [S]; NICE CKS Sprains
and strains: immediate referral to an emergency department for a suspected tendon rupture [S];
Maffulli N. Rupture of the Achilles tendon. J Bone Joint Surg Am 1999;81:1019-36 (a rupture is
missed at first presentation in up to a quarter of cases) [S].

kinchain's operationalisation: a sudden ankle injury during exertion (push-off, a lunge, a jump:
``trauma.mechanism = exertion``) rather than a twist is a possible Achilles rupture until
examined, an emergency (early treatment, within 48 hours, changes the outcome); a clinician's
suspected tendon rupture at the ankle counts too, and so do a pop or snap (or a feeling of being
kicked) at the ankle at the moment of injury and being unable to stand on tiptoe on that leg. A
sudden calf pain alone is more often a calf muscle strain and is not counted.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleResult,
    Tri,
    Urgency,
    not_applicable,
    t_and,
    t_not,
    t_or,
)
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_achilles_rupture"
NAME = "possible Achilles tendon rupture"
CITATION = (
    "NICE CKS Achilles tendinopathy (2020) and Sprains and strains; Maffulli N, J Bone Joint "
    "Surg Am 1999;81:1019-36."
)
EVIDENCE = "[S] (CKS); the mechanism-based reading is kinchain's"


def evaluate(i: Intake) -> RuleResult:
    """Achilles rupture red flag."""
    if not F.has_site(i, "ankle"):
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "no ankle pain (pain.sites)")
    mech = i.trauma.mechanism
    exertion: Tri = None if mech == "unknown" else mech == "exertion"
    onset = i.pain.onset
    sudden: Tri = None if onset == "unknown" else onset == "sudden"
    items = [
        FlagItem(
            "exertion_snap",
            "sudden ankle pain during exertion (push-off, lunge or jump), not a twist",
            t_and(F.injury(i), exertion, sudden),
            Urgency.emergency,
            ("trauma.mechanism", "pain.onset"),
        ),
        FlagItem(
            "snap_ankle",
            "a pop or snap, or a feeling of being kicked, at the ankle at the moment of injury",
            t_and(F.injury(i), answer(i.trauma.pop_or_snap)),
            Urgency.emergency,
            ("trauma.pop_or_snap",),
        ),
        FlagItem(
            "no_tiptoe",
            "cannot stand on tiptoe on the injured leg",
            t_and(F.injury(i), t_not(answer(i.function.can_stand_on_tiptoe))),
            Urgency.emergency,
            ("function.can_stand_on_tiptoe",),
        ),
        FlagItem(
            "suspected",
            "tendon rupture suspected on examination",
            t_and(F.injury(i), t_or(answer(i.exam.tendon_rupture_suspected))),
            Urgency.emergency,
            ("exam.tendon_rupture_suspected",),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Emergency department or orthopaedics today (Simmonds/Thompson calf-squeeze test).",
    )

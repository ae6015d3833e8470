"""Screen: diabetic foot problems (infected ulcer, gangrene, Charcot foot).

Sources: NICE NG19 (2015, updated 2019) Diabetic foot problems: prevention and management, rec.
1.1.3 (refer immediately to acute services a limb- or life-threatening problem: ulceration with
fever or sepsis, ulceration with limb ischaemia, suspected deep infection, gangrene) and 1.1.4
(refer within 1 working day any other active diabetic foot problem: ulceration, spreading
infection, critical limb ischaemia, gangrene, suspected Charcot arthropathy) and 1.3.1 (suspect
acute Charcot arthropathy with redness, warmth, swelling or deformity of the foot, especially
when the skin is intact, in a person with neuropathy) [V].

kinchain's operationalisation: in a person with diabetes, an ulcer or broken skin with fever or
feeling very unwell, or black skin, is an emergency; an ulcer that does not heal, or a red, warm,
swollen foot or ankle (possible Charcot foot or infection), needs the foot team within one working
day (same day).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_diabetic_foot"
NAME = "possible diabetic foot problem"
CAUSE = "diabetic_foot"
CITATION = "NICE NG19 (2015, updated 2019) Diabetic foot problems, rec. 1.1.3, 1.1.4, 1.3.1."
EVIDENCE = "[V] NG19 referral criteria"


def evaluate(i: Intake) -> RuleResult:
    """Diabetic foot screen."""
    dm = answer(i.history.diabetes)
    k, s = i.skin, i.signs
    foot = F.has_site(i, "foot", "ankle", "toes")
    wound = t_or(answer(k.ulcer_not_healing), answer(k.broken_skin))
    unwell = t_or(F.fever(i), answer(i.general.very_unwell))
    hot_foot = t_and(foot, t_or(answer(s.warmth), answer(s.redness)), answer(s.swelling))
    items = [
        FlagItem(
            "ulcer_systemic",
            "diabetes with a foot wound and fever or feeling very unwell",
            t_and(dm, wound, unwell),
            Urgency.emergency,
            ("history.diabetes", "skin.ulcer_not_healing", "skin.broken_skin", "signs.fever"),
        ),
        FlagItem(
            "gangrene",
            "diabetes with black skin on the foot",
            t_and(dm, answer(k.skin_turning_black)),
            Urgency.emergency,
            ("history.diabetes", "skin.skin_turning_black"),
        ),
        FlagItem(
            "ulcer",
            "diabetes with a foot wound or ulcer that does not heal",
            t_and(dm, answer(k.ulcer_not_healing)),
            Urgency.same_day,
            ("history.diabetes", "skin.ulcer_not_healing"),
        ),
        FlagItem(
            "hot_foot",
            "diabetes with a red or warm, swollen foot or ankle (Charcot foot or infection)",
            t_and(dm, hot_foot),
            Urgency.same_day,
            ("history.diabetes", "signs.warmth", "signs.swelling"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Diabetic foot team within one working day; emergency department if unwell or with "
        "black skin (NICE NG19).",
        prefix="",
    )

"""Red flag: neurovascular compromise of the leg.

Source: kinchain RULES.md section 3 (cold, pale, pulseless or numb distal limb; new motor deficit:
emergency). Interpreted here as: a cold or pale foot, absent foot pulses, or new numbness or
weakness of the foot after an injury or in a cast. Without an injury a cold or pulseless foot is
screened as an arterial problem (``screen_arterial``: acute ischaemia is an emergency there too),
new weakness by the foot-drop, cauda equina and stroke screens.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_neurovascular"
NAME = "neurovascular compromise"
CITATION = "kinchain RULES.md section 3 (neurovascular compromise: emergency)."
EVIDENCE = "[S] (section 3 table; no primary source named)"


def evaluate(i: Intake) -> RuleResult:
    """Neurovascular red flag."""
    v = i.vascular
    e = Urgency.emergency
    ctx = t_or(answer(i.trauma.injury), answer(i.trauma.in_cast_or_tight_dressing))
    items = [
        FlagItem(
            "cold_pale",
            "cold, pale or blue foot after an injury or in a cast",
            t_and(ctx, answer(v.foot_cold_or_pale)),
            e,
            ("vascular.foot_cold_or_pale",),
        ),
        FlagItem(
            "pulseless",
            "absent foot pulses after an injury or in a cast",
            t_and(ctx, answer(v.foot_pulses_absent)),
            e,
            ("vascular.foot_pulses_absent",),
        ),
        FlagItem(
            "numb_after_injury",
            "new numbness or weakness of the foot after injury or in a cast",
            t_and(ctx, t_or(answer(i.pain.numbness), answer(i.neuro.new_leg_weakness))),
            e,
            ("trauma.injury", "pain.numbness", "neuro.new_leg_weakness"),
        ),
    ]
    return flag_result(RULE_ID, NAME, CITATION, EVIDENCE, items, "Emergency department now.")

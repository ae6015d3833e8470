"""Red flag: acute foot drop or deteriorating radiculopathy with weakness.

Source: NHS Lothian RefHelp, sciatica pathway: discuss acute foot drop, or deteriorating
radiculopathy with motor power <= 3/5, with on-call spinal surgery/neurosurgery the same day [S].

Items: new foot drop (same day); new leg weakness that is getting worse (emergency: a progressing
deficit needs an opinion at once, "early opinion is considered essential", NHS Lothian; the intake
does not grade power, so any worsening new weakness counts).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_foot_drop"
NAME = "acute foot drop or progressive weakness"
CITATION = "NHS Lothian RefHelp: sciatica / acute foot drop."
EVIDENCE = "[S]"


def evaluate(i: Intake) -> RuleResult:
    """Foot-drop red flag."""
    n = i.neuro
    u = Urgency.same_day
    items = [
        FlagItem("foot_drop", "new foot drop", answer(n.foot_drop), u, ("neuro.foot_drop",)),
        FlagItem(
            "progressive_weakness",
            "new leg weakness that is getting worse",
            t_and(answer(n.new_leg_weakness), answer(n.worsening_deficit)),
            Urgency.emergency,
            ("neuro.new_leg_weakness", "neuro.worsening_deficit"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Same day: discuss with on-call spinal surgery; MRI.",
    )

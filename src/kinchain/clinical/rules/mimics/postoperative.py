"""Screen: complication of a recent operation on the leg (wound infection, clot, a hot
replaced joint).

Sources: NICE NG125 (2019) Surgical site infections: prevention and treatment (signs: redness,
warmth, swelling, discharge, wound breakdown, fever) [S]; NHS "Knee replacement: recovery" and
"Hip replacement: risks": contact the surgical team or GP urgently for a red, hot, leaking wound,
fever, or a painful swollen calf [S]; NICE NG158 (surgery as a clot risk factor) [V].

kinchain's operationalisation: after an operation on the painful leg in the last 6 weeks, a
fever (38 C or more, shivering) or feeling very unwell is an emergency (hospital trusts' joint
replacement leaflets: go to A&E); a wound that is red, hot, leaking or opening without them needs
the surgical team or urgent care the same day.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_postoperative"
NAME = "possible complication of a recent operation"
CAUSE = "postoperative_complication"
CITATION = (
    "NICE NG125 (2019) Surgical site infections; NHS 'Knee replacement: recovery' and 'Hip "
    "replacement: risks'; NICE NG158."
)
EVIDENCE = "[S] features and urgency (NICE NG125, NHS)"


def evaluate(i: Intake) -> RuleResult:
    """Post-operative screen."""
    op = t_or(answer(i.history.surgery_on_this_leg_6_weeks), answer(i.skin.wound_problem))
    items = [
        FlagItem(
            "op_unwell",
            "recent operation with fever or feeling very unwell",
            t_and(op, t_or(F.fever(i), answer(i.general.very_unwell))),
            Urgency.emergency,
            ("history.surgery_on_this_leg_6_weeks", "signs.fever", "general.very_unwell"),
        ),
        FlagItem(
            "op_wound",
            "a red, hot, leaking or opening wound after an operation",
            t_and(op, answer(i.skin.wound_problem)),
            Urgency.same_day,
            ("history.surgery_on_this_leg_6_weeks", "skin.wound_problem"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Contact the surgical team or urgent care today.",
        prefix="",
    )

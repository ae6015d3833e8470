"""Red flag: fracture, dislocation, deformity.

Source: kinchain RULES.md section 3 (drawing on the Ottawa and Pittsburgh rules, section 1): gross
deformity, an open wound over a fracture, or a dislocation is an emergency; inability to bear weight
after trauma, or a positive Ottawa/Pittsburgh rule, needs a same-day X-ray. Knee-specific items
(NHS Gloucestershire knee pathway [S]): traumatic patellar dislocation is an emergency.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules import ottawa_ankle, ottawa_knee, pittsburgh_knee
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_fracture_dislocation"
NAME = "fracture, dislocation or deformity"
CITATION = (
    "Stiell IG et al. JAMA 1993;269:1127-32 (Ottawa ankle); Stiell IG et al. Ann Emerg Med "
    "1995;26:405-13 (Ottawa knee); Seaberg DC, Jackson R. Am J Emerg Med 1994;12:541-3 "
    "(Pittsburgh); kinchain RULES.md section 3."
)
EVIDENCE = "[S] (see the imaging rules' own tags)"


def evaluate(i: Intake) -> RuleResult:
    """Fracture/dislocation red flag."""
    inj = F.injury(i)
    t = i.trauma
    e, u = Urgency.emergency, Urgency.same_day
    imaging = [
        ottawa_ankle.evaluate_ankle(i),
        ottawa_ankle.evaluate_midfoot(i),
        ottawa_knee.evaluate(i),
        pittsburgh_knee.evaluate(i),
    ]
    items = [
        FlagItem(
            "deformity",
            "visible deformity after trauma",
            t_and(inj, answer(i.signs.deformity)),
            e,
            ("trauma.injury", "signs.deformity"),
        ),
        FlagItem(
            "open_wound",
            "open wound over the injury (open fracture)",
            t_and(inj, answer(t.open_wound_over_injury)),
            e,
            ("trauma.open_wound_over_injury",),
        ),
        FlagItem(
            "dislocation",
            "suspected dislocation",
            answer(t.dislocation_suspected),
            e,
            ("trauma.dislocation_suspected",),
        ),
        FlagItem(
            "non_weight_bearing",
            "unable to bear weight (4 steps) after trauma",
            t_and(inj, F.unable_now(i)),
            u,
            ("trauma.injury", "function.bears_weight_4_steps"),
        ),
    ]
    for r in imaging:
        if r.positive:
            items.append(
                FlagItem(r.rule_id, f"{r.name} positive (X-ray)", True, u, tuple(r.fields))
            )
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "X-ray; emergency department for deformity, open wound or dislocation.",
    )

"""Red flag: fracture, dislocation, deformity.

Source: kinchain RULES.md section 3 (drawing on the Ottawa and Pittsburgh rules, section 1): gross
deformity, an open wound over a fracture, or a dislocation is an emergency; inability to bear weight
after trauma, or a positive Ottawa/Pittsburgh rule, needs a same-day X-ray. Knee-specific items
(NHS Gloucestershire knee pathway [S]): traumatic patellar dislocation is an emergency.

Also an emergency: a high-energy or crush injury (NICE NG39 (2016) Major trauma: assessment and
initial management, triage by mechanism [S]), and an older person (65 or over) unable to bear
weight after a fall (NICE CG124 (2011) Hip fracture: suspected hip or proximal femur fracture
[S]; NICE CKS Sprains and strains: immediate referral to an emergency department for a suspected
fracture [S]). A dislocation that has gone back by itself (the person bears weight, no deformity)
needs the fracture clinic the same day (NHS Gloucestershire knee pathway [S]).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules import ottawa_ankle, ottawa_knee, pittsburgh_knee
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_ge
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
    mech = t.mechanism
    high_energy: Tri = None if mech == "unknown" else mech in ("high_energy", "crush")
    fall: Tri = None if mech == "unknown" else mech in ("blunt_or_fall", "high_energy")
    relocated: Tri = (
        None
        if i.function.bears_weight_4_steps == "unknown"
        else i.function.bears_weight_4_steps == "yes" and i.signs.deformity != "yes"
    )
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
            "suspected dislocation, still out or with the leg unusable",
            t_and(answer(t.dislocation_suspected), relocated is not True),
            e,
            ("trauma.dislocation_suspected", "function.bears_weight_4_steps"),
        ),
        FlagItem(
            "dislocation_relocated",
            "a dislocation that has gone back (weight bearing, no deformity)",
            t_and(answer(t.dislocation_suspected), relocated),
            u,
            ("trauma.dislocation_suspected",),
        ),
        FlagItem(
            "high_energy",
            "high-energy or crush injury (a fall from a height, a road accident)",
            t_and(inj, high_energy),
            e,
            ("trauma.mechanism",),
        ),
        FlagItem(
            "older_fall_non_weight_bearing",
            "aged 65 or over, unable to bear weight after a fall",
            t_and(inj, fall, t_ge(i.demographics.age_years, 65), F.unable_now(i)),
            e,
            ("demographics.age_years", "trauma.mechanism", "function.bears_weight_4_steps"),
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
        assumed=["function.bears_weight_4_steps"] if relocated is None else None,
    )

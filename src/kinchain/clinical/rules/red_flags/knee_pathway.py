"""Red flag: knee-specific urgent features (NHS Gloucestershire knee pathway [S]).

Hot, red, swollen knee with raised temperature (infection): emergency. Suspected quadriceps or
patellar tendon rupture (including inability to lift the straightened leg after an injury):
emergency. Locked knee, or an acute large effusion or haemarthrosis: urgent (same-day fracture or
trauma clinic). (Traumatic patellar dislocation is in the fracture/dislocation flag; the malignancy
features are in the infection/malignancy flag.)
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Urgency, not_applicable, t_and, t_not, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_knee"
NAME = "a serious knee problem"
CITATION = "NHS Gloucestershire knee pathway (urgent referral criteria)."
EVIDENCE = "[S]"


def evaluate(i: Intake) -> RuleResult:
    """Knee red flags."""
    if not F.has_site(i, "knee"):
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "no knee pain (pain.sites)")
    s = i.signs
    items = [
        FlagItem(
            "infected_knee",
            "hot, red, swollen knee with raised temperature",
            t_and(answer(s.warmth), answer(s.redness), answer(s.swelling), F.fever(i)),
            Urgency.emergency,
            ("signs.warmth", "signs.redness", "signs.swelling", "signs.fever"),
        ),
        FlagItem(
            "tendon_rupture",
            "suspected quadriceps or patellar tendon rupture",
            t_or(
                answer(i.exam.tendon_rupture_suspected),
                t_and(F.injury(i), t_not(answer(i.function.can_straight_leg_raise))),
            ),
            Urgency.emergency,
            ("exam.tendon_rupture_suspected", "function.can_straight_leg_raise"),
        ),
        FlagItem(
            "locked",
            "locked knee",
            answer(i.function.knee_locked),
            Urgency.same_day,
            ("function.knee_locked",),
        ),
        FlagItem(
            "effusion",
            "acute large effusion or haemarthrosis",
            t_or(
                answer(i.exam.large_effusion), t_and(F.injury(i), answer(s.swelling_sudden_severe))
            ),
            Urgency.emergency,
            ("exam.large_effusion", "signs.swelling_sudden_severe"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Same-day fracture/trauma clinic for a locked knee; emergency department for infection, "
        "tendon rupture or a haemarthrosis.",
    )

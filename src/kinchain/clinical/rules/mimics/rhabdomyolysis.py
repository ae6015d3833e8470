"""Screen: rhabdomyolysis (muscle breakdown) and statin muscle symptoms.

Sources: NHS inform / NHS "Rhabdomyolysis": muscle pain, weakness and dark (tea- or cola-coloured)
urine after intense exercise, a fall or long lie, crush injury, or medicines such as statins;
go to A&E [S]; Cabral BMI et al. Rhabdomyolysis. Dis Mon 2020;66:101015 [S]; NICE CKS Statins
/ NICE NG238 (2023): muscle symptoms on a statin: measure creatine kinase [S].

kinchain's operationalisation: dark urine with muscle pain or weakness, strenuous exertion, a
long lie, a crush injury or a statin is an emergency (kidney injury); a long lie after a fall is
same-day; unexplained muscle pain or weakness on a statin is same-day (NHS: stop the statin and
contact a doctor or NHS 111 straight away; creatine kinase).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_rhabdomyolysis"
NAME = "possible muscle breakdown (rhabdomyolysis)"
CAUSE = "rhabdomyolysis"
CITATION = (
    "NHS 'Rhabdomyolysis'; Cabral BMI et al., Dis Mon 2020;66:101015; NICE NG238 (2023) "
    "statins and muscle symptoms."
)
EVIDENCE = "[S] features and urgency (NHS, review)"


def evaluate(i: Intake) -> RuleResult:
    """Rhabdomyolysis screen."""
    h, g = i.history, i.general
    crush = None if i.trauma.mechanism == "unknown" else i.trauma.mechanism == "crush"
    context = t_or(
        answer(g.muscle_pain_weakness),
        answer(h.strenuous_exercise),
        answer(h.long_lie),
        answer(h.statin),
        crush,
        None if i.trauma.mechanism == "unknown" else i.trauma.mechanism == "exertion",
    )
    items = [
        FlagItem(
            "dark_urine",
            "dark urine with muscle pain, exertion, a long lie or a statin",
            t_and(answer(g.dark_urine), context),
            Urgency.emergency,
            (
                "general.dark_urine",
                "general.muscle_pain_weakness",
                "history.strenuous_exercise",
                "history.long_lie",
                "history.statin",
            ),
        ),
        FlagItem(
            "long_lie",
            "lay on the floor for hours after a fall",
            answer(h.long_lie),
            Urgency.same_day,
            ("history.long_lie",),
        ),
        FlagItem(
            "statin_muscle",
            "muscle pain or weakness while taking a statin",
            t_and(answer(h.statin), answer(g.muscle_pain_weakness)),
            Urgency.same_day,
            ("history.statin", "general.muscle_pain_weakness"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Dark urine with muscle pain: emergency department now (kidney risk).",
        prefix="",
    )

"""Screen: polymyalgia rheumatica and giant-cell arteritis in people aged 50 and over.

Sources: Dasgupta B et al. BSR and BHPR guidelines for the management of polymyalgia rheumatica,
Rheumatology 2010;49:186-90, and the 2012 EULAR/ACR provisional classification criteria for PMR
(age >= 50, bilateral shoulder aching, morning stiffness > 45 minutes) [S]; Mackie SL et al.
British Society for Rheumatology guideline on diagnosis and treatment of giant cell arteritis,
Rheumatology 2020;59:e1-e23: suspected GCA (new headache, jaw claudication, visual symptoms,
scalp tenderness, age >= 50) needs urgent same-day specialist assessment and, with visual
symptoms, immediate ophthalmology review [S]; NICE CKS Giant cell arteritis and Polymyalgia
rheumatica [S].

kinchain's operationalisation (unknown age is treated as possibly 50 or over): a new headache or
jaw pain on chewing with sudden visual symptoms is an emergency (risk of blindness); with a new
headache or jaw pain alone, same day; shoulder and hip-girdle aching and stiffness without those,
a GP within days (blood tests before any steroid).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.mimics._common import age_50_or_more_or_unknown
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_pmr_gca"
NAME = "possible polymyalgia rheumatica or giant-cell arteritis"
CAUSE = "pmr_gca"
CITATION = (
    "Mackie SL et al. BSR guideline on giant cell arteritis, Rheumatology 2020;59:e1-e23; "
    "Dasgupta B et al. BSR/BHPR PMR guideline, Rheumatology 2010;49:186-90; NICE CKS."
)
EVIDENCE = "[S] features and urgency (BSR guidelines, CKS)"


def evaluate(i: Intake) -> RuleResult:
    """PMR/GCA screen."""
    g = i.general
    if not age_50_or_more_or_unknown(i):
        items: list[FlagItem] = []
    else:
        gca = t_or(answer(g.new_headache), answer(g.jaw_pain_chewing))
        items = [
            FlagItem(
                "gca_vision",
                "new headache or jaw pain with sudden visual symptoms",
                t_and(gca, answer(i.neuro.sudden_vision_or_balance_loss)),
                Urgency.emergency,
                (
                    "general.new_headache",
                    "general.jaw_pain_chewing",
                    "neuro.sudden_vision_or_balance_loss",
                ),
            ),
            FlagItem(
                "gca",
                "new headache or jaw pain on chewing (aged 50 or over)",
                gca,
                Urgency.same_day,
                ("general.new_headache", "general.jaw_pain_chewing"),
            ),
            FlagItem(
                "pmr",
                "aching and stiffness of both shoulders or hips (aged 50 or over)",
                answer(i.signs.shoulder_hip_girdle_stiffness),
                Urgency.soon,
                ("signs.shoulder_hip_girdle_stiffness",),
            ),
        ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Giant-cell arteritis needs steroids the same day (vision at risk); polymyalgia needs "
        "blood tests before treatment.",
        prefix="",
        assumed=["demographics.age_years"] if i.demographics.age_years is None else None,
    )

"""Screen: infective endocarditis presenting with fever and joint or leg pain.

Sources: Delgado V et al. 2023 ESC Guidelines for the management of endocarditis, Eur Heart J
2023;44:3948-4042 (suspect IE with fever and predisposing heart conditions or injecting drug
use; musculoskeletal symptoms such as arthralgia and back pain are common presenting features)
[S]; NICE CG64 (2008, updated 2016) Prophylaxis against infective endocarditis: "investigate
and treat promptly any episodes of infection in people at risk" [S]; NHS "Endocarditis": go to
A&E if you have a heart valve problem and symptoms of infection [S].

kinchain's operationalisation: fever with a heart-valve problem (valve disease, an artificial
valve, endocarditis before) or injecting drug use is an emergency, unless the person is known to
be neither very unwell nor breathless: then a doctor the same day (NHS: contact a GP as soon as
possible; blood cultures before any antibiotic).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_endocarditis"
NAME = "possible heart-valve infection (endocarditis)"
CAUSE = "infective_endocarditis"
CITATION = (
    "Delgado V et al. 2023 ESC Guidelines for the management of endocarditis, Eur Heart J "
    "2023;44:3948-4042; NICE CG64; NHS 'Endocarditis'."
)
EVIDENCE = "[S] risk groups and presentation (ESC 2023)"


def evaluate(i: Intake) -> RuleResult:
    """Endocarditis screen."""
    h = i.history
    risk = t_or(answer(h.heart_valve_disease), answer(h.iv_drug_use))
    g = i.general
    # unknown counts as possibly unwell: only a person known to be neither very unwell nor
    # breathless is sent to same-day care rather than the emergency department
    settled = g.very_unwell == "no" and g.breathless == "no"
    items = [
        FlagItem(
            "fever_valve_unwell",
            "fever with a heart-valve problem or injecting drug use",
            t_and(F.fever(i), risk, not settled),
            Urgency.emergency,
            (
                "signs.fever",
                "history.heart_valve_disease",
                "history.iv_drug_use",
                "general.very_unwell",
                "general.breathless",
            ),
        ),
        FlagItem(
            "fever_valve",
            "fever with a heart-valve problem or injecting drug use, not very unwell",
            t_and(F.fever(i), risk),
            Urgency.same_day,
            ("signs.fever", "history.heart_valve_disease", "history.iv_drug_use"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Emergency department now: blood cultures before antibiotics.",
        prefix="",
        assumed=None
        if settled or "yes" in (g.very_unwell, g.breathless)
        else ["general.very_unwell"],
    )

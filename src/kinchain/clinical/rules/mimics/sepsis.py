"""Screen: sepsis (a life-threatening reaction to an infection) in a person with leg pain.

Sources: NICE NG51 (2016, updated 2024) Suspected sepsis: recognition, diagnosis and early
management, high-risk criteria (new confusion or altered mental state, mottled or ashen skin,
cyanosis, not passed urine in 18 hours, very high breathing or heart rate) [V]; NHS "Sepsis":
call 999 for a person who is confused, has blue, pale or blotchy skin, or is very unwell [S].
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_sepsis"
NAME = "possible sepsis"
CAUSE = None
CITATION = "NICE NG51 (2016) Suspected sepsis, high-risk criteria; NHS 'Sepsis'."
EVIDENCE = "[V] NG51 high-risk criteria (patient-reported subset)"


def evaluate(i: Intake) -> RuleResult:
    """Sepsis screen."""
    items = [
        FlagItem(
            "very_unwell",
            "very unwell: confused, drowsy, shivering, mottled or blue skin, or hardly passing "
            "urine",
            answer(i.general.very_unwell),
            Urgency.emergency,
            ("general.very_unwell",),
        )
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Call an ambulance or go to the emergency department now.",
        prefix="",
    )

"""Screen: cellulitis and other skin and soft-tissue infections of the leg.

Sources: NICE NG141 (2019) Cellulitis and erysipelas: antimicrobial prescribing, rec. 1.1.1
(symptoms and signs: redness, swelling, warmth and pain of the skin; broken skin, diabetes and
lymphoedema as risk factors) and 1.1.8 (refer to hospital if severely unwell, with signs of
sepsis, rapidly deteriorating, or spreading fast) [V]; NICE NG51 (2016) Sepsis [V]; NHS
"Cellulitis": ask for an urgent GP appointment or NHS 111 for a painful, hot, swollen area of
skin; call 999 or go to A&E if it spreads quickly or with a high temperature, feeling hot and
shivery, or confusion [S].

kinchain's operationalisation: a spreading red, hot, painful area of skin on the leg needs
treatment today (same day); spreading fast, with fever, or with the person very unwell, it is an
emergency.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_cellulitis"
NAME = "possible cellulitis (skin infection)"
CAUSE = "cellulitis"
CITATION = "NICE NG141 (2019) rec. 1.1.1 and 1.1.8; NICE NG51 (2016); NHS 'Cellulitis'."
EVIDENCE = "[V] NG141 features and referral criteria; levels from NHS advice [S]"


def evaluate(i: Intake) -> RuleResult:
    """Cellulitis screen."""
    k = i.skin
    spreading = answer(k.redness_spreading)
    systemic = t_or(answer(k.spreading_fast), F.fever(i), answer(i.general.very_unwell))
    items = [
        FlagItem(
            "spreading_systemic",
            "spreading red, hot skin, spreading fast or with fever or feeling very unwell",
            t_and(spreading, systemic),
            Urgency.emergency,
            ("skin.redness_spreading", "skin.spreading_fast", "signs.fever", "general.very_unwell"),
        ),
        FlagItem(
            "spreading",
            "spreading red, hot, painful skin",
            spreading,
            Urgency.same_day,
            ("skin.redness_spreading",),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Needs antibiotics today; emergency department if spreading fast or with fever.",
        prefix="",
    )

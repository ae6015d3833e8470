"""Screen: pulmonary embolism (and other chest emergencies) in a person with a painful leg.

Sources: NICE NG158 (2020) rec. 1.1.5-1.1.8 (suspected PE: symptoms such as chest pain,
breathlessness, haemoptysis; assess with the two-level PE Wells score and arrange CTPA
immediately) [V]; NICE CKS Pulmonary embolism (2024): "arrange emergency admission" for
suspected PE with haemodynamic instability, and same-day assessment otherwise [S]; NHS
"Pulmonary embolism": call 999 for sudden chest pain, breathlessness, coughing up blood, or
collapse, especially with a swollen painful leg [S].

kinchain's operationalisation: new or sudden breathlessness, chest pain, coughing up blood, or a
faint or collapse, in a person with leg symptoms, is an emergency: these are PE's presenting
features, and chest pain or collapse need an emergency department whatever the cause.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_pulmonary_embolism"
NAME = "possible pulmonary embolism (clot in the lung)"
CAUSE = "pulmonary_embolism"
CITATION = (
    "NICE NG158 (2020) rec. 1.1.5-1.1.8; NICE CKS Pulmonary embolism; NHS 'Pulmonary embolism'."
)
EVIDENCE = "[S] presenting features (CKS, NHS); emergency level kinchain's (NHS: call 999)"


def evaluate(i: Intake) -> RuleResult:
    """PE screen."""
    g, e = i.general, Urgency.emergency
    items = [
        FlagItem(
            "breathless",
            "new or sudden breathlessness",
            answer(g.breathless),
            e,
            ("general.breathless",),
        ),
        FlagItem("chest_pain", "chest pain", answer(g.chest_pain), e, ("general.chest_pain",)),
        FlagItem(
            "haemoptysis",
            "coughing up blood",
            answer(g.coughing_blood),
            e,
            ("general.coughing_blood",),
        ),
        FlagItem(
            "collapse",
            "fainted, collapsed or nearly fainted",
            answer(g.fainting),
            e,
            ("general.fainting",),
        ),
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

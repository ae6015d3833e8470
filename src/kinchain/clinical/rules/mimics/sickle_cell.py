"""Screen: sickle cell crisis presenting as leg or joint pain.

Sources: NICE CG143 (2012) Sickle cell disease: managing acute painful episodes in hospital
(analgesia within 30 minutes of arrival; assess for acute chest syndrome, infection) [V]; NHS
"Sickle cell disease": go to A&E for a temperature of 38C or above, chest pain or
breathlessness, pain not relieved by painkillers at home, or stroke symptoms; otherwise contact
the care team or NHS 111 during a painful episode [S]; NICE CKS Sickle cell disease: children with
fever need immediate assessment (functional asplenia) [S].

kinchain's operationalisation: pain in a person with sickle cell disease is same-day (their
care team or urgent care); with fever, chest symptoms, or pain that home painkillers do not
relieve, an emergency. A usual mild episode that home painkillers have eased, with fever, chest
pain and breathlessness known to be absent, is managed at home (NHS).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_ge, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_sickle_cell"
NAME = "possible sickle cell crisis"
CAUSE = "sickle_cell_crisis"
CITATION = "NICE CG143 (2012); NICE CKS Sickle cell disease; NHS 'Sickle cell disease'."
EVIDENCE = "[V] CG143 scope; [S] NHS levels"


def evaluate(i: Intake) -> RuleResult:
    """Sickle cell screen."""
    scd = answer(i.history.sickle_cell_disease)
    otc = i.function.rest_and_otc
    # pain that home painkillers eased is controlled, whatever its score was
    uncontrolled: Tri = (
        False
        if otc == "improved"
        else t_or(
            None if otc in ("unknown", "not_tried") else otc == "not_improved",
            t_ge(i.pain.severity_0_10, 8),
        )
    )
    serious = t_or(
        F.fever(i), answer(i.general.breathless), answer(i.general.chest_pain), uncontrolled
    )
    settled_at_home = otc == "improved" and serious is False
    items = [
        FlagItem(
            "scd_serious",
            "sickle cell disease with fever, chest symptoms or pain not relieved at home",
            t_and(scd, serious),
            Urgency.emergency,
            (
                "history.sickle_cell_disease",
                "signs.fever",
                "general.breathless",
                "function.rest_and_otc",
                "pain.severity_0_10",
            ),
        ),
        FlagItem(
            "scd_pain",
            "pain in a person with sickle cell disease",
            t_and(scd, not settled_at_home),
            Urgency.same_day,
            ("history.sickle_cell_disease",),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Contact the sickle cell team or urgent care today; emergency department with fever, "
        "chest symptoms or uncontrolled pain.",
        prefix="",
    )

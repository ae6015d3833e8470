"""Red flag: acute compartment syndrome.

Source: Donaldson J, Haddad B, Khan WS. The pathophysiology, diagnosis and current management of
acute compartment syndrome. Open Orthop J 2014;8:185-93 [S].

Context: trauma or a fracture, a tight cast or dressing, crush, or exertion. Earliest and most
sensitive signs: pain out of proportion to the injury, pain on passive stretch of the compartment's
muscles; a tense, "woody" compartment. (Pallor, pulselessness and paralysis are late.) Emergency:
remove casts and dressings, keep the limb at heart level, orthopaedics now. The fasciotomy threshold
(diastolic minus compartment pressure < 30 mmHg) is [S, low-quality source] and only quoted.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_compartment_syndrome"
NAME = "acute compartment syndrome"
CITATION = (
    "Donaldson J, Haddad B, Khan WS. The pathophysiology, diagnosis and current management of "
    "acute compartment syndrome. Open Orthop J 2014;8:185-93."
)
EVIDENCE = "[S]"

_CONTEXT_FIELDS = ("trauma.injury", "trauma.in_cast_or_tight_dressing", "trauma.mechanism")


def context(i: Intake) -> Tri:
    """Trauma, a cast or tight dressing, crush or exertion."""
    m = i.trauma.mechanism
    mech: Tri = True if m in ("crush", "exertion", "high_energy") else None
    return t_or(answer(i.trauma.injury), answer(i.trauma.in_cast_or_tight_dressing), mech)


def evaluate(i: Intake) -> RuleResult:
    """Compartment syndrome red flag."""
    ctx = context(i)
    e = Urgency.emergency
    items = [
        FlagItem(
            "out_of_proportion",
            "pain out of proportion to the injury",
            t_and(ctx, answer(i.pain.out_of_proportion)),
            e,
            (*_CONTEXT_FIELDS, "pain.out_of_proportion"),
        ),
        FlagItem(
            "passive_stretch",
            "pain on passive stretch of the compartment",
            t_and(ctx, answer(i.vascular.pain_on_passive_stretch)),
            e,
            (*_CONTEXT_FIELDS, "vascular.pain_on_passive_stretch"),
        ),
        FlagItem(
            "tense",
            "tense, woody compartment",
            t_and(ctx, answer(i.vascular.compartment_tense)),
            e,
            (*_CONTEXT_FIELDS, "vascular.compartment_tense"),
        ),
    ]
    result = flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Emergency: remove casts and dressings, limb at heart level, orthopaedics.",
    )
    if result.outcome != "positive" and ctx is not True:
        # no injury, cast, crush or exertion known: do not ask the signs next
        result = result.model_copy(update={"missing": []})
    return result

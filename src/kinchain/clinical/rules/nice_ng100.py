"""NICE NG100 (2018) rheumatoid arthritis in adults, rec. 1.1.1: referral for suspected persistent
synovitis.

Source: NICE guideline NG100 (2018), recommendation 1.1.1 [V, NICE page].

Refer any adult with suspected persistent synovitis of undetermined cause for a specialist
opinion. Refer urgently (even with a normal acute-phase response or negative anti-CCP/RF) if any
of: the small joints of the hands or feet are affected; more than one joint is affected; there
has been a delay of 3 months or more between the onset of symptoms and seeking medical advice.
Investigations must not delay referral.

kinchain's operationalisation: "persistent" is joint swelling for 6 weeks or more (the 2010
ACR/EULAR duration domain's cut); "undetermined cause" excludes swelling after an injury (other
causes, e.g. gout, are weighed by the engine, not excluded here). Urgent referral maps to
'soon', non-urgent to 'routine'.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Urgency,
    as_outcome,
    missing_of,
    not_applicable,
    t_and,
    t_ge,
    t_not,
    t_or,
)

RULE_ID = "nice_ng100"
NAME = "NICE NG100 referral for persistent synovitis"
CITATION = "NICE guideline NG100 (2018) Rheumatoid arthritis in adults: management, rec. 1.1.1."
EVIDENCE = "[V]; 'persistent' = >= 6 weeks is kinchain's reading"


def evaluate(i: Intake) -> RuleResult:
    """NICE NG100 referral rule."""
    age = i.demographics.age_years
    if age is not None and age < 18:
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "adults only (age < 18)")
    s = i.signs
    persistent = t_and(answer(s.swelling), t_ge(i.pain.duration_days, 42), t_not(F.injury(i)))
    small, large = s.small_joints_involved, s.large_joints_involved
    more_than_one = (
        t_ge((small or 0) + (large or 0), 2)
        if (small or 0) + (large or 0) >= 2 or (small is not None and large is not None)
        else None
    )
    items = [
        RuleItem(
            id="persistent_synovitis",
            label="persistent synovitis of undetermined cause (swelling >= 6 weeks, no injury)",
            fired=persistent,
            fields=["signs.swelling", "pain.duration_days", "trauma.injury"],
        ),
        RuleItem(
            id="small_joints",
            label="small joints of the hands or feet affected",
            fired=t_ge(small, 1),
            fields=["signs.small_joints_involved"],
        ),
        RuleItem(
            id="more_than_one",
            label="more than one joint affected",
            fired=more_than_one,
            fields=["signs.small_joints_involved", "signs.large_joints_involved"],
        ),
        RuleItem(
            id="delay_3_months",
            label="3 months or more from onset to seeking advice",
            fired=t_ge(i.history.symptom_onset_to_advice_days, 90),
            fields=["history.symptom_onset_to_advice_days"],
        ),
    ]
    urgent = t_and(persistent, t_or(*(it.fired for it in items[1:])))
    if urgent:
        outcome, level = "positive", Urgency.soon
        text = (
            "Urgent rheumatology referral (NICE NG100): "
            + ", ".join(it.label for it in items[1:] if it.fired)
            + ". Investigations must not delay it."
        )
    elif persistent:
        outcome, level = "positive", Urgency.routine
        text = "Refer for a specialist (rheumatology) opinion: persistent synovitis (NICE NG100)."
    elif persistent is False:
        outcome, level, text = "negative", None, "No persistent synovitis of undetermined cause."
    else:
        outcome, level = "indeterminate", None
        text = "Persistent synovitis not established; answer the missing items."
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        items=items,
        urgency=level,
        interpretation=text,
        missing=missing_of(items) if outcome != "negative" else [],
        applicability_unknown=["demographics.age_years"] if age is None else [],
    )

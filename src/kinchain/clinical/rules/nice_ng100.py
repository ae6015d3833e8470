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
'soon', non-urgent to 'routine'. What a patient can say counts: swollen feet or toes (other than
the big-toe joint alone) are small joints of the feet; swelling on both sides, or of two of knee,
ankle and hip, is more than one joint.

Also urgent (soon): a flare of known rheumatoid arthritis (NG100 rec. 1.9: rapid access to
specialist care for flares) and new swelling of more than one joint without an injury or fever
(NICE NG65 (2017) Spondyloarthritis, rec. 1.1.1: refer suspected new-onset inflammatory arthritis
urgently to rheumatology) [S].
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Tri,
    Urgency,
    as_outcome,
    missing_of,
    not_applicable,
    t_and,
    t_ge,
    t_lt,
    t_not,
    t_or,
)

RULE_ID = "nice_ng100"
NAME = "NICE NG100 referral for persistent synovitis"
CITATION = (
    "NICE guideline NG100 (2018) Rheumatoid arthritis in adults: management, rec. 1.1.1 and 1.9; "
    "NICE NG65 (2017) Spondyloarthritis, rec. 1.1.1."
)
EVIDENCE = "[V]; 'persistent' = >= 6 weeks is kinchain's reading"


def evaluate(i: Intake) -> RuleResult:
    """NICE NG100 referral rule."""
    age = i.demographics.age_years
    if age is not None and age < 18:
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "adults only (age < 18)")
    s = i.signs
    # an unknown injury does not block: joint swelling for 6 weeks or more is not assumed to be
    # an injury's
    persistent = t_and(answer(s.swelling), t_ge(i.pain.duration_days, 42), i.trauma.injury != "yes")
    small, large = s.small_joints_involved, s.large_joints_involved
    more_than_one = (
        t_ge((small or 0) + (large or 0), 2)
        if (small or 0) + (large or 0) >= 2 or (small is not None and large is not None)
        else None
    )
    swollen = answer(s.swelling)
    # what a patient can say: swollen feet or toes are small joints; both sides, or a knee and
    # an ankle, are more than one joint
    feet: Tri = True if F.has_site(i, "foot", "toes") and swollen is True else None
    several: Tri = (
        True
        if swollen is True
        and (i.pain.side == "both" or len({*i.pain.sites} & {"knee", "ankle", "hip"}) >= 2)
        else (False if small is not None and large is not None else None)
    )
    small_tri = t_or(t_ge(small, 1), t_and(feet, i.pain.first_mtp != "yes"))
    more_tri = t_or(more_than_one, several)
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
            fired=small_tri,
            fields=["signs.small_joints_involved", "pain.sites"],
        ),
        RuleItem(
            id="more_than_one",
            label="more than one joint affected",
            fired=more_tri,
            fields=["signs.small_joints_involved", "signs.large_joints_involved", "pain.side"],
        ),
        RuleItem(
            id="delay_3_months",
            label="3 months or more from onset to seeking advice",
            fired=t_ge(i.history.symptom_onset_to_advice_days, 90),
            fields=["history.symptom_onset_to_advice_days"],
        ),
    ]
    fever_free = i.signs.fever != "yes" and F.fever(i) is not True
    flare = t_and(answer(i.history.rheumatoid_arthritis), swollen) if fever_free else False
    new_oligo = (
        t_and(swollen, more_tri, t_not(F.injury(i)), t_lt(i.pain.duration_days, 42))
        if fever_free and (age is None or age >= 16)
        else False
    )
    items += [
        RuleItem(
            id="ra_flare",
            label="a flare of known rheumatoid arthritis (rapid specialist access, NG100 1.9)",
            fired=flare,
            fields=["history.rheumatoid_arthritis", "signs.swelling"],
        ),
        RuleItem(
            id="new_inflammatory",
            label="new swelling of more than one joint without an injury (suspected "
            "inflammatory arthritis, NICE NG65 1.1.1)",
            fired=new_oligo,
            fields=["signs.swelling", "signs.large_joints_involved", "trauma.injury"],
        ),
    ]
    urgent = t_or(t_and(persistent, t_or(*(it.fired for it in items[1:4]))), flare, new_oligo)
    if urgent:
        outcome, level = "positive", Urgency.soon
        text = (
            "Urgent rheumatology referral (NICE NG100): "
            + ", ".join(it.label for it in items if it.fired)
            + ". Investigations must not delay it."
        )
    elif persistent:
        outcome, level = "positive", Urgency.routine
        text = "Refer for a specialist (rheumatology) opinion: persistent synovitis (NICE NG100)."
    elif persistent is False and flare is not None and new_oligo is not None:
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

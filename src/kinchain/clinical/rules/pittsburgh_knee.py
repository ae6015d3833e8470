"""Pittsburgh knee rule (Seaberg & Jackson): does this knee injury need an X-ray now?

Source: Seaberg DC, Jackson R. Clinical decision rule for knee radiographs. Am J Emerg Med
1994;12(5):541-3. Comparison with the Ottawa knee rule: Seaberg DC et al., Ann Emerg Med
1998;32:8-13 (citation [R]).

Confidence of the encoding (RULES.md section 1.3): rule and exclusions [S] (four pages agree).
The exclusion "injury more than 6-7 days old" is read here as 7 days or more (kinchain's choice,
aligned with the Ottawa knee rule's "< 7 days").

Rule. Knee X-ray if the mechanism is blunt trauma or a fall AND any of: age < 12 or > 50 years;
inability to walk 4 weight-bearing steps at assessment. Exclusions: injury 7 or more days old,
isolated skin injury, previous surgery on that knee, reassessment of the same injury. The rule is
of no use under 12 (every child is X-rayed).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake
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
    t_gt,
    t_lt,
    t_or,
)

RULE_ID = "pittsburgh_knee"
NAME = "Pittsburgh knee rule"
CITATION = (
    "Seaberg DC, Jackson R. Clinical decision rule for knee radiographs. Am J Emerg Med "
    "1994;12(5):541-3."
)
EVIDENCE = "rule and exclusions [S]; 1998 comparison citation [R]"

BLUNT = ("blunt_or_fall", "direct_blow", "crush", "high_energy")


def _blunt(i: Intake) -> Tri:
    m = i.trauma.mechanism
    if m == "unknown":
        return None
    return m in BLUNT


def evaluate(i: Intake) -> RuleResult:
    """Apply the Pittsburgh knee rule."""
    inj = F.injury(i)
    days = i.trauma.days_since_injury
    reason: str | None = None
    if inj is not True:
        reason = (
            "no acute injury" if inj is False else "not known to follow an acute injury"
        ) + f" (trauma.injury = {i.trauma.injury})"
    elif not F.has_site(i, "knee"):
        reason = "no knee pain (pain.sites)"
    elif days is not None and days >= 7:
        reason = f"injury 7 or more days old (trauma.days_since_injury = {days:g})"
    else:
        for field, label in (
            ("isolated_skin_injury", "isolated skin injury"),
            ("previous_knee_surgery", "previous surgery on that knee"),
            ("reassessment_visit", "returning for reassessment"),
        ):
            if getattr(i.trauma, field) == "yes":
                reason = f"{label} (trauma.{field} = yes)"
                break
    if reason:
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, reason)
    notes: list[str] = []
    age = i.demographics.age_years
    unknown = [
        f"trauma.{f}"
        for f in ("isolated_skin_injury", "previous_knee_surgery", "reassessment_visit")
        if getattr(i.trauma, f) == "unknown"
    ]
    if days is None:
        unknown.append("trauma.days_since_injury")
    if age is not None and age < 12:
        notes.append(
            "Under 12 every child meets the age criterion: the rule does not discriminate."
        )
    items = [
        RuleItem(
            id="blunt_or_fall",
            label="mechanism: blunt trauma or a fall",
            fired=_blunt(i),
            fields=["trauma.mechanism"],
        ),
        RuleItem(
            id="age",
            label="age under 12 or over 50 years",
            fired=t_or(t_lt(age, 12), t_gt(age, 50)),
            fields=["demographics.age_years"],
        ),
        RuleItem(
            id="walk_4_steps",
            label="unable to walk 4 weight-bearing steps at assessment",
            fired=F.unable_now(i),
            fields=["function.bears_weight_4_steps"],
        ),
    ]
    truth = t_and(items[0].fired, t_or(items[1].fired, items[2].fired))
    outcome = "positive" if truth else "negative" if truth is False else "indeterminate"
    if outcome == "positive":
        text = (
            "Knee X-ray indicated by the Pittsburgh knee rule ("
            + ", ".join(it.label for it in items if it.fired)
            + ")."
        )
    elif outcome == "negative":
        text = "Knee X-ray not indicated by the Pittsburgh knee rule."
    else:
        text = "Pittsburgh knee rule: not decidable yet; answer the missing items."
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        threshold="blunt trauma or fall, and any one criterion",
        items=items,
        urgency=Urgency.same_day if outcome == "positive" else None,
        interpretation=text,
        missing=missing_of(items) if outcome == "indeterminate" else [],
        notes=notes,
        applicability_unknown=unknown,
    )

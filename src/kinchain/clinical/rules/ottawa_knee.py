"""Ottawa knee rule: does this acute knee injury need an X-ray now?

Sources: Stiell IG, Greenberg GH, Wells GA, et al. Derivation of a decision rule for the use of
radiography in acute knee injuries. Ann Emerg Med 1995;26(4):405-13; Stiell IG et al. Prospective
validation of a decision rule for the use of radiography in acute knee injuries. JAMA
1996;275(8):611-5. Pooled: Bachmann LM et al., Ann Intern Med 2004;140(2):121-4 [V].

Confidence of the encoding (RULES.md section 1.2): citations [S]; items [S] (five pages agree);
applicability (< 7 days; adults; children 2-16 per Bulloch et al. Ann Emerg Med 2003) [S].

Rule. Knee X-ray after an acute knee injury with any of: age >= 55; isolated tenderness of the
patella; tenderness at the head of the fibula; inability to flex the knee to 90 degrees; inability
to bear weight (4 steps) both immediately and at assessment.
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
    t_ge,
    t_not,
    t_or,
)

RULE_ID = "ottawa_knee"
NAME = "Ottawa knee rule"
CITATION = (
    "Stiell IG, Greenberg GH, Wells GA, et al. Derivation of a decision rule for the use of "
    "radiography in acute knee injuries. Ann Emerg Med 1995;26(4):405-13; Stiell IG et al. "
    "JAMA 1996;275(8):611-5."
)
EVIDENCE = "citations [S]; items [S]; applicability [S]"


def evaluate(i: Intake) -> RuleResult:
    """Apply the Ottawa knee rule."""
    notes: list[str] = []
    inj = F.injury(i)
    reason: str | None = None
    age = i.demographics.age_years
    days = i.trauma.days_since_injury
    if inj is not True:
        reason = (
            "no acute injury" if inj is False else "not known to follow an acute injury"
        ) + f" (trauma.injury = {i.trauma.injury})"
    elif not F.has_site(i, "knee"):
        reason = "no knee pain (pain.sites)"
    elif days is not None and days >= 7:
        reason = f"injury 7 or more days old (trauma.days_since_injury = {days:g})"
    elif age is not None and age < 2:
        reason = f"age under 2 years (demographics.age_years = {age:g})"
    if reason:
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, reason)
    if age is not None and age < 18:
        notes.append("Age under 18: validated in children aged 2-16 (Bulloch 2003) [S].")
    unknown: list[str] = []
    if days is None:
        notes.append("Time since injury unknown: applied as an acute (< 7 days) injury.")
        unknown.append("trauma.days_since_injury")
    if age is None:
        unknown.append("demographics.age_years")
    e, f = i.exam, i.function
    items = [
        RuleItem(
            id="age_55",
            label="age 55 or older",
            fired=t_ge(age, 55),
            fields=["demographics.age_years"],
        ),
        RuleItem(
            id="patella",
            label="isolated tenderness of the patella",
            fired=answer(e.tender_patella_isolated),
            fields=["exam.tender_patella_isolated"],
        ),
        RuleItem(
            id="fibular_head",
            label="tenderness at the head of the fibula",
            fired=answer(e.tender_fibular_head),
            fields=["exam.tender_fibular_head"],
        ),
        RuleItem(
            id="flex_90",
            label="unable to flex the knee to 90 degrees",
            fired=t_not(answer(f.can_flex_knee_90)),
            fields=["function.can_flex_knee_90"],
        ),
        RuleItem(
            id="weight_bearing",
            label="unable to bear weight immediately and at assessment (4 steps)",
            fired=F.unable_immediately_and_now(i),
            fields=["trauma.bore_weight_immediately", "function.bears_weight_4_steps"],
        ),
    ]
    truth = t_or(*(it.fired for it in items))
    outcome = "positive" if truth else "negative" if truth is False else "indeterminate"
    if outcome == "positive":
        text = (
            "Knee X-ray indicated by the Ottawa knee rule ("
            + ", ".join(it.label for it in items if it.fired)
            + ")."
        )
    elif outcome == "negative":
        text = "Knee X-ray not indicated by the Ottawa knee rule."
    else:
        text = "Ottawa knee rule: not decidable yet; answer the missing items."
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        threshold="any one criterion",
        items=items,
        urgency=Urgency.same_day if outcome == "positive" else None,
        interpretation=text,
        missing=missing_of(items) if outcome == "indeterminate" else [],
        notes=notes,
        applicability_unknown=unknown,
    )

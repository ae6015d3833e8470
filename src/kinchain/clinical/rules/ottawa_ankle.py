"""Ottawa ankle and midfoot (foot) rules: does this ankle or foot injury need an X-ray now?

Source: Stiell IG, Greenberg GH, McKnight RD, et al. Decision rules for the use of radiography in
acute ankle injuries: refinement and prospective validation. JAMA 1993;269(9):1127-32.
Pooled performance: Bachmann LM et al., BMJ 2003;326:417 (negative likelihood ratio 0.08).

Confidence of the encoding (see shared/clinical/RULES.md section 1.1): the citation is [V]; the
criteria are [S] (teaching pages and the RCEM learning page agree); the original exclusions are
[R] (recalled, unverified against the primary text); the extension to children from about 5 years
is [S] (Bachmann 2003 pooled children, [V] for the pooled figure).

Rule. Ankle X-ray only if pain in the malleolar zone and any of (A) bone tenderness at the
posterior edge or tip of the lateral malleolus, (B) the same at the medial malleolus, (E) unable to
bear weight (4 steps) both immediately and at assessment. Foot X-ray only if pain in the midfoot
zone and any of (C) bone tenderness at the base of the 5th metatarsal, (D) at the navicular, (E).
The rule is refused (not applicable, with the reason) outside its limits: no acute injury, injury
more than 10 days old, age under 5, pregnancy, isolated skin injury, reassessment, intoxication,
head injury, multiple trauma, reduced sensation in the leg.
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
    t_or,
)

RULE_ID = "ottawa_ankle"
RULE_ID_ANKLE = "ottawa_ankle"
RULE_ID_MIDFOOT = "ottawa_midfoot"
CITATION = (
    "Stiell IG, Greenberg GH, McKnight RD, et al. Decision rules for the use of radiography in "
    "acute ankle injuries: refinement and prospective validation. JAMA 1993;269(9):1127-32."
)
EVIDENCE = "citation [V]; criteria [S]; exclusions [R]; children >= 5 years [S]"

_E_FIELDS = ["trauma.bore_weight_immediately", "function.bears_weight_4_steps"]


def _exclusion(i: Intake) -> tuple[str | None, list[str], list[str]]:
    """(reason the rule does not apply, notes, exclusion fields left unknown)."""
    notes: list[str] = []
    unknown: list[str] = []
    inj = F.injury(i)
    if inj is not True:
        what = "no acute injury" if inj is False else "not known to follow an acute injury"
        return f"{what} (trauma.injury = {i.trauma.injury})", notes, unknown
    if not F.ankle_or_foot(i):
        return "no ankle or foot pain (pain.sites)", notes, unknown
    days = i.trauma.days_since_injury
    if days is not None and days > 10:
        return f"injury more than 10 days old (trauma.days_since_injury = {days:g})", notes, unknown
    age = i.demographics.age_years
    if age is not None and age < 5:
        return f"age under 5 years (demographics.age_years = {age:g})", notes, unknown
    if age is not None and age < 18:
        notes.append(
            "Age under 18: outside the original derivation; validated in children from "
            "about 5 years [S]."
        )
    if age is None:
        notes.append("Age unknown: applied as for an adult.")
        unknown.append("demographics.age_years")
    if days is None:
        notes.append("Time since injury unknown: applied as an acute (<= 10 days) injury.")
        unknown.append("trauma.days_since_injury")
    for field, label in (
        ("demographics.pregnant", "pregnancy"),
        ("trauma.isolated_skin_injury", "isolated skin injury"),
        ("trauma.reassessment_visit", "returning for reassessment"),
        ("trauma.intoxicated", "intoxication"),
        ("trauma.head_injury", "head injury"),
        ("trauma.multiple_trauma", "multiple trauma"),
        ("pain.numbness", "reduced sensation in the leg"),
        ("exam.hypoaesthesia_touch", "reduced sensation in the leg"),
    ):
        group, name = field.split(".")
        value = getattr(getattr(i, group), name)
        if value == "yes":
            return f"{label} ({field} = yes)", notes, unknown
        if value == "unknown":
            unknown.append(field)
    return None, notes, unknown


def _result(
    rule_id: str,
    name: str,
    items: list[RuleItem],
    notes: list[str],
    series: str,
    unknown: list[str],
) -> RuleResult:
    gate, *criteria = items
    truth = t_and(gate.fired, t_or(*(c.fired for c in criteria)))
    outcome = "positive" if truth else "negative" if truth is False else "indeterminate"
    if outcome == "positive":
        fired = ", ".join(c.label for c in criteria if c.fired)
        text = f"{series} X-ray indicated by the {name} ({fired})."
    elif outcome == "negative":
        text = f"{series} X-ray not indicated by the {name}."
    else:
        text = f"{name}: not decidable yet; answer the missing items."
    return RuleResult(
        rule_id=rule_id,
        name=name,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        threshold="zone pain and any one criterion",
        items=items,
        urgency=Urgency.same_day if outcome == "positive" else None,
        interpretation=text,
        missing=missing_of(items) if outcome == "indeterminate" else [],
        notes=notes,
        applicability_unknown=unknown,
    )


def evaluate_ankle(i: Intake) -> RuleResult:
    """Ottawa ankle rule: ankle X-ray series."""
    name = "Ottawa ankle rule"
    reason, notes, unknown = _exclusion(i)
    if reason:
        return not_applicable(RULE_ID_ANKLE, name, CITATION, EVIDENCE, reason)
    e = i.exam
    items = [
        RuleItem(
            id="malleolar_zone_pain",
            label="pain in the malleolar zone",
            fired=answer(e.malleolar_zone_pain),
            fields=["exam.malleolar_zone_pain"],
        ),
        RuleItem(
            id="A",
            label="bone tenderness, posterior edge or tip of the lateral malleolus",
            fired=answer(e.tender_lateral_malleolus),
            fields=["exam.tender_lateral_malleolus"],
        ),
        RuleItem(
            id="B",
            label="bone tenderness, posterior edge or tip of the medial malleolus",
            fired=answer(e.tender_medial_malleolus),
            fields=["exam.tender_medial_malleolus"],
        ),
        RuleItem(
            id="E",
            label="unable to bear weight immediately and at assessment (4 steps)",
            fired=F.unable_immediately_and_now(i),
            fields=_E_FIELDS,
        ),
    ]
    return _result(RULE_ID_ANKLE, name, items, notes, "Ankle", unknown)


def evaluate_midfoot(i: Intake) -> RuleResult:
    """Ottawa foot (midfoot) rule: foot X-ray series."""
    name = "Ottawa foot (midfoot) rule"
    reason, notes, unknown = _exclusion(i)
    if reason:
        return not_applicable(RULE_ID_MIDFOOT, name, CITATION, EVIDENCE, reason)
    e = i.exam
    items = [
        RuleItem(
            id="midfoot_zone_pain",
            label="pain in the midfoot zone",
            fired=answer(e.midfoot_zone_pain),
            fields=["exam.midfoot_zone_pain"],
        ),
        RuleItem(
            id="C",
            label="bone tenderness at the base of the 5th metatarsal",
            fired=answer(e.tender_fifth_metatarsal_base),
            fields=["exam.tender_fifth_metatarsal_base"],
        ),
        RuleItem(
            id="D",
            label="bone tenderness at the navicular",
            fired=answer(e.tender_navicular),
            fields=["exam.tender_navicular"],
        ),
        RuleItem(
            id="E",
            label="unable to bear weight immediately and at assessment (4 steps)",
            fired=F.unable_immediately_and_now(i),
            fields=_E_FIELDS,
        ),
    ]
    return _result(RULE_ID_MIDFOOT, name, items, notes, "Foot", unknown)

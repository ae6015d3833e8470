"""Red flag: septic arthritis of the hip in a child (Kocher criteria).

Sources: Kocher MS, Zurakowski D, Kasser JR. Differentiating between septic arthritis and transient
synovitis of the hip in children: an evidence-based clinical prediction algorithm. J Bone Joint
Surg Am 1999;81(12):1662-70; validation Kocher MS et al. J Bone Joint Surg Am 2004;86:1629-35.

Confidence of the encoding (RULES.md section 3): [S] (several pages agree); CRP > 2.0 mg/dL
(20 mg/L) as a substitute for ESR is [S]. The criteria apply only to children's hips; they are not
validated for adults or for the knee.

Predictors: non-weight-bearing; temperature > 38.5 C; ESR > 40 mm/h (or CRP > 20 mg/L); WBC >
12,000/mm3. Predicted probability of septic arthritis by number of predictors: 0 < 0.2%, 1 3%,
2 40%, 3 93.1%, 4 99.6%. kinchain's levels: >= 2 predictors emergency (paediatric emergency
department); 1 predictor same day (paediatric orthopaedics / ED assessment).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Urgency,
    as_outcome,
    count_range,
    missing_of,
    not_applicable,
    t_gt,
    t_or,
)

RULE_ID = "red_flag_kocher_hip"
NAME = "paediatric septic hip (Kocher criteria)"
CITATION = (
    "Kocher MS, Zurakowski D, Kasser JR. Differentiating between septic arthritis and transient "
    "synovitis of the hip in children. J Bone Joint Surg Am 1999;81(12):1662-70."
)
EVIDENCE = "[S]; CRP substitute [S]; urgency levels are kinchain's"

PROBABILITY = {0: "< 0.2%", 1: "3%", 2: "40%", 3: "93.1%", 4: "99.6%"}


def evaluate(i: Intake) -> RuleResult:
    """Kocher criteria for a child's painful hip."""
    age = i.demographics.age_years
    if not F.has_site(i, "hip"):
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "no hip pain (pain.sites)")
    if age is None or age >= 18:
        why = "age unknown" if age is None else f"adult (demographics.age_years = {age:g})"
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, f"children only: {why}")
    lab = i.labs
    crp = t_gt(lab.crp_mg_l, 20.0)
    items = [
        RuleItem(
            id="non_weight_bearing",
            label="non-weight-bearing",
            fired=F.unable_now(i),
            fields=["function.bears_weight_4_steps"],
        ),
        RuleItem(
            id="temperature",
            label="temperature > 38.5 C",
            fired=t_gt(i.signs.temperature_c, 38.5),
            fields=["signs.temperature_c"],
        ),
        RuleItem(
            id="esr_crp",
            label="ESR > 40 mm/h (or CRP > 20 mg/L)",
            fired=t_or(t_gt(lab.esr_mm_h, 40.0), crp),
            fields=["labs.esr_mm_h", "labs.crp_mg_l"],
        ),
        RuleItem(
            id="wbc",
            label="WBC > 12,000/mm3",
            fired=t_gt(lab.wbc_per_mm3, 12_000),
            fields=["labs.wbc_per_mm3"],
        ),
    ]
    items = [it.model_copy(update={"points": 1.0 if it.fired else 0.0}) for it in items]
    lo, hi = count_range(it.fired for it in items)
    if lo >= 2:
        outcome, level = "positive", Urgency.emergency
    elif lo == 1:
        outcome, level = "positive", Urgency.same_day
    elif hi == 0:
        outcome, level = "negative", None
    else:
        outcome, level = "indeterminate", None
    text = (
        f"Kocher predictors {lo} (up to {hi} with unknowns): predicted probability of septic "
        f"arthritis {PROBABILITY[lo]}."
    )
    if level is not None:
        text = f"RED FLAG {NAME}: " + "; ".join(it.label for it in items if it.fired) + ". " + text
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        score=float(lo),
        score_worst=float(lo),
        score_best=float(hi),
        threshold=">= 1 predictor (same day), >= 2 (emergency)",
        items=items,
        urgency=level,
        interpretation=text,
        missing=missing_of(items) if lo < 2 else [],
    )

"""Netherlands (Janssens) primary-care diagnostic rule for acute gouty arthritis.

Source: Janssens HJEM, Fransen J, van de Lisdonk EH, van Riel PLCM, van Weel C, Janssen M. A
diagnostic rule for acute gouty arthritis in primary care without joint fluid analysis. Arch Intern
Med 2010;170(13):1120-6. External validation: Kienhorst LBE et al., Rheumatology 2015;54(4):609-14.

Confidence of the encoding (RULES.md section 2.2): the variables, the urate cut-off 5.88 mg/dL and
the AUC 0.85 are [V]; the weights are [S] (BMC Musculoskelet Disord 2015 comparison table; they sum
to 13); the interpretation bands are [S]. (One teaching page gives redness 1.5 and onset 1.0 -
not used.)

Items: male sex 2; previous patient-reported arthritis attack 2; onset within 1 day 0.5; joint
redness 1; 1st MTP involved 2.5; hypertension or >= 1 cardiovascular disease 1.5; serum uric acid
> 5.88 mg/dL 3.5 (maximum 13). <= 4: gout unlikely; >= 8: gout likely; > 4 and < 8: synovial
fluid analysis advised. Applies to acute arthritis (a painful peripheral joint with swelling or
redness).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Tri,
    as_outcome,
    missing_of,
    not_applicable,
    t_gt,
    t_or,
)

RULE_ID = "netherlands_gout"
NAME = "Netherlands (Janssens) gout rule"
CITATION = (
    "Janssens HJEM, Fransen J, van de Lisdonk EH, et al. A diagnostic rule for acute gouty "
    "arthritis in primary care without joint fluid analysis. Arch Intern Med "
    "2010;170(13):1120-6."
)
EVIDENCE = "variables and urate cut-off [V]; weights and bands [S]"

URATE_CUTOFF_MG_DL = 5.88


def _onset(i: Intake) -> Tri:
    o = i.pain.onset
    sudden: Tri = True if o == "sudden" else False if o == "gradual" else None
    return t_or(answer(i.episode.max_pain_within_24h), sudden)


def evaluate(i: Intake) -> RuleResult:
    """Apply the Netherlands gout rule with a best/worst case over unknown items."""
    if not F.joint_site(i):
        return not_applicable(RULE_ID, NAME, CITATION, EVIDENCE, "no peripheral joint pain")
    arthritis = t_or(answer(i.signs.swelling), answer(i.signs.redness))
    if arthritis is not True:
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "no acute arthritis established (signs.swelling / signs.redness not 'yes')",
            missing=[] if arthritis is False else ["signs.swelling", "signs.redness"],
        )
    sex = i.demographics.sex
    male: Tri = True if sex == "male" else None if sex == "unknown" else False
    h = i.history
    spec: list[tuple[str, str, Tri, float, list[str]]] = [
        ("male", "male sex", male, 2.0, ["demographics.sex"]),
        (
            "previous_attack",
            "previous patient-reported arthritis attack",
            t_or(answer(i.episode.previous_arthritis_attack), answer(h.previous_gout)),
            2.0,
            ["episode.previous_arthritis_attack", "history.previous_gout"],
        ),
        (
            "onset_1_day",
            "onset within 1 day",
            _onset(i),
            0.5,
            ["episode.max_pain_within_24h", "pain.onset"],
        ),
        ("redness", "joint redness", answer(i.signs.redness), 1.0, ["signs.redness"]),
        ("mtp1", "1st MTP involved", answer(i.pain.first_mtp), 2.5, ["pain.first_mtp"]),
        (
            "hypertension_cvd",
            "hypertension or >= 1 cardiovascular disease",
            answer(h.hypertension_or_cvd),
            1.5,
            ["history.hypertension_or_cvd"],
        ),
        (
            "urate",
            "serum uric acid > 5.88 mg/dL",
            t_gt(F.urate_mg_dl(i), URATE_CUTOFF_MG_DL),
            3.5,
            ["labs.urate"],
        ),
    ]
    items = [
        RuleItem(id=a, label=b, fired=c, points=d if c else 0.0, fields=e) for a, b, c, d, e in spec
    ]
    score = sum(d for _, _, c, d, _ in spec if c is True)
    best = sum(d for _, _, c, d, _ in spec if c is not False)
    if score >= 8:
        outcome, text = "positive", f"Gout likely: {score:g}/13 (>= 8)."
    elif best <= 4:
        outcome, text = "negative", f"Gout unlikely: at most {best:g}/13 (<= 4)."
    elif score > 4 and best < 8:
        outcome = "indeterminate"
        text = f"Intermediate: {score:g}/13 (> 4 and < 8): synovial fluid analysis advised."
    else:
        outcome = "indeterminate"
        text = f"Netherlands gout rule {score:g} to {best:g}/13 over the unknown items."
    missing = missing_of(items)
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        score=score,
        score_best=best,
        score_worst=score,
        threshold="<= 4 unlikely; >= 8 likely",
        cutoff=8,
        lower_cutoff=4,
        items=items,
        interpretation=text,
        missing=missing if outcome == "indeterminate" else [],
    )

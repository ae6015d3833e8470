"""2010 ACR/EULAR classification criteria for rheumatoid arthritis.

Source: Aletaha D, Neogi T, Silman AJ, et al. 2010 Rheumatoid arthritis classification criteria: an
American College of Rheumatology/European League Against Rheumatism collaborative initiative.
Arthritis Rheum 2010;62(9):2569-81 (also Ann Rheum Dis 2010;69:1580-8).

Confidence of the encoding (RULES.md section 2.1): the table is [V] (PMC7945699 Table 2); the
low/high-positive bands (ULN, 3 x ULN) are [S]; the large-joint list is [V] except ankles [R]; the
small-joint list is [R]; the DIP/1st CMC/1st MTP exclusion is [S]. "1-3 small joints" scores 2
(not 3 as one infographic says).

Target population: at least one joint with definite clinical synovitis (swelling) not better
explained by another disease (the clinician answers exam.synovitis_better_explained;
while it is unknown the score is reported but not treated as certain). Score the highest
category of each domain; >= 6/10 is definite RA.
A: 1 large joint 0; 2-10 large 1; 1-3 small 2; 4-10 small 3; > 10 joints (>= 1 small) 5.
B: RF and ACPA negative 0; low-positive RF or ACPA 2; high-positive 3 (at least one test needed).
C: CRP and ESR normal 0; CRP or ESR abnormal 1 (at least one result needed).
D: symptoms < 6 weeks 0; >= 6 weeks 1.
Erosive disease typical of RA classifies as RA directly. Unknown items give a best/worst case;
the classification is positive only when the worst case reaches 6 and serology and an acute-phase
result are available.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    as_outcome,
    missing_of,
    not_applicable,
)

RULE_ID = "acr_eular_ra_2010"
NAME = "2010 ACR/EULAR rheumatoid arthritis criteria"
CITATION = (
    "Aletaha D, Neogi T, Silman AJ, et al. 2010 Rheumatoid arthritis classification criteria: an "
    "American College of Rheumatology/European League Against Rheumatism collaborative "
    "initiative. Arthritis Rheum 2010;62(9):2569-81."
)
EVIDENCE = "table [V]; ULN bands [S]; small-joint list and ankles as large joints [R]"

_SMALL_CANDIDATES = (0, 1, 3, 4, 10, 11, 60)
_LARGE_CANDIDATES = (0, 1, 2, 10, 11, 20)


def joint_points(small: int, large: int) -> int:
    """Domain A points for a count of involved small and large joints."""
    if small + large > 10 and small >= 1:
        return 5
    if 4 <= small <= 10:
        return 3
    if 1 <= small <= 3:
        return 2
    if 2 <= large <= 10:
        return 1
    return 0


def serology_category(value: float | None, uln: float | None) -> str | None:
    """'negative' (<= ULN), 'low_positive' (<= 3 x ULN), 'high_positive' (> 3 x ULN), or None."""
    if value is None or uln is None:
        return None
    if value <= uln:
        return "negative"
    if value <= 3 * uln:
        return "low_positive"
    return "high_positive"


_SERO_POINTS = {"negative": 0, "low_positive": 2, "high_positive": 3}


def evaluate(i: Intake) -> RuleResult:
    """Score the 2010 ACR/EULAR RA criteria with a best/worst case over unknown items."""
    s, lab = i.signs, i.labs
    syn = answer(s.swelling)
    if syn is False:
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "no joint with definite clinical synovitis (signs.swelling = no)",
        )
    if syn is None:
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "synovitis (joint swelling) not established (signs.swelling = unknown)",
            missing=["signs.swelling"],
        )
    if i.exam.synovitis_better_explained == "yes":
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "synovitis better explained by another disease (exam.synovitis_better_explained = yes)",
        )
    if lab.ra_erosions_xray == "yes":
        return RuleResult(
            rule_id=RULE_ID,
            name=NAME,
            citation=CITATION,
            evidence=EVIDENCE,
            applies=True,
            outcome="positive",
            cutoff=6,
            threshold=">= 6/10",
            items=[
                RuleItem(
                    id="erosions",
                    label="erosive disease typical of RA",
                    fired=True,
                    fields=["labs.ra_erosions_xray"],
                )
            ],
            interpretation="Classified as RA: erosive disease typical of RA (table footnote).",
        )
    small, large = s.small_joints_involved, s.large_joints_involved
    smalls = (small,) if small is not None else _SMALL_CANDIDATES
    larges = (large,) if large is not None else _LARGE_CANDIDATES
    a_vals = [joint_points(a, b) for a in smalls for b in larges if a + b >= 1]
    if not a_vals:
        a_vals = [0]
    a_known = small is not None and large is not None
    a_lo, a_hi = min(a_vals), max(a_vals)

    cats = [
        serology_category(lab.rf_iu_ml, lab.rf_uln_iu_ml),
        serology_category(lab.acpa_u_ml, lab.acpa_uln_u_ml),
    ]
    known = [c for c in cats if c is not None]
    b_lo = max((_SERO_POINTS[c] for c in known), default=0)
    b_hi = 3 if len(known) < 2 else b_lo
    serology_done = bool(known)

    apr = F.acute_phase_raised(i)
    apr_done = lab.crp_mg_l is not None or lab.esr_mm_h is not None
    c_lo = 1 if apr else 0
    c_hi = 0 if apr is False else 1

    d = i.pain.duration_days
    d_lo = 1 if d is not None and d >= 42 else 0
    d_hi = 0 if d is not None and d < 42 else 1

    items = [
        RuleItem(
            id="A_joints",
            label=f"joint involvement: {a_lo} point(s)"
            + ("" if a_known else f" (up to {a_hi} with unknown counts)"),
            fired=(a_lo > 0) if a_known else (True if a_lo > 0 else None),
            points=a_lo,
            fields=["signs.small_joints_involved", "signs.large_joints_involved"],
        ),
        RuleItem(
            id="B_serology",
            label="serology (RF/ACPA): "
            + (
                ", ".join(f"{n} {c}" for n, c in zip(("RF", "ACPA"), cats, strict=True) if c)
                or "not tested"
            ),
            fired=(b_lo > 0) if b_lo > 0 or b_hi == 0 else None,
            points=b_lo,
            fields=["labs.rf_iu_ml", "labs.acpa_u_ml"],
        ),
        RuleItem(
            id="C_acute_phase",
            label="CRP or ESR abnormal",
            fired=apr,
            points=c_lo,
            fields=["labs.crp_mg_l", "labs.esr_mm_h"],
        ),
        RuleItem(
            id="D_duration",
            label="symptoms for 6 weeks or more",
            fired=None if d is None else d >= 42,
            points=d_lo,
            fields=["pain.duration_days"],
        ),
    ]
    worst = a_lo + b_lo + c_lo + d_lo
    best = a_hi + b_hi + c_hi + d_hi
    notes: list[str] = []
    if not serology_done:
        notes.append("No RF or ACPA result: at least one serology test is needed to classify.")
    if not apr_done:
        notes.append("No CRP or ESR result: at least one acute-phase result is needed.")
    if worst >= 6 and serology_done and apr_done:
        outcome = "positive"
        text = f"Classified as definite RA: {worst:g}/10 (>= 6)."
    elif best < 6:
        outcome = "negative"
        text = f"Not classified as RA: at most {best:g}/10 (< 6)."
    else:
        outcome = "indeterminate"
        text = f"RA classification open: {worst:g} to {best:g}/10; complete the missing items."
    missing = missing_of(items)
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        score=worst,
        score_best=best,
        score_worst=worst,
        threshold=">= 6/10",
        cutoff=6,
        items=items,
        interpretation=text,
        missing=missing if outcome == "indeterminate" else [],
        notes=notes,
        applicability_unknown=(
            ["exam.synovitis_better_explained"]
            if i.exam.synovitis_better_explained == "unknown"
            else []
        ),
    )

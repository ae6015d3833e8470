"""DN4 (Douleur Neuropathique en 4 questions): is the pain neuropathic?

Source: Bouhassira D, Attal N, Alchaar H, et al. Comparison of pain syndromes associated with
nervous or somatic lesions and development of a new neuropathic pain diagnostic questionnaire
(DN4). Pain 2005;114(1-2):29-36.

Confidence of the encoding (RULES.md section 4.1): the citation is [R]; the ten items are [S]
(three sources agree); the cut-off >= 4/10 is [S]; the DN4-interview cut-off >= 3/7 is [R]. Real-
world accuracy is lower than the original (Timmerman 2017: sensitivity 75%, specificity 76% [V]).

Items (1 point each): burning; painful cold; electric shocks; tingling; pins and needles; numbness;
itching; hypoaesthesia to touch; hypoaesthesia to pinprick; pain caused or increased by brushing.
>= 4/10 suggests neuropathic pain. When no examination item is known the 7-item DN4-interview
(>= 3/7 [R]) is reported instead; the engine only counts the result as certain when the full DN4
is decided over every unknown item.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleItem, RuleResult, as_outcome, count_range, missing_of

RULE_ID = "dn4"
NAME = "DN4 neuropathic pain questionnaire"
CITATION = (
    "Bouhassira D, Attal N, Alchaar H, et al. Comparison of pain syndromes associated with "
    "nervous or somatic lesions and development of a new neuropathic pain diagnostic "
    "questionnaire (DN4). Pain 2005;114(1-2):29-36."
)
EVIDENCE = "citation [R]; items and >= 4/10 [S]; DN4-interview >= 3/7 [R]"

_ITEMS = (
    ("burning", "burning", "pain.character.burning"),
    ("painful_cold", "painful cold", "pain.character.painful_cold"),
    ("electric_shocks", "electric shocks", "pain.character.electric_shocks"),
    ("tingling", "tingling", "pain.tingling"),
    ("pins_and_needles", "pins and needles", "pain.pins_and_needles"),
    ("numbness", "numbness", "pain.numbness"),
    ("itching", "itching", "pain.itching"),
    ("hypoaesthesia_touch", "hypoaesthesia to touch", "exam.hypoaesthesia_touch"),
    ("hypoaesthesia_pinprick", "hypoaesthesia to pinprick", "exam.hypoaesthesia_pinprick"),
    ("brushing", "pain caused or increased by brushing", "exam.brushing_increases_pain"),
)


def _get(i: Intake, path: str) -> str:
    obj: object = i
    for part in path.split("."):
        obj = getattr(obj, part)
    return str(obj)


def evaluate(i: Intake) -> RuleResult:
    """Score DN4 (and DN4-interview) with a best/worst case over unknown items."""
    items = [
        RuleItem(
            id=a,
            label=b,
            fired=answer(_get(i, f)),  # type: ignore[arg-type]
            points=1.0 if _get(i, f) == "yes" else 0.0,
            fields=[f],
        )
        for a, b, f in _ITEMS
    ]
    lo, hi = count_range(it.fired for it in items)
    i_lo, i_hi = count_range(it.fired for it in items[:7])
    exam_unknown = all(it.fired is None for it in items[7:])
    notes: list[str] = []
    if lo >= 4:
        outcome, text = "positive", f"DN4 {lo}/10 (>= 4): suggests neuropathic pain."
    elif hi < 4:
        outcome, text = "negative", f"DN4 at most {hi}/10 (< 4): neuropathic pain not suggested."
    elif exam_unknown and i_lo >= 3:
        outcome = "positive"
        text = (
            f"DN4-interview {i_lo}/7 (>= 3 [R]) suggests neuropathic pain; examination items "
            "not done."
        )
        notes.append("Interview version only: its cut-off is [R] and its accuracy lower.")
    elif exam_unknown and i_hi < 3:
        outcome = "negative"
        text = f"DN4-interview at most {i_hi}/7 (< 3 [R]); examination items not done."
        notes.append("Interview version only: its cut-off is [R].")
    else:
        outcome, text = "indeterminate", f"DN4 {lo} to {hi}/10 over the unknown items."
    missing = missing_of(items)
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        score=float(lo),
        score_best=float(hi),
        score_worst=float(lo),
        threshold=">= 4/10 (DN4-interview >= 3/7)",
        cutoff=4,
        items=items,
        interpretation=text,
        missing=missing if outcome == "indeterminate" else [],
        notes=notes,
    )

"""2015 ACR/EULAR gout classification criteria, with a best/worst case over unknown items.

Source: Neogi T, Jansen TL, Dalbeth N, et al. 2015 Gout Classification Criteria: an American College
of Rheumatology/European League Against Rheumatism collaborative initiative. Arthritis Rheumatol
2015;67(10):2557-68, doi:10.1002/art.39254; Ann Rheum Dis 2015;74(10):1789-98,
doi:10.1136/annrheumdis-2015-208237.

Confidence of the encoding (RULES.md section 2.2): structure, maximum 23, threshold 8 and the
negative scores (-2 MSU-negative, -4 urate < 4 mg/dL) are [V]; the other point values are [S]
(four independent implementations agree).

Step 1 (entry): at least one episode of swelling, pain or tenderness in a peripheral joint or bursa.
Step 2 (sufficient): MSU crystals in a symptomatic joint, bursa or tophus classifies as gout.
Step 3: otherwise score; >= 8 classifies as gout. Items: ankle or midfoot episode without 1st MTP 1,
1st MTP involved 2; episode characteristics (erythema; can't bear touch; great difficulty walking)
1/2/3; time course, a typical episode having >= 2 of (max pain < 24 h, resolution <= 14 days,
complete resolution between episodes): one typical episode 1, recurrent 2; tophus 4; serum urate
< 4 mg/dL -4, 4 to < 6 0, 6 to < 8 2, 8 to < 10 3, >= 10 4; synovial fluid MSU-negative -2;
imaging urate deposition 4; gout erosion on X-ray 4.

``score`` applies the publication's reading (untested and unknown items score 0). ``score_best``
and ``score_worst`` range over every unknown item (including untested labs and imaging), and the
engine treats the classification as certain only when the worst case reaches 8. The "mono- or
oligoarticular" qualifier of the pattern item is not checked (the intake does not record the
joints of each episode).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Tri,
    as_outcome,
    count_range,
    missing_of,
    not_applicable,
    t_or,
)

RULE_ID = "acr_eular_gout_2015"
NAME = "2015 ACR/EULAR gout criteria"
CITATION = (
    "Neogi T, Jansen TL, Dalbeth N, et al. 2015 Gout Classification Criteria: an American College "
    "of Rheumatology/European League Against Rheumatism collaborative initiative. Arthritis "
    "Rheumatol 2015;67(10):2557-68. doi:10.1002/art.39254"
)
EVIDENCE = "structure, threshold 8, max 23 and negative scores [V]; other point values [S]"


def urate_points(mg_dl: float) -> int:
    """Serum urate domain points (mg/dL)."""
    if mg_dl < 4:
        return -4
    if mg_dl < 6:
        return 0
    if mg_dl < 8:
        return 2
    if mg_dl < 10:
        return 3
    return 4


def evaluate(i: Intake) -> RuleResult:
    """Apply the 2015 ACR/EULAR gout criteria."""
    if not F.joint_site(i):
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "entry criterion not met: no peripheral joint or bursa symptoms (pain.sites)",
        )
    lab = i.labs
    if lab.synovial_msu == "positive":
        return RuleResult(
            rule_id=RULE_ID,
            name=NAME,
            citation=CITATION,
            evidence=EVIDENCE,
            applies=True,
            outcome="positive",
            threshold=">= 8 (or MSU crystals)",
            cutoff=8,
            items=[
                RuleItem(
                    id="msu",
                    label="MSU crystals in a symptomatic joint or tophus (sufficient criterion)",
                    fired=True,
                    fields=["labs.synovial_msu"],
                )
            ],
            interpretation="Classified as gout: MSU crystals (sufficient criterion).",
        )
    items: list[RuleItem] = []
    lo = hi = score = 0.0

    def add(
        item_id: str,
        label: str,
        fired: Tri,
        pts_lo: float,
        pts_hi: float,
        pts: float,
        fields: list[str],
    ) -> None:
        nonlocal lo, hi, score
        lo += pts_lo
        hi += pts_hi
        score += pts
        items.append(RuleItem(id=item_id, label=label, fired=fired, points=pts, fields=fields))

    # pattern of joint involvement
    mtp = answer(i.pain.first_mtp)
    af = F.ankle_or_foot(i)
    if mtp is True:
        add("mtp1", "1st MTP involved", True, 2, 2, 2, ["pain.first_mtp"])
    elif af:
        p_hi = 2 if mtp is None else 1
        add(
            "ankle_midfoot",
            "ankle or midfoot episode without 1st MTP"
            + (" (1st MTP unknown)" if mtp is None else ""),
            True,
            1,
            p_hi,
            1,
            ["pain.sites", "pain.first_mtp"],
        )
    else:
        add("pattern", "no ankle, midfoot or 1st MTP involvement", False, 0, 0, 0, ["pain.sites"])

    # characteristics of episodes
    walk = t_or(answer(i.episode.great_difficulty_walking), F.unable_now(i))
    chars = [answer(i.signs.redness), answer(i.episode.cannot_bear_touch), walk]
    c_lo, c_hi = count_range(chars)
    add(
        "characteristics",
        "episode characteristics (erythema; can't bear touch or pressure; "
        f"great difficulty walking): {c_lo} of 3",
        (c_lo > 0) if c_lo == c_hi else (True if c_lo else None),
        c_lo,
        c_hi,
        c_lo,
        ["signs.redness", "episode.cannot_bear_touch", "episode.great_difficulty_walking"],
    )

    # time course
    e = i.episode
    t_lo, t_hi = count_range(
        [
            answer(e.max_pain_within_24h),
            answer(e.resolved_within_14_days),
            answer(e.complete_resolution_between),
        ]
    )
    typical: Tri = True if t_lo >= 2 else False if t_hi < 2 else None
    rec = answer(e.recurrent)
    if typical is True:
        tc_lo = 2 if rec is True else 1
        tc_hi = 1 if rec is False else 2
    elif typical is None:
        tc_lo, tc_hi = 0, (1 if rec is False else 2)
    else:
        tc_lo = tc_hi = 0
    add(
        "time_course",
        "typical episode(s): >= 2 of max pain < 24 h, resolution <= 14 days, "
        "complete resolution between episodes" + (" (recurrent)" if rec else ""),
        typical if typical is not True else True,
        tc_lo,
        tc_hi,
        tc_lo,
        [
            "episode.max_pain_within_24h",
            "episode.resolved_within_14_days",
            "episode.complete_resolution_between",
            "episode.recurrent",
        ],
    )

    # tophus
    tophus = answer(i.signs.tophus)
    add(
        "tophus",
        "tophus",
        tophus,
        4 if tophus else 0,
        0 if tophus is False else 4,
        4 if tophus else 0,
        ["signs.tophus"],
    )

    # serum urate
    mg = F.urate_mg_dl(i)
    if mg is None:
        add("urate", "serum urate not measured (scores 0)", None, -4, 4, 0, ["labs.urate"])
    else:
        up = urate_points(mg)
        add("urate", f"serum urate {mg:.2f} mg/dL: {up:+d}", up != 0, up, up, up, ["labs.urate"])

    # synovial fluid
    msu_neg = lab.synovial_msu == "negative"
    add(
        "msu_negative",
        "synovial fluid MSU-negative: -2",
        True if msu_neg else None,
        -2,
        -2 if msu_neg else 0,
        -2 if msu_neg else 0,
        ["labs.synovial_msu"],
    )

    # imaging
    for item_id, label, field in (
        ("imaging_urate", "urate deposition on ultrasound or DECT", "urate_deposition_imaging"),
        ("erosion", "gout-related erosion on X-ray", "gout_erosion_xray"),
    ):
        v = answer(getattr(lab, field))
        add(
            item_id,
            label,
            v,
            4 if v else 0,
            0 if v is False else 4,
            4 if v else 0,
            [f"labs.{field}"],
        )

    if score >= 8:
        outcome = "positive"
        text = f"Classified as gout: {score:g} points (>= 8)"
        text += "." if lo >= 8 else f"; worst case over unknown items {lo:g}."
    elif hi < 8:
        outcome = "negative"
        text = f"Not classified as gout: at most {hi:g} points (< 8)."
    else:
        outcome = "indeterminate"
        text = (
            f"Gout classification open: {score:g} points now, {lo:g} to {hi:g} over the "
            "unknown items; complete them (serum urate, aspiration, imaging)."
        )
    missing = missing_of(items)
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        score=score,
        score_best=hi,
        score_worst=lo,
        threshold=">= 8 (or MSU crystals)",
        cutoff=8,
        items=items,
        interpretation=text,
        missing=missing if outcome != "negative" else [],
    )

"""Two-level Wells score for deep-vein thrombosis (NICE NG158).

Sources: Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in the diagnosis of suspected
deep-vein thrombosis. N Engl J Med 2003;349:1227-35; NICE NG158 (2020) Venous thromboembolic
diseases: diagnosis, management and thrombophilia testing, rec. 1.1.1-1.1.6.

Confidence of the encoding (RULES.md section 3): the two-level score and the NG158 actions for a
"likely" score are [V]. For "unlikely" the RULES.md text says D-dimer then ultrasound if positive;
that NG158 wants the D-dimer result within 4 hours (hence same-day) is [R].

Items (1 point each): active cancer (treatment ongoing, within 6 months, or palliative); paralysis,
paresis or recent plaster immobilisation of the leg; bedridden >= 3 days or major surgery within 12
weeks; localised tenderness along the deep venous system; entire leg swollen; calf swelling >= 3 cm
more than the other side (10 cm below the tibial tuberosity); pitting oedema confined to the
symptomatic leg; collateral superficial (non-varicose) veins; previously documented DVT. Minus 2 if
an alternative diagnosis is at least as likely. >= 2: DVT likely; <= 1: DVT unlikely.
The score is only applied when DVT is clinically suspected: a leg sign item present, or a calf
circumference difference measured.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Urgency,
    as_outcome,
    missing_of,
    not_applicable,
    t_ge,
    t_or,
)

RULE_ID = "wells_dvt"
NAME = "Wells score for DVT (two-level)"
CITATION = (
    "Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in the diagnosis of suspected "
    "deep-vein thrombosis. N Engl J Med 2003;349:1227-35; NICE NG158 (2020)."
)
EVIDENCE = "score and 'likely' actions [V]; same-day D-dimer for 'unlikely' [R]"

CALF_CM = 3.0


def evaluate(i: Intake) -> RuleResult:
    """Apply the two-level Wells score when DVT is suspected."""
    e, h = i.exam, i.history
    signs = [
        answer(e.tender_deep_veins),
        answer(e.entire_leg_swollen),
        t_ge(e.calf_difference_cm, CALF_CM),
        answer(e.pitting_oedema_symptomatic_leg),
        answer(e.collateral_superficial_veins),
    ]
    if not (any(s is True for s in signs) or e.calf_difference_cm is not None):
        return not_applicable(
            RULE_ID,
            NAME,
            CITATION,
            EVIDENCE,
            "DVT not clinically suspected (no leg-vein sign and no calf measurement)",
        )
    spec = [
        ("cancer", "active cancer", answer(h.cancer_active), ["history.cancer_active"]),
        (
            "immobilised",
            "paralysis, paresis or recent plaster immobilisation of the leg",
            t_or(answer(h.leg_immobilised), answer(i.trauma.in_cast_or_tight_dressing)),
            ["history.leg_immobilised", "trauma.in_cast_or_tight_dressing"],
        ),
        (
            "bedridden_surgery",
            "bedridden >= 3 days or major surgery within 12 weeks",
            t_or(answer(h.bedridden_3_days), answer(h.recent_surgery_12_weeks)),
            ["history.bedridden_3_days", "history.recent_surgery_12_weeks"],
        ),
        (
            "deep_vein_tenderness",
            "localised tenderness along the deep veins",
            signs[0],
            ["exam.tender_deep_veins"],
        ),
        ("entire_leg", "entire leg swollen", signs[1], ["exam.entire_leg_swollen"]),
        (
            "calf_3cm",
            "calf swelling >= 3 cm more than the other side",
            signs[2],
            ["exam.calf_difference_cm"],
        ),
        (
            "pitting",
            "pitting oedema confined to the symptomatic leg",
            signs[3],
            ["exam.pitting_oedema_symptomatic_leg"],
        ),
        (
            "collateral_veins",
            "collateral superficial (non-varicose) veins",
            signs[4],
            ["exam.collateral_superficial_veins"],
        ),
        (
            "previous_dvt",
            "previously documented DVT",
            answer(h.previous_dvt),
            ["history.previous_dvt"],
        ),
    ]
    items = [
        RuleItem(id=a, label=b, fired=c, points=1.0 if c else 0.0, fields=d) for a, b, c, d in spec
    ]
    alt = answer(e.alternative_diagnosis_as_likely)
    items.append(
        RuleItem(
            id="alternative",
            label="alternative diagnosis at least as likely",
            fired=alt,
            points=-2.0 if alt else 0.0,
            fields=["exam.alternative_diagnosis_as_likely"],
        )
    )
    score = sum(it.points for it in items)
    best = score + sum(1 for it in items[:-1] if it.fired is None)
    worst = score - (2 if alt is None else 0)
    likely = score >= 2
    outcome = "positive" if likely else "negative"
    if likely:
        text = (
            f"DVT likely: Wells {score:g} (>= 2): proximal leg-vein ultrasound with the result "
            "within 4 h (D-dimer if negative); interim anticoagulation if the scan is delayed."
        )
    else:
        text = (
            f"DVT unlikely: Wells {score:g} (<= 1): D-dimer (result within 4 h), ultrasound if "
            "positive."
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
        score_best=best,
        score_worst=worst,
        threshold=">= 2 likely; <= 1 unlikely",
        cutoff=2,
        items=items,
        urgency=Urgency.same_day,
        interpretation=text,
        missing=missing if worst < 2 <= best else [],
    )

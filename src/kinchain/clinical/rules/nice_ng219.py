"""NICE NG219 (2022) gout: an acute flare needs prompt treatment, and a first flare a diagnosis.

Source: NICE guideline NG219 (2022) Gout: diagnosis and management, rec. 1.1.1-1.1.5 (suspect gout
with rapid-onset severe pain, redness and swelling of the big-toe joint or other joints; serum
urate; assess any red, hot, swollen joint for septic arthritis) and 1.4.1 (offer an NSAID,
colchicine or a short course of steroid to manage a flare, "as soon as possible") [V]; NHS "Gout":
see a GP if you think you have gout for the first time; go to urgent care or the emergency
department with a very high temperature or feeling hot and shivery [S].

kinchain's operationalisation: an acute flare of (suspected or known) gout - a sudden onset or
maximal pain within 24 hours, within the last 14 days, in the big-toe joint, or with gout
diagnosed before, urate crystals, or the 2015 ACR/EULAR criteria met - needs a clinician within
days (soon: treatment works best when started early). Known gout with a typical big-toe flare,
recurrent attacks and no fever can be self-managed with the person's agreed flare plan (self-care);
fever is handled by the septic arthritis red flag.
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
    t_and,
    t_le,
    t_or,
)

RULE_ID = "nice_ng219_flare"
NAME = "NICE NG219 acute gout flare"
CITATION = "NICE guideline NG219 (2022) Gout: diagnosis and management, rec. 1.1.1-1.1.5, 1.4.1."
EVIDENCE = "[V] recommendations; the 'soon' level and the flare-plan reading are kinchain's"


def gout_suspected(i: Intake) -> Tri:
    """Gout is suspected or known: big-toe joint, gout before, urate crystals."""
    msu = i.labs.synovial_msu
    return t_or(
        answer(i.pain.first_mtp),
        answer(i.history.previous_gout),
        None if msu == "not_done" else msu == "positive",
        answer(i.signs.tophus),
    )


def acute(i: Intake) -> Tri:
    """A flare now: sudden onset (or maximal pain within 24 h), within the last 14 days."""
    onset = i.pain.onset
    sudden: Tri = t_or(
        None if onset == "unknown" else onset == "sudden", answer(i.episode.max_pain_within_24h)
    )
    recent: Tri = True if i.pain.duration_days is None else t_le(i.pain.duration_days, 14)
    return t_and(sudden, recent)


def self_managed(i: Intake) -> bool:
    """Known gout, a typical recurrent big-toe flare, and no fever: the flare plan applies."""
    return (
        i.history.previous_gout == "yes"
        and i.episode.recurrent == "yes"
        and i.pain.first_mtp == "yes"
        and i.signs.fever == "no"
        and F.fever(i) is not True
        and set(i.pain.sites) <= {"foot", "toes"}
    )


def evaluate(i: Intake) -> RuleResult:
    """Acute gout flare."""
    flare = t_and(gout_suspected(i), acute(i))
    items = [
        RuleItem(
            id="gout_suspected",
            label="gout suspected or known (big-toe joint, gout before, urate crystals, tophus)",
            fired=gout_suspected(i),
            fields=["pain.first_mtp", "history.previous_gout", "labs.synovial_msu"],
        ),
        RuleItem(
            id="acute",
            label="a sudden flare within the last 14 days",
            fired=acute(i),
            fields=["pain.onset", "episode.max_pain_within_24h", "pain.duration_days"],
        ),
    ]
    if flare is True and self_managed(i):
        outcome, level = "positive", Urgency.self_care
        text = (
            "A typical flare of known gout without fever: start the agreed flare treatment at "
            "once; see a clinician if it is not settling within a few days or a fever appears."
        )
    elif flare is True:
        outcome, level = "positive", Urgency.soon
        text = "Acute gout flare: a clinician within days to start treatment (NICE NG219)."
    elif flare is False:
        outcome, level, text = "negative", None, "No acute gout flare."
    else:
        outcome, level, text = "indeterminate", None, "Acute gout flare not established."
    missing = [f for it in items if it.fired is None for f in it.fields] if flare is None else []
    return RuleResult(
        rule_id=RULE_ID,
        name=NAME,
        citation=CITATION,
        evidence=EVIDENCE,
        applies=True,
        outcome=as_outcome(outcome),
        items=items,
        urgency=level if level != Urgency.self_care else None,
        interpretation=text,
        missing=missing,
    )

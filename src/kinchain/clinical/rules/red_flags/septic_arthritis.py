"""Red flag: septic arthritis.

Sources: Coakley G, Mathews C, Field M, et al. BSR & BHPR, BOA, RCGP and BSAC guidelines for
management of the hot swollen joint in adults. Rheumatology 2006;45:1039-41 [V]; NICE NG219 (2022)
gout, rec. 1.1.4: assess any red, hot, swollen joint for septic arthritis and refer immediately if
suspected [V].

"A short history of a hot, swollen, tender joint with restricted movement is septic arthritis until
proven otherwise"; treat as septic even without fever if suspicion is high. Risk factors: RA or OA,
prosthetic joint, IV drug use, alcohol, diabetes, recent intra-articular steroid, skin ulcers (and
immunosuppression).

kinchain's operationalisation (the guideline gives no scoring): a hot (warm) or red, swollen
peripheral joint with a short history (<= 14 days; pain.duration_days; an unknown duration counts
as short) is a red flag. It is an emergency when
movement is restricted, there is fever (reported or >= 38.0 C), or a risk factor; otherwise it
still needs same-day assessment to exclude infection (aspiration). A positive synovial Gram stain
is an emergency on its own.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_le, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "red_flag_septic_arthritis"
NAME = "septic arthritis"
CITATION = (
    "Coakley G, et al. BSR & BHPR, BOA, RCGP and BSAC guidelines for management of the hot "
    "swollen joint in adults. Rheumatology 2006;45:1039-41; NICE NG219 (2022) rec. 1.1.4."
)
EVIDENCE = "guideline text [V]; the emergency/same-day split is kinchain's operationalisation"


def short_history(i: Intake) -> Tri:
    """Symptoms for 14 days or less; an unknown duration is read as possibly short (a hot,
    swollen joint of unknown duration is treated as septic until proven otherwise)."""
    if i.pain.duration_days is None:
        return True
    return t_le(i.pain.duration_days, 14)


def inflamed(i: Intake) -> Tri:
    """The joint is warm or hot, or red (NICE NG219: "any red, hot, swollen joint")."""
    return t_or(answer(i.signs.warmth), answer(i.signs.redness))


def hot_swollen_joint(i: Intake) -> Tri:
    """A hot (or red) and swollen peripheral joint with a short (or unknown) history."""
    if not F.joint_site(i):
        return False
    return t_and(inflamed(i), answer(i.signs.swelling), short_history(i))


def other_explanation(i: Intake) -> Tri:
    """The redness and swelling are explained by something other than the joint: a spreading skin
    infection (cellulitis), or a warm swollen foot in a person with diabetes and numb feet
    (Charcot arthropathy, NICE NG19 1.3.1). Used only for the risk-factor-only emergency item;
    fever or restricted movement still make it an emergency."""
    skin = answer(i.skin.redness_spreading)
    charcot: Tri = t_and(
        answer(i.history.diabetes),
        answer(i.pain.numbness),
        all(s in ("foot", "toes", "ankle") for s in i.pain.sites),
    )
    return t_or(skin, charcot)


def evaluate(i: Intake) -> RuleResult:
    """Septic arthritis red flag."""
    core = hot_swollen_joint(i)
    core_fields = ("signs.warmth", "signs.redness", "signs.swelling", "pain.duration_days")
    gram = (
        True
        if i.labs.synovial_gram_stain == "positive"
        else (False if i.labs.synovial_gram_stain == "negative" else None)
    )
    items = [
        FlagItem(
            "hot_swollen_restricted",
            "hot, swollen joint, short history, restricted movement",
            t_and(core, answer(i.function.restricted_movement)),
            Urgency.emergency,
            (*core_fields, "function.restricted_movement"),
        ),
        FlagItem(
            "hot_swollen_fever",
            "hot, swollen joint with fever",
            t_and(core, F.fever(i)),
            Urgency.emergency,
            (*core_fields, "signs.fever", "signs.temperature_c"),
        ),
        FlagItem(
            "hot_swollen_risk",
            "hot, swollen joint with a septic-arthritis risk factor",
            t_and(core, F.septic_risk_factor(i), other_explanation(i) is not True),
            Urgency.emergency,
            (
                *core_fields,
                "history.diabetes",
                "history.immunosuppression",
                "history.prosthetic_joint",
                "history.rheumatoid_arthritis",
            ),
        ),
        FlagItem(
            "hot_swollen",
            "hot, swollen joint with a short history (exclude infection)",
            core,
            Urgency.same_day,
            core_fields,
        ),
    ]
    if gram is not None:  # only when the Gram stain was done
        items.insert(
            3,
            FlagItem(
                "gram_stain",
                "synovial fluid Gram stain positive",
                gram,
                Urgency.emergency,
                ("labs.synovial_gram_stain",),
            ),
        )
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Septic arthritis until proven otherwise: aspirate before antibiotics.",
        assumed=[
            f
            for f, used in (
                (
                    "pain.duration_days",
                    i.pain.duration_days is None
                    and t_and(inflamed(i), answer(i.signs.swelling)) is not False,
                ),
                (
                    "skin.redness_spreading",
                    other_explanation(i) is None
                    and t_and(core, F.septic_risk_factor(i)) is not False,
                ),
            )
            if used
        ],
    )

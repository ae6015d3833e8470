"""Screen: acute limb ischaemia and peripheral arterial disease.

Sources: Björck M et al. European Society for Vascular Surgery 2020 Clinical Practice Guidelines
on the management of acute limb ischaemia, Eur J Vasc Endovasc Surg 2020;59:173-218 (the "6 Ps":
pain, pallor, pulselessness, perishing cold, paraesthesia, paralysis; immediate referral) [S];
NICE CG147 (2012, updated 2020) Peripheral arterial disease: diagnosis and management, rec.
1.1 (assess intermittent claudication in primary care with the ankle-brachial pressure index) and
1.5 (critical limb ischaemia: rest pain, ulceration or gangrene, refer urgently to a vascular
service) [S]; NHS "Peripheral arterial disease": see a GP for leg pain when walking that goes with
rest; go to A&E for a sudden, painful, cold, pale leg [S].

kinchain's operationalisation: a cold, pale or blue foot, or a pulseless foot, that is not known
to be a long-standing picture (claudication, known arterial disease, rest pain, a non-healing
wound, black skin or symptoms over 2 weeks, without a sudden onset) is acute limb ischaemia:
emergency. Pain at rest in the foot, a wound that does not heal, black skin, or a chronically cold
foot (critical limb ischaemia): the vascular team the same day ("see a doctor urgently", NHS;
local vascular pathways: contact the on-call vascular team). Pain walking that goes with rest
(claudication): routine GP assessment. Gangrene in a person with diabetes is an emergency through
the diabetic foot screen (NICE NG19).
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and, t_gt, t_not, t_or
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_arterial"
NAME = "possible blocked or narrowed leg artery"
CITATION = (
    "ESVS 2020 acute limb ischaemia guidelines (Björck M et al., Eur J Vasc Endovasc Surg "
    "2020;59:173-218); NICE CG147 (2012) Peripheral arterial disease; NHS 'Peripheral arterial "
    "disease'."
)
EVIDENCE = "[S] features and referral urgency (ESVS, CG147, NHS)"


def chronic_arterial(i: Intake) -> Tri:
    """Known arterial disease or claudication."""
    return t_or(answer(i.history.peripheral_arterial_disease), answer(i.vascular.claudication))


def known_chronic(i: Intake) -> bool:
    """The picture is known to be long-standing arterial disease (claudication, known disease,
    rest pain, a non-healing wound, black skin, or symptoms for more than 2 weeks) and did not
    start suddenly. Unknown counts as not chronic, so a cold or pulseless foot is never waved
    through as an old problem on missing answers."""
    if i.pain.onset == "sudden":
        return False
    v, k = i.vascular, i.skin
    return (
        chronic_arterial(i) is True
        or "yes" in (v.rest_pain_foot, k.ulcer_not_healing, k.skin_turning_black)
        or (i.pain.duration_days is not None and i.pain.duration_days > 14)
    )


def chronic_tri(i: Intake) -> Tri:
    """Three-valued reading of :func:`known_chronic` (unknown stays unknown), for the cause
    ranking, which must be monotone in information."""
    onset = i.pain.onset
    sudden: Tri = None if onset == "unknown" else onset == "sudden"
    v, k = i.vascular, i.skin
    return t_and(
        t_not(sudden),
        t_or(
            chronic_arterial(i),
            answer(v.rest_pain_foot),
            answer(k.ulcer_not_healing),
            answer(k.skin_turning_black),
            t_gt(i.pain.duration_days, 14),
        ),
    )


def acute_cold(i: Intake) -> Tri:
    """A cold, pale or blue foot that is not known to be a chronic picture."""
    return t_and(answer(i.vascular.foot_cold_or_pale), not known_chronic(i))


def acute_pulseless(i: Intake) -> Tri:
    """Absent foot pulses that are not known to be a chronic picture."""
    return t_and(answer(i.vascular.foot_pulses_absent), not known_chronic(i))


def cause(i: Intake) -> str:
    """The cause this screen points to: acute ischaemia or chronic arterial disease."""
    return (
        "acute_limb_ischaemia"
        if acute_cold(i) is True or acute_pulseless(i) is True
        else "peripheral_arterial_disease"
    )


def evaluate(i: Intake) -> RuleResult:
    """Arterial screen."""
    v, k = i.vascular, i.skin
    items = [
        FlagItem(
            "acute_cold",
            "a cold, pale or blue foot (not a known long-standing problem)",
            acute_cold(i),
            Urgency.emergency,
            ("vascular.foot_cold_or_pale", "pain.onset", "vascular.claudication"),
        ),
        FlagItem(
            "pulseless",
            "absent foot pulses (not a known long-standing problem)",
            acute_pulseless(i),
            Urgency.emergency,
            ("vascular.foot_pulses_absent", "pain.onset"),
        ),
        FlagItem(
            "gangrene",
            "skin of the toes or foot turning black",
            answer(k.skin_turning_black),
            Urgency.same_day,
            ("skin.skin_turning_black",),
        ),
        FlagItem(
            "rest_pain",
            "pain in the foot at rest, eased by hanging the leg down",
            answer(v.rest_pain_foot),
            Urgency.same_day,
            ("vascular.rest_pain_foot",),
        ),
        FlagItem(
            "ulcer_arterial",
            "a wound that does not heal, with arterial disease or its risk factors",
            t_and(
                answer(k.ulcer_not_healing),
                t_or(chronic_arterial(i), answer(i.history.smoker), answer(i.history.diabetes)),
            ),
            Urgency.same_day,
            ("skin.ulcer_not_healing", "vascular.claudication", "history.smoker"),
        ),
        FlagItem(
            "cold_chronic",
            "a long-standing cold or pale foot with arterial disease",
            t_and(answer(v.foot_cold_or_pale), known_chronic(i)),
            Urgency.same_day,
            ("vascular.foot_cold_or_pale",),
        ),
        FlagItem(
            "claudication",
            "leg pain when walking that goes within minutes of rest",
            answer(v.claudication),
            Urgency.routine,
            ("vascular.claudication",),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "A sudden cold, pale or pulseless leg or black skin: emergency department now; pain at "
        "rest or a wound that does not heal: urgent vascular assessment; pain walking that "
        "goes with rest: see a GP.",
        prefix="",
        assumed=["pain.onset", "vascular.claudication"] if chronic_tri(i) is None else None,
    )

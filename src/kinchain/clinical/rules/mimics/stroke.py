"""Screen: stroke or transient ischaemic attack presenting as a weak or numb leg.

Sources: NICE NG128 (2019, updated 2022) Stroke and TIA in over 16s, rec. 1.1.1 (use a validated
tool such as FAST outside hospital) and 1.1.3 (suspected TIA: specialist assessment within 24
hours) [V]; BE-FAST (Balance, Eyes, Face, Arm, Speech, Time): Aroor S et al. Stroke
2017;48:479-81 [S]; NHS "Stroke" and "Transient ischaemic attack": call 999 for any of these
symptoms, even if they go away [S].

kinchain's operationalisation: sudden weakness or numbness of one side of the body, a drooping
face, speech difficulty, or sudden loss of vision or balance is an emergency, also when the
symptoms have gone within the last day (a TIA: NHS advice is 999). A TIA that has passed and began
a day or more ago (``pain.duration_days``) needs specialist assessment the same day when it was
within the last 7 days (NG128: within 24 hours of onset) and within days when it was longer ago
(RCP National Clinical Guideline for Stroke 2023: within 7 days). Sudden new leg weakness without
an injury or back pain is counted too.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules.base import RuleResult, Urgency, t_and, t_not
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "screen_stroke_tia"
NAME = "possible stroke or mini-stroke (TIA)"
CAUSE = "stroke_tia"
CITATION = (
    "NICE NG128 (2019) rec. 1.1.1-1.1.5; RCP National Clinical Guideline for Stroke (2023); "
    "Aroor S et al. BE-FAST, Stroke 2017;48:479-81; NHS 'Stroke' and 'Transient ischaemic "
    "attack'."
)
EVIDENCE = "[V] NG128 recommendations; [S] BE-FAST items"


def evaluate(i: Intake) -> RuleResult:
    """Stroke/TIA screen."""
    n, e = i.neuro, Urgency.emergency
    onset = i.pain.onset
    sudden = True if onset == "sudden" else False if onset == "gradual" else None
    items = [
        FlagItem(
            "one_side",
            "sudden weakness or numbness of one side of the body",
            answer(n.sudden_one_side_weakness),
            e,
            ("neuro.sudden_one_side_weakness",),
        ),
        FlagItem(
            "face",
            "face drooping on one side",
            answer(n.face_drooping),
            e,
            ("neuro.face_drooping",),
        ),
        FlagItem(
            "speech",
            "sudden speech difficulty",
            answer(n.speech_difficulty),
            e,
            ("neuro.speech_difficulty",),
        ),
        FlagItem(
            "eyes_balance",
            "sudden loss of vision or balance",
            answer(n.sudden_vision_or_balance_loss),
            e,
            ("neuro.sudden_vision_or_balance_loss",),
        ),
        FlagItem(
            "sudden_leg_weakness",
            "sudden new leg weakness without an injury or back pain",
            t_and(
                answer(n.new_leg_weakness),
                sudden,
                t_not(answer(i.trauma.injury)),
                t_not(answer(i.pain.radiation_from_back)),
                not any(s == "back" for s in i.pain.sites),
            ),
            e,
            ("neuro.new_leg_weakness", "pain.onset", "trauma.injury", "pain.radiation_from_back"),
        ),
    ]
    resolved = i.neuro.symptoms_resolved == "yes"
    days = i.pain.duration_days
    if resolved and days is not None and days >= 1:
        # a TIA that has passed: NICE NG128 1.1.3 (within 24 h of onset) / RCP 2023 (over a
        # week ago: within 7 days); a TIA still within its first day stays an emergency (NHS)
        level = Urgency.same_day if days <= 7 else Urgency.soon
        items = [
            FlagItem(it.id, it.label + " (now gone)", it.fired, level, it.fields)
            if it.urgency == e
            else it
            for it in items
        ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Call an ambulance now (999/112), even if the symptoms have gone.",
        prefix="",
    )

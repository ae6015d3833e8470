"""Referral triggers from kinchain's seed article ("Can knee pain cause ankle pain?").

Source: the seed article, section "Recognizing When to Consult a Specialist" (shared/seed). Not a
validated decision rule: these are consultation prompts, encoded as written.

* Pain that does not improve after a few days of rest and over-the-counter painkillers: consult
  (routine).
* Pain that interferes with daily activities or disrupts sleep: professional evaluation (routine).
* Sudden, severe swelling; warmth or redness around the joint; inability to bear weight; visible
  deformity; instability: prompt assessment (soon).
* Fever accompanying joint pain: urgent attention (same day) - kinchain reads the article's
  "urgent attention" as same day for fever because fever with a painful joint may be infection
  (see the septic arthritis red flag, which escalates further).

The specific red-flag sets escalate beyond these where their criteria are met.
"""

from __future__ import annotations

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import RuleResult, Tri, Urgency, t_and
from kinchain.clinical.rules.red_flags._flag import FlagItem, flag_result

RULE_ID = "referral_triggers"
NAME = "Signs that call for a clinician"
CITATION = "kinchain seed article: 'Can Knee Pain Cause Ankle Pain?', section on when to consult."
EVIDENCE = "consultation prompts as written (not a validated rule)"


def _rest(i: Intake) -> Tri:
    v = i.function.rest_and_otc
    return True if v == "not_improved" else None if v == "unknown" else False


def evaluate(i: Intake) -> RuleResult:
    """Seed-article referral triggers."""
    s, f = i.signs, i.function
    r, so, sd = Urgency.routine, Urgency.soon, Urgency.same_day
    items = [
        FlagItem(
            "persisting",
            "pain persisting despite a few days of rest and OTC painkillers",
            _rest(i),
            r,
            ("function.rest_and_otc",),
        ),
        FlagItem(
            "daily_activities",
            "pain interferes with daily activities",
            answer(f.interferes_daily_activities),
            r,
            ("function.interferes_daily_activities",),
        ),
        FlagItem(
            "sleep",
            "pain disturbs sleep",
            answer(f.interferes_sleep),
            r,
            ("function.interferes_sleep",),
        ),
        FlagItem(
            "sudden_swelling",
            "sudden, severe swelling",
            answer(s.swelling_sudden_severe),
            so,
            ("signs.swelling_sudden_severe",),
        ),
        FlagItem("warmth", "warmth around the joint", answer(s.warmth), so, ("signs.warmth",)),
        FlagItem("redness", "redness around the joint", answer(s.redness), so, ("signs.redness",)),
        FlagItem(
            "non_weight_bearing",
            "unable to bear weight on the leg",
            F.unable_now(i),
            so,
            ("function.bears_weight_4_steps",),
        ),
        FlagItem("deformity", "visible deformity", answer(s.deformity), so, ("signs.deformity",)),
        FlagItem(
            "instability",
            "instability (giving way) of the knee or ankle",
            answer(s.instability),
            so,
            ("signs.instability",),
        ),
        FlagItem(
            "fever",
            "fever with joint pain",
            t_and(F.fever(i), F.joint_site(i)),
            sd,
            ("signs.fever", "signs.temperature_c"),
        ),
    ]
    return flag_result(
        RULE_ID,
        NAME,
        CITATION,
        EVIDENCE,
        items,
        "Consult a clinician (see urgency).",
        prefix="",
    )

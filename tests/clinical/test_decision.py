"""One decision, stated once: over generated intakes, the destination always matches the
urgency, never names a less urgent place, never follows an unlikely cause, and the words a
person reads never contradict the decision (every pair of statement and level is checked)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from test_properties import SETTINGS, intakes

from kinchain.clinical import Specialist, Urgency, assess, parse_intake
from kinchain.clinical.decision import IF_PHRASE, URGENCY_DESTINATION, URGENCY_PHRASE
from kinchain.clinical.engine import STATEMENT_CONDITIONS
from kinchain.clinical.result import SPECIALIST_LABELS, ClinicalAssessment

URGENT_PLACES = {Specialist.emergency_department, Specialist.same_day_care}


def check_coherent(a: ClinicalAssessment) -> None:
    """Every consistency property of one assessment."""
    u, ref = a.urgency, a.referral
    assert ref.urgency == u
    assert ref.label == SPECIALIST_LABELS[ref.specialist]
    if u in URGENCY_DESTINATION:
        assert ref.specialist == URGENCY_DESTINATION[u], (u, ref.specialist)
    else:
        # soon / routine: a clinician, never an urgent place nor self-care
        assert ref.specialist not in URGENT_PLACES | {Specialist.self_care}, (u, ref.specialist)
    assert ref.then not in URGENT_PLACES | {Specialist.self_care}
    # no unlikely cause is named as the reason for a referral
    for c in a.causes:
        label = c.label[0].lower() + c.label[1:]
        if c.likelihood == "unlikely":
            # a red flag's name may appear as a warning sign; never as the cause followed
            assert f"for {label}" not in ref.reason, (c.cause, ref.reason)
            assert f"likely cause: {label}" not in ref.reason, (c.cause, ref.reason)
    # the statement says this urgency, no other, and conditions only for more urgent levels
    st = a.urgency_statement
    assert st.startswith(URGENCY_PHRASE[u])
    for level, phrase in URGENCY_PHRASE.items():
        if level != u:
            assert phrase not in st, (u, level, st)
    for level, phrase in IF_PHRASE.items():
        if level.rank <= u.rank:
            assert f"{phrase}:" not in st, (u, level, st)
    for k, w in enumerate(a.what_would_change):
        assert w.urgency.rank > u.rank
        if w.urgency in URGENCY_DESTINATION:
            assert w.destination == URGENCY_DESTINATION[w.urgency]
        assert w.condition
        if k < STATEMENT_CONDITIONS:
            assert w.condition in st
    # the red flags never sit above the urgency
    assert all(f.urgency.rank <= u.rank for f in a.red_flags)
    if a.not_musculoskeletal:
        assert "not be a problem of the knee or ankle" in st


@SETTINGS
@given(intakes())
def test_every_generated_assessment_is_coherent(data: dict[str, Any]) -> None:
    check_coherent(assess(parse_intake(data)))


def test_every_vignette_assessment_is_coherent() -> None:
    import json
    from pathlib import Path

    here = Path(__file__).parent
    for path in [
        *sorted((here / "vignettes").glob("*.json")),
        *sorted((here / "vignettes_frozen").glob("*.json")),
    ]:
        for v in json.loads(path.read_text(encoding="utf-8")):
            check_coherent(assess(parse_intake(v["intake"])))


def test_conditional_urgency_for_an_unasked_warmth() -> None:
    # a red, swollen knee with fever where warmth was not asked: the emergency is a condition
    a = assess(
        {
            "pain": {"sites": ["knee"], "duration_days": 2},
            "signs": {"swelling": "yes", "fever": "yes"},
        }
    )
    assert a.urgency == Urgency.same_day
    warm = [w for w in a.what_would_change if w.field == "signs.warmth"]
    assert warm and warm[0].urgency == Urgency.emergency
    assert "Go to the emergency department now if" in a.urgency_statement
    assert "the joint is warm or hot" in a.urgency_statement
    assert warm[0].question == "Is the joint warm or hot?"
    assert a.ask_next[0].field in {w.field for w in a.what_would_change}


def test_not_musculoskeletal_is_said() -> None:
    a = assess(
        {
            "answered_by": "patient",
            "pain": {"sites": ["calf"], "side": "left"},
            "signs": {"leg_swelling": "one_leg"},
            "history": {"long_travel_4_weeks": "yes"},
        }
    )
    assert a.urgency == Urgency.same_day and a.not_musculoskeletal
    assert a.causes[0].cause.value == "dvt"
    # the clot-in-the-lung questions are what would make it an emergency
    assert {"general.breathless", "general.chest_pain"} <= {w.field for w in a.what_would_change}

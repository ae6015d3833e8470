"""Cross-field contradictions: refused with an InputError whose message names both fields; the
same answers without the contradiction are accepted."""

from __future__ import annotations

from typing import Any

import pytest
from clinical_helpers import intake

from kinchain.errors import InputError

STROKE = {
    "sudden_one_side_weakness": "no",
    "face_drooping": "no",
    "speech_difficulty": "no",
    "sudden_vision_or_balance_loss": "no",
}

# (groups, the field the error is about, the other field it must name)
CONTRADICTIONS: list[tuple[dict[str, Any], str, str]] = [
    # kept from before
    ({"signs": {"fever": "no", "temperature_c": 38.5}}, "signs.fever", "signs.temperature_c"),
    (
        {"function": {"bears_weight_4_steps": "no", "walked_today_km": 2}},
        "function.bears_weight_4_steps",
        "function.walked_today_km",
    ),
    ({"trauma": {"injury": "no", "mechanism": "twisting"}}, "trauma.mechanism", "trauma.injury"),
    (
        {"trauma": {"injury": "no", "days_since_injury": 3}},
        "trauma.days_since_injury",
        "trauma.injury",
    ),
    ({"pain": {"first_mtp": "yes"}}, "pain.sites", "pain.first_mtp"),
    (
        {"signs": {"small_joints_involved": 60, "large_joints_involved": 20}},
        "signs.small_joints_involved",
        "signs.large_joints_involved",
    ),
    # new
    (
        {"demographics": {"sex": "male", "pregnant": "yes"}},
        "demographics.pregnant",
        "demographics.sex",
    ),
    (
        {"demographics": {"age_years": 8, "pregnant": "yes"}},
        "demographics.pregnant",
        "demographics.age_years",
    ),
    (
        {"demographics": {"sex": "male", "gave_birth_6_weeks": "yes"}},
        "demographics.gave_birth_6_weeks",
        "demographics.sex",
    ),
    (
        {"demographics": {"age_years": 9.5, "gave_birth_6_weeks": "yes"}},
        "demographics.gave_birth_6_weeks",
        "demographics.age_years",
    ),
    (
        {"signs": {"swelling": "no", "swelling_sudden_severe": "yes"}},
        "signs.swelling_sudden_severe",
        "signs.swelling",
    ),
    (
        {"trauma": {"injury": "no", "dislocation_suspected": "yes"}},
        "trauma.dislocation_suspected",
        "trauma.injury",
    ),
    (
        {"trauma": {"injury": "no", "open_wound_over_injury": "yes"}},
        "trauma.open_wound_over_injury",
        "trauma.injury",
    ),
    (
        {"trauma": {"injury": "no", "bore_weight_immediately": "yes"}},
        "trauma.bore_weight_immediately",
        "trauma.injury",
    ),
    (
        {"trauma": {"injury": "no", "bore_weight_immediately": "no"}},
        "trauma.bore_weight_immediately",
        "trauma.injury",
    ),
    (
        {"pain": {"numbness": "no", "distribution": "stocking"}},
        "pain.distribution",
        "pain.numbness",
    ),
    (
        {"signs": {"leg_swelling": "no"}, "exam": {"entire_leg_swollen": "yes"}},
        "exam.entire_leg_swollen",
        "signs.leg_swelling",
    ),
    (
        {"signs": {"leg_swelling": "no"}, "exam": {"pitting_oedema_symptomatic_leg": "yes"}},
        "exam.pitting_oedema_symptomatic_leg",
        "signs.leg_swelling",
    ),
    (
        {"neuro": {"symptoms_resolved": "yes"}},
        "neuro.symptoms_resolved",
        "neuro.sudden_one_side_weakness",
    ),
    (
        {"neuro": {**STROKE, "symptoms_resolved": "yes"}},
        "neuro.symptoms_resolved",
        "neuro.sudden_vision_or_balance_loss",
    ),
    (
        {"skin": {"redness_spreading": "no", "spreading_fast": "yes"}},
        "skin.spreading_fast",
        "skin.redness_spreading",
    ),
    # added with the new ones: genuine impossibilities from the fields
    (
        {"history": {"cancer_active": "yes", "cancer_history": "no"}},
        "history.cancer_history",
        "history.cancer_active",
    ),
    (
        {"episode": {"recurrent": "no", "complete_resolution_between": "yes"}},
        "episode.complete_resolution_between",
        "episode.recurrent",
    ),
]


@pytest.mark.parametrize(
    ("groups", "field", "other"), CONTRADICTIONS, ids=[c[1] for c in CONTRADICTIONS]
)
def test_contradiction_refused_naming_both_fields(
    groups: dict[str, Any], field: str, other: str
) -> None:
    with pytest.raises(InputError) as exc:
        intake(**groups)
    assert exc.value.source == field
    assert other in exc.value.problem, exc.value.problem


ACCEPTED: list[dict[str, Any]] = [
    {"demographics": {"sex": "female", "age_years": 30, "pregnant": "yes"}},
    {"demographics": {"sex": "unknown", "pregnant": "yes"}},
    {"demographics": {"sex": "other", "age_years": 10, "pregnant": "yes"}},
    {"demographics": {"pregnant": "yes", "gave_birth_6_weeks": "yes"}},
    {"demographics": {"sex": "male", "pregnant": "no", "gave_birth_6_weeks": "unknown"}},
    {"signs": {"swelling": "unknown", "swelling_sudden_severe": "yes"}},
    {"signs": {"swelling": "yes", "swelling_sudden_severe": "yes"}},
    {"signs": {"swelling": "no", "swelling_sudden_severe": "no"}},
    {"trauma": {"injury": "unknown", "dislocation_suspected": "yes"}},
    {"trauma": {"injury": "yes", "open_wound_over_injury": "yes", "bore_weight_immediately": "no"}},
    {"trauma": {"injury": "no", "mechanism": "exertion", "dislocation_suspected": "no"}},
    {"pain": {"numbness": "yes", "distribution": "stocking"}},
    {"pain": {"numbness": "unknown", "distribution": "stocking"}},
    {"pain": {"numbness": "no", "distribution": "dermatomal"}},
    {"signs": {"leg_swelling": "one_leg"}, "exam": {"entire_leg_swollen": "yes"}},
    {"signs": {"leg_swelling": "unknown"}, "exam": {"pitting_oedema_symptomatic_leg": "yes"}},
    {"neuro": {**STROKE, "face_drooping": "yes", "symptoms_resolved": "yes"}},
    {"neuro": {**STROKE, "symptoms_resolved": "no"}},
    {"skin": {"redness_spreading": "unknown", "spreading_fast": "yes"}},
    {"skin": {"redness_spreading": "no", "spreading_fast": "no"}},
    {"history": {"cancer_active": "no", "cancer_history": "yes"}},
    {"history": {"cancer_active": "yes", "cancer_history": "unknown"}},
    {"episode": {"recurrent": "yes", "complete_resolution_between": "yes"}},
    {"episode": {"recurrent": "no", "complete_resolution_between": "no"}},
    {"function": {"bears_weight_4_steps": "no", "walked_today_km": 0.05}},
]


@pytest.mark.parametrize("groups", ACCEPTED)
def test_compatible_answers_accepted(groups: dict[str, Any]) -> None:
    intake(**groups)


def test_every_contradiction_is_listed_at_once() -> None:
    with pytest.raises(InputError) as exc:
        intake(
            demographics={"sex": "male", "age_years": 6, "pregnant": "yes"},
            skin={"redness_spreading": "no", "spreading_fast": "yes"},
            trauma={"injury": "no", "dislocation_suspected": "yes"},
        )
    assert exc.value.source == "demographics.pregnant"
    message = str(exc.value)
    for field in (
        "demographics.sex",
        "demographics.age_years",
        "trauma.dislocation_suspected",
        "skin.spreading_fast",
        "skin.redness_spreading",
    ):
        assert field in message, message
    assert len(message.split("; ")) == 4

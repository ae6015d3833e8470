"""Property-based tests (hypothesis): adding a red flag never lowers urgency; removing
information never raises confidence (nor any cause's worst-case score)."""

from __future__ import annotations

import re
from typing import Any

from clinical_helpers import merge
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from kinchain.clinical import CauseId, Urgency, assess, parse_intake
from kinchain.clinical.intake import Answer, Intake
from kinchain.clinical.result import CONFIDENCE_RANK
from kinchain.errors import InputError


def _answer_paths(model: type[BaseModel] = Intake, prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if ann == Answer:
            out.append(prefix + name)
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_answer_paths(ann, prefix + name + "."))
    return out


ANSWER_PATHS = [p for p in _answer_paths() if p != "pain.first_mtp"]
NUMBERS: dict[str, st.SearchStrategy[Any]] = {
    "demographics.age_years": st.integers(1, 95),
    "pain.duration_days": st.sampled_from([0, 1, 2, 14, 15, 41, 42, 100, 400]),
    "signs.temperature_c": st.sampled_from([36.5, 37.9, 38.0, 39.5]),
    "signs.morning_stiffness_minutes": st.sampled_from([0, 29, 30, 59, 60, 120]),
    "signs.small_joints_involved": st.integers(0, 14),
    "signs.large_joints_involved": st.integers(0, 6),
    "exam.calf_difference_cm": st.sampled_from([0.0, 2.9, 3.0, 4.5]),
    "labs.crp_mg_l": st.sampled_from([1.0, 5.0, 5.1, 40.0]),
    "labs.esr_mm_h": st.sampled_from([5.0, 30.0, 80.0]),
    "trauma.days_since_injury": st.sampled_from([0, 6, 7, 10, 11]),
    "history.symptom_onset_to_advice_days": st.sampled_from([10, 89, 90]),
    "labs.wbc_per_mm3": st.sampled_from([8000, 12000, 12001, 20000]),
}
CHOICES: dict[str, list[str]] = {
    "demographics.sex": ["female", "male", "other", "unknown"],
    "pain.side": ["left", "right", "both", "unknown"],
    "pain.onset": ["sudden", "gradual", "unknown"],
    "pain.distribution": ["local", "dermatomal", "stocking", "unknown"],
    "trauma.mechanism": ["twisting", "blunt_or_fall", "direct_blow", "crush", "high_energy",
                         "exertion", "unknown"],
    "function.rest_and_otc": ["not_tried", "improved", "not_improved", "unknown"],
    "labs.synovial_msu": ["positive", "negative", "not_done"],
    "labs.synovial_gram_stain": ["positive", "negative", "not_done"],
}
UNKNOWN = {"labs.synovial_msu": "not_done", "labs.synovial_gram_stain": "not_done"}


def _set(d: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    for p in head:
        d = d.setdefault(p, {})
    d[last] = value


def _get(d: dict[str, Any], path: str) -> Any:
    for p in path.split("."):
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _clear(d: dict[str, Any], path: str) -> None:
    *head, last = path.split(".")
    for p in head:
        d = d.get(p, {})
    if d.get(last) in ("yes", "no"):
        d[last] = "unknown"
    else:
        d.pop(last, None)


def _repair(data: dict[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Clear answers that the intake's cross-field checks refuse (never those in ``keep``)
    until it parses: the generated intakes stay free of contradictions whatever checks exist."""
    for _ in range(40):
        try:
            parse_intake(data)
            return data
        except InputError as exc:
            named = re.findall(r"[a-z_]+\.[a-z_0-9.]+", f"{exc.source} {exc.problem}")
            target = next((f for f in named if f not in keep and _get(data, f) is not None),
                          None)
            if target is None:
                raise
            _clear(data, target)
    raise AssertionError("could not repair the generated intake")


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    sites = draw(st.lists(st.sampled_from(["knee", "ankle", "foot", "hip", "back"]),
                          min_size=1, max_size=5, unique=True))
    data: dict[str, Any] = {"pain": {"sites": sites}}
    for path in draw(st.lists(st.sampled_from(ANSWER_PATHS), max_size=45, unique=True)):
        _set(data, path, draw(st.sampled_from(["yes", "no", "unknown"])))
    for path in draw(st.lists(st.sampled_from(sorted(NUMBERS)), max_size=8, unique=True)):
        _set(data, path, draw(NUMBERS[path]))
    for path in draw(st.lists(st.sampled_from(sorted(CHOICES)), max_size=6, unique=True)):
        _set(data, path, draw(st.sampled_from(CHOICES[path])))
    if draw(st.booleans()):
        _set(data, "labs.urate", draw(st.sampled_from([3.9, 5.88, 5.9, 6.0, 8.0, 10.0])))
        _set(data, "labs.urate_unit", "mg/dL")
    if "foot" in sites and draw(st.booleans()):
        _set(data, "pain.first_mtp", draw(st.sampled_from(["yes", "no"])))
    if draw(st.booleans()):
        data["gait_findings"] = [
            {"name": n, "side": "left", "fired": draw(st.booleans())}
            for n in draw(st.lists(st.sampled_from(["antalgic_gait", "stiff_knee",
                                                    "overpronation",
                                                    "knee_to_ankle_propagation"]),
                                   min_size=1, max_size=3, unique=True))
        ]
    # keep the intake free of contradictions the validator rejects
    temp = _get(data, "signs.temperature_c")
    if _get(data, "signs.fever") == "no" and temp is not None and temp >= 38.0:
        _set(data, "signs.fever", "unknown")
    if _get(data, "trauma.injury") == "no":
        if _get(data, "trauma.mechanism") not in (None, "unknown", "exertion"):
            _set(data, "trauma.mechanism", "unknown")
        data.get("trauma", {}).pop("days_since_injury", None)
    return _repair(data)


RED_FLAGS: list[tuple[str, dict[str, Any], Urgency]] = [
    ("septic", {"pain": {"sites": ["knee"], "duration_days": 2}, "trauma": {"injury": "no"},
                "signs": {"warmth": "yes", "swelling": "yes", "fever": "yes"}}, Urgency.emergency),
    ("cauda_equina", {"neuro": {"saddle_numbness": "yes"}}, Urgency.emergency),
    ("cauda_equina_bladder", {"neuro": {"bladder_or_bowel_dysfunction": "yes"}},
     Urgency.emergency),
    ("compartment", {"trauma": {"in_cast_or_tight_dressing": "yes"},
                     "vascular": {"pain_on_passive_stretch": "yes"}}, Urgency.emergency),
    ("deformity", {"trauma": {"injury": "yes"}, "signs": {"deformity": "yes"}},
     Urgency.emergency),
    ("open_fracture", {"trauma": {"injury": "yes", "open_wound_over_injury": "yes"}},
     Urgency.emergency),
    ("neurovascular", {"vascular": {"foot_cold_or_pale": "yes"}, "pain": {"onset": "sudden"}},
     Urgency.emergency),
    ("cord_compression", {"pain": {"sites": ["back"]}, "history": {"cancer_history": "yes"},
                          "neuro": {"new_leg_weakness": "yes"}}, Urgency.emergency),
    ("foot_drop", {"neuro": {"foot_drop": "yes"}}, Urgency.same_day),
    ("locked_knee", {"pain": {"sites": ["knee"]}, "function": {"knee_locked": "yes"}},
     Urgency.same_day),
    ("dvt", {"exam": {"entire_leg_swollen": "yes"}}, Urgency.same_day),
    ("spinal_infection", {"pain": {"sites": ["back"]}, "signs": {"fever": "yes"}},
     Urgency.same_day),
]


def _add_flag(data: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = merge(data, {k: v for k, v in patch.items() if k != "pain"})
    if "pain" in patch:
        pain = dict(patch["pain"])
        sites = list(dict.fromkeys([*data["pain"]["sites"], *pain.pop("sites", [])]))
        out["pain"] = merge(out["pain"], {**pain, "sites": sites})
    if _get(out, "trauma.injury") == "no":
        out["trauma"].pop("days_since_injury", None)
        if _get(out, "trauma.mechanism") not in (None, "unknown", "exertion"):
            out["trauma"]["mechanism"] = "unknown"
    keep = frozenset(
        f"{group}.{name}"
        for group, values in patch.items()
        if isinstance(values, dict)
        for name in values
    )
    return _repair(out, keep)


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(intakes(), st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_urgency(
    data: dict[str, Any], flag: tuple[str, dict[str, Any], Urgency]
) -> None:
    name, patch, level = flag
    before = assess(parse_intake(data)).urgency
    after_result = assess(parse_intake(_add_flag(data, patch)))
    after = after_result.urgency
    assert after.rank >= before.rank, (name, before, after)
    assert after.rank >= level.rank, (name, after)
    assert after_result.red_flags or name == "dvt"


@st.composite
def with_removed(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    data = draw(intakes())
    known = [p for p in [*ANSWER_PATHS, "pain.first_mtp", *NUMBERS, *CHOICES, "labs.urate"]
             if _get(data, p) not in (None, "unknown", "not_done")]
    reduced = merge(data, {})
    for path in draw(st.lists(st.sampled_from(known), unique=True)) if known else []:
        if path == "labs.urate":
            reduced["labs"].pop("urate")
            reduced["labs"].pop("urate_unit")
        elif path in NUMBERS:
            _set(reduced, path, None)
        else:
            _set(reduced, path, UNKNOWN.get(path, "unknown"))
    if "gait_findings" in data and draw(st.booleans()):
        reduced.pop("gait_findings")
    # an answer may depend on one just removed (e.g. "those symptoms have gone"): clearing it
    # too removes more information, which the property must also hold for
    return data, _repair(reduced)


@SETTINGS
@given(with_removed())
def test_removing_information_never_raises_confidence(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    full, reduced = (assess(parse_intake(d)) for d in pair)
    assert CONFIDENCE_RANK[reduced.confidence] <= CONFIDENCE_RANK[full.confidence]
    lower_full = {c.cause: c.score_lower for c in full.causes}
    for c in reduced.causes:
        assert c.score_lower <= lower_full[c.cause] + 1e-9, c.cause
        assert CONFIDENCE_RANK[c.confidence] <= CONFIDENCE_RANK[
            next(x.confidence for x in full.causes if x.cause == c.cause)]


@SETTINGS
@given(intakes())
def test_assessment_is_total_and_round_trips(data: dict[str, Any]) -> None:
    a = assess(parse_intake(data))
    assert type(a).model_validate_json(a.model_dump_json()) == a
    assert a.urgency.rank >= max((f.urgency.rank for f in a.red_flags), default=0)
    assert len(a.causes) == len(CauseId) == 22 and a.disclaimer



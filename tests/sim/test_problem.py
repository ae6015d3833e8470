"""The tracking weights of a (restricted) problem, without solving it: which coordinates keep
their measured curves, which may compensate, and which a bound frees from an unreachable
curve."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinchain.sim import parse_restrictions
from kinchain.sim.model import JOINT_RANGES_DEG
from kinchain.sim.problem import (
    MODEL_COORDINATES,
    restricted_coordinates,
    state_bounds,
    tracking_factors,
)
from kinchain.sim.restrictions import RELAXED_WEIGHT

#: A reference whose knees flex 0-60 degrees and ankles -15..+15: a 20-degree knee cap cuts the
#: knee curve, a 30-degree dorsiflexion limit does not cut the ankle's.
REFERENCE = {
    name: np.radians(
        np.linspace(0, 60, 11) if name.startswith("knee") else np.linspace(-15, 15, 11)
    )
    for name in MODEL_COORDINATES
}


def test_the_baseline_tracks_every_coordinate_at_full_weight_but_progression() -> None:
    factors = tracking_factors((), REFERENCE, compensation_weight=0.1)
    assert factors.pop("pelvis_tx") == 0.5  # the compensation does not touch a baseline
    assert set(factors.values()) == {1.0}


def test_a_cap_that_cuts_the_curve_relaxes_it_and_nothing_else_by_default() -> None:
    factors = tracking_factors(parse_restrictions(["knee_flexion_max=20@L"]), REFERENCE)
    assert factors["knee_flexion_l"] == RELAXED_WEIGHT
    assert factors["knee_flexion_r"] == factors["hip_flexion_l"] == factors["pelvis_tilt"] == 1.0


def test_a_bound_wider_than_the_curve_leaves_the_weights_as_they_were() -> None:
    wide = tracking_factors(parse_restrictions(["ankle_dorsiflexion_max=30@L"]), REFERENCE)
    assert wide == tracking_factors((), REFERENCE)


@pytest.mark.parametrize(
    ("spec", "acted_on"),
    [
        ("knee_flexion_max=20@L", {"knee_flexion_l"}),
        ("knee_extension_deficit=10", {"knee_flexion_l", "knee_flexion_r"}),
        ("ankle_dorsiflexion_max=30@R", {"ankle_dorsiflexion_r"}),
        ("knee_release@R", {"knee_flexion_r"}),
        ("plantarflexor_strength=0.5@L", set()),
    ],
)
def test_compensation_loosens_every_coordinate_the_restriction_does_not_act_on(
    spec: str, acted_on: set[str]
) -> None:
    restrictions = parse_restrictions([spec])
    assert restricted_coordinates(restrictions) == acted_on
    held = tracking_factors(restrictions, REFERENCE)
    loose = tracking_factors(restrictions, REFERENCE, compensation_weight=0.25)
    for name in MODEL_COORDINATES:
        expected = held[name] if name in acted_on else 0.25 * held[name]
        assert math.isclose(loose[name], expected), name


def test_a_flexion_cap_does_not_lend_the_knee_extension_it_did_not_have() -> None:
    lo, hi = state_bounds(parse_restrictions(["knee_flexion_max=20@L"]), REFERENCE)[
        "knee_flexion_l"
    ]
    assert hi == pytest.approx(math.radians(20)) and lo == 0.0  # the curve's least flexion is 0
    bent = {**REFERENCE, "knee_flexion_l": REFERENCE["knee_flexion_l"] + math.radians(5)}
    lo, _ = state_bounds(parse_restrictions(["knee_flexion_max=20@L"]), bent)["knee_flexion_l"]
    assert lo == 0.0  # full extension stays allowed
    hyper = {**REFERENCE, "knee_flexion_l": REFERENCE["knee_flexion_l"] - math.radians(8)}
    lo, _ = state_bounds(parse_restrictions(["knee_flexion_max=20@L"]), hyper)["knee_flexion_l"]
    assert lo == pytest.approx(math.radians(-8))  # as far as the measured stride extended it
    way = {**REFERENCE, "knee_flexion_l": REFERENCE["knee_flexion_l"] - math.radians(40)}
    lo, _ = state_bounds(parse_restrictions(["knee_flexion_max=20@L"]), way)["knee_flexion_l"]
    assert lo == pytest.approx(math.radians(JOINT_RANGES_DEG["knee_flexion"][0]))  # the model's


def test_every_other_bound_is_closed_by_the_model_s_range() -> None:
    bounds = state_bounds(
        parse_restrictions(["knee_extension_deficit=15@R", "ankle_dorsiflexion_max=5@L"]),
        REFERENCE,
    )
    assert set(bounds) == {"knee_flexion_r", "ankle_dorsiflexion_l"}
    lo, hi = bounds["knee_flexion_r"]
    assert (math.degrees(lo), math.degrees(hi)) == pytest.approx((15, 140))
    lo, hi = bounds["ankle_dorsiflexion_l"]
    assert (math.degrees(lo), math.degrees(hi)) == pytest.approx((-60, 5))
    for lo, hi in bounds.values():
        assert math.isfinite(lo) and math.isfinite(hi) and lo < hi

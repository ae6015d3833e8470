"""The stride taken from a processed trial, and the planar kinematics (no OpenSim needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinchain.analysis import GaitAnalysis
from kinchain.errors import InputError
from kinchain.sim.stride import (
    COORDINATES,
    SUPPORT_PENETRATION_M,
    FootGeometry,
    StrideData,
    choose_stride,
    contact_heights,
    stride_data,
)


def test_the_demo_stride_is_the_one_on_the_plate(
    demo_analysis: GaitAnalysis, demo_stride: StrideData
) -> None:
    cycles = demo_analysis.cycles["left"].cycles
    assert cycles[demo_stride.stride_index].kinetics_valid
    assert demo_stride.grf is not None and demo_stride.grf.shape == (101, 2)
    # The foot is in the air after foot off: nothing measured, zero force tracked.
    swing = np.linspace(0, 100, 101) > demo_stride.stance_pct + 2
    assert np.all(demo_stride.grf[swing] == 0.0)
    # Stance: the vertical force carries about body weight on average over single support.
    assert 0.5 < np.max(demo_stride.grf[:, 1]) / (demo_stride.mass_kg * 9.81) < 1.6
    assert set(demo_stride.coordinates) == set(COORDINATES)
    for values in demo_stride.coordinates.values():
        assert values.shape == (101,) and np.isfinite(values).all()
    assert math.isclose(demo_stride.duration_s, demo_stride.time_s[-1])
    assert demo_stride.moments["left_ankle"].shape == (101,)
    # The knee flexion follows kinchain's Plug-in Gait output (radians, same sign).
    label = demo_analysis.cycles["left"].curves["LKneeAngles"][demo_stride.stride_index, :, 0]
    np.testing.assert_allclose(
        np.degrees(demo_stride.coordinates["knee_flexion_l"]), label, atol=1e-9
    )
    # Pelvis tilt: the model's rotation is posterior positive, Plug-in Gait's anterior positive.
    tilt = demo_analysis.cycles["left"].curves["LPelvisAngles"][demo_stride.stride_index, :, 0]
    assert np.corrcoef(demo_stride.coordinates["pelvis_tilt"], tilt)[0, 1] < -0.9


def test_lowest_contact_sits_at_the_stated_penetration(demo_stride: StrideData) -> None:
    h = contact_heights(
        demo_stride.coordinates,
        demo_stride.thigh_length_m,
        demo_stride.shank_length_m,
        demo_stride.feet,
    )
    lowest = np.min(np.stack(list(h.values())), axis=0)
    np.testing.assert_allclose(lowest, -SUPPORT_PENETRATION_M, atol=1e-12)


def test_contact_heights_analytic() -> None:
    """Straight legs, no tilt: the sphere bottoms are at hip height - thigh - shank + the
    sphere's y - r; tilting everything by 90 deg puts the leg horizontal."""
    coords = {name: np.zeros(2) for name in COORDINATES}
    coords["pelvis_ty"] = np.array([1.0, 1.0])
    coords["hip_flexion_l"] = np.array([0.0, math.pi / 2])
    foot = FootGeometry(
        heel=(-0.05, -0.06),
        forefoot=(0.15, -0.07),
        heel_radius_m=0.03,
        forefoot_radius_m=0.01,
        length_m=0.15,
    )
    h = contact_heights(
        coords,
        {"left": 0.4, "right": 0.4},
        {"left": 0.4, "right": 0.4},
        {"left": foot, "right": foot},
    )
    assert h["right_heel"][0] == pytest.approx(1.0 - 0.8 - 0.06 - 0.03)
    assert h["right_forefoot"][0] == pytest.approx(1.0 - 0.8 - 0.07 - 0.01)
    # Hip flexed 90 deg: the leg points forward, the foot's -y axis points forward and its x up.
    assert h["left_heel"][1] == pytest.approx(1.0 + (-0.05) - 0.03)
    assert h["left_forefoot"][1] == pytest.approx(1.0 + 0.15 - 0.01)


def test_choice_and_errors(demo_analysis: GaitAnalysis) -> None:
    assert choose_stride(demo_analysis, "left") == 1  # the only left stride on the plate
    any_stride = choose_stride(demo_analysis, "right", prefer_kinetics=True)
    assert 0 <= any_stride < len(demo_analysis.cycles["right"].cycles)
    right = stride_data(demo_analysis, "right")
    assert right.grf is None  # no right foot on a plate: nothing to track
    with pytest.raises(InputError, match="stride_index"):
        stride_data(demo_analysis, "left", stride_index=99)


def test_normal_knee_curve_for_release(demo_stride: StrideData) -> None:
    normal = demo_stride.normal_knee_flexion
    assert set(normal) == {"left", "right"}
    # A normal knee flexes 50-70 deg in swing and is nearly straight at foot strike.
    assert 50 < np.degrees(normal["left"].max()) < 75
    assert np.degrees(normal["left"][0]) < 15

"""The stride taken from a processed trial, and the planar kinematics (no OpenSim needed)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from kinchain.analysis import GaitAnalysis
from kinchain.errors import InputError
from kinchain.gait.cycles import time_normalise
from kinchain.sim.stride import (
    COORDINATES,
    SUPPORT_PENETRATION_M,
    SWING_CLEARANCE_M,
    SWING_CLEARANCE_RATE_M_S,
    FootGeometry,
    StrideData,
    choose_stride,
    contact_heights,
    forefoot_share,
    lift_swing_feet,
    stride_data,
    swing_clearance,
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
    # The knee flexion follows kinchain's Plug-in Gait output (radians, same sign), changed by
    # the planar fit to the measured points (a few degrees) and the swing-foot lift.
    label = demo_analysis.cycles["left"].curves["LKneeAngles"][demo_stride.stride_index, :, 0]
    knee = np.degrees(demo_stride.coordinates["knee_flexion_l"])
    changed = float(demo_stride.source["swing_foot_lift_deg"].split(",")[0].split()[-1])
    assert 0 < changed < 10
    assert np.corrcoef(knee, label)[0, 1] > 0.98
    assert np.sqrt(np.mean((knee - label) ** 2)) < 4.0
    assert np.abs(knee - label).max() < 8.0
    assert float(demo_stride.source["planar_fit"].split()[0]) < 10.0  # mm RMS
    # Pelvis tilt: the model's rotation is posterior positive, Plug-in Gait's anterior positive.
    tilt = demo_analysis.cycles["left"].curves["LPelvisAngles"][demo_stride.stride_index, :, 0]
    assert np.corrcoef(demo_stride.coordinates["pelvis_tilt"], tilt)[0, 1] < -0.9


def test_feet_are_on_the_floor_in_stance_and_clear_of_it_in_swing(
    demo_stride: StrideData,
) -> None:
    """The reference the simulation tracks agrees with the trial's events: the lowest contact
    sphere sits SUPPORT_PENETRATION_M in the floor in every frame, and a swinging foot is clear
    of it, so that tracking the kinematics does not ask for a foot strike the force plate did
    not measure. Before the swinging feet were lifted, the demo's left heel was 4.5 mm in the
    floor at 88 % of the stride (its swing)."""
    st = demo_stride
    h = contact_heights(st.coordinates, st.thigh_length_m, st.shank_length_m, st.feet)
    pct = np.linspace(0, 100, 101)
    swings = {"left": (st.foot_off_pct["left"], 100.0), "right": (st.foot_off_pct["right"], 49.5)}
    events = [e for sw in swings.values() for e in sw]
    # within 5 % of the stride of an event (distance on the circle of the
    # stride; the clearance rises from the floor over 4.1 %)
    near = np.min([np.abs((pct - e + 50) % 100 - 50) for e in events], axis=0) < 5
    lowest_of_all = np.min(np.stack(list(h.values())), axis=0)
    np.testing.assert_allclose(lowest_of_all[~near], -SUPPORT_PENETRATION_M, atol=1e-12)
    # near a foot strike the lowest sphere may be the swinging foot's, lifted: none is deeper
    assert lowest_of_all.min() >= -SUPPORT_PENETRATION_M - 1e-12
    for side in ("left", "right"):
        lowest = np.minimum(h[f"{side}_heel"], h[f"{side}_forefoot"])
        off, strike = swings[side]
        swinging = (pct > off) & (pct < strike) if off < strike else (pct > off) | (pct < strike)
        assert lowest[swinging & ~near].min() >= SWING_CLEARANCE_M - 1e-6


def test_swing_clearance_ramps_from_the_events() -> None:
    """No bound in stance; in swing -SUPPORT_PENETRATION_M at the foot off and strike, rising
    at SWING_CLEARANCE_RATE_M_S to SWING_CLEARANCE_M; a swing across the stride's end is
    handled like any other."""
    t = np.linspace(0.0, 1.0, 10001)
    least = swing_clearance(t, (60.0, 100.0), 1.0)
    assert np.isneginf(least[3000]) and np.isneginf(least[0])
    assert least[8000] == pytest.approx(SWING_CLEARANCE_M)
    assert least[6010] == pytest.approx(-SUPPORT_PENETRATION_M + SWING_CLEARANCE_RATE_M_S * 0.001)
    assert least[9990] == pytest.approx(-SUPPORT_PENETRATION_M + SWING_CLEARANCE_RATE_M_S * 0.001)
    wrapped = swing_clearance(t, (57.0, 3.0), 1.0)  # swing from 57 % to 3 % of the next
    assert wrapped[8000] == pytest.approx(SWING_CLEARANCE_M)
    assert wrapped[10] == pytest.approx(-SUPPORT_PENETRATION_M + SWING_CLEARANCE_RATE_M_S * 0.029)
    assert np.isneginf(wrapped[3000])


def test_lift_swing_feet_changes_angles_only_where_needed_and_least() -> None:
    """Synthetic legs: a swinging foot in the floor is lifted to the clearance by a change of
    its three angles; a frame with no bound and the other leg are not touched."""
    n = 2
    coords = {name: np.zeros(n) for name in COORDINATES}
    coords["pelvis_ty"] = np.full(n, 0.8 + 0.06 + 0.03 - 0.010)  # straight: heel 10 mm in
    coords["hip_flexion_l"] = np.array([0.2, 0.2])
    coords["knee_flexion_l"] = np.array([0.2, 0.2])
    foot = FootGeometry(
        heel=(-0.05, -0.06),
        forefoot=(0.15, -0.06),
        heel_radius_m=0.03,
        forefoot_radius_m=0.03,
        length_m=0.15,
    )
    legs = {"left": 0.4, "right": 0.4}
    feet = {"left": foot, "right": foot}
    before = contact_heights(coords, legs, legs, feet)
    out, changed = lift_swing_feet(
        coords, legs, legs, feet, {"left": np.array([SWING_CLEARANCE_M, -np.inf])}
    )
    after = contact_heights(out, legs, legs, feet)
    assert before["left_heel"][0] < SWING_CLEARANCE_M
    # at least the clearance (the Gauss-Newton step may overshoot it by a few millimetres)
    assert SWING_CLEARANCE_M - 1e-5 <= min(after["left_heel"][0], after["left_forefoot"][0])
    assert min(after["left_heel"][0], after["left_forefoot"][0]) < SWING_CLEARANCE_M + 0.003
    names = ("hip_flexion_l", "knee_flexion_l", "ankle_dorsiflexion_l")
    for c in (*names, "pelvis_ty", "hip_flexion_r", "knee_flexion_r", "ankle_dorsiflexion_r"):
        assert out[c][1] == coords[c][1]
    for c in ("pelvis_ty", "hip_flexion_r", "knee_flexion_r", "ankle_dorsiflexion_r"):
        np.testing.assert_array_equal(out[c], coords[c])
    # a few degrees for a 15 mm lift of a bent leg, spread over the three joints
    dq = np.degrees([out[c][0] - coords[c][0] for c in names])
    assert 0 < np.linalg.norm(dq) < 10 and np.count_nonzero(np.abs(dq) > 0.1) >= 2
    assert changed["left"] > 0 and changed["right"] == 0.0


def test_the_placed_reference_changes_smoothly(
    demo_analysis: GaitAnalysis, demo_stride: StrideData
) -> None:
    """The angle changes from Plug-in Gait's (the planar fit, then the swing-foot lift) have no
    jumps (the simulation tracks the reference's speeds too): at most 2.5 degrees from one
    percent of the stride to the next, and the source reports their RMS and largest value."""
    st = demo_stride
    result = demo_analysis.result
    words = st.source["angle_change_deg"].split()  # "2.4 RMS, largest 7.7"
    changes = []
    largest = 0.0
    for side, prefix, sx in (("left", "L", "l"), ("right", "R", "r")):
        for joint, label in (("hip_flexion", "Hip"), ("knee_flexion", "Knee"),
                             ("ankle_dorsiflexion", "Ankle")):  # fmt: skip
            measured = time_normalise(
                result.outputs[f"{prefix}{label}Angles"][:, 0], st.start_frame, st.end_frame, 101
            )
            delta = np.degrees(st.coordinates[f"{joint}_{sx}"]) - measured
            assert np.abs(np.diff(delta)).max() < 2.5, (side, joint)
            largest = max(largest, float(np.abs(delta).max()))
            changes.append(delta)
    assert largest == pytest.approx(float(words[-1]), abs=0.06)
    rms = float(np.sqrt(np.mean(np.concatenate(changes) ** 2)))
    assert rms == pytest.approx(float(words[0]), abs=0.06)
    assert largest < 10.0 and rms < 4.0


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


def test_forefoot_share_puts_the_centre_of_pressure_where_the_plate_measured_it(
    demo_stride: StrideData,
) -> None:
    """The lever rule: a centre of pressure under the heel sphere gives the forefoot nothing,
    under the forefoot sphere everything, half way half; behind or ahead of both is clipped;
    off the plate (NaN) is 0.5. The positions are the spheres' centres with the foot at the
    reference's angle (rotation about +z), computed here independently."""
    st = demo_stride
    c = st.coordinates
    angle = c["pelvis_tilt"] + c["hip_flexion_l"] - c["knee_flexion_l"] + c["ankle_dorsiflexion_l"]
    foot = st.feet["left"]

    def ahead(p: tuple[float, float]) -> np.ndarray:
        return np.cos(angle) * p[0] - np.sin(angle) * p[1]

    heel, fore = ahead(foot.heel), ahead(foot.forefoot)
    for cop, share in ((heel, 0.0), (fore, 1.0), (0.5 * (heel + fore), 0.5),
                       (heel - 0.05, 0.0), (fore + 0.05, 1.0)):  # fmt: skip
        got = forefoot_share(dataclasses.replace(st, cop_m=cop))
        np.testing.assert_allclose(got, share, atol=1e-12)
    off = forefoot_share(dataclasses.replace(st, cop_m=np.full(101, np.nan)))
    np.testing.assert_array_equal(off, 0.5)
    # the demo's measured centre of pressure moves from the heel to the forefoot over stance
    measured = forefoot_share(st)
    assert measured[2] < 0.4 and measured[50] > 0.9
    assert st.cop_m is not None and np.isnan(st.cop_m[80])  # swing: off the plate


def test_the_compared_moments_are_the_3d_moments_about_the_model_axis(
    demo_analysis: GaitAnalysis, demo_stride: StrideData
) -> None:
    """kinchain.process.lab_joint_moment undoes the stored Plug-in Gait layout exactly (the
    stored components come back from the lab vector), and the stride's moments are that vector
    about the horizontal axis perpendicular to the progression, Plug-in Gait's sign. Where the
    distal segment's flexion axis is that axis the two agree: at the ankle within 0.02 N·m/kg
    RMS over the stance; at the hip, whose thigh frame is tilted by rotation and ab/adduction,
    they differ by up to 0.23 N·m/kg (late stance)."""
    from kinchain.kinetics.newton_euler import express_in_frame
    from kinchain.process import _DISTAL_FRAME, _LOAD_LAYOUT, lab_joint_moment

    result = demo_analysis.result
    for joint in ("Hip", "Knee", "Ankle"):
        lab = lab_joint_moment(result, "left", joint)
        R = result.model.segments[f"left_{_DISTAL_FRAME[joint]}"].R
        perm, sign = _LOAD_LAYOUT[(joint, "left")]
        again = express_in_frame(lab, R)[:, perm] * np.array(sign)
        np.testing.assert_allclose(again, result.outputs[f"L{joint}Moment"], atol=1e-12)
    st = demo_stride
    stance = np.linspace(0, 100, 101) <= st.stance_pct
    cyc = demo_analysis.cycles["left"].curves
    diff = {}
    for joint in ("hip", "ankle"):
        pig = cyc[f"L{joint.capitalize()}Moment"][st.stride_index, :, 0]
        ok = stance & np.isfinite(st.moments[f"left_{joint}"])
        diff[joint] = st.moments[f"left_{joint}"][ok] - pig[ok]
    assert np.sqrt(np.mean(diff["ankle"] ** 2)) < 0.02
    assert 0.1 < np.abs(diff["hip"]).max() < 0.3


def test_a_trial_with_pelvis_angles_missing_at_its_ends_gives_a_stride_without_warnings() -> None:
    # sample_09 (Plug-in Gait, 60 Hz) has frames where neither side's pelvis angle exists: the
    # stride's pelvis tilt used to be averaged with a "Mean of empty slice" warning that reached
    # the whatif command's output.
    import warnings
    from dataclasses import replace

    from kinchain.analysis import analyze
    from kinchain.io.c3d import read_c3d
    from kinchain.io.subject import read_mp
    from kinchain.process import process
    from shared_paths import shared_data

    folder = shared_data() / "c3d-org" / "sample_09"
    subject = replace(read_mp(folder / "42798.mp"), marker_diameter_m=0.025)
    analysis = analyze(process(read_c3d(folder / "PlugInC3D.c3d", subject=subject)))
    tilts = np.stack([analysis.result.outputs[f"{p}PelvisAngles"][:, 0] for p in "LR"])
    assert (~np.isfinite(tilts)).all(axis=0).any()  # the case this test is about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for side in ("left", "right"):
            stride = stride_data(analysis, side)  # type: ignore[arg-type]
            assert np.isfinite(stride.coordinates["pelvis_tilt"]).all()

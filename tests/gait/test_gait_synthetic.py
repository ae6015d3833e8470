"""Gait events, strides and spatiotemporal parameters on synthetic signals with analytic answers."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pytest

from kinchain.gait import (
    N_POINTS,
    GaitEvent,
    detect_events,
    foot_velocity_events,
    match_events,
    segment_cycles,
    spatiotemporal,
    strides,
    symmetry_index,
    threshold_events,
    time_normalise,
    zeni_events,
)
from kinchain.gait.events import _compare


def _trapezoid(n: int, up: tuple[int, int], down: tuple[int, int], peak: float) -> np.ndarray:
    k = np.arange(n, dtype=float)
    rise = np.clip((k - up[0]) / (up[1] - up[0]), 0, 1)
    fall = np.clip((down[1] - k) / (down[1] - down[0]), 0, 1)
    return peak * np.minimum(rise, fall)


def test_plate_threshold_on_a_trapezoid_force() -> None:
    # 1000 Hz analog, 100 Hz markers (10 samples per frame). Ramp 0 -> 800 N over samples
    # 100..200: F = 8 (k - 100) > 20 N first at k = 103 (k > 102.5); ramp down over 600..700:
    # F = 8 (700 - k) > 20 N last at k = 697. Frames = samples / 10.
    fz = _trapezoid(1000, (100, 200), (600, 700), 800.0)
    strike, off = threshold_events(fz, 20.0, rate_ratio=10.0)  # type: ignore[misc]
    assert strike == pytest.approx(10.3)
    assert off == pytest.approx(69.7)
    # A higher threshold moves both inwards by the analytic amount: 8 (k - 100) > 400 -> k = 151.
    strike, off = threshold_events(fz, 400.0, rate_ratio=10.0)  # type: ignore[misc]
    assert (strike, off) == (pytest.approx(15.1), pytest.approx(64.9))


def test_plate_threshold_ignores_nan_and_reports_no_contact() -> None:
    fz = np.full(50, np.nan)
    assert threshold_events(fz, 20.0) is None
    fz[10:20] = 100.0
    assert threshold_events(fz, 20.0) == (10.0, 19.0)


def test_zeni_on_sinusoidal_heel_and_toe() -> None:
    rate, f = 100.0, 0.9  # Hz; stride 1/0.9 s = 111.1 frames
    t = np.arange(600) / rate
    phase = 0.137  # s, so extrema fall between samples
    heel = 0.25 * np.cos(2 * np.pi * f * (t - phase))  # maxima at t = phase + k / f
    toe = -0.22 * np.cos(2 * np.pi * f * (t - phase - 0.6 / f))  # minima 60 % later
    ev = zeni_events(heel, toe, rate, "left")
    strikes = [e.frame for e in ev if e.kind == "foot_strike"]
    offs = [e.frame for e in ev if e.kind == "foot_off"]
    expect_s = [(phase + k / f) * rate for k in range(0, 6)]
    expect_o = [(phase + (k + 0.6) / f) * rate for k in range(0, 5)]
    assert strikes == pytest.approx(expect_s, abs=0.02)
    assert offs == pytest.approx(expect_o, abs=0.02)
    assert all(e.method == "zeni" and e.side == "left" for e in ev)
    assert all(e.time_s == pytest.approx(e.frame / rate) for e in ev)


def test_zeni_ignores_jitter_and_gaps() -> None:
    rate = 100.0
    t = np.arange(400) / rate
    heel = 0.25 * np.cos(2 * np.pi * 1.0 * (t - 0.5)) + 0.002 * np.sin(2 * np.pi * 23 * t)
    heel[240:260] = np.nan  # a gap far from any maximum (1.5 s, 2.5 s... are minima)
    ev = zeni_events(heel, heel.copy(), rate, "right")
    strikes = [e.frame for e in ev if e.kind == "foot_strike"]
    # 2 mm of 23 Hz jitter shifts a maximum by under a frame but adds no extra event; the
    # maximum at 250 lies in the gap and is not invented.
    assert strikes == pytest.approx([50.0, 150.0, 350.0], abs=1.0)


def _swing_foot(rate: float, n_strides: int) -> tuple[np.ndarray, np.ndarray]:
    """Foot centre: still in stance (0-60 % of a 1 s stride), in swing it moves forward 1.4 m with
    a (1 - cos) profile (forward velocity peaks at 80 %) and rises as sin^2 (vertical velocity
    peaks at 70 %, is lowest at 90 %)."""
    t = np.arange(int(n_strides * rate)) / rate
    phase = t % 1.0
    k = np.floor(t)
    s = np.clip((phase - 0.6) / 0.4, 0, 1)
    x = 1.4 * (k + 0.5 * (1 - np.cos(np.pi * s)))
    z = 0.05 * np.sin(np.pi * s) ** 2
    centre = np.stack([x, np.zeros_like(x), z], axis=1)
    half = np.array([0.1, 0.0, 0.0])
    return centre - half, centre + half


def test_foot_velocity_on_a_synthetic_swing() -> None:
    rate = 200.0
    heel, toe = _swing_foot(rate, 4)
    ev = foot_velocity_events(heel, toe, np.array([1.0, 0, 0]), rate, "left", cutoff_hz=None)
    strikes = [e.frame / rate for e in ev if e.kind == "foot_strike"]
    offs = [e.frame / rate for e in ev if e.kind == "foot_off"]
    assert strikes == pytest.approx([0.9, 1.9, 2.9, 3.9], abs=0.006)
    assert offs == pytest.approx([0.7, 1.7, 2.7, 3.7], abs=0.006)


def _ev(kind: str, side: str, frame: float, method: str = "m") -> GaitEvent:
    return GaitEvent(kind, side, frame, frame / 100.0, method)  # type: ignore[arg-type]


def test_matching_and_disagreement_summary() -> None:
    a = [_ev("foot_strike", "left", 10.0, "a"), _ev("foot_strike", "left", 110.0, "a")]
    b = [
        _ev("foot_strike", "left", 12.0, "b"),
        _ev("foot_strike", "left", 109.0, "b"),
        _ev("foot_strike", "left", 300.0, "b"),  # nothing near in a
        _ev("foot_off", "left", 11.0, "b"),  # other kind: never matched with a strike
    ]
    pairs = match_events(a, b, window_frames=25)
    assert [(p[0].frame, p[1].frame) for p in pairs] == [(10.0, 12.0), (110.0, 109.0)]
    dis, summary = _compare({"a": tuple(a), "b": tuple(b)}, 25.0)
    assert [d.difference_frames for d in dis] == [2.0, -1.0]
    (s,) = summary
    assert (s.n_matched, s.mean_abs_frames, s.max_abs_frames, s.mean_frames) == (2, 1.5, 2.0, 0.5)
    assert (s.unmatched_a, s.unmatched_b) == (0, 2)


def test_time_normalise_is_exact_on_a_line_and_keeps_nan_local() -> None:
    frames = np.arange(50, dtype=float)
    values = np.stack([2 * frames + 1, -frames, frames**0], axis=1)
    out = time_normalise(values, 3.5, 13.5)
    t = np.linspace(3.5, 13.5, N_POINTS)
    assert out.shape == (N_POINTS, 3)
    np.testing.assert_allclose(out[:, 0], 2 * t + 1)
    np.testing.assert_allclose(out[:, 1], -t)
    values[8, 0] = np.nan
    out = time_normalise(values, 3.5, 13.5)
    bad = np.isnan(out[:, 0])
    assert np.array_equal(bad, (t > 7) & (t < 9))
    with pytest.raises(ValueError):
        time_normalise(values, 10.0, 10.0)


def test_strides_collect_the_events_inside() -> None:
    ev = [
        _ev("foot_strike", "left", 0.0),
        _ev("foot_off", "right", 10.0),
        _ev("foot_strike", "right", 50.0),
        _ev("foot_off", "left", 60.0),
        _ev("foot_strike", "left", 100.0),
        _ev("foot_off", "left", 160.0),
        _ev("foot_off", "left", 250.0),  # the strike at ~200 was missed
        _ev("foot_strike", "left", 300.0),
    ]
    c1, c2 = strides(ev, "left")
    assert (c1.start, c1.end, c1.foot_off) == (0.0, 100.0, 60.0)
    assert (c1.opposite_foot_off, c1.opposite_foot_strike) == (10.0, 50.0)
    assert c1.valid
    assert not c2.valid and "missed" in c2.note
    assert np.isnan(c2.opposite_foot_strike)


def _fake_result(n: int, rate: float, knee: np.ndarray, hip: np.ndarray) -> SimpleNamespace:
    zeros = np.zeros((n, 3))
    outputs = {
        "LKneeAngles": np.stack([knee, 0 * knee, 0 * knee], axis=1),
        "LHipAngles": np.stack([hip, 0 * hip, 0 * hip], axis=1),
        "LKneeMoment": np.full((n, 3), np.nan),
        "RKneeAngles": zeros,
    }
    valid = {k: np.ones(n, bool) for k in outputs}
    valid["LKneeMoment"][:] = False
    return SimpleNamespace(
        trial=SimpleNamespace(n_frames=n, point_rate=rate), outputs=outputs, valid=valid
    )


def test_outlier_rule_flags_a_deviant_and_a_long_stride_only() -> None:
    rate, T = 100, 100
    n = 8 * T + 31
    strikes = [0, 100, 200, 300, 400, 500, 600, 730]  # the last stride is 30 % longer
    phase = np.zeros(n)
    for a, b in pairwise(strikes):
        phase[a:b] = (np.arange(b - a)) / (b - a)
    rng = np.random.default_rng(1)
    knee = 30 - 30 * np.cos(2 * np.pi * phase) + rng.normal(0, 0.5, n)
    hip = 20 * np.cos(2 * np.pi * phase) + rng.normal(0, 0.5, n)
    knee[200:300] += 25 * np.sin(np.pi * phase[200:300])  # stride 3 deviates
    result = _fake_result(n, rate, knee, hip)
    events = [_ev("foot_strike", "left", float(f)) for f in strikes]
    events += [_ev("foot_off", "left", f + 0.6 * T) for f in strikes[:-1]]
    sets = segment_cycles(result, events)  # type: ignore[arg-type]
    left = sets["left"]
    assert left.curves["LKneeAngles"].shape == (7, N_POINTS, 3)
    flags = [c.outlier for c in left.cycles]
    assert flags == [False, False, True, False, False, False, True]
    assert "hip/knee" in left.cycles[2].note and "duration" in left.cycles[6].note
    assert all(c.valid for c in left.cycles)  # outliers are flagged, not invalid
    # Kinetics invalid everywhere: curves NaN, strides still kinematically valid.
    assert np.isnan(left.curves["LKneeMoment"]).all()
    assert not any(c.kinetics_valid for c in left.cycles)
    assert left.usable().sum() == 5
    assert sets["right"].cycles == ()


def test_invalid_kinematics_make_a_stride_invalid() -> None:
    n = 320
    result = _fake_result(n, 100, np.zeros(n), np.zeros(n))
    result.valid["LHipAngles"][150] = False
    events = [_ev("foot_strike", "left", f) for f in (10.0, 110.0, 210.0, 310.0)]
    sets = segment_cycles(result, events, labels=["LHipAngles", "LKneeAngles"])  # type: ignore[arg-type]
    valid = [c.valid for c in sets["left"].cycles]
    assert valid == [True, False, True]
    assert "LHipAngles" in sets["left"].cycles[1].note
    assert np.isnan(sets["left"].curves["LHipAngles"][1]).any()
    assert set(sets["left"].curves) == {"LHipAngles", "LKneeAngles"}


def test_symmetry_index() -> None:
    assert symmetry_index(1.1, 0.9) == pytest.approx(20.0)
    assert symmetry_index(1.0, 1.0) == 0.0
    assert np.isnan(symmetry_index(np.nan, 1.0))
    assert np.isnan(symmetry_index(1.0, -1.0))


def _walker(rate: float = 100.0, speed: float = 1.2, T: float = 1.0) -> SimpleNamespace:
    """Pelvis at constant speed along lab +X; heels at +/- 0.05 m; strikes every T s, right half a
    stride after left; foot off at 60 %."""
    n = int(4.2 * T * rate)
    t = np.arange(n) / rate
    pelvis = np.stack([speed * t, np.zeros(n), np.full(n, 0.9)], axis=1)
    heel_l = pelvis + np.array([0.3, 0.05, -0.85])
    heel_r = pelvis + np.array([0.3, -0.05, -0.85])
    toe = np.array([0.2, 0.0, 0.0])
    joints = {
        "left_heel": heel_l,
        "right_heel": heel_r,
        "left_toe": heel_l + toe,
        "right_toe": heel_r + toe,
        "left_ankle": heel_l,
        "right_ankle": heel_r,
    }
    model = SimpleNamespace(
        progression=np.eye(3),
        segments={"pelvis": SimpleNamespace(origin=pelvis)},
        joints=joints,
        subject=SimpleNamespace(leg_length_m={"left": 0.9, "right": 0.9}),
    )
    return SimpleNamespace(
        trial=SimpleNamespace(point_rate=rate, n_frames=n, path="synthetic", sha256=""), model=model
    )


def test_spatiotemporal_on_a_synthetic_walker() -> None:
    rate, speed, T = 100.0, 1.2, 1.0
    result = _walker(rate, speed, T)
    events = []
    for k in range(4):
        for side, shift in (("left", 0.0), ("right", 0.5)):
            events.append(_ev("foot_strike", side, (k + shift) * T * rate))
            events.append(_ev("foot_off", side, (k + shift + 0.6) * T * rate))
    st = spatiotemporal(result, events)  # type: ignore[arg-type]
    for side in ("left", "right"):
        s = st.side(side)  # type: ignore[arg-type]
        assert s.stride_time_s == pytest.approx(T)
        assert s.cadence_steps_min == pytest.approx(120.0 / T)
        assert s.speed_m_s == pytest.approx(speed)
        assert s.stride_length_m == pytest.approx(speed * T)
        assert s.step_length_m == pytest.approx(speed * T / 2)
        assert s.step_time_s == pytest.approx(T / 2)
        assert s.step_width_m == pytest.approx(0.10)
        assert s.stance_pct == pytest.approx(60.0) and s.swing_pct == pytest.approx(40.0)
        assert s.opposite_foot_off_pct == pytest.approx(10.0)
        assert s.opposite_foot_strike_pct == pytest.approx(50.0)
        assert s.single_support_pct == pytest.approx(40.0)
        assert s.double_support_pct == pytest.approx(20.0)
        assert s.dimensionless_speed == pytest.approx(speed / np.sqrt(9.81 * 0.9))
    assert st.symmetry_pct["speed_m_s"] == pytest.approx(0.0, abs=1e-9)
    assert st.units["cadence_steps_min"] == "steps/min"


def test_detect_events_rejects_unknown_method() -> None:
    with pytest.raises(ValueError):
        detect_events(SimpleNamespace(), method="guess")  # type: ignore[arg-type]

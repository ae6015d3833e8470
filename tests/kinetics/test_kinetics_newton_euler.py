"""Newton-Euler inverse dynamics against closed-form statics and dynamics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from kinchain.kinetics.bsip import SegmentInertia, segment_parameters
from kinchain.kinetics.newton_euler import (
    SegmentState,
    bottom_up,
    express_in_frame,
    solve_segment,
)

G = 9.81
GRAV = np.array([0.0, 0.0, -G])


def _tile(v: list[float] | np.ndarray, n: int) -> np.ndarray:
    return np.tile(np.asarray(v, dtype=float), (n, 1))


def _eye(n: int) -> np.ndarray:
    return np.tile(np.eye(3), (n, 1, 1))


def test_static_horizontal_segment_under_gravity() -> None:
    n, m = 20, 3.0
    prox = _tile([0.0, 0.0, 1.0], n)
    com = _tile([0.3, 0.0, 1.0], n)
    zero = np.zeros((n, 3))
    f, mo = solve_segment(m, com, np.diag([0.1, 0.1, 0.0]), _eye(n), zero, zero, com, prox, 100.0)
    # The joint holds the weight up and stops the segment tipping about +y.
    np.testing.assert_allclose(f, _tile([0.0, 0.0, m * G], n), atol=1e-9)
    np.testing.assert_allclose(mo, _tile([0.0, -0.3 * m * G, 0.0], n), atol=1e-9)


def test_static_segment_with_distal_load() -> None:
    n, m = 10, 2.0
    prox = _tile([0.0, 0.0, 0.0], n)
    com = _tile([0.2, 0.0, 0.0], n)
    dist = _tile([0.5, 0.0, 0.0], n)
    fd = _tile([0.0, 0.0, 100.0], n)  # pushed up at the far end
    md = _tile([0.0, 0.0, 4.0], n)  # and twisted about z
    f, mo = solve_segment(m, com, np.diag([0.1, 0.1, 0.0]), _eye(n), fd, md, dist, prox, 100.0)
    np.testing.assert_allclose(f, _tile([0.0, 0.0, m * G - 100.0], n), atol=1e-9)
    # Sum of moments about the joint: 0.5 x 100 (about -y) and 0.2 x mg (about +y), plus 4 on z.
    np.testing.assert_allclose(mo, _tile([0.0, 50.0 - 0.2 * m * G, -4.0], n), atol=1e-9)


def test_free_fall_needs_no_joint_load() -> None:
    rate = 100.0
    t = np.arange(50) / rate
    n = len(t)
    com = np.array([0.1, 0.2, 2.0]) + np.outer(t, [1.0, 0.5, 0.0]) + 0.5 * np.outer(t**2, GRAV)
    zero = np.zeros((n, 3))
    f, mo = solve_segment(4.0, com, np.diag([0.2, 0.2, 0.05]), _eye(n), zero, zero, com, com, rate)
    np.testing.assert_allclose(f, 0.0, atol=1e-8)
    np.testing.assert_allclose(mo, 0.0, atol=1e-8)


def test_constant_spin_about_non_principal_axis_needs_gyroscopic_moment() -> None:
    rate = 200.0
    t = np.arange(100) / rate
    n = len(t)
    w = np.array([1.0, 2.0, 3.0])  # constant lab angular velocity, rad/s
    R0 = Rotation.from_euler("zyx", [0.2, -0.4, 0.9]).as_matrix()
    R = np.einsum("nij,jk->nik", Rotation.from_rotvec(np.outer(t, w)).as_matrix(), R0)
    inertia = np.diag([0.05, 0.08, 0.02])
    com = _tile([0.0, 0.0, 1.0], n)
    zero = np.zeros((n, 3))
    f, mo = solve_segment(1.0, com, inertia, R, zero, zero, com, com, rate, gravity=np.zeros(3))
    inertia_lab = np.einsum("nij,jk,nlk->nil", R, inertia, R)
    expected = np.cross(w, np.einsum("nij,j->ni", inertia_lab, w))
    assert np.abs(expected).max() > 0.01  # the case is not trivial
    np.testing.assert_allclose(f, 0.0, atol=1e-9)
    # Interior frames: alpha = 0 exactly; the ends use one-sided omega, also exact here.
    np.testing.assert_allclose(mo, expected, atol=1e-8)


def test_driven_pendulum() -> None:
    """Rigid body swinging about a fixed pivot along a prescribed angle theta(t).

    About the pivot: M_y = (I_com + m d^2) theta'' + m g d sin(theta); F = m a_com - m g.
    """
    rate = 1000.0
    t = np.arange(1500) / rate
    n = len(t)
    m, d, i_com = 3.5, 0.25, 0.04
    th0, om = 0.6, 2 * np.pi * 0.9
    th = th0 * np.sin(om * t)
    thd = th0 * om * np.cos(om * t)
    thdd = -th0 * om**2 * np.sin(om * t)
    R = Rotation.from_rotvec(th[:, None] * np.array([0.0, 1.0, 0.0])).as_matrix()
    com = np.einsum("nij,j->ni", R, [0.0, 0.0, -d])  # hangs below the pivot at theta = 0
    pivot = np.zeros((n, 3))
    zero = np.zeros((n, 3))
    inertia = np.diag([i_com, i_com, 0.0])
    f, mo = solve_segment(m, com, inertia, R, zero, zero, com, pivot, rate)
    s, c = np.sin(th), np.cos(th)
    a_com = np.stack([-d * (thdd * c - thd**2 * s), 0 * t, d * (thdd * s + thd**2 * c)], axis=1)
    exp_f = m * (a_com - GRAV)
    exp_my = (i_com + m * d**2) * thdd + m * G * d * s
    sl = slice(2, -2)
    np.testing.assert_allclose(f[sl], exp_f[sl], atol=1e-3 * m * G)
    np.testing.assert_allclose(mo[sl, 1], exp_my[sl], atol=1e-3 * np.abs(exp_my).max())
    np.testing.assert_allclose(mo[:, [0, 2]], 0.0, atol=1e-9)


def test_express_in_frame() -> None:
    R = Rotation.from_euler("z", [[90.0]], degrees=True).as_matrix()
    v = np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(express_in_frame(v, R), [[0.0, -1.0, 0.0]], atol=1e-12)
    R2 = Rotation.random(7, random_state=1).as_matrix()
    v2 = np.random.default_rng(2).normal(size=(7, 3))
    np.testing.assert_allclose(np.einsum("nij,nj->ni", R2, express_in_frame(v2, R2)), v2)


def _standing_leg(
    n: int, mass: float
) -> tuple[SegmentState, SegmentState, SegmentState, dict[str, np.ndarray]]:
    pts = {
        "hip": _tile([0.0, 0.1, 0.9], n),
        "knee": _tile([0.02, 0.1, 0.5], n),
        "ankle": _tile([0.0, 0.1, 0.08], n),
        "toe": _tile([0.15, 0.1, 0.03], n),
    }
    thigh = SegmentState(
        segment_parameters("thigh", mass, pts["hip"], pts["knee"]), _eye(n), pts["hip"]
    )
    shank = SegmentState(
        segment_parameters("shank", mass, pts["knee"], pts["ankle"]), _eye(n), pts["knee"]
    )
    foot = SegmentState(
        segment_parameters("foot", mass, pts["ankle"], pts["toe"]), _eye(n), pts["ankle"]
    )
    return foot, shank, thigh, pts


def test_bottom_up_static_leg_matches_statics() -> None:
    n, mass = 12, 70.0
    foot, shank, thigh, pts = _standing_leg(n, mass)
    grf = _tile([15.0, -8.0, 400.0], n)
    cop = _tile([0.05, 0.11, 0.0], n)
    free = _tile([0.0, 0.0, 1.5], n)
    loads = bottom_up(grf, cop, free, foot, shank, thigh, 100.0)

    # Equilibrium of everything below each joint (external loads: GRF, free moment, weights).
    below: list[SegmentInertia] = []
    for joint, seg in (("ankle", foot), ("knee", shank), ("hip", thigh)):
        below.append(seg.inertia)
        jc = pts[joint]
        weight = sum(s.mass_kg for s in below) * GRAV
        exp_force = -(grf + weight)
        exp_moment = -(np.cross(cop - jc, grf) + free)
        for s in below:
            exp_moment -= np.cross(s.com - jc, s.mass_kg * GRAV)
        got = getattr(loads, joint)
        np.testing.assert_allclose(got.force, exp_force, atol=1e-9)
        np.testing.assert_allclose(got.moment, exp_moment, atol=1e-9)
    for name in ("foot", "shank", "thigh"):
        np.testing.assert_allclose(loads.omega[name], 0.0, atol=1e-12)


def test_bottom_up_equals_chained_solve_segment() -> None:
    rate, n = 100.0, 60
    t = np.arange(n) / rate
    rng = np.random.default_rng(0)
    segs = []
    prox_pts = []
    for k in range(3):
        w = rng.normal(size=3)
        R = Rotation.from_rotvec(np.outer(np.sin(2 * t + k), w)).as_matrix()
        prox = np.array([0.0, 0.0, 0.1 + 0.4 * k]) + 0.05 * np.stack(
            [np.sin(3 * t + k), np.cos(2 * t), t], axis=1
        )
        com = prox + np.einsum("nij,j->ni", R, [0.0, 0.0, -0.2])
        inertia = SegmentInertia(2.0 + k, com, np.full(n, 0.4), np.diag([0.03, 0.03, 0.0]))
        segs.append(SegmentState(inertia, R, prox))
        prox_pts.append(prox)
    grf = np.stack([10 * t, -5 * t, 600 + 100 * np.sin(5 * t)], axis=1)
    cop = np.stack([0.1 * t, 0.02 * t, 0 * t], axis=1)
    free = np.stack([0 * t, 0 * t, np.cos(t)], axis=1)
    loads = bottom_up(grf, cop, free, segs[0], segs[1], segs[2], rate)
    fd, md, pd = grf, free, cop
    for seg, joint in zip(segs, (loads.ankle, loads.knee, loads.hip), strict=True):
        f, mo = solve_segment(
            seg.inertia.mass_kg,
            seg.inertia.com,
            seg.inertia.inertia_local,
            seg.R,
            fd,
            md,
            pd,
            seg.proximal,
            rate,
        )
        np.testing.assert_allclose(joint.force, f, atol=1e-9)
        np.testing.assert_allclose(joint.moment, mo, atol=1e-9)
        fd, md, pd = -f, -mo, seg.proximal


def test_swing_frames_use_zero_grf_and_unmarked_nan_stays_nan() -> None:
    n, mass = 10, 70.0
    foot, shank, thigh, _ = _standing_leg(n, mass)
    grf = _tile([0.0, 0.0, 500.0], n)
    cop = _tile([0.05, 0.1, 0.0], n)
    free = np.zeros((n, 3))
    grf[5:] = np.nan
    cop[5:] = np.nan
    free[5:] = np.nan
    swing = np.zeros(n, dtype=bool)
    swing[7:] = True
    loads = bottom_up(grf, cop, free, foot, shank, thigh, 100.0, swing=swing)
    zero = np.zeros((n, 3))
    in_air = bottom_up(zero, zero, zero, foot, shank, thigh, 100.0)
    for joint in ("ankle", "knee", "hip"):
        got, ref = getattr(loads, joint), getattr(in_air, joint)
        np.testing.assert_allclose(got.force[7:], ref.force[7:], atol=1e-12)
        np.testing.assert_allclose(got.moment[7:], ref.moment[7:], atol=1e-12)
        assert np.isnan(got.force[5:7]).all() and np.isnan(got.moment[5:7]).all()
        assert np.isfinite(got.force[:5]).all()
    # Foot in the air: the ankle carries the foot's weight only.
    np.testing.assert_allclose(loads.ankle.force[7:], _tile([0, 0, foot.inertia.mass_kg * G], 3))
    without_swing = bottom_up(grf, cop, free, foot, shank, thigh, 100.0)
    assert np.isnan(without_swing.hip.moment[5:]).all()


def test_shape_errors() -> None:
    n = 4
    zero = np.zeros((n, 3))
    with pytest.raises(ValueError, match="distal_force"):
        solve_segment(1.0, zero, np.eye(3), _eye(n), np.zeros((3, 3)), zero, zero, zero, 100.0)
    foot, shank, thigh, _ = _standing_leg(n, 70.0)
    with pytest.raises(ValueError, match="swing"):
        bottom_up(zero, zero, zero, foot, shank, thigh, 100.0, swing=np.zeros(3, dtype=bool))

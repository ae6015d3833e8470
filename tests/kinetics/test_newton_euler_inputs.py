"""Newton-Euler input handling that mutation testing found untested (``make mutate`` on
``kinetics/newton_euler.py``: 52 of 410 mutants survived the kinetics and validation tests).

The survivors that matter are input handling, not mechanics: a shape error must name the
argument (the project's rule for bad input), integer arrays and 0/1 swing masks must give the
same loads as floats and booleans (an integer COP copy would truncate the swing frames' ankle
point; a 0/1 swing array used as an index would zero frames 0 and 1 instead of the swing
frames), and gravity may come as any 3-element shape. Every expected value is the float/bool
call itself, or the argument's name.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.kinetics.bsip import SegmentInertia
from kinchain.kinetics.newton_euler import (
    SegmentState,
    bottom_up,
    express_in_frame,
    solve_segment,
)

N = 6
RATE = 100.0


def _eye(n: int = N) -> np.ndarray:
    return np.tile(np.eye(3), (n, 1, 1))


def _column(z: float, n: int = N) -> np.ndarray:
    return np.tile([0.0, 0.0, z], (n, 1))


def _leg(n: int = N) -> tuple[SegmentState, SegmentState, SegmentState]:
    """A vertical leg standing still: ankle 0.1 m, knee 0.5 m, hip 0.9 m high, integers-free."""
    segs = []
    for mass, prox, com in ((1.0, 0.1, 0.05), (3.0, 0.5, 0.3), (7.0, 0.9, 0.7)):
        inertia = SegmentInertia(mass, _column(com, n), np.full(n, 0.4), np.diag([0.05, 0.05, 0.0]))
        segs.append(SegmentState(inertia, _eye(n), _column(prox, n)))
    return segs[0], segs[1], segs[2]


def _grf(n: int = N) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    force = np.tile([30, -12, 700], (n, 1))  # integers on purpose
    cop = np.tile([1, 0, 0], (n, 1))  # 1 m ahead: a float would be truncated to it
    free = np.tile([0, 0, 3], (n, 1))
    return force, cop, free


def test_solve_segment_shape_errors_name_the_argument() -> None:
    ok = np.zeros((N, 3))
    bad = np.zeros((N, 2))
    args = {
        "com": ok,
        "distal_force": ok,
        "distal_moment": ok,
        "distal_point": ok,
        "proximal_point": ok,
    }
    for name in args:
        kwargs = {**args, name: bad}
        with pytest.raises(
            ValueError, match=rf"^{name} must have shape \({N}, 3\), got \({N}, 2\)"
        ):
            solve_segment(
                1.0,
                kwargs["com"],
                np.eye(3),
                _eye(),
                kwargs["distal_force"],
                kwargs["distal_moment"],
                kwargs["distal_point"],
                kwargs["proximal_point"],
                RATE,
            )
    with pytest.raises(ValueError, match=r"solve_segment: R must have shape \(n, 3, 3\)"):
        solve_segment(1.0, ok, np.eye(3), np.eye(3), ok, ok, ok, ok, RATE)
    with pytest.raises(ValueError, match=r"solve_segment: inertia_local must be \(3, 3\)"):
        solve_segment(1.0, ok, np.eye(2), _eye(), ok, ok, ok, ok, RATE)


def test_bottom_up_shape_errors_name_the_argument() -> None:
    foot, shank, thigh = _leg()
    ok = np.zeros((N, 3))
    bad = np.zeros((N - 1, 3))
    for i, name in enumerate(("grf_force", "cop", "free_moment")):
        grf = [ok, ok, ok]
        grf[i] = bad
        with pytest.raises(ValueError, match=rf"^{name} must have shape"):
            bottom_up(grf[0], grf[1], grf[2], foot, shank, thigh, RATE)
    broken = SegmentState(shank.inertia, np.eye(3), shank.proximal)
    with pytest.raises(ValueError, match=r"bottom_up: shank\.R must have shape \(6, 3, 3\)"):
        bottom_up(ok, ok, ok, foot, broken, thigh, RATE)
    broken = SegmentState(thigh.inertia, thigh.R, bad)
    with pytest.raises(ValueError, match=r"^thigh\.proximal must have shape"):
        bottom_up(ok, ok, ok, foot, shank, broken, RATE)
    inertia = SegmentInertia(1.0, bad, np.full(N, 0.2), np.diag([0.01, 0.01, 0.0]))
    broken = SegmentState(inertia, foot.R, foot.proximal)
    with pytest.raises(ValueError, match=r"^foot\.inertia\.com must have shape"):
        bottom_up(ok, ok, ok, broken, shank, thigh, RATE)


def test_integer_inputs_give_the_float_results() -> None:
    force, cop, free = _grf()
    foot, shank, thigh = _leg()
    swing = np.zeros(N, dtype=bool)
    swing[4:] = True
    as_float = bottom_up(
        force.astype(float),
        cop.astype(float),
        free.astype(float),
        foot,
        shank,
        thigh,
        RATE,
        swing=swing,
    )
    as_int = bottom_up(force, cop, free, foot, shank, thigh, RATE, swing=swing)
    for joint in ("ankle", "knee", "hip"):
        np.testing.assert_allclose(getattr(as_int, joint).moment, getattr(as_float, joint).moment)
        np.testing.assert_allclose(getattr(as_int, joint).force, getattr(as_float, joint).force)
    # Segment pose and inertia given as integers too.
    int_foot = SegmentState(
        SegmentInertia(1.0, foot.inertia.com, foot.inertia.length_m, np.diag([1, 1, 0])),
        np.tile(np.eye(3, dtype=int), (N, 1, 1)),
        foot.proximal,
    )
    float_foot = SegmentState(
        SegmentInertia(1.0, foot.inertia.com, foot.inertia.length_m, np.diag([1.0, 1.0, 0.0])),
        _eye(),
        foot.proximal,
    )
    a = bottom_up(force, cop, free, int_foot, shank, thigh, RATE)
    b = bottom_up(force, cop, free, float_foot, shank, thigh, RATE)
    np.testing.assert_allclose(a.hip.moment, b.hip.moment)

    f_int, m_int = solve_segment(
        2,
        np.tile([0, 0, 1], (N, 1)),
        np.diag([1, 1, 0]),
        np.tile(np.eye(3, dtype=int), (N, 1, 1)),
        force,
        free,
        cop,
        np.tile([0, 0, 2], (N, 1)),
        RATE,
        gravity=[0, 0, -10],
    )
    f_flt, m_flt = solve_segment(
        2.0,
        _column(1.0),
        np.diag([1.0, 1.0, 0.0]),
        _eye(),
        force.astype(float),
        free.astype(float),
        cop.astype(float),
        _column(2.0),
        RATE,
        gravity=[0.0, 0.0, -10.0],
    )
    np.testing.assert_allclose(f_int, f_flt)
    np.testing.assert_allclose(m_int, m_flt)
    v = np.tile([1, 2, 3], (N, 1))
    R = np.tile(np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]]), (N, 1, 1))
    got = express_in_frame(v, R)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.tile([2.0, -1.0, 3.0], (N, 1)))


def test_swing_given_as_zeros_and_ones_is_a_mask() -> None:
    force, cop, free = (a.astype(float) for a in _grf())
    foot, shank, thigh = _leg()
    mask = np.array([0, 0, 1, 1, 0, 1])
    as_bool = bottom_up(force, cop, free, foot, shank, thigh, RATE, swing=mask.astype(bool))
    as_int = bottom_up(force, cop, free, foot, shank, thigh, RATE, swing=mask)
    for joint in ("ankle", "knee", "hip"):
        np.testing.assert_allclose(getattr(as_int, joint).moment, getattr(as_bool, joint).moment)
    # In the air the ankle holds the foot's weight only; on the ground it carries the GRF.
    np.testing.assert_allclose(as_int.ankle.force[mask == 1], _column(9.81)[:3], atol=1e-9)
    assert (as_int.ankle.force[mask == 0, 2] < -600).all()


@pytest.mark.parametrize("gravity", [[0.0, 0.0, -9.0], [[0.0], [0.0], [-9.0]], [[0.0, 0.0, -9.0]]])
def test_gravity_of_any_three_element_shape(gravity: object) -> None:
    force, cop, free = (a.astype(float) for a in _grf())
    foot, shank, thigh = _leg()
    ref = bottom_up(force, cop, free, foot, shank, thigh, RATE, gravity=np.array([0.0, 0.0, -9.0]))
    got = bottom_up(force, cop, free, foot, shank, thigh, RATE, gravity=gravity)  # type: ignore[arg-type]
    np.testing.assert_allclose(got.hip.moment, ref.hip.moment)
    np.testing.assert_allclose(got.hip.force, ref.hip.force)
    f_ref, m_ref = solve_segment(
        1.0,
        _column(1.0),
        np.eye(3),
        _eye(),
        force,
        free,
        cop,
        _column(2.0),
        RATE,
        gravity=np.array([0.0, 0.0, -9.0]),
    )
    f, m = solve_segment(
        1.0,
        _column(1.0),
        np.eye(3),
        _eye(),
        force,
        free,
        cop,
        _column(2.0),
        RATE,
        gravity=gravity,  # type: ignore[arg-type]
    )
    np.testing.assert_allclose(f, f_ref)
    np.testing.assert_allclose(m, m_ref)

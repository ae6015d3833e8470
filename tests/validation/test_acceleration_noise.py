"""Issue 15 item 3: sample_09's right hip moment was 3.7 times as rough as Plug-in Gait's because
segment centre-of-mass accelerations were one-step second differences, which multiply a
frame-to-frame alternation of the markers by 4 * rate**2. They are now the central difference
of the central-difference velocity (the scheme of the angular acceleration), which is exact for
a parabola and cancels that alternation. The real-data effect is pinned in
test_plugin_gait_agreement.py (SAMPLE09_KINETICS, test_sample09_left_stance_reference_is_rougher)
and test_joint_forces.py."""

from __future__ import annotations

import numpy as np

from kinchain.kinetics.derivatives import linear_acceleration

RATE = 60.0


def test_frame_to_frame_alternation_does_not_reach_the_acceleration() -> None:
    """A parabola (constant acceleration a) plus a 0.5 mm alternation (+e, -e, +e, ...), the
    marker jitter of a 60 Hz trial: the two-step central difference sees ``a`` exactly away from
    the ends (the alternation cancels in p[i+2] - 2 p[i] + p[i-2]); the one-step second
    difference it replaced saw ``a +- 4 e rate**2`` = +-7.2 m/s²."""
    n = 120
    t = np.arange(n) / RATE
    a = np.array([0.4, -2.0, 9.0])
    e = 0.0005 * (-1.0) ** np.arange(n)
    p = 0.5 * np.outer(t**2, a) + e[:, None]
    acc = linear_acceleration(p, RATE)
    np.testing.assert_allclose(acc[2:-2], np.tile(a, (n - 4, 1)), atol=1e-6)
    one_step = (p[2:] - 2 * p[1:-1] + p[:-2]) * RATE**2
    assert np.abs(one_step - a).max() > 7.0  # what the old formula gave


def test_nan_gap_falls_back_to_the_one_step_difference() -> None:
    """Next to a gap the two-step stencil is missing; the one-step one still gives the exact
    acceleration of a parabola, and the gap stays NaN."""
    n = 60
    t = np.arange(n) / RATE
    a = np.array([0.0, 1.0, -9.81])
    p = 0.5 * np.outer(t**2, a)
    p[30] = np.nan
    acc = linear_acceleration(p, RATE)
    assert np.isnan(acc[30]).all()
    ok = np.ones(n, dtype=bool)
    ok[30] = False
    np.testing.assert_allclose(acc[ok], np.tile(a, (ok.sum(), 1)), atol=1e-8)

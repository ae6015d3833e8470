"""A foot counts as in the air (kinetics with no ground reaction) only when it is high *and*
moving: a foot standing still above its lowest height (on a step or stair without a plate, or
after a marker glitch lowered its "lowest height") carries an unknown load, so its kinetics are
invalid rather than computed as if it carried none (issue 10, plates at their own heights)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from kinchain.kinetics.derivatives import _first_derivative
from kinchain.process import ProcessOptions, _swing, process_trial
from shared_paths import shared_data

RATE = 100.0
ZEROWIRE = shared_data() / "c3d-org/sample_32/vicon_zerowire.c3d"


def _stair_foot() -> SimpleNamespace:
    """Heel and toe: on the floor (frames 0-29, z = 0.02 m), a 0.2 s step up at 1 m/s forward
    (frames 30-49, rising to 0.19 m), then standing still on a 0.17 m step (frames 50-99)."""
    n = 100
    x = np.zeros(n)
    z = np.full(n, 0.02)
    x[30:50] = np.arange(1, 21) * 0.01  # 1 m/s
    x[50:] = x[49]
    z[30:50] = 0.02 + 0.17 * np.sin(np.linspace(0, np.pi / 2, 20)) + np.linspace(0, 0.03, 20)
    z[50:] = 0.19
    heel = np.column_stack([x, np.zeros(n), z])
    toe = heel + np.array([0.2, 0.0, 0.0])
    joints = {"left_heel": heel, "left_toe": toe, "left_ankle": heel + np.array([0.05, 0.0, 0.05])}
    return SimpleNamespace(joints=joints, point_rate=RATE)


def test_foot_standing_on_a_step_is_not_in_the_air() -> None:
    opts = ProcessOptions()
    swing = _swing(_stair_foot(), "left", opts.swing_clearance_m, opts.swing_speed_mps)  # type: ignore[arg-type]
    assert not swing[:30].any()  # on the floor
    assert swing[36:50].all()  # high (> 0.06 m) and moving at 1 m/s
    assert not swing[51:].any()  # standing still 0.17 m up: not in the air


@pytest.mark.skipif(not ZEROWIRE.exists(), reason="shared data not available")
def test_standing_foot_off_the_plate_has_no_swing_kinetics_sample_32() -> None:
    # In sample_32 the right heel marker dips to -0.025 m once, so a right foot standing flat at
    # 0.024 m (still: < 0.15 m/s) between its plate contacts passed the height rule: its kinetics
    # used to be computed with no ground reaction and marked valid.
    result = process_trial(ZEROWIRE)
    model = result.model
    heel, toe = model.joints["right_heel"], model.joints["right_toe"]
    v_heel = np.linalg.norm(_first_derivative(heel, model.point_rate), axis=1)
    v_toe = np.linalg.norm(_first_derivative(toe, model.point_rate), axis=1)
    still = (v_heel < 0.15) & (v_toe < 0.15) & ~result.grf["right"].on_plate
    assert still.sum() > 50
    for joint in ("Ankle", "Knee", "Hip"):
        assert not result.valid[f"R{joint}Moment"][still].any(), joint
    # The swing of the same foot still has its kinetics.
    assert result.valid["RKneeMoment"][~still & ~result.grf["right"].on_plate].any()

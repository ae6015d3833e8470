"""The baseline's tolerances are the normal between-person spread of the packaged Schwartz 2008
normals (recomputed here from the file), a baseline outside them is named, and ``whatif`` then
simulates no restriction (the solver is replaced here by known results)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kinchain.sim.runner as runner
from kinchain.gait.normative import load_schwartz2008
from kinchain.sim import (
    ANGLE_TOLERANCE_DEG,
    MOMENT_TOLERANCE_NM_PER_KG,
    BaselineNotValid,
    Simulation,
    baseline_problems,
    parse_restrictions,
    whatif,
)
from kinchain.sim.stride import StrideData
from kinchain.sim.validity import SWING_CONTACT_BW, SWING_DRAG_SHARE_PCT, swing_contact
from whatif_fake import stiff_knee_whatif


def test_the_tolerances_are_the_free_speed_between_person_spread() -> None:
    free = load_schwartz2008()["Free"]

    def spread(family: str) -> float:
        return max(
            float(np.nanmean(free.sd_of(f"{joint}{family}")[:, 0]))
            for joint in ("Hip", "Knee", "Ankle")
        )

    assert round(spread("Moment"), 2) == MOMENT_TOLERANCE_NM_PER_KG
    assert round(spread("Angles"), 1) == ANGLE_TOLERANCE_DEG


def _baseline(angles: float, moments: float | None) -> Simulation:
    base = stiff_knee_whatif().baseline
    rms = {} if moments is None else {"all": moments}
    return dataclasses.replace(base, tracking_rms_deg={"angles": angles}, moment_rms=rms)


def test_a_baseline_outside_a_tolerance_is_named() -> None:
    assert baseline_problems(_baseline(5.1, 0.12)) == []
    (problem,) = baseline_problems(_baseline(5.1, 0.49))
    assert "0.49 N·m/kg RMS" in problem and "tolerance 0.15" in problem
    (problem,) = baseline_problems(_baseline(7.0, None))  # no plate stance: angles only
    assert "7.0 deg RMS" in problem
    assert len(baseline_problems(_baseline(float("nan"), float("nan")))) == 2


def test_a_baseline_held_up_by_its_pelvis_residuals_is_named() -> None:
    def with_residuals(**peaks: float) -> Simulation:
        reserves = {f"residual_pelvis_{k}": {"rms": v / 3, "peak": v} for k, v in peaks.items()}
        return dataclasses.replace(_baseline(1.3, 0.14), reserves=reserves)

    # within OpenSim's guidance (peak forces 10-20 N, moment 75 N·m): no problem
    assert baseline_problems(with_residuals(tx=2.3, ty=19.0, tilt=47.0)) == []
    (problem,) = baseline_problems(with_residuals(tx=2.3, ty=2.0, tilt=80.0))
    assert "residual moment on its pelvis reaches 80 N·m (at most 75 N·m)" in problem
    problems = baseline_problems(with_residuals(tx=25.0, ty=120.0, tilt=10.0))
    assert len(problems) == 2
    assert "fore-aft residual force on its pelvis reaches 25 N (at most 20 N)" in problems[0]
    assert "vertical residual force on its pelvis reaches 120 N" in problems[1]
    assert len(baseline_problems(with_residuals(tx=float("nan")))) == 1


def test_whatif_simulates_no_restriction_after_a_baseline_outside_them(
    demo_stride: StrideData, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[tuple[object, ...]] = []

    def fake_simulate(stride: object, restrictions: object = (), **_: object) -> Simulation:
        solved.append(tuple(restrictions))  # type: ignore[arg-type]
        return _baseline(5.1, 0.49)

    monkeypatch.setattr(runner, "simulate", fake_simulate)
    stiff = [parse_restrictions(["knee_flexion_max=20@L"])]
    with pytest.raises(BaselineNotValid, match="closely enough to predict from") as info:
        whatif(demo_stride, stiff)
    assert solved == [()]  # the baseline only
    assert info.value.baseline.moment_rms["all"] == 0.49
    solved.clear()
    result = whatif(demo_stride, stiff, require_valid_baseline=False)
    assert len(solved) == 2 and len(result.comparisons) == 1


def _with_swing_force(grf_y: np.ndarray, stance_pct: float | None = 60.0) -> Simulation:
    base = stiff_knee_whatif().restricted[0]
    left = dataclasses.replace(base.sides["left"], grf_x=np.zeros(101), grf_y=grf_y)
    stride = {k: v for k, v in base.stride.items() if k != "stance_pct"}
    if stance_pct is not None:
        stride["stance_pct"] = stance_pct
    return dataclasses.replace(base, stride=stride, sides={**base.sides, "left": left})


def test_a_foot_on_the_floor_in_its_swing_is_measured() -> None:
    # Stance to 60 %: the swing read is 63-97 % (35 samples, 2 % left out at each end).
    pct = np.arange(101)
    force = np.where(pct < 60, 1.0, 0.0)  # the stance's load is not part of the swing
    force[70:90] = 0.05  # 20 samples of the swing at 5 % of body weight
    force[92] = 0.01  # at the threshold: not a touch
    contact = swing_contact(_with_swing_force(force))
    assert contact is not None and contact.side == "left"
    assert contact.peak_bw == pytest.approx(0.05)
    assert contact.share_pct == pytest.approx(100 * 20 / 35)
    assert contact.drags and SWING_DRAG_SHARE_PCT <= contact.share_pct
    force[80:90] = 0.0  # 10 of 35 samples: touching, not dragging
    brushed = swing_contact(_with_swing_force(force))
    assert brushed is not None and not brushed.drags
    assert brushed.share_pct == pytest.approx(100 * 10 / 35)
    # Without the stance's end the swing is unknown.
    assert swing_contact(_with_swing_force(force, stance_pct=None)) is None
    assert SWING_CONTACT_BW == 0.01

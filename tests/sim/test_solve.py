"""Short solves of the demo trial (coarse mesh, 25 intervals). Skipped only when OpenSim is
missing, except the stiff-knee solve (about 3 minutes: ``KINCHAIN_SIM_SLOW=1``).

The baseline starts from a stored solution of the same problem
(``data/demo_left_baseline_25.sto``: the coarse baseline solved from the tracked kinematics in
two steps of the ground reaction's weight, 183 iterations in all, 189 s on this 2-core
machine), so that CI runs a real Moco solve (model built from the trial, IPOPT iterations,
outputs) in well under a minute on a quiet machine instead of minutes; the restricted solves
are warm-started from that baseline, as ``whatif`` does.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from kinchain.sim import (
    Simulation,
    SimulationTimeout,
    SolverSettings,
    WhatIf,
    baseline_problems,
    compare,
    parse_restrictions,
    simulate,
    whatif,
)
from kinchain.sim.stride import StrideData

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("opensim") is None,
    reason="OpenSim is not installed: pip install 'kinchain[sim]'",
)

STORED = Path(__file__).parent / "data" / "demo_left_baseline_25.sto"
SETTINGS = SolverSettings.coarse()
#: A knee bound wider than the measured curve leaves the problem unchanged (its tracking is
#: not relaxed), so the warm-started solve ends where the baseline did: allowed change of the
#: peak ankle reaction, %.
WIDE_TOLERANCE_PCT = 1.0
#: What the coarse baseline achieves today, as regression bounds: the kinematic tracking RMS
#: over the six joint angles and pelvis tilt (measured 1.35 deg), and the net-moment RMS vs
#: kinchain's inverse dynamics about the model's axis over the measured stance (measured 0.139
#: N·m/kg: hip 0.20, knee 0.10, ankle 0.10; within the 0.15 N·m/kg of kinchain.sim.validity,
#: which the test of the whole validity check below holds).
#: History: 5.1 deg and 0.49 N·m/kg before the swinging feet were lifted clear of the floor;
#: 1.8 deg and 0.30 (ankle 0.39) while the ground-reaction tracking had no gradient (random
#: sparsity detection) and the reference was not fitted to the measured points
#: (kinchain.sim.planar_fit); 0.19 (hip 0.27) while the residual moment on the pelvis cost as
#: much as the residual forces (SolverSettings.residual_moment_weight); 0.141 (residual moment
#: 52 N·m) with the upper body's centre of mass read from the wrong end of Winter's HAT.
TRACKING_RMS_DEG = 2.0
MOMENT_RMS = 0.15
#: The ankle moment follows the force plate's centre of pressure (measured 0.09 N·m/kg RMS;
#: 0.39 while the ground-reaction tracking goal had no gradient).
ANKLE_MOMENT_RMS = 0.15
#: The pelvis residual forces stay small (measured RMS 0.5-0.9 N): the feet carry the body.
#: The residual moment is bounded by kinchain.sim.validity (measured peak 66 N·m).
RESIDUAL_FORCE_RMS = 5.0


@pytest.fixture(scope="module")
def wide(demo_stride: StrideData, tmp_path_factory: pytest.TempPathFactory) -> WhatIf:
    """The baseline and a knee bound 20 degrees above the measured maximum, via ``whatif``."""
    widest = float(np.degrees(demo_stride.coordinates["knee_flexion_l"].max()))
    seen: dict[str, list[int]] = {}
    result = whatif(
        demo_stride,
        [parse_restrictions([f"knee_flexion_max={widest + 20:.0f}@L"])],
        settings=SETTINGS,
        guess=STORED,
        workdir=tmp_path_factory.mktemp("whatif"),
        progress=lambda label, it: seen.setdefault(label, []).append(it),
    )
    # The progress callback saw each solve's iterations, up to its last one.
    assert seen["baseline"][-1] == result.baseline.solve.iterations
    assert seen[result.restricted[0].label][-1] == result.restricted[0].solve.iterations
    return result


@pytest.fixture(scope="module")
def baseline(wide: WhatIf) -> Simulation:
    return wide.baseline


def test_baseline_converges_and_is_reported(baseline: Simulation) -> None:
    assert baseline.solve.success and baseline.solve.status == "Solve_Succeeded"
    assert 0 < baseline.solve.iterations < 200 and baseline.solve.warm_start
    assert Path(baseline.solution_path).exists()
    assert baseline.tracking_rms_deg["angles"] < TRACKING_RMS_DEG
    assert baseline.moment_rms["all"] < MOMENT_RMS
    assert baseline.moment_rms["left_ankle"] < ANKLE_MOMENT_RMS
    # The baseline reproduces the measured stride within every tolerance (whatif checked it
    # too: it simulated the restriction).
    assert baseline_problems(baseline) == []
    left = baseline.sides["left"]
    for curve in (left.reaction["ankle"], left.moment["knee"], left.activation["soleus"]):
        assert curve.shape == (101,) and np.isfinite(curve).all()
    assert 0.0 <= left.activation["soleus"].min() and left.activation["soleus"].max() <= 1.0
    # Plantarflexor moment in the stance (Plug-in Gait sign: plantarflexor positive).
    assert left.moment["ankle"][:60].max() > 0.5
    assert set(baseline.reserves) >= {"residual_pelvis_ty", "reserve_knee_flexion_l"}
    for name in ("residual_pelvis_tx", "residual_pelvis_ty"):
        assert baseline.reserves[name]["rms"] < RESIDUAL_FORCE_RMS
    # Both feet carry about body weight in their stance (simulated ground reaction, BW).
    assert left.grf_y[5:45].mean() > 0.6 and baseline.sides["right"].grf_y[55:95].mean() > 0.6


def test_a_restriction_wider_than_the_measured_range_changes_little(wide: WhatIf) -> None:
    assert wide.restricted[0].solve.success and wide.restricted[0].solve.warm_start
    change = wide.comparisons[0].get("left ankle reaction")
    assert abs(change.peak_change_pct) < WIDE_TOLERANCE_PCT
    json.dumps(wide.to_dict(), allow_nan=False)


SLOW = pytest.mark.skipif(
    os.environ.get("KINCHAIN_SIM_SLOW") != "1", reason="about 2 minutes: KINCHAIN_SIM_SLOW=1"
)


@pytest.fixture(scope="module")
def stiff(
    baseline: Simulation, demo_stride: StrideData, tmp_path_factory: pytest.TempPathFactory
) -> Simulation:
    """A 20-degree knee cap (a knee braced nearly straight) on the demo baseline (measured 106
    iterations, 80 s, warm-started from the stored baseline; 139-148 iterations while the cap
    let the knee hyperextend)."""
    return simulate(
        demo_stride,
        parse_restrictions(["knee_flexion_max=20@L"]),
        settings=SETTINGS,
        guess=baseline.solution_path,
        workdir=tmp_path_factory.mktemp("stiff"),
    )


@pytest.mark.slow
@SLOW
def test_a_stiff_knee_is_carried_by_the_ankle_muscles(
    baseline: Simulation, stiff: Simulation
) -> None:
    """The cap holds without the knee hyperextending, and the gastrocnemius works harder, as in
    the issue's OpenSim 2-D walking example capped at 20 degrees, where it about doubled
    (measured: peak +53 %, mean +75 %). The mean ankle joint reaction hardly changes (measured
    -0.4 %; +4.2-4.5 % while the cap let the knee hyperextend to 19.5 degrees)."""
    knee = stiff.sides["left"].angle_deg["knee"]
    assert knee.max() <= 20.0 + 0.01 and knee.min() >= -0.01
    comp = compare(baseline, stiff)
    assert comp.get("left gastroc activation").mean_change_pct > 50


@pytest.mark.slow
@SLOW
@pytest.mark.xfail(
    strict=True,
    reason="issue 14: the peak ankle joint reaction does not rise with a 20-degree knee cap on "
    "the demo baseline (measured -1.9 %; -3.5 % while the cap let the knee hyperextend), where "
    "OpenSim's 2-D example rose +17 %; it rose +7.5 % only while the baseline's centre of "
    "pressure sat wrongly under the ankle",
)
def test_a_stiff_knee_raises_the_peak_ankle_reaction(
    baseline: Simulation, stiff: Simulation
) -> None:
    assert compare(baseline, stiff).get("left ankle reaction").peak_change > 0


@pytest.fixture(scope="module")
def compensating(
    baseline: Simulation, demo_stride: StrideData, tmp_path_factory: pytest.TempPathFactory
) -> Simulation:
    """The 20-degree knee cap with the other joints, the pelvis and the trunk free to
    compensate (their tracking x 0.1; measured 212 iterations, 140 s)."""
    return simulate(
        demo_stride,
        parse_restrictions(["knee_flexion_max=20@L"]),
        settings=dataclasses.replace(SETTINGS, compensation_weight=0.1),
        guess=baseline.solution_path,
        workdir=tmp_path_factory.mktemp("compensating"),
    )


@pytest.mark.slow
@SLOW
def test_a_stiff_knee_free_to_compensate_does_less_positive_hip_work(
    baseline: Simulation, stiff: Simulation, compensating: Simulation
) -> None:
    """Unimpaired adults walking with a locked knee brace lowered the braced side's average
    positive hip power (J NeuroEng Rehabil 2021, doi:10.1186/s12984-021-00812-8). Held to its
    measured curves, the model's hip does more positive work with the cap (measured +25 %);
    free to compensate, less (measured -13 %). Both were measured before this test was written,
    so it guards them; it does not validate them."""
    assert compare(baseline, stiff).get("left hip positive work").peak_change > 0
    assert compare(baseline, compensating).get("left hip positive work").peak_change < 0
    assert compensating.sides["left"].angle_deg["knee"].max() <= 20.0 + 0.01
    assert any("more loosely" in a for a in compensating.assumptions)
    assert stiff.assumptions == baseline.assumptions


def test_time_limit_kills_the_solver(demo_stride: StrideData, tmp_path: Path) -> None:
    short = dataclasses.replace(SETTINGS, time_limit_s=3.0)
    with pytest.raises(SimulationTimeout, match="time limit of 3 s"):
        simulate(demo_stride, settings=short, workdir=tmp_path)
    assert not list(tmp_path.glob("raw.pkl"))

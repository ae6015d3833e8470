"""Results, comparison and the behaviour without OpenSim (no solve needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from kinchain.errors import ProcessingError
from kinchain.sim.restrictions import Restriction, parse_restriction
from kinchain.sim.results import (
    ASSUMPTIONS,
    SideCurves,
    Simulation,
    SimulationNotConverged,
    SolveInfo,
    assumptions_for,
    compare,
    finite_json,
    simulation_from_raw,
)
from kinchain.sim.stride import JOINTS, StrideData


def _curves(scale: float) -> SideCurves:
    x = np.linspace(0.0, 1.0, 101)
    joint = {j: scale * np.sin(np.pi * x) for j in JOINTS}
    return SideCurves(
        angle_deg=joint,
        moment=joint,
        power=joint,
        work_positive={j: scale for j in JOINTS},
        work_negative={j: -scale for j in JOINTS},
        reaction=joint,
        reaction_x=joint,
        reaction_y=joint,
        activation={"soleus": 0.5 * scale * np.ones(101)},
        grf_x=np.zeros(101),
        grf_y=np.ones(101),
    )


def _sim(label: str, scale: float) -> Simulation:
    info = SolveInfo(True, "Solve_Succeeded", 10, 1.0, 2.0, 20, 1.0)
    return Simulation(label, (), {}, info, {}, {"left": _curves(scale), "right": _curves(1.0)},
                      {"angles": 1.0}, {}, {})  # fmt: skip


def test_compare_peaks_means_and_percentages() -> None:
    comp = compare(_sim("baseline", 1.0), _sim("restricted", 1.2))
    c = comp.get("left ankle reaction")
    assert c.baseline_peak == pytest.approx(1.0) and c.restricted_peak == pytest.approx(1.2)
    assert c.peak_change == pytest.approx(0.2) and c.peak_change_pct == pytest.approx(20.0)
    # mean of sin(pi x) on 0..1 sampled at 101 points, times 0.2
    mean = float(np.mean(np.sin(np.pi * np.linspace(0, 1, 101))))
    assert c.mean_change == pytest.approx(0.2 * mean)
    # % of the absolute baseline, signed as the value changed: more negative work is -20 %.
    assert comp.get("left ankle negative work").peak_change_pct == pytest.approx(-20.0)
    assert comp.get("left soleus activation").mean_change_pct == pytest.approx(20.0)
    assert comp.get("right knee moment").peak_change == pytest.approx(0.0)
    with pytest.raises(KeyError):
        comp.get("left elbow reaction")
    json.dumps(comp.to_dict(), allow_nan=False)  # strict JSON, as the report writes it
    json.dumps(_sim("baseline", 1.0).to_dict(), allow_nan=False)


def test_finite_json() -> None:
    raw = {
        "a": [1.0, float("nan"), np.float64(2.5)],
        "b": np.array([np.inf, 3.0]),
        "c": np.int64(4),
    }
    assert finite_json(raw) == {"a": [1.0, None, 2.5], "b": [None, 3.0], "c": 4}
    assert json.dumps(finite_json(raw), allow_nan=False)


def test_a_simulation_is_strict_json_with_unbounded_settings() -> None:
    """The default settings leave the residuals unbounded (infinity), and a failed solve's
    objective is NaN: strict JSON has neither, so they are written as null (the demo's first
    valid baseline stopped the report with a traceback here)."""
    import dataclasses

    from kinchain.sim.problem import SolverSettings

    sim = dataclasses.replace(
        _sim("baseline", 1.0),
        settings=dataclasses.asdict(SolverSettings()),
        moment_rms={"left_hip": float("nan")},
    )
    out = json.loads(json.dumps(sim.to_dict(), allow_nan=False))
    assert out["settings"]["residual_limit"] is None
    assert out["moment_rms_nm_per_kg"]["left_hip"] is None
    assert out["settings"]["residual_moment_weight"] == SolverSettings().residual_moment_weight


def test_unconverged_solve_is_never_a_result(demo_stride: StrideData) -> None:
    raw = {"solve": {"success": False, "status": "Maximum_Iterations_Exceeded", "iterations": 3000,
                     "solver_time_s": 10.0, "wall_time_s": 12.0, "mesh_intervals": 20,
                     "objective": float("nan")}}  # fmt: skip
    r = parse_restriction("knee_flexion_max=20@L")
    with pytest.raises(SimulationNotConverged, match="did not converge") as err:
        simulation_from_raw(raw, demo_stride, (r,), {}, demo_stride.coordinates, warm_start=True)
    assert isinstance(err.value, ProcessingError)
    assert err.value.solve.iterations == 3000
    assert "knee_flexion_max=20@left" in str(err.value)


def test_without_opensim_import_works_and_solving_says_how_to_install() -> None:
    code = (
        "import sys; sys.modules['opensim'] = None\n"
        "import kinchain.sim as s\n"
        "from kinchain.errors import ProcessingError\n"
        "try:\n"
        "    s.require_opensim()\n"
        "except ProcessingError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "kinchain[sim]"' in out.stdout
    # Importing kinchain.sim did not import opensim.
    code2 = "import sys, kinchain.sim; print('opensim' in sys.modules)"
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, check=True)
    assert out2.stdout.strip() == "False"


def test_a_simulation_whose_other_joints_may_compensate_says_so() -> None:
    stiff = (Restriction("knee_flexion_max", 20.0, "left"),)
    assert assumptions_for(stiff, {"compensation_weight": 1.0}) == ASSUMPTIONS
    assert assumptions_for((), {"compensation_weight": 0.1}) == ASSUMPTIONS  # the baseline
    assert assumptions_for(stiff, {}) == ASSUMPTIONS
    loose = assumptions_for(stiff, {"compensation_weight": 0.1})
    assert loose[: len(ASSUMPTIONS)] == ASSUMPTIONS
    assert "10 times more loosely" in loose[-1] and "compensate" in loose[-1]

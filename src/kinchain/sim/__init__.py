"""What-if musculoskeletal simulation of one stride (issue 14): optional, needs OpenSim/Moco.

A planar 9-degree-of-freedom, 18-muscle model is built in code for the subject (segment lengths
from kinchain's joint centres, masses from its body-segment parameters, generic muscle
parameters scaled by length and mass: :mod:`kinchain.sim.params`, :mod:`kinchain.sim.model`),
tracks one measured stride (kinematics, and the ground reaction where a force plate measured
a clean contact: :mod:`kinchain.sim.stride`, :mod:`kinchain.sim.problem`), and is solved again
with a restriction (:mod:`kinchain.sim.restrictions`), warm-started from the baseline, in a
separate process with a time limit (:mod:`kinchain.sim.runner`). Results are frozen,
JSON-able dataclasses (:mod:`kinchain.sim.results`); an unconverged solve raises instead of
returning a result.

Importing this package never imports OpenSim; calling a solver without it raises
:class:`~kinchain.errors.ProcessingError` saying ``pip install "kinchain[sim]"``.

Validation target
-----------------
Published experimental walking with the knee locked or braced in extension, in healthy adults
(only what the texts available to us state; no number below is ours):

* Cook TM, Farrell KP, Carey IA, Gibbs JM, Wiger GE. Effects of restricted knee flexion and
  walking speed on the vertical ground reaction force during gait. J Orthop Sports Phys Ther
  1997;25(4):236-244. 36 healthy men, knee flexion restricted to 10 and 25 degrees, three
  speeds: significant increases in four characteristics of the vertical ground reaction force
  of the restricted leg (loading and unloading rate, peak force with a speed interaction) and
  in two of the unrestricted leg. Direction to compare: a stiff knee *raises* the restricted
  leg's vertical loading.
* Isolating the energetic and mechanical consequences of imposed reductions in ankle and knee
  flexion during gait. J NeuroEng Rehabil 2021 (doi 10.1186/s12984-021-00812-8). 15 unimpaired
  adults at 0.8 m/s with a locked knee brace: locking the knee did *not* reduce peak
  propulsion of the restricted limb, and its average positive hip power *decreased*.
* Bacca O et al. Compensatory strategies due to knee flexion constraint during gait of
  non-disabled adults. J Mot Behav 2021;54(3):281-290. 11 men, knee flexion limited to 45 or
  30 degrees: larger hip and ankle excursions, more "ankle flexor" activation, and more
  activity of the semitendinosus and biceps femoris on the constrained side than on the free
  side (no gluteus maximus recorded).
* The figures the issue quotes (OpenSim's 2-D walking example with knee flexion capped at 20
  degrees: peak ankle joint reaction +17 %, gastrocnemius activation doubled) come from a
  simulation, not an experiment.

We found no accessible source giving the experimental change of the ankle joint *reaction*
force with a locked knee (joint reaction forces are not measured in gait laboratories), so
the size of our predicted ankle-reaction change cannot be validated; only the directions
above can. The README's what-if section compares the model with each of them, measure by
measure, with the other joints held and free to compensate.

Example::

    from kinchain import analyze, process_trial
    from kinchain.sim import parse_restrictions, whatif

    analysis = analyze(process_trial("walk.c3d"))
    result = whatif(analysis, [parse_restrictions(["knee_flexion_max=20"], side="L")], side="left")
    print(result.comparisons[0].get("left ankle reaction"))
"""

from __future__ import annotations

from kinchain.sim.model import INSTALL_HINT, require_opensim
from kinchain.sim.problem import SolverSettings
from kinchain.sim.restrictions import Restriction, parse_restriction, parse_restrictions, parse_side
from kinchain.sim.results import (
    ASSUMPTIONS,
    Change,
    Comparison,
    SideCurves,
    Simulation,
    SimulationNotConverged,
    SimulationTimeout,
    SolveInfo,
    compare,
)
from kinchain.sim.runner import Progress, WhatIf, simulate, whatif
from kinchain.sim.stride import StrideData, choose_stride, default_stride_side, stride_data
from kinchain.sim.validity import (
    ANGLE_TOLERANCE_DEG,
    MOMENT_TOLERANCE_NM_PER_KG,
    RESIDUAL_FORCE_LIMIT_N,
    RESIDUAL_MOMENT_LIMIT_NM,
    BaselineNotValid,
    baseline_problems,
)

__all__ = [
    "ANGLE_TOLERANCE_DEG",
    "ASSUMPTIONS",
    "INSTALL_HINT",
    "MOMENT_TOLERANCE_NM_PER_KG",
    "RESIDUAL_FORCE_LIMIT_N",
    "RESIDUAL_MOMENT_LIMIT_NM",
    "BaselineNotValid",
    "Change",
    "Comparison",
    "Progress",
    "Restriction",
    "SideCurves",
    "Simulation",
    "SimulationNotConverged",
    "SimulationTimeout",
    "SolveInfo",
    "SolverSettings",
    "StrideData",
    "WhatIf",
    "baseline_problems",
    "choose_stride",
    "compare",
    "default_stride_side",
    "parse_restriction",
    "parse_restrictions",
    "parse_side",
    "require_opensim",
    "simulate",
    "stride_data",
    "whatif",
]

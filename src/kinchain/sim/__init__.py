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
from kinchain.sim.stride import StrideData, choose_stride, stride_data

__all__ = [
    "ASSUMPTIONS",
    "INSTALL_HINT",
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
    "choose_stride",
    "compare",
    "parse_restriction",
    "parse_restrictions",
    "parse_side",
    "require_opensim",
    "simulate",
    "stride_data",
    "whatif",
]

"""A "what if" simulation with known curves, for the tests of its report section and of the
command's wiring (no solver): every curve is a half sine whose peak is a stated size, so each
expected peak and change follows from the numbers here."""

from __future__ import annotations

import numpy as np

from kinchain.sim import Restriction, SideCurves, Simulation, SolveInfo, compare
from kinchain.sim.runner import WhatIf

PCT = np.linspace(0.0, 100.0, 101)
MUSCLES = ("hamstrings", "bifemsh", "glut_max", "iliopsoas", "rect_fem", "vasti", "gastroc",
           "soleus", "tib_ant")  # fmt: skip


def _curves(scale: float) -> SideCurves:
    """Curves whose peaks are known: a half sine of amplitude ``scale`` x a per-measure size."""
    bump = np.sin(np.pi * PCT / 100.0)  # peak 1 at 50 %
    joints = ("hip", "knee", "ankle")
    return SideCurves(
        angle_deg={j: 30.0 * bump for j in joints},
        moment={j: 1.0 * scale * bump for j in joints},
        power={j: 2.0 * scale * bump for j in joints},
        work_positive={j: 0.3 * scale for j in joints},
        work_negative={j: -0.2 * scale for j in joints},
        reaction={j: 5.0 * scale * bump for j in joints},
        reaction_x={j: 0.5 * scale * bump for j in joints},
        reaction_y={j: -5.0 * scale * bump for j in joints},
        activation={m: 0.4 * scale * bump for m in MUSCLES},
        grf_x=0.2 * bump,
        grf_y=1.1 * bump,
    )


def _sim(label: str, restrictions: tuple[Restriction, ...], left: float, warm: bool) -> Simulation:
    return Simulation(
        label=label,
        restrictions=restrictions,
        stride={
            "side": "left",
            "duration_s": 1.12,
            "start_s": 2.1,
            "source": "demo.c3d",
            "swing_foot_lift_deg": "left 3.6, right 0.0",
            "planar_fit": "7.6 mm RMS from the measured points, pelvis at the left hip",
            "angle_change_deg": "2.3 RMS, largest 7.7",
        },
        solve=SolveInfo(True, "Solve_Succeeded", 412, 80.0, 95.0, 40, 3.2, {}, warm),
        settings={"mesh_intervals": 40},
        sides={"left": _curves(left), "right": _curves(1.0)},
        tracking_rms_deg={"angles": 1.8, "knee_flexion_l": 1.2},
        moment_rms={"left_ankle": 0.11, "left_knee": 0.14, "left_hip": 0.2, "all": 0.16},
        reserves={"knee_l": {"rms": 1.0, "peak": 3.0}},
    )


def stiff_knee_whatif() -> WhatIf:
    """Baseline, and the left knee bent no more than 20° with every left-side load 1.2 x the
    baseline (the ankle reaction peak 5.0 -> 6.0 body weights, +20 %); the right side unchanged."""
    stiff = (Restriction("knee_flexion_max", 20.0, "left"),)
    base = _sim("baseline", (), 1.0, False)
    restricted = _sim("knee_flexion_max=20@left", stiff, 1.2, True)
    return WhatIf(base, (restricted,), (compare(base, restricted),))

"""When a simulated baseline reproduces the measured stride well enough to predict from.

A restriction's predicted effect is the difference between two simulations; it means something
only if the first one, the baseline, walks the patient's measured stride. kinchain asks the
baseline to stay within the *normal between-person spread* of the quantities a gait report
reads: an error as large as the difference between two healthy people would be read as a
finding. The spread is the mean over the gait cycle of the standard deviation of the
Schwartz et al. (2008) normals at free speed (the data kinchain ships and compares with), for
the sagittal joint moments and angles of the hip, knee and ankle; the tolerance is the largest
of the three joints' values (``tests/sim/test_validity.py`` recomputes them from the packaged
file):

============================  ==========================  =====================================
quantity                      Schwartz 2008 free speed    tolerance on the baseline (RMS over
                              mean SD, hip / knee / ankle  the stride; moments over the measured
                                                           stance)
============================  ==========================  =====================================
sagittal net joint moment     0.15 / 0.12 / 0.12 N·m/kg   :data:`MOMENT_TOLERANCE_NM_PER_KG`
sagittal joint angle          6.1 / 6.3 / 5.3 deg         :data:`ANGLE_TOLERANCE_DEG`
============================  ==========================  =====================================

The pelvis residuals (forces and a moment on the pelvis that no muscle makes; see
:mod:`kinchain.sim.model`) must stay within OpenSim's best-practice guidance ("Reserves and
Residuals", OpenSim documentation, Simulation with OpenSim - Best Practices): peak residual
forces below :data:`RESIDUAL_FORCE_LIMIT_N` (the guidance: "typically less than 10-20 N") and
the peak residual moment below :data:`RESIDUAL_MOMENT_LIMIT_NM` ("less than 75 Nm"). A
baseline that reproduced the moments by pushing the pelvis would fail here.

Hicks et al. (2015, "Is my model good enough?", J Biomech Eng 137:020905) ask the same of any
tracking simulation: compare the simulated joint moments with inverse dynamics and the tracked
kinematics with the measurement before trusting what the simulation adds. Without a force-plate
stance in the stride the moments cannot be checked; that is said with the result.

Schwartz MH, Rozumalski A, Trost JP (2008). The effect of walking speed on the gait of typically
developing children. J Biomech 41:1639-1650.
"""

from __future__ import annotations

import math

from kinchain.errors import ProcessingError
from kinchain.sim.results import Simulation

__all__ = [
    "ANGLE_TOLERANCE_DEG",
    "MOMENT_TOLERANCE_NM_PER_KG",
    "RESIDUAL_FORCE_LIMIT_N",
    "RESIDUAL_MOMENT_LIMIT_NM",
    "BaselineNotValid",
    "baseline_problems",
    "residual_problems",
]

#: Largest mean between-person SD of the sagittal hip, knee and ankle moments, Schwartz 2008
#: free speed (hip), N·m/kg.
MOMENT_TOLERANCE_NM_PER_KG = 0.15
#: Largest mean between-person SD of the sagittal hip, knee and ankle angles, Schwartz 2008 free
#: speed (knee), degrees.
ANGLE_TOLERANCE_DEG = 6.3
#: Largest peak pelvis residual force (fore-aft, vertical), N: the upper end of OpenSim's
#: guidance "typically less than 10-20 N".
RESIDUAL_FORCE_LIMIT_N = 20.0
#: Largest peak pelvis residual moment, N·m (OpenSim's guidance: "less than 75 Nm").
RESIDUAL_MOMENT_LIMIT_NM = 75.0
_RESIDUALS = {
    "residual_pelvis_tx": ("fore-aft residual force", "N", RESIDUAL_FORCE_LIMIT_N),
    "residual_pelvis_ty": ("vertical residual force", "N", RESIDUAL_FORCE_LIMIT_N),
    "residual_pelvis_tilt": ("residual moment", "N·m", RESIDUAL_MOMENT_LIMIT_NM),
}


def baseline_problems(baseline: Simulation) -> list[str]:
    """How the baseline misses the measured stride by more than the tolerances, in words (empty
    when it is within them)."""
    out: list[str] = []
    angles = baseline.tracking_rms_deg.get("angles", math.nan)
    if not math.isfinite(angles) or angles > ANGLE_TOLERANCE_DEG:
        out.append(
            f"its joint angles differ from the measured ones by {angles:.1f} deg RMS "
            f"(tolerance {ANGLE_TOLERANCE_DEG:g} deg)"
        )
    moments = baseline.moment_rms.get("all")
    if moments is not None and (not math.isfinite(moments) or moments > MOMENT_TOLERANCE_NM_PER_KG):
        out.append(
            f"its joint moments differ from the measured ones by {moments:.2f} N·m/kg RMS over "
            f"the measured stance (tolerance {MOMENT_TOLERANCE_NM_PER_KG:g} N·m/kg)"
        )
    return out + residual_problems(baseline)


def residual_problems(sim: Simulation) -> list[str]:
    """How ``sim``'s pelvis residuals pass OpenSim's guidance (:data:`RESIDUAL_FORCE_LIMIT_N`,
    :data:`RESIDUAL_MOMENT_LIMIT_NM`), in words (empty when within it or not reported)."""
    out: list[str] = []
    for name, (what, unit, limit) in _RESIDUALS.items():
        peak = sim.reserves.get(name, {}).get("peak")
        if peak is not None and (not math.isfinite(peak) or peak > limit):
            out.append(
                f"the {what} on its pelvis reaches {peak:.0f} {unit} (at most {limit:g} {unit})"
            )
    return out


class BaselineNotValid(ProcessingError):
    """The baseline converged but does not reproduce the measured stride within the tolerances:
    no restriction is simulated, no prediction is given.

    Attributes
    ----------
    baseline
        The baseline simulation (for inspection, never to be shown as a prediction).
    problems
        :func:`baseline_problems`.
    """

    def __init__(self, baseline: Simulation, problems: list[str]) -> None:
        self.baseline = baseline
        self.problems = problems
        super().__init__(
            "the simulated stride does not reproduce the measured one closely enough to "
            f"predict from: {'; '.join(problems)}; no restriction was simulated"
        )

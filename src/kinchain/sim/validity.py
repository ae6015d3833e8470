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
    "BaselineNotValid",
    "baseline_problems",
]

#: Largest mean between-person SD of the sagittal hip, knee and ankle moments, Schwartz 2008
#: free speed (hip), N·m/kg.
MOMENT_TOLERANCE_NM_PER_KG = 0.15
#: Largest mean between-person SD of the sagittal hip, knee and ankle angles, Schwartz 2008 free
#: speed (knee), degrees.
ANGLE_TOLERANCE_DEG = 6.3


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

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
from dataclasses import dataclass

import numpy as np

from kinchain.errors import ProcessingError
from kinchain.sim.results import Simulation

__all__ = [
    "ANGLE_TOLERANCE_DEG",
    "MOMENT_TOLERANCE_NM_PER_KG",
    "RESIDUAL_FORCE_LIMIT_N",
    "RESIDUAL_MOMENT_LIMIT_NM",
    "SWING_CONTACT_BW",
    "SWING_DRAG_SHARE_PCT",
    "BaselineNotValid",
    "SwingContact",
    "baseline_problems",
    "residual_problems",
    "swing_contact",
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
#: A foot touches the floor when the simulated ground force on it (fore-aft and vertical
#: together) exceeds this share of body weight (1 %: about 7 N for 70 kg, a brush).
SWING_CONTACT_BW = 0.01
#: A foot that touches the floor through at least this share of its swing, %, drags it. On the
#: demo (coarse mesh) the baseline's left foot touched in 18 % of its swing (brief brushes), and
#: with a 20-degree knee cap in 88 % (the other joints held to their measured curves), 74 %
#: (compensation 0.3) and 32 % (compensation 0.1).
SWING_DRAG_SHARE_PCT = 50.0
#: Stride percent left out of the swing after toe-off and before the next heel strike: the
#: curves are sampled at 1 % and the contact spheres leave and reach the floor gradually.
_SWING_MARGIN_PCT = 2.0
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


@dataclass(frozen=True)
class SwingContact:
    """The floor's contact with the stride side's foot during its swing.

    Attributes
    ----------
    side
        ``"left"`` or ``"right"``: the stride's side, whose swing is known.
    peak_bw
        Largest ground force on the foot in its swing (fore-aft and vertical together), body
        weights.
    share_pct
        Share of the swing during which it exceeds :data:`SWING_CONTACT_BW`, %.
    """

    side: str
    peak_bw: float
    share_pct: float

    @property
    def drags(self) -> bool:
        """The foot touches the floor through at least :data:`SWING_DRAG_SHARE_PCT` of its
        swing."""
        return self.share_pct >= SWING_DRAG_SHARE_PCT

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"side": self.side, "peak_bw": self.peak_bw, "share_pct": self.share_pct}


def swing_contact(sim: Simulation) -> SwingContact | None:
    """How much the stride side's foot touches the floor in its swing (None when the stride
    does not say its side or stance, or has no simulated ground force for it).

    The swing is the stride from the stance's end (``stride["stance_pct"]``) to 100 %, less
    2 % at each end. A person clears the foot in swing; a planar model cannot hike the hip or
    swing the leg out to the side, so with a stiff knee its foot may drag instead.
    """
    side = sim.stride.get("side")
    stance = sim.stride.get("stance_pct")
    if side not in sim.sides or not isinstance(stance, int | float) or not math.isfinite(stance):
        return None
    curves = sim.sides[str(side)]
    force = np.hypot(np.asarray(curves.grf_x, float), np.asarray(curves.grf_y, float))
    pct = sim.percent
    swing = (pct > stance + _SWING_MARGIN_PCT) & (pct < 100.0 - _SWING_MARGIN_PCT)
    if not swing.any() or not np.isfinite(force[swing]).all():
        return None
    return SwingContact(
        side=str(side),
        peak_bw=float(force[swing].max()),
        share_pct=float(np.mean(force[swing] > SWING_CONTACT_BW) * 100.0),
    )

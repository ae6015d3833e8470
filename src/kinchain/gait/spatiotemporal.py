"""Spatiotemporal parameters per stride and per side, with symmetry indices.

Definitions (per stride of one foot, strike ``FS1`` to next strike ``FS2`` of that foot; the
other foot's events inside it are its foot off ``OFO`` and foot strike ``OFS``; this foot's foot
off is ``FO``). Distances are along the direction of progression (the model's progression x axis,
sign checked against the pelvis's travel) unless stated; "heel" is the heel marker, or the ankle
joint centre when a trial lacks heel markers.

- stride time, s: ``(FS2 - FS1) / rate``; stride length, m: heel displacement ``FS1 -> FS2``.
- walking speed, m/s: pelvis-origin displacement over the stride / stride time.
- cadence, steps/min: ``120 / stride time`` (two steps per stride).
- step time, s: ``OFS -> FS2`` (the step that ends with this foot's strike); step length, m: this
  heel at ``FS2`` minus the other heel at ``OFS``; step width, m: horizontal distance of the other
  heel at ``OFS`` from the line through this heel's positions at ``FS1`` and ``FS2`` (so a walkway
  at an angle to the lab axes does not alternate wide and narrow steps).
- foot off, %: ``FO`` as % of the stride = stance %; swing % = 100 - stance %.
- opposite foot off and opposite foot strike, % of the stride.
- single support, %: ``OFO -> OFS`` (the other foot in the air); double support, %: the two
  periods with both feet down, ``FS1 -> OFO`` and ``OFS -> FO``.
- dimensionless speed (Schwartz et al. 2008): ``speed / sqrt(g * leg length)``, with
  ``g = 9.81 m/s²`` and the subject's leg length of that side.

A parameter that needs an event the stride lacks is NaN (e.g. double support without the other
foot's foot off inside the stride); side values are the means over the side's usable strides
(kinematically valid, not outliers), NaN-aware. Symmetry index (Robinson et al. 1987):
``SI = (L - R) / (0.5 (L + R)) * 100 %``; 0 is perfect symmetry.

References
----------
Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically
developing children. J Biomech 2008;41:1639-1650.

Robinson RO, Herzog W, Nigg BM. Use of force platform variables to quantify the effects of
chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther 1987;10:172-176.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numpy.typing import NDArray

from kinchain.gait.cycles import strides
from kinchain.gait.cycles_types import Cycle, CycleSet, GaitEvent, Side
from kinchain.gait.events import GaitEvents, _foot, _progression

if TYPE_CHECKING:
    import pandas as pd

    from kinchain.process import TrialResult

__all__ = [
    "PARAMETER_UNITS",
    "SideSpatiotemporal",
    "Spatiotemporal",
    "StrideParameters",
    "spatiotemporal",
    "symmetry_index",
]

FloatArray = NDArray[np.float64]
SIDES: tuple[Side, Side] = ("left", "right")
G = 9.81

#: Parameter name -> unit, for every numeric parameter of a stride or side.
PARAMETER_UNITS: dict[str, str] = {
    "stride_time_s": "s",
    "stride_length_m": "m",
    "step_time_s": "s",
    "step_length_m": "m",
    "step_width_m": "m",
    "speed_m_s": "m/s",
    "cadence_steps_min": "steps/min",
    "stance_pct": "% of stride",
    "swing_pct": "% of stride",
    "foot_off_pct": "% of stride",
    "opposite_foot_off_pct": "% of stride",
    "opposite_foot_strike_pct": "% of stride",
    "single_support_pct": "% of stride",
    "double_support_pct": "% of stride",
    "dimensionless_speed": "1",
}


@dataclass(frozen=True)
class StrideParameters:
    """Spatiotemporal parameters of one stride (units in :data:`PARAMETER_UNITS`).

    Attributes
    ----------
    side, start, end
        The foot and the stride's two foot strikes (zero-based fractional frames).
    usable
        True when the stride counts in the side's means (kinematically valid, not an outlier).
    """

    side: Side
    start: float
    end: float
    stride_time_s: float
    stride_length_m: float
    step_time_s: float
    step_length_m: float
    step_width_m: float
    speed_m_s: float
    cadence_steps_min: float
    stance_pct: float
    swing_pct: float
    foot_off_pct: float
    opposite_foot_off_pct: float
    opposite_foot_strike_pct: float
    single_support_pct: float
    double_support_pct: float
    dimensionless_speed: float
    usable: bool = True


@dataclass(frozen=True)
class SideSpatiotemporal:
    """Means over one side's usable strides (units in :data:`PARAMETER_UNITS`); NaN if none.

    Attributes
    ----------
    n_strides
        Usable strides averaged.
    leg_length_m
        Leg length used for the dimensionless speed, m.
    """

    side: Side
    n_strides: int
    leg_length_m: float
    stride_time_s: float
    stride_length_m: float
    step_time_s: float
    step_length_m: float
    step_width_m: float
    speed_m_s: float
    cadence_steps_min: float
    stance_pct: float
    swing_pct: float
    foot_off_pct: float
    opposite_foot_off_pct: float
    opposite_foot_strike_pct: float
    single_support_pct: float
    double_support_pct: float
    dimensionless_speed: float

    units: ClassVar[dict[str, str]] = PARAMETER_UNITS

    def as_dict(self) -> dict[str, float]:
        """Parameter name -> value for every parameter of :data:`PARAMETER_UNITS`."""
        return {k: float(getattr(self, k)) for k in PARAMETER_UNITS}


@dataclass(frozen=True)
class Spatiotemporal:
    """Result of :func:`spatiotemporal`.

    Attributes
    ----------
    left, right
        Side means.
    strides
        Every stride's parameters, both sides, in time order.
    symmetry_pct
        Parameter name -> symmetry index ``(L - R) / (0.5 (L + R)) * 100``, %.
    parameters
        Provenance (input file and its sha256) and settings (gravity, points used as heel).
    """

    left: SideSpatiotemporal
    right: SideSpatiotemporal
    strides: tuple[StrideParameters, ...]
    symmetry_pct: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, object] = field(default_factory=dict)

    units: ClassVar[dict[str, str]] = PARAMETER_UNITS

    def side(self, side: Side) -> SideSpatiotemporal:
        """The side's means."""
        return self.left if side == "left" else self.right

    def to_frame(self) -> pd.DataFrame:
        """One row per stride (``side``, ``start``, ``end``, ``usable`` and every parameter of
        :data:`PARAMETER_UNITS`, columns named with their unit suffix as in the fields)."""
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.strides])


def symmetry_index(left: float, right: float) -> float:
    """Robinson et al. (1987) symmetry index, %: ``(L - R) / (0.5 (L + R)) * 100``.

    NaN when either value is NaN or their sum is 0.
    """
    total = left + right
    if not (np.isfinite(left) and np.isfinite(right)) or total == 0:
        return float("nan")
    return float((left - right) / (0.5 * total) * 100.0)


def _at(x: FloatArray, frame: float) -> FloatArray:
    """Linear interpolation of ``(n, 3)`` positions at a fractional frame (NaN outside)."""
    n = x.shape[0]
    if not (np.isfinite(frame) and 0.0 <= frame <= n - 1):
        return np.full(3, np.nan)
    i0 = int(np.floor(frame))
    w = frame - i0
    if w == 0.0:
        return np.asarray(x[i0], dtype=np.float64)
    return np.asarray((1.0 - w) * x[i0] + w * x[min(i0 + 1, n - 1)], dtype=np.float64)


def _stride(
    c: Cycle,
    rate: float,
    heel: Mapping[str, FloatArray],
    origin: FloatArray,
    forward: FloatArray,
    leg_m: float,
    usable: bool,
) -> StrideParameters:
    side = c.side
    other = "right" if side == "left" else "left"
    n_frames = c.end - c.start
    t = n_frames / rate

    def pct(frame: float) -> float:
        return float((frame - c.start) / n_frames * 100.0) if np.isfinite(frame) else np.nan

    stride_len = float((_at(heel[side], c.end) - _at(heel[side], c.start)) @ forward)
    speed = float((_at(origin, c.end) - _at(origin, c.start)) @ forward) / t
    a, b = _at(heel[side], c.start), _at(heel[side], c.end)
    step_vec = b - _at(heel[other], c.opposite_foot_strike)
    # Step width: horizontal distance of the other heel at its strike from the line through this
    # heel's two strike positions (robust to a walkway not aligned with the lab axes).
    line = (b - a)[:2]
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = line[0] * step_vec[1] - line[1] * step_vec[0]
        width = float(abs(cross) / np.linalg.norm(line))
    fo, ofo, ofs = pct(c.foot_off), pct(c.opposite_foot_off), pct(c.opposite_foot_strike)
    return StrideParameters(
        side=side,
        start=c.start,
        end=c.end,
        stride_time_s=t,
        stride_length_m=stride_len,
        step_time_s=(c.end - c.opposite_foot_strike) / rate,
        step_length_m=float(step_vec @ forward),
        step_width_m=width,
        speed_m_s=speed,
        cadence_steps_min=120.0 / t,
        stance_pct=fo,
        swing_pct=100.0 - fo,
        foot_off_pct=fo,
        opposite_foot_off_pct=ofo,
        opposite_foot_strike_pct=ofs,
        single_support_pct=ofs - ofo,
        double_support_pct=ofo + (fo - ofs),
        dimensionless_speed=speed / float(np.sqrt(G * leg_m)) if leg_m > 0 else np.nan,
        usable=usable,
    )


def _mean_side(side: Side, rows: list[StrideParameters], leg_m: float) -> SideSpatiotemporal:
    use = [r for r in rows if r.usable]
    values: dict[str, float] = {}
    for k in PARAMETER_UNITS:
        v = np.array([getattr(r, k) for r in use], dtype=np.float64)
        values[k] = float(np.mean(v[np.isfinite(v)])) if np.isfinite(v).any() else np.nan
    return SideSpatiotemporal(side=side, n_strides=len(use), leg_length_m=leg_m, **values)


def spatiotemporal(
    result: TrialResult,
    events: GaitEvents | Iterable[GaitEvent],
    cycles: Mapping[Side, CycleSet] | None = None,
) -> Spatiotemporal:
    """Spatiotemporal parameters of a processed trial.

    Parameters
    ----------
    result
        A processed trial (markers, model, subject leg lengths).
    events
        Gait events (:func:`~kinchain.gait.events.detect_events`).
    cycles
        The trial's :func:`~kinchain.gait.cycles.segment_cycles` result, whose strides' validity
        and outlier flags decide which strides count in the means. Without it every stride
        counts.

    Returns
    -------
    Spatiotemporal
        Per-stride values, side means and symmetry indices (see the module docstring).
    """
    rate = result.trial.point_rate
    forward, origin = _progression(result)
    heel: dict[str, FloatArray] = {side: _foot(result, side)[0] for side in SIDES}
    legs = result.model.subject.leg_length_m
    rows: dict[Side, list[StrideParameters]] = {}
    for side in SIDES:
        leg = float(legs.get(side, np.nan))
        judged = {(c.start, c.end): c for c in cycles[side].cycles} if cycles else {}
        rows[side] = []
        for c in strides(events, side):
            j = judged.get((c.start, c.end))
            usable = (j.valid and not j.outlier) if j is not None else c.valid
            rows[side].append(_stride(c, rate, heel, origin, forward, leg, usable))
    left = _mean_side("left", rows["left"], float(legs.get("left", np.nan)))
    right = _mean_side("right", rows["right"], float(legs.get("right", np.nan)))
    sym = {k: symmetry_index(getattr(left, k), getattr(right, k)) for k in PARAMETER_UNITS}
    everything = sorted(rows["left"] + rows["right"], key=lambda r: r.start)
    params: dict[str, object] = {
        "input": result.trial.path,
        "input_sha256": result.trial.sha256,
        "g_m_s2": G,
        "heel_points": {side: _foot(result, side)[2] for side in SIDES},
    }
    return Spatiotemporal(left, right, tuple(everything), sym, params)

"""Results of a simulation: frozen, JSON-able dataclasses, and the baseline/restricted comparison.

A solve that did not converge is never a :class:`Simulation`: the runner raises
:class:`SimulationNotConverged` (with the solver's status, iterations and time) instead, so
nothing downstream can show an unconverged solution as a result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kinchain.errors import ProcessingError
from kinchain.sim.restrictions import Restriction
from kinchain.sim.stride import JOINTS, StrideData

__all__ = [
    "ASSUMPTIONS",
    "Change",
    "Comparison",
    "SideCurves",
    "Simulation",
    "SimulationNotConverged",
    "SimulationTimeout",
    "SolveInfo",
    "assumptions_for",
    "compare",
    "finite_json",
    "simulation_from_raw",
]

FloatArray = NDArray[np.float64]

#: Said with every simulated value (the report prints them).
ASSUMPTIONS: tuple[str, ...] = (
    "prediction from a simplified model, not a measurement",
    "planar (sagittal) model: 10 degrees of freedom, hip, knee and ankle as hinges, the trunk "
    "one segment on a lumbar joint, assumed to keep its mean lean over the stride (not measured)",
    "generic muscle parameters (gait10dof18musc, Delp et al. 1990) scaled by segment length and "
    "body mass; rigid tendons",
    "one stride, periodic; the other joints track their measured curves",
    "foot-ground contact by two smooth spheres per foot; measured ground reaction tracked only "
    "on a clean force-plate contact",
)


def assumptions_for(
    restrictions: tuple[Restriction, ...], settings: Mapping[str, Any]
) -> tuple[str, ...]:
    """:data:`ASSUMPTIONS` as they hold for one simulation.

    A restricted simulation solved with ``settings["compensation_weight"]`` below 1 (see
    :class:`kinchain.sim.problem.SolverSettings`) adds that the joints the restriction does not
    act on were free to compensate, and how much more loosely they were held.
    """
    weight = float(settings.get("compensation_weight", 1.0))
    if not restrictions or weight >= 1.0:
        return ASSUMPTIONS
    return (
        *ASSUMPTIONS,
        "with the restriction, the joints it does not act on, the pelvis and the trunk follow "
        f"their measured curves {1.0 / weight:.3g} times more loosely, so that they may "
        "compensate for it",
    )


class SimulationNotConverged(ProcessingError):
    """The optimiser stopped without a solution (status and iterations in the message).

    Attributes
    ----------
    solve
        The :class:`SolveInfo` of the failed solve.
    """

    def __init__(self, label: str, solve: SolveInfo) -> None:
        self.solve = solve
        super().__init__(
            f"simulation {label!r} did not converge ({solve.status}, {solve.iterations} "
            f"iterations, {solve.wall_time_s:.0f} s): no result is given"
        )


class SimulationTimeout(ProcessingError):
    """The solver process ran past its time limit and was stopped."""

    def __init__(self, label: str, limit_s: float, iterations: int) -> None:
        self.limit_s = limit_s
        self.iterations = iterations
        super().__init__(
            f"simulation {label!r} stopped at the time limit of {limit_s:.0f} s "
            f"(after {iterations} solver iterations): no result is given"
        )


@dataclass(frozen=True)
class SolveInfo:
    """How a solve went.

    Attributes
    ----------
    success, status
        IPOPT's verdict (``solution.success()``) and its status string.
    iterations
        IPOPT iterations.
    solver_time_s, wall_time_s
        Time in the solver, s, and of the whole solve in its process (model building,
        solving, post-processing), s.
    mesh_intervals
        Collocation mesh intervals.
    objective
        Final objective (NaN when failed).
    objective_terms
        Goal name -> its value in the objective.
    warm_start
        True when started from another solution (the baseline).
    stages
        Solver runs: 1, plus 1 when the ground reaction was first left out (no guess), plus 1
        when a central-difference stage finished a solve.
    """

    success: bool
    status: str
    iterations: int
    solver_time_s: float
    wall_time_s: float
    mesh_intervals: int
    objective: float
    objective_terms: dict[str, float] = field(default_factory=dict)
    warm_start: bool = False
    stages: int = 1


@dataclass(frozen=True)
class SideCurves:
    """One side's simulated curves over the stride, 101 points (0..100 %).

    Joint keys are ``"hip"``, ``"knee"``, ``"ankle"``; muscle keys those of
    :data:`kinchain.sim.params.MUSCLE_NAMES`.

    Attributes
    ----------
    angle_deg
        Joint angle, degrees, Plug-in Gait signs (flexion, dorsiflexion positive).
    moment
        Net internal joint moment, N·m/kg, extensor / plantarflexor positive (Plug-in Gait).
    power
        Joint power, W/kg (generation positive).
    work_positive, work_negative
        Positive and negative work over the stride, J/kg.
    reaction
        Joint reaction force on the distal segment (thigh at the hip, shank at the knee, foot at
        the ankle), magnitude, body weights; it includes the muscle forces crossing the joint.
    reaction_x, reaction_y
        Its components in the distal segment's frame, body weights: x anterior, y along the
        segment towards proximal (a compressive load on the distal segment is negative y).
    activation
        Muscle activation, 0..1.
    grf_x, grf_y
        Simulated ground reaction on this foot, body weights, ground frame (x forward, y up).
    """

    angle_deg: dict[str, FloatArray]
    moment: dict[str, FloatArray]
    power: dict[str, FloatArray]
    work_positive: dict[str, float]
    work_negative: dict[str, float]
    reaction: dict[str, FloatArray]
    reaction_x: dict[str, FloatArray]
    reaction_y: dict[str, FloatArray]
    activation: dict[str, FloatArray]
    grf_x: FloatArray
    grf_y: FloatArray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (lists of floats)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, dict):
                out[name] = {k: _jsonable(v) for k, v in value.items()}
            else:
                out[name] = _jsonable(value)
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [None if not math.isfinite(v) else round(float(v), 6) for v in value]
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    return value


@dataclass(frozen=True)
class Simulation:
    """One converged simulation of one stride (baseline or restricted).

    Attributes
    ----------
    label
        ``"baseline"`` or the restrictions' labels joined by ``", "``.
    restrictions
        What was changed (empty for the baseline).
    stride
        The stride's provenance (:attr:`StrideData.source`, side, duration).
    solve
        Convergence status, iterations, time.
    settings
        The solver settings used (as a dict).
    sides
        ``"left"``/``"right"`` -> :class:`SideCurves`.
    tracking_rms_deg
        Coordinate -> RMS difference between simulated and tracked reference over the stride,
        degrees (pelvis translations: cm); ``"angles"``: RMS over the six joint angles and
        pelvis tilt.
    moment_rms
        ``"{side}_{joint}"`` -> RMS difference of the simulated net joint moment from kinchain's
        inverse dynamics over the frames where the latter is valid in the stride side's stance,
        N·m/kg; ``"all"`` pooled over the three joints. Empty without kinetics.
    reserves
        Reserve / residual actuator -> ``{"rms", "peak"}`` torque (N·m) or force (N).
    assumptions
        :data:`ASSUMPTIONS`, with what this simulation adds (:func:`assumptions_for`).
    solution_path
        The Moco solution file (a warm start for other problems); "" once discarded.
    """

    label: str
    restrictions: tuple[Restriction, ...]
    stride: dict[str, Any]
    solve: SolveInfo
    settings: dict[str, Any]
    sides: dict[str, SideCurves]
    tracking_rms_deg: dict[str, float]
    moment_rms: dict[str, float]
    reserves: dict[str, dict[str, float]]
    assumptions: tuple[str, ...] = ASSUMPTIONS
    solution_path: str = ""

    @property
    def percent(self) -> FloatArray:
        """``(101,)`` stride percent of every curve."""
        return np.linspace(0.0, 100.0, 101)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of everything (curves as lists, 101 points each; a value that is
        not finite, e.g. the unbounded ``settings.residual_limit``, is ``None``)."""
        from kinchain.sim.validity import swing_contact  # validity reads Simulation

        contact = swing_contact(self)
        return finite_json(
            {
                "label": self.label,
                "kind": "prediction from a simplified planar musculoskeletal model",
                "restrictions": [r.to_dict() for r in self.restrictions],
                "stride": self.stride,
                "solve": {**self.solve.__dict__},
                "settings": self.settings,
                "sides": {s: c.to_dict() for s, c in self.sides.items()},
                "tracking_rms_deg": self.tracking_rms_deg,
                "moment_rms_nm_per_kg": self.moment_rms,
                "reserves": self.reserves,
                "assumptions": list(self.assumptions),
                "swing_contact": contact.to_dict() if contact is not None else None,
            }
        )


def finite_json(value: Any) -> Any:
    """``value`` (JSON-ready dicts, lists, numbers) with NaN and infinities as None, and NumPy
    scalars and arrays as Python numbers and lists, through dicts, lists and tuples (strict
    JSON has no infinity or NaN)."""
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(x) for k, x in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(x) for x in value]
    return value


def _rms(a: FloatArray, b: FloatArray) -> float:
    d = np.asarray(a) - np.asarray(b)
    d = d[np.isfinite(d)]
    return float(np.sqrt(np.mean(d**2))) if d.size else math.nan


def simulation_from_raw(
    raw: dict[str, Any],
    stride: StrideData,
    restrictions: tuple[Restriction, ...],
    settings: dict[str, Any],
    reference: dict[str, FloatArray],
    *,
    warm_start: bool,
) -> Simulation:
    """Build a :class:`Simulation` from the solver process's raw output.

    Raises
    ------
    SimulationNotConverged
        When the solve did not succeed.
    """
    label = ", ".join(r.label() for r in restrictions) or "baseline"
    info = SolveInfo(**raw["solve"], warm_start=warm_start)
    if not info.success:
        raise SimulationNotConverged(label, info)
    sides: dict[str, SideCurves] = {}
    for side, c in raw["sides"].items():
        keys = (
            "angle_deg",
            "moment",
            "power",
            "reaction",
            "reaction_x",
            "reaction_y",
            "activation",
        )
        arr = {k: {j: np.asarray(v, dtype=float) for j, v in c[k].items()} for k in keys}
        sides[side] = SideCurves(
            work_positive=dict(c["work_pos"]),
            work_negative=dict(c["work_neg"]),
            grf_x=np.asarray(c["grf_x"], dtype=float),
            grf_y=np.asarray(c["grf_y"], dtype=float),
            **arr,
        )
    tracking: dict[str, float] = {}
    angles: list[float] = []
    for name, values in raw["coordinates"].items():
        scale = 100.0 if name in ("pelvis_tx", "pelvis_ty") else math.degrees(1.0)
        tracking[name] = _rms(np.asarray(values) * scale, reference[name] * scale)
        if name not in ("pelvis_tx", "pelvis_ty"):
            angles.append(tracking[name])
    tracking["angles"] = float(np.sqrt(np.mean(np.square(angles))))
    moment_rms: dict[str, float] = {}
    stance = np.linspace(0.0, 100.0, 101) <= stride.stance_pct
    pooled: list[FloatArray] = []
    side = stride.side
    for joint in JOINTS:
        measured = stride.moments.get(f"{side}_{joint}")
        if measured is None:
            continue
        m = np.where(stance, measured, np.nan)
        if not np.isfinite(m).any():
            continue
        d = sides[side].moment[joint] - m
        moment_rms[f"{side}_{joint}"] = _rms(sides[side].moment[joint], m)
        pooled.append(d[np.isfinite(d)])
    if pooled:
        moment_rms["all"] = float(np.sqrt(np.mean(np.concatenate(pooled) ** 2)))
    return Simulation(
        label=label,
        restrictions=restrictions,
        stride={
            **stride.source,
            "side": stride.side,
            "duration_s": stride.duration_s,
            "stance_pct": stride.stance_pct,
            "mass_kg": stride.mass_kg,
        },
        solve=info,
        settings=settings,
        sides=sides,
        tracking_rms_deg=tracking,
        moment_rms=moment_rms,
        reserves=raw["reserves"],
        assumptions=assumptions_for(restrictions, settings),
        solution_path=raw.get("solution_path", ""),
    )


@dataclass(frozen=True)
class Change:
    """One measure, baseline vs restricted.

    Attributes
    ----------
    measure
        ``"left ankle reaction"`` etc.
    unit
        Its unit.
    baseline_peak, restricted_peak, baseline_mean, restricted_mean
        Peak (largest absolute value, with its sign) and mean over the stride.
    peak_change, peak_change_pct, mean_change, mean_change_pct
        Restricted minus baseline; as % of the baseline's absolute value (NaN when it is ~0),
        so the sign is that of the value's change (more negative work: negative %).
    """

    measure: str
    unit: str
    baseline_peak: float
    restricted_peak: float
    peak_change: float
    peak_change_pct: float
    baseline_mean: float
    restricted_mean: float
    mean_change: float
    mean_change_pct: float


@dataclass(frozen=True)
class Comparison:
    """Baseline vs restricted, measure by measure (:func:`compare`)."""

    baseline: str
    restricted: str
    changes: tuple[Change, ...]

    def get(self, measure: str) -> Change:
        """The change of one measure (``"left ankle reaction"``).

        Raises
        ------
        KeyError
            For an unknown measure.
        """
        for c in self.changes:
            if c.measure == measure:
                return c
        raise KeyError(measure)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "baseline": self.baseline,
            "restricted": self.restricted,
            "changes": [{k: _jsonable(v) for k, v in c.__dict__.items()} for c in self.changes],
        }


def _peak(x: FloatArray) -> float:
    return float(x[int(np.argmax(np.abs(x)))])


def _pct(change: float, base: float) -> float:
    return 100.0 * change / abs(base) if abs(base) > 1e-9 else math.nan


def compare(baseline: Simulation, restricted: Simulation) -> Comparison:
    """Per measure and side: peak and mean, restricted vs baseline, and their % change.

    Measures: joint reaction (BW), net moment (N·m/kg), power (W/kg) of hip, knee and ankle;
    positive and negative work (J/kg; peak = mean = the work); activation of each muscle.
    """
    rows: list[Change] = []

    def add(measure: str, unit: str, a: FloatArray, b: FloatArray) -> None:
        pa, pb = _peak(a), _peak(b)
        ma, mb = float(np.mean(a)), float(np.mean(b))
        rows.append(Change(measure, unit, pa, pb, pb - pa, _pct(pb - pa, pa), ma, mb, mb - ma,
                           _pct(mb - ma, ma)))  # fmt: skip

    for side in ("left", "right"):
        a, b = baseline.sides[side], restricted.sides[side]
        for joint in JOINTS:
            add(f"{side} {joint} reaction", "BW", a.reaction[joint], b.reaction[joint])
            add(f"{side} {joint} moment", "N.m/kg", a.moment[joint], b.moment[joint])
            add(f"{side} {joint} power", "W/kg", a.power[joint], b.power[joint])
            for kind, wa, wb in (
                ("positive work", a.work_positive[joint], b.work_positive[joint]),
                ("negative work", a.work_negative[joint], b.work_negative[joint]),
            ):
                add(f"{side} {joint} {kind}", "J/kg", np.array([wa]), np.array([wb]))
        for muscle in a.activation:
            add(f"{side} {muscle} activation", "1", a.activation[muscle], b.activation[muscle])
    return Comparison(baseline.label, restricted.label, tuple(rows))

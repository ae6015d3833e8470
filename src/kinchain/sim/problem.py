"""The Moco tracking problem of one stride, its solution and what is computed from it.

This module runs inside the solver process (see :mod:`kinchain.sim.runner`); it imports
OpenSim lazily and is not meant to be called from the main process (a solve cannot be
interrupted there).

Problem (MocoTrack, direct collocation with CasADi/IPOPT, Hermite-Simpson):

* tracked: the measured coordinates of both legs and the pelvis (values; speeds from their
  derivatives), and the lumbar joint's assumed curve (a trunk of constant lean, see
  :func:`tracked_reference`), each normalised by its range over the stride, weight
  :attr:`SolverSettings.tracking_weight` (``pelvis_tx`` x 0.5);
* tracked where a force plate measured a clean contact of the stride side's foot: its vertical
  and anteroposterior ground reaction (zero in its swing), MocoContactTrackingGoal, weight
  :attr:`SolverSettings.grf_weight`, split between the heel and forefoot spheres so that their
  centre of pressure is the measured one (:func:`kinchain.sim.stride.forefoot_share`);
* minimised: the sum of squared controls (muscle excitations, the trunk torque, reserve and
  residual controls;
  the residual forces x :attr:`SolverSettings.residual_weight`, the residual moment x
  :attr:`SolverSettings.residual_moment_weight`), weight
  :attr:`SolverSettings.effort_weight`;
* periodic (endpoint constraints): every coordinate but ``pelvis_tx``, every speed and every
  muscle activation at the end of the stride equals its value at the start.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kinchain.errors import InputError
from kinchain.sim.model import (
    JOINT_RANGES_DEG,
    LUMBAR,
    RESERVE_OPTIMAL_FORCE,
    RESIDUAL_OPTIMAL_FORCE,
    build_model,
    require_opensim,
)
from kinchain.sim.params import MUSCLE_NAMES, PLANTARFLEXORS
from kinchain.sim.restrictions import RELAXED_WEIGHT, Restriction
from kinchain.sim.stride import (
    COORDINATES,
    JOINTS,
    StrideData,
    coordinate_name,
    forefoot_share,
)

__all__ = [
    "SolverSettings",
    "coordinate_path",
    "restricted_coordinates",
    "solve_stride",
    "state_bounds",
    "tracked_reference",
    "tracking_factors",
]

G = 9.80665
_SUFFIX = {"left": "l", "right": "r"}
_JOINT_OF = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}
_CHILD = {"hip": "thigh", "knee": "shank", "ankle": "foot"}
#: The model's coordinates: the measured ones and the lumbar joint (see :func:`tracked_reference`).
MODEL_COORDINATES: tuple[str, ...] = (*COORDINATES, LUMBAR)


@dataclass(frozen=True)
class SolverSettings:
    """Settings of one solve (recorded with every result).

    Attributes
    ----------
    mesh_intervals
        Collocation mesh intervals over the stride.
    max_iterations
        IPOPT iteration limit (reaching it = not converged).
    convergence_tolerance, constraint_tolerance
        IPOPT tolerances (Moco's ``optim_convergence_tolerance`` / ``optim_constraint_tolerance``).
    tracking_weight, grf_weight, effort_weight
        Goal weights (see the module docstring). ``grf_weight`` 0.1: on the demo baseline
        (coarse mesh) the moments' RMS from inverse dynamics went from 0.19 N·m/kg with 0.01
        to 0.171 with 0.05 (warm-started, the residual moment weighted 30), and from 0.149
        with 0.05 to 0.141 with 0.1 (from scratch, the residual moment weighted 0.3); the
        ankle's error fell from 0.12 to 0.09.
    periodic
        Add the periodicity constraints.
    implicit
        Implicit multibody dynamics (Moco's ``implicit`` mode). Off: on the demo trial the
        implicit form diverged (constraint violation 1e4-1e5) where the explicit one
        converged.
    threads
        Threads of the solver's function evaluations (Moco's ``parallel``).
    sparsity, finite_difference
        CasADi sparsity detection and finite-difference scheme of the derivatives.
        ``initial-guess`` detects the sparsity at the initial guess, where the feet are on the
        floor. ``random`` (used before) detects it at random points, where the feet are
        mostly off it: the contact forces then seem not to depend on the states, and the
        ground-reaction tracking goal had no gradient. On the demo trial the solutions with
        and without that goal were the same to 1e-5 rad, and the simulated centre of pressure
        stayed under the ankle in early stance; with ``initial-guess`` it follows the force
        plate's. ``forward`` differences made an iteration about 2x cheaper than Moco's
        default central ones.
    residual_limit
        Bound on each pelvis residual, N (tx, ty) or N·m (tilt); unbounded by default (bounded
        at 50 N the demo baseline did not converge in 250 iterations).
    residual_weight
        Weight of the pelvis residuals' squared controls in the effort goal relative to the
        muscles' (1: the same). 30 by default: with 1, the demo baseline converged (216
        iterations) to a local optimum where the vertical residual carried up to 0.75 body
        weight in mid-to-late stance (RMS 304 N) and the feet were off the floor; with 30 it
        converged (191 iterations) to a lower objective (8.9 vs 21.8, although residuals
        cost more) with residuals of RMS 2-7 N and both feet carrying the body. Applies to
        the residual forces (``pelvis_tx``, ``pelvis_ty``).
    residual_moment_weight
        The same for the residual moment on the pelvis (``pelvis_tilt``), 0.6 by default. The
        planar model's upper body is a pelvis and a trunk at the stride side's hip: the trial's
        arm swing, pelvic rotation and obliquity, which move the upper body's mass about that
        hip, have no counterpart in it, nor has the trunk's lean, which no lower-limb marker
        set measures (it is assumed constant, see :func:`tracked_reference`). Held at the residual
        forces' weight (30), that mismatch went into the legs instead: the stance leg swept
        4 cm less than measured, and the hip moment was 0.2 N·m/kg off in mid stance (0.27
        RMS). A cheaper residual moment takes it, up to OpenSim's guidance (75 N·m, checked
        by :mod:`kinchain.sim.validity`). Measured from scratch on the demo baseline (coarse
        mesh, the upper body's centre of mass as corrected in December 2026, the lumbar joint,
        the ground reaction in steps): 0.3 gave 0.133 N·m/kg RMS from inverse dynamics with
        a residual moment peaking at 76 N·m (beyond the guidance); 0.6 gave 0.139 and 66 N·m;
        1 gave 0.149 and 55 N·m. 0.6 keeps both within their limits with some room.
    compensation_weight
        In a restricted problem, factor on the tracking weight of every coordinate the
        restrictions do not act on (see :func:`tracking_factors`). 1 (the default): they keep
        their measured curves, so that only the restriction differs from the baseline, and
        the predicted changes are those of the same walk with the restriction. Below 1 they
        may depart from them, as a person compensates. Measured on the demo's left stride
        (coarse mesh, a 20-degree knee cap warm-started from the stored baseline, 2 December
        2026), 1 / 0.3 / 0.1: positive hip work per stride +25 % / -1 % / -13 %, peak hip
        flexion 37 degrees -> 29 / 28 / 27, gastrocnemius activation on average +75 % / +76 %
        / +61 %, peak ankle reaction -1.9 % / -2.2 % / -0.6 %, peak residual moment on the
        pelvis 95 / 90 / 74 N·m, the left foot on the floor in 88 / 74 / 32 % of its swing
        (18 % in the baseline). The sagittal model cannot hike or circumduct the leg, which is
        how people with a locked knee clear the foot.
    grf_steps
        Fractions of ``grf_weight`` solved in turn, each from the previous solution, before
        the full weight, when a problem is solved from scratch (see :func:`solve_stride`).
    first_stage_iterations
        Iterations with ``finite_difference`` before the central-difference second stage (see
        :func:`solve_stride`).
    time_limit_s
        Wall-clock limit of the solver process, s (it is killed past it).
    """

    mesh_intervals: int = 40
    max_iterations: int = 1500
    convergence_tolerance: float = 1e-2
    constraint_tolerance: float = 1e-3
    tracking_weight: float = 10.0
    grf_weight: float = 0.1
    effort_weight: float = 1.0
    periodic: bool = True
    implicit: bool = False
    threads: int = 2
    sparsity: str = "initial-guess"
    finite_difference: str = "forward"
    first_stage_iterations: int = 250
    residual_limit: float = math.inf
    residual_weight: float = 30.0
    residual_moment_weight: float = 0.6
    compensation_weight: float = 1.0
    grf_steps: tuple[float, ...] = (0.1,)
    time_limit_s: float = 300.0

    @classmethod
    def coarse(cls) -> SolverSettings:
        """A coarse mesh (25 intervals) for tests and previews."""
        return cls(mesh_intervals=25, time_limit_s=900.0)


def coordinate_path(coordinate: str) -> str:
    """Model path of a coordinate's value state, e.g. ``/jointset/knee_l/knee_flexion_l``."""
    if coordinate.startswith("pelvis"):
        joint = "ground_pelvis"
    elif coordinate == LUMBAR:
        joint = "back"
    else:
        joint = f"{coordinate.split('_')[0]}_{coordinate[-1]}"
    return f"/jointset/{joint}/{coordinate}"


def tracked_reference(
    stride: StrideData, restrictions: Sequence[Restriction]
) -> dict[str, np.ndarray]:
    """The tracked curves, rad or m, by model coordinate: the stride's measured coordinates
    (with a released knee's normal curve), and for the lumbar joint, which no lower-limb marker
    set measures, a trunk that keeps one orientation over the stride (the pelvis tilt's mean):
    ``lumbar_extension = mean(pelvis_tilt) - pelvis_tilt``. Where the pelvis tilts, the trunk
    is assumed not to follow it, within the tracking weight.

    Raises
    ------
    kinchain.errors.InputError
        For a release restriction on a side without a normal knee curve.
    """
    ref = dict(stride.coordinates)
    tilt = np.asarray(ref["pelvis_tilt"], dtype=np.float64)
    ref[LUMBAR] = float(np.mean(tilt)) - tilt
    for r in restrictions:
        if r.kind == "knee_release":
            for s in r.sides():
                normal = stride.normal_knee_flexion.get(s)
                if normal is None:
                    raise InputError(
                        "restriction.knee_release", f"no normal knee curve for the {s} side"
                    )
                ref[coordinate_name("knee", s)] = normal
    return ref


def _bounds(restrictions: tuple[Restriction, ...]) -> dict[str, tuple[float | None, float | None]]:
    out: dict[str, tuple[float | None, float | None]] = {}
    for r in restrictions:
        for s in r.sides():
            if r.kind == "knee_flexion_max":
                name = coordinate_name("knee", s)
                lo, _ = out.get(name, (None, None))
                out[name] = (lo, math.radians(r.value))
            elif r.kind == "knee_flexion_min":
                name = coordinate_name("knee", s)
                _, hi = out.get(name, (None, None))
                out[name] = (math.radians(r.value), hi)
            elif r.kind == "ankle_dorsiflexion_max":
                out[coordinate_name("ankle", s)] = (None, math.radians(r.value))
    return out


def state_bounds(
    restrictions: tuple[Restriction, ...], reference: dict[str, np.ndarray]
) -> dict[str, tuple[float, float]]:
    """The solver's bounds (rad) on each coordinate a restriction bounds.

    The restriction's bound on its end, the model's range (:data:`JOINT_RANGES_DEG`) on the
    other, except that a knee flexion cap does not lend the knee extension it did not have: its
    lower bound is the least flexion of the tracked curve (``reference``, rad) or full extension
    (0), whichever extends further. Bounded on one end only, the demo's knee capped at 20 degrees
    hyperextended to 19.5 degrees in the restricted solve (measured without its baseline ever
    extending past 0.5 degrees of flexion, December 2026).
    """
    out: dict[str, tuple[float, float]] = {}
    for name, (lo, hi) in _bounds(restrictions).items():
        kind = name.rsplit("_", 1)[0]
        range_lo, range_hi = (math.radians(v) for v in JOINT_RANGES_DEG[kind])
        low = range_lo if lo is None else max(lo, range_lo)
        high = range_hi if hi is None else min(hi, range_hi)
        if kind == "knee_flexion" and lo is None:
            low = max(range_lo, min(0.0, float(np.min(reference[name]))))
        out[name] = (low, high)
    return out


def restricted_coordinates(restrictions: tuple[Restriction, ...]) -> frozenset[str]:
    """The model coordinates a restriction acts on directly: those it bounds, and the knee that
    ``knee_release`` gives a normal curve (``plantarflexor_strength`` acts on muscles, none)."""
    names = set(_bounds(restrictions))
    for r in restrictions:
        if r.kind == "knee_release":
            names.update(coordinate_name("knee", s) for s in r.sides())
    return frozenset(names)


def tracking_factors(
    restrictions: tuple[Restriction, ...],
    reference: dict[str, np.ndarray],
    compensation_weight: float = 1.0,
) -> dict[str, float]:
    """Factor on :attr:`SolverSettings.tracking_weight` of each model coordinate's tracking.

    ``pelvis_tx`` 0.5, every other coordinate 1, then:

    * in a restricted problem (``restrictions`` not empty), every coordinate the restrictions
      do not act on (:func:`restricted_coordinates`: the other joints, the other leg, the
      pelvis and the trunk) x ``compensation_weight``: 1 keeps them on their measured curves,
      below 1 lets them compensate for the restriction;
    * a bounded coordinate whose tracked curve (``reference``, rad) the bound cuts x
      :data:`~kinchain.sim.restrictions.RELAXED_WEIGHT`, so that the bound, not the unreachable
      curve, shapes it; a bound wider than the curve leaves the problem as it was.
    """
    factor = {name: 1.0 for name in MODEL_COORDINATES}
    factor["pelvis_tx"] = 0.5
    if restrictions and compensation_weight != 1.0:
        acted_on = restricted_coordinates(restrictions)
        for name in MODEL_COORDINATES:
            if name not in acted_on:
                factor[name] *= compensation_weight
    for name, (lo, hi) in _bounds(restrictions).items():
        below = lo is not None and bool(np.any(reference[name] < lo))
        above = hi is not None and bool(np.any(reference[name] > hi))
        if below or above:
            factor[name] *= RELAXED_WEIGHT
    return factor


def _strength(restrictions: tuple[Restriction, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in restrictions:
        if r.kind == "plantarflexor_strength":
            for s in r.sides():
                for m in PLANTARFLEXORS:
                    out[f"{m}_{_SUFFIX[s]}"] = r.value
    return out


#: The contact spheres of a foot, in the order of their tracked shares of the ground reaction.
_SPHERES = ("heel", "forefoot")


def _write_grf(stride: StrideData, folder: Path) -> Path:
    """ExternalLoads XML + .mot of the stride side's measured ground reaction (x, y only),
    split between its heel and forefoot spheres by :func:`kinchain.sim.stride.forefoot_share`
    (one ExternalForce each, ``measured_{heel,forefoot}_{l,r}``)."""
    sx = _SUFFIX[stride.side]
    assert stride.grf is not None
    fore = forefoot_share(stride)
    mot = folder / "grf.mot"
    cols = []
    for where in _SPHERES:
        cols += [f"{where}_force_{sx}_v{a}" for a in "xyz"]
        cols += [f"{where}_force_{sx}_p{a}" for a in "xyz"]
        cols += [f"{where}_torque_{sx}_{a}" for a in "xyz"]
    n = len(stride.time_s)
    lines = ["grf", "version=1", f"nRows={n}", f"nColumns={len(cols) + 1}", "inDegrees=no",
             "endheader", "\t".join(["time", *cols])]  # fmt: skip
    for k in range(n):
        row = [stride.time_s[k]]
        for share in (1.0 - fore[k], fore[k]):
            row += [share * stride.grf[k, 0], share * stride.grf[k, 1], 0.0, 0, 0, 0, 0, 0, 0]
        lines.append("\t".join(f"{v:.8f}" for v in row))
    mot.write_text("\n".join(lines) + "\n")
    forces = "".join(
        f"""
      <ExternalForce name="measured_{where}_{sx}">
        <applied_to_body>foot_{sx}</applied_to_body>
        <force_expressed_in_body>ground</force_expressed_in_body>
        <point_expressed_in_body>ground</point_expressed_in_body>
        <force_identifier>{where}_force_{sx}_v</force_identifier>
        <point_identifier>{where}_force_{sx}_p</point_identifier>
        <torque_identifier>{where}_torque_{sx}_</torque_identifier>
      </ExternalForce>"""
        for where in _SPHERES
    )
    xml = folder / "grf.xml"
    xml.write_text(
        f"""<?xml version="1.0" encoding="UTF-8" ?>
<OpenSimDocument Version="40000">
  <ExternalLoads name="measured">
    <objects>{forces}
    </objects>
    <datafile>{mot}</datafile>
  </ExternalLoads>
</OpenSimDocument>
"""
    )
    return xml


def _study(
    osim: Any,
    stride: StrideData,
    restrictions: tuple[Restriction, ...],
    settings: SolverSettings,
    folder: Path,
    guess: Path | None,
) -> tuple[Any, Any]:
    model = build_model(stride, strength=_strength(restrictions))
    ref = tracked_reference(stride, restrictions)
    table = osim.TimeSeriesTable()
    labels = osim.StdVectorString()
    for name in MODEL_COORDINATES:
        labels.append(f"{coordinate_path(name)}/value")
    table.setColumnLabels(labels)
    table.addTableMetaDataString("inDegrees", "no")
    for k, t in enumerate(stride.time_s):
        row = osim.RowVector(len(MODEL_COORDINATES), 0.0)
        for i, name in enumerate(MODEL_COORDINATES):
            row[i] = float(ref[name][k])
        table.appendRow(float(t), row)

    track = osim.MocoTrack()
    track.setName("kinchain_whatif")
    track.setModel(osim.ModelProcessor(model))
    track.setStatesReference(osim.TableProcessor(table))
    track.set_states_global_tracking_weight(settings.tracking_weight)
    track.set_allow_unused_references(True)
    track.set_track_reference_position_derivatives(True)
    track.set_scale_state_weights_with_range(True)
    track.set_apply_tracked_states_to_guess(False)
    weights = osim.MocoWeightSet()
    factor = tracking_factors(restrictions, ref, settings.compensation_weight)
    for name, f in factor.items():
        for var in ("value", "speed"):
            weights.cloneAndAppend(osim.MocoWeight(f"{coordinate_path(name)}/{var}", f))
    track.set_states_weight_set(weights)
    track.set_initial_time(0.0)
    track.set_final_time(float(stride.time_s[-1]))
    track.set_mesh_interval(float(stride.time_s[-1]) / settings.mesh_intervals)
    track.set_minimize_control_effort(True)
    track.set_control_effort_weight(settings.effort_weight)
    study = track.initialize()
    problem = study.updProblem()

    effort = osim.MocoControlGoal.safeDownCast(problem.updGoal("control_effort"))
    limit = settings.residual_limit / RESIDUAL_OPTIMAL_FORCE
    for name in ("pelvis_tilt", "pelvis_tx", "pelvis_ty"):
        problem.setControlInfo(f"/forceset/residual_{name}", [-limit, limit])
        weight = (
            settings.residual_moment_weight if name == "pelvis_tilt" else settings.residual_weight
        )
        if weight != 1.0:
            effort.setWeightForControl(f"/forceset/residual_{name}", weight)
    for name, (low, high) in state_bounds(restrictions, ref).items():
        problem.setStateInfo(f"{coordinate_path(name)}/value", [low, high])

    if stride.grf is not None and settings.grf_weight > 0:
        sx = _SUFFIX[stride.side]
        contact = osim.MocoContactTrackingGoal("grf_tracking", settings.grf_weight)
        contact.setExternalLoadsFile(str(_write_grf(stride, folder)))
        for where in _SPHERES:
            forces = osim.StdVectorString()
            forces.append(f"/forceset/contact_{where}_{sx}")
            contact.addContactGroup(
                osim.MocoContactTrackingGoalGroup(forces, f"measured_{where}_{sx}")
            )
        contact.setProjection("plane")
        contact.setProjectionVector(osim.Vec3(0, 0, 1))
        problem.addGoal(contact)

    if settings.periodic:
        periodic = osim.MocoPeriodicityGoal("periodicity")
        for name in MODEL_COORDINATES:
            if name != "pelvis_tx":
                periodic.addStatePair(
                    osim.MocoPeriodicityGoalPair(f"{coordinate_path(name)}/value")
                )
            periodic.addStatePair(osim.MocoPeriodicityGoalPair(f"{coordinate_path(name)}/speed"))
        for side in ("l", "r"):
            for m in MUSCLE_NAMES:
                periodic.addStatePair(
                    osim.MocoPeriodicityGoalPair(f"/forceset/{m}_{side}/activation")
                )
        problem.addGoal(periodic)

    solver = study.initCasADiSolver()
    solver.set_num_mesh_intervals(settings.mesh_intervals)
    solver.set_optim_convergence_tolerance(settings.convergence_tolerance)
    solver.set_optim_constraint_tolerance(settings.constraint_tolerance)
    solver.set_optim_max_iterations(settings.max_iterations)
    solver.set_parallel(settings.threads)
    solver.set_optim_sparsity_detection(settings.sparsity)
    solver.set_optim_finite_difference_scheme(settings.finite_difference)
    solver.set_multibody_dynamics_mode("implicit" if settings.implicit else "explicit")
    if guess is not None:
        solver.setGuessFile(str(guess))
    else:
        # The tracked coordinates (and their time derivatives) as the initial guess.
        first = solver.createGuess()
        states = osim.TimeSeriesTable()
        names = osim.StdVectorString()
        for name in MODEL_COORDINATES:
            names.append(f"{coordinate_path(name)}/value")
        for name in MODEL_COORDINATES:
            names.append(f"{coordinate_path(name)}/speed")
        states.setColumnLabels(names)
        speeds = {n: np.gradient(ref[n], stride.time_s) for n in MODEL_COORDINATES}
        n_c = len(MODEL_COORDINATES)
        for k, t in enumerate(stride.time_s):
            row = osim.RowVector(2 * n_c, 0.0)
            for i, name in enumerate(MODEL_COORDINATES):
                row[i] = float(ref[name][k])
                row[n_c + i] = float(speeds[name][k])
            states.appendRow(float(t), row)
        first.insertStatesTrajectory(states, True)
        solver.setGuess(first)
    return study, problem


def solve_stride(
    stride: StrideData,
    restrictions: tuple[Restriction, ...],
    settings: SolverSettings,
    folder: Path,
    guess: Path | None = None,
) -> dict[str, Any]:
    """Solve one problem and compute its outputs (runs in the solver process).

    Without a ``guess``, a problem that tracks the ground reaction is solved in steps of its
    weight (:attr:`SolverSettings.grf_steps`), each from the previous solution: by default at
    a tenth of it from the tracked coordinates, then in full. With the full weight from the
    tracked coordinates, the demo baseline's solve went to a wrong optimum (objective about
    1,900 against 1.4) or took 339 iterations, depending on millimetres of the reference. In
    two steps without it and then in full (62 + 35 iterations at first), the second step went
    to wrong optima (objective 82-165 against 1.8, joint angles 18-19 degrees RMS from the
    measured ones) after small changes of the model or weights (the upper body's centre of
    mass, the residual moment's weight, the mesh). Measured on the demo baseline (coarse):
    steps (0, 0.1) took 74 + 81 + 95 iterations, 225 s; steps (0.1,) 76 + 107, 189 s, to the
    same solution (objective 1.840).

    Each solve has two stages: ``settings.finite_difference`` derivatives (forward: cheap) for
    at most ``settings.first_stage_iterations`` iterations; if that has not converged, the
    problem is solved again with central differences from where the first stage stopped
    (forward differences can stall with the dual infeasibility above the tolerance). The
    iterations of all stages are counted.

    Returns a plain dict (see :func:`kinchain.sim.results.simulation_from_raw`), and writes the
    solution to ``folder / "solution.sto"`` (a warm start for another problem); an unconverged
    last iterate goes to ``folder / "unconverged.sto"``, for diagnosis only.
    """
    osim = require_opensim()
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    before = (0, 0.0, 0)
    if guess is None and stride.grf is not None and settings.grf_weight > 0:
        # Continuation on the ground-reaction weight: each step starts from the previous one.
        for k, fraction in enumerate(settings.grf_steps):
            step = dataclasses.replace(
                settings, grf_weight=fraction * settings.grf_weight, grf_steps=()
            )
            done = solve_stride(stride, restrictions, step, folder / f"grf_step_{k}", guess)
            if not done["solve"]["success"]:
                return done
            guess = Path(done["solution_path"])
            before = (
                before[0] + done["solve"]["iterations"],
                before[1] + done["solve"]["solver_time_s"],
                before[2] + done["solve"]["stages"],
            )
    first = dataclasses.replace(
        settings, max_iterations=min(settings.max_iterations, settings.first_stage_iterations)
    )
    study, _problem = _study(osim, stride, restrictions, first, folder, guess)
    solution = study.solve()
    if not solution.success():
        solution.unseal()
    iterations = before[0] + int(solution.getNumIterations())
    solver_time = before[1] + float(solution.getSolverDuration())
    stages = before[2] + 1
    if not solution.success() and settings.finite_difference != "central":
        stalled = folder / "first_stage.sto"
        solution.write(str(stalled))
        second = dataclasses.replace(
            settings,
            finite_difference="central",
            max_iterations=max(settings.max_iterations - iterations, 1),
        )
        study, _problem = _study(osim, stride, restrictions, second, folder, stalled)
        solution = study.solve()
        if not solution.success():
            solution.unseal()
        iterations += int(solution.getNumIterations())
        solver_time += float(solution.getSolverDuration())
        stages += 1
    wall = time.perf_counter() - t0
    success = bool(solution.success())
    if not success:
        solution.write(str(folder / "unconverged.sto"))
    info = {
        "success": success,
        "status": str(solution.getStatus()),
        "iterations": iterations,
        "solver_time_s": solver_time,
        "wall_time_s": wall,
        "mesh_intervals": settings.mesh_intervals,
        "objective": float(solution.getObjective()) if success else math.nan,
        "objective_terms": {
            str(n): float(solution.getObjectiveTerm(n)) for n in solution.getObjectiveTermNames()
        },
        "stages": stages,
    }
    if not success:
        return {"solve": info}
    path = folder / "solution.sto"
    solution.write(str(path))
    out = _outputs(osim, study, solution, stride, restrictions)
    out["solve"] = info
    out["solution_path"] = str(path)
    return out


def _outputs(
    osim: Any, study: Any, solution: Any, stride: StrideData, restrictions: tuple[Restriction, ...]
) -> dict[str, Any]:
    # The model the problem solved (same build; the problem's own copy is internal to Moco).
    model = build_model(stride, strength=_strength(restrictions))
    model.initSystem()
    time_s = solution.getTimeMat()
    pct = np.linspace(0.0, 100.0, 101)
    t_pct = time_s / time_s[-1] * 100.0

    def norm(x: np.ndarray) -> np.ndarray:
        return np.interp(pct, t_pct, x)

    state = {n: solution.getStateMat(n) for n in solution.getStateNames()}
    control = {n: solution.getControlMat(n) for n in solution.getControlNames()}
    mass = stride.mass_kg
    q = {n: state[f"{coordinate_path(n)}/value"] for n in COORDINATES}
    u = {n: state[f"{coordinate_path(n)}/speed"] for n in COORDINATES}

    # Net joint moments = muscle forces x moment arms + reserve torques (no other force acts
    # across the hip, knee or ankle in this model).
    joint_coords = [coordinate_name(j, side) for side in ("left", "right") for j in JOINTS]
    net = {c: np.zeros(len(time_s)) for c in joint_coords}
    coords_set = model.getCoordinateSet()
    trajectory = solution.exportToStatesTrajectory(model)
    muscles = [model.getMuscles().get(i) for i in range(model.getMuscles().getSize())]
    for k in range(trajectory.getSize()):
        st = trajectory.get(k)
        model.realizeDynamics(st)
        for muscle in muscles:
            force = muscle.getActuation(st)
            for c in joint_coords:
                if muscle.getName().endswith(c[-2:]):
                    net[c][k] += force * muscle.computeMomentArm(st, coords_set.get(c))
    for c in joint_coords:
        key = f"/forceset/reserve_{c}"
        if key in control:
            net[c] += control[key] * RESERVE_OPTIMAL_FORCE

    def gen_force(coord: str) -> np.ndarray:
        return net[coord]

    # Joint reaction forces on the child body, ground frame, then the child's frame.
    reaction_paths = osim.StdVectorString()
    for side in ("l", "r"):
        for joint in JOINTS:
            reaction_paths.append(f"/jointset/{joint}_{side}\\|reaction_on_child")
    states_table = solution.exportToStatesTable()
    controls_table = solution.exportToControlsTable()
    reactions = osim.analyzeSpatialVec(model, states_table, controls_table, reaction_paths)
    suffixes = osim.StdVectorString()
    for suffix in ("_mx", "_my", "_mz", "_fx", "_fy", "_fz"):
        suffixes.append(suffix)
    flat = reactions.flatten(suffixes)
    r_labels = list(flat.getColumnLabels())
    r_data = flat.getMatrix().to_numpy()

    grf_table = osim.createExternalLoadsTableForGait(
        model,
        solution,
        _vec(osim, ["/forceset/contact_heel_r", "/forceset/contact_forefoot_r"]),
        _vec(osim, ["/forceset/contact_heel_l", "/forceset/contact_forefoot_l"]),
    )
    g_labels = list(grf_table.getColumnLabels())
    g_data = grf_table.getMatrix().to_numpy()

    sides: dict[str, Any] = {}
    for side in ("left", "right"):
        sx = _SUFFIX[side]
        hip, knee, ankle = (q[coordinate_name(j, side)] for j in JOINTS)  # type: ignore[arg-type]
        child_angle = {
            "hip": q["pelvis_tilt"] + hip,
            "knee": q["pelvis_tilt"] + hip - knee,
            "ankle": q["pelvis_tilt"] + hip - knee + ankle,
        }
        keys = ("angle_deg", "moment", "power", "reaction", "reaction_x", "reaction_y")
        curves: dict[str, Any] = {k: {} for k in (*keys, "work_pos", "work_neg")}
        for joint in JOINTS:
            cname = coordinate_name(joint, side)  # type: ignore[arg-type]
            tau = gen_force(cname)
            power = tau * u[cname] / mass
            curves["angle_deg"][joint] = norm(np.degrees(q[cname])).tolist()
            # PiG convention: extensor / plantarflexor positive (the coordinates are flexion +).
            curves["moment"][joint] = norm(-tau / mass).tolist()
            curves["power"][joint] = norm(power).tolist()
            curves["work_pos"][joint] = float(np.trapezoid(np.clip(power, 0, None), time_s))
            curves["work_neg"][joint] = float(np.trapezoid(np.clip(power, None, 0), time_s))
            base = f"/jointset/{joint}_{sx}|reaction_on_child"
            fx = r_data[:, r_labels.index(base + "_fx")]
            fy = r_data[:, r_labels.index(base + "_fy")]
            a = child_angle[joint]
            bx = np.cos(a) * fx + np.sin(a) * fy
            by = -np.sin(a) * fx + np.cos(a) * fy
            bw = mass * G
            curves["reaction"][joint] = norm(np.hypot(bx, by) / bw).tolist()
            curves["reaction_x"][joint] = norm(bx / bw).tolist()
            curves["reaction_y"][joint] = norm(by / bw).tolist()
        curves["activation"] = {
            m: norm(state[f"/forceset/{m}_{sx}/activation"]).tolist() for m in MUSCLE_NAMES
        }
        gx = g_data[:, g_labels.index(f"ground_force_{sx}_vx")]
        gy = g_data[:, g_labels.index(f"ground_force_{sx}_vy")]
        gt = grf_table.getIndependentColumn()
        curves["grf_x"] = np.interp(
            pct, np.asarray(gt) / time_s[-1] * 100, gx / (mass * G)
        ).tolist()
        curves["grf_y"] = np.interp(
            pct, np.asarray(gt) / time_s[-1] * 100, gy / (mass * G)
        ).tolist()
        sides[side] = curves

    reserves = {}
    for name, values in control.items():
        short = name.rsplit("/", 1)[-1]
        if short.startswith(("reserve_", "residual_")):
            f = model.getForceSet().get(short)
            opt = osim.CoordinateActuator.safeDownCast(f).getOptimalForce()
            reserves[short] = {
                "rms": float(np.sqrt(np.mean((values * opt) ** 2))),
                "peak": float(np.max(np.abs(values * opt))),
            }
    coords = {n: norm(q[n]).tolist() for n in COORDINATES}
    return {"sides": sides, "reserves": reserves, "coordinates": coords}


def _vec(osim: Any, items: list[str]) -> Any:
    v = osim.StdVectorString()
    for s in items:
        v.append(s)
    return v

"""The task a Dask worker runs for one trial: read, process, analyse, write its rows.

The worker reads the files itself (the driver sends paths, never data) and writes its own
Parquet files (see :mod:`kinchain.batch.store`), so the driver only ever holds one small
summary per trial. Every failure of the trial becomes an ``errors`` row and a ``trials`` row
with status ``error``; only a failure to write those propagates (and the scheduler retries).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kinchain import __version__
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.batch.schema import CURVE_LABELS, SIDES, finding_columns
from kinchain.batch.sources import TrialSpec, file_sha256
from kinchain.batch.store import now_utc, remove_stale, table_path, write_rows
from kinchain.chain.detect import Thresholds
from kinchain.chain.finding import Finding
from kinchain.cli.trial_options import apply_measurements
from kinchain.errors import InputError
from kinchain.gait.cycles_types import N_POINTS
from kinchain.gait.normative import GPS_VARIABLES
from kinchain.gait.spatiotemporal import PARAMETER_UNITS
from kinchain.io.load import load_trial
from kinchain.io.trial import Trial
from kinchain.model.marker_map import apply_marker_map, load_marker_map
from kinchain.model.static import calibrate_static
from kinchain.process import ProcessOptions, TrialResult, process

_PREFIX = {"left": "L", "right": "R"}
_LENGTH_KEYS = tuple(
    f"{n}_{s}_m" for n in ("leg_length", "knee_width", "ankle_width") for s in ("left", "right")
)


@dataclass(frozen=True)
class BatchSettings:
    """Processing parameters applied to every trial (hashed into ``params_hash``).

    Attributes
    ----------
    max_gap_s, marker_cutoff_hz
        As :class:`kinchain.process.ProcessOptions`.
    kinetics
        Compute joint moments and powers (needs force plates and body mass).
    event_method
        As :func:`kinchain.analysis.analyze`.
    marker_map
        A marker-map JSON file or built-in name (``--marker-map``), applied to every trial and
        static trial.
    marker_diameter_mm
        Marker diameter, mm, for every trial (default: the subject file's, else 14 mm).
    static_file
        A static trial for the trials whose spec names none (a one-subject session).
    flat_foot
        The static trials were recorded with the sole flat on a level floor.
    require_kinetics
        A trial whose kinetics cannot be computed (no usable plate contact, no body mass) is an
        error instead of a trial with kinematics only.
    whatif
        Restrictions (``"knee_flexion_max=20@left"``, :mod:`kinchain.sim.restrictions`) simulated
        together on each trial's representative stride (:func:`kinchain.sim.whatif`): the
        ``whatif`` table. Empty: no simulation.
    whatif_coarse
        Solve on the coarse mesh (:meth:`kinchain.sim.SolverSettings.coarse`).
    whatif_time_limit_s
        Wall-clock limit of each solve, s.
    whatif_compensation
        :attr:`kinchain.sim.SolverSettings.compensation_weight` of the restricted solve (1: the
        other joints keep their measured curves).
    """

    max_gap_s: float = 0.1
    marker_cutoff_hz: float | None = None
    kinetics: bool = True
    event_method: Literal["auto", "force_plate", "zeni", "foot_velocity", "c3d"] = "auto"
    marker_map: str | None = None
    marker_diameter_mm: float | None = None
    static_file: str | None = None
    flat_foot: bool = False
    require_kinetics: bool = False
    whatif: tuple[str, ...] = ()
    whatif_coarse: bool = False
    whatif_time_limit_s: float = 600.0
    whatif_compensation: float = 1.0

    def options(self) -> ProcessOptions:
        return ProcessOptions(max_gap_s=self.max_gap_s, marker_cutoff_hz=self.marker_cutoff_hz)

    def as_dict(self) -> dict[str, Any]:
        """Everything that changes the results, with the code version (files by their
        sha256; options left at their defaults are not listed, so earlier runs still resume)."""
        out: dict[str, Any] = {
            "kinchain_version": __version__,
            "process": asdict(self.options()),
            "kinetics": self.kinetics,
            "event_method": self.event_method,
            "thresholds": Thresholds().as_dict(),
            "normative": "Schwartz 2008, speed-matched",
        }
        if self.marker_map is not None:
            mapped = Path(self.marker_map)
            out["marker_map"] = file_sha256(mapped) if mapped.is_file() else self.marker_map
        if self.marker_diameter_mm is not None:
            out["marker_diameter_mm"] = self.marker_diameter_mm
        if self.static_file is not None:
            out["static"] = file_sha256(self.static_file)
        if self.flat_foot:
            out["flat_foot"] = True
        if self.require_kinetics:
            out["require_kinetics"] = True
        if self.whatif:
            out["whatif"] = {"restrictions": list(self.whatif), "coarse": self.whatif_coarse}
            if self.whatif_compensation != 1.0:
                out["whatif"]["compensation"] = self.whatif_compensation
        return out

    def params_hash(self) -> str:
        text = json.dumps(self.as_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class _StageError(Exception):
    def __init__(self, stage: str, exc: BaseException) -> None:
        super().__init__(str(exc))
        self.stage = stage
        self.exc = exc


def _apply_trial_options(trial: Trial, spec: TrialSpec, settings: BatchSettings) -> Trial:
    """The trial with the manifest's measurements (value by value over the subject file's or
    the C3D's), the marker map, marker diameter and static calibration applied, as ``kinchain
    process`` applies them (:func:`kinchain.cli.trial_options.load_inputs`)."""
    marker_map = load_marker_map(settings.marker_map) if settings.marker_map else None
    if marker_map is not None:
        trial = apply_marker_map(trial, marker_map)
    where = f"manifest measurements of {spec.trial_id}"
    given = spec.measurements or {}
    if given and trial.subject is None:
        missing = [k for k in _LENGTH_KEYS if k not in given]
        if missing:
            raise InputError(
                where, f"no subject measurements in the file: missing {', '.join(missing)}"
            )
    subject = apply_measurements(trial.subject, given, where)
    diameter_mm = spec.marker_diameter_mm or settings.marker_diameter_mm
    if diameter_mm is not None and subject is not None:
        subject = replace(subject, marker_diameter_m=diameter_mm / 1000.0)
    static = spec.static_file or settings.static_file
    if static is not None:
        if subject is None:
            raise InputError(spec.path, "no subject measurements to calibrate the static with")
        static_trial = load_trial(static, subject=subject)
        if marker_map is not None:
            static_trial = apply_marker_map(static_trial, marker_map)
        subject = calibrate_static(static_trial, subject, flat_foot=settings.flat_foot)
    return trial if subject is trial.subject else replace(trial, subject=subject)


def analyse_trial(spec: TrialSpec, settings: BatchSettings) -> tuple[TrialResult, GaitAnalysis]:
    """Read, process and analyse one trial; a failure is raised as ``_StageError``."""
    stage = "read"
    try:
        trial = load_trial(spec.path, subject_file=spec.subject_file, grf_path=spec.grf)
        stage = "subject"
        trial = _apply_trial_options(trial, spec, settings)
        stage = "process"
        result = process(
            trial,
            options=settings.options(),
            kinetics=settings.kinetics,
            require_kinetics=settings.require_kinetics,
        )
        stage = "analyze"
        analysis = analyze(result, event_method=settings.event_method)
    except Exception as exc:
        raise _StageError(stage, exc) from exc
    return result, analysis


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def trial_row(
    spec: TrialSpec, params_hash: str, result: TrialResult | None, analysis: GaitAnalysis | None
) -> dict[str, list[Any]]:
    """The ``trials`` row (one-element column lists)."""
    row: dict[str, Any] = {
        "trial_id": spec.trial_id,
        "path": spec.path,
        "subject_id": spec.subject_id,
        "visit": spec.visit,
        "status": "ok" if analysis is not None else "error",
        "input_sha256": spec.input_sha256,
        "params_hash": params_hash,
        "kinchain_version": __version__,
        "processed_at": now_utc(),
        "subject_sha256": spec.subject_sha256,
    }
    if result is not None and analysis is not None:
        row["n_frames"] = result.trial.n_frames
        row["point_rate_hz"] = float(result.trial.point_rate)
        st = analysis.spatiotemporal
        for side in SIDES:
            s = st.side(side)
            row[f"{side}_n_strides"] = int(s.n_strides)
            values = s.as_dict()
            for p in PARAMETER_UNITS:
                row[f"{side}_{p}"] = _f(values.get(p))
        comp = analysis.comparison
        if comp is not None:
            row["normative"] = f"{comp.normative_name} ({comp.normative_source})"
            for side in SIDES:
                row[f"gps_{side}_deg"] = _f(comp.gps.get(side))
                for v in GPS_VARIABLES:
                    row[f"gvs_{side}_{v}_deg"] = _f(comp.gvs.get(side, {}).get(v))
            row["gps_overall_deg"] = _f(comp.gps_overall)
        by_key: dict[tuple[str, str], Finding] = {}
        for f in analysis.findings:
            for fside in ("left", "right") if f.side == "both" else (f.side,):
                by_key[(f.name, fside)] = f
        for name, fside, fired_col, value_col in finding_columns():
            found = by_key.get((name, fside))
            if found is None or not found.applicable:
                continue
            row[fired_col] = bool(found.fired)
            row[value_col] = _f(found.evidence[0].value) if found.evidence else None
    return {k: [v] for k, v in row.items()}


def curve_rows(spec: TrialSpec, analysis: GaitAnalysis) -> dict[str, list[Any]]:
    """The ``curves`` rows: mean over usable strides, per side and % of the cycle."""
    cols: dict[str, list[Any]] = {
        "trial_id": [],
        "subject_id": [],
        "visit": [],
        "side": [],
        "pct": [],
        "n_cycles": [],
    }
    for fam, axes in CURVE_LABELS.items():
        for ax in axes:
            cols[f"{fam}_{ax}"] = []
    pct = list(range(N_POINTS))
    for side in SIDES:
        cset = analysis.cycles[side]
        n_cycles = int(cset.usable().sum()) if cset.cycles else 0
        cols["trial_id"] += [spec.trial_id] * N_POINTS
        cols["subject_id"] += [spec.subject_id] * N_POINTS
        cols["visit"] += [spec.visit] * N_POINTS
        cols["side"] += [side] * N_POINTS
        cols["pct"] += pct
        cols["n_cycles"] += [n_cycles] * N_POINTS
        for fam, axes in CURVE_LABELS.items():
            label = _PREFIX[side] + fam
            if label in cset.curves and n_cycles > 0:
                mean = cset.mean(label)
            else:
                mean = np.full((N_POINTS, 3), np.nan)
            for ax in axes:
                k = "XYZ".index(ax)
                cols[f"{fam}_{ax}"] += [
                    None if not np.isfinite(v) else float(v) for v in mean[:, k]
                ]
    return cols


def error_row(
    spec: TrialSpec, params_hash: str, stage: str, exc: BaseException | str
) -> dict[str, list[Any]]:
    """The ``errors`` row of a failed trial."""
    if isinstance(exc, BaseException):
        error_type = type(exc).__name__
        message = str(exc) or error_type
        if not isinstance(exc, InputError) and spec.path not in message:
            message = f"{spec.path}: {message}"
    else:
        error_type, message = "Error", exc
    row = {
        "trial_id": spec.trial_id,
        "path": spec.path,
        "subject_id": spec.subject_id,
        "visit": spec.visit,
        "stage": stage,
        "error_type": error_type,
        "message": " ".join(message.split()),
        "input_sha256": spec.input_sha256,
        "params_hash": params_hash,
        "kinchain_version": __version__,
        "processed_at": now_utc(),
    }
    return {k: [v] for k, v in row.items()}


def commit_error(
    out: Path, spec: TrialSpec, params_hash: str, stage: str, exc: BaseException | str
) -> dict[str, Any]:
    """Write a failed trial's ``errors`` and ``trials`` rows (also used by the driver when a
    task could not run at all)."""
    err = error_row(spec, params_hash, stage, exc)
    written = {
        table_path(out, "errors", spec.group, spec.trial_id),
        table_path(out, "trials", spec.group, spec.trial_id),
    }
    write_rows(table_path(out, "errors", spec.group, spec.trial_id), "errors", err)
    write_rows(
        table_path(out, "trials", spec.group, spec.trial_id),
        "trials",
        trial_row(spec, params_hash, None, None),
    )
    remove_stale(out, spec.trial_id, written)
    return {"status": "error", "stage": stage, "message": err["message"][0]}


def run_trial(
    spec: TrialSpec, out: str, settings: BatchSettings, params_hash: str
) -> dict[str, Any]:
    """Process and analyse one trial and commit its rows; returns a small summary
    (``trial_id``, ``status``, ``stage``, ``message``, ``seconds``)."""
    t0 = time.perf_counter()
    out_dir = Path(out)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result, analysis = analyse_trial(spec, settings)
        except _StageError as err:
            summary = commit_error(out_dir, spec, params_hash, err.stage, err.exc)
        else:
            try:
                curves = curve_rows(spec, analysis)
                trial = trial_row(spec, params_hash, result, analysis)
            except Exception as exc:
                summary = commit_error(out_dir, spec, params_hash, "tabulate", exc)
            else:
                paths = {
                    "curves": table_path(out_dir, "curves", spec.group, spec.trial_id),
                    "trials": table_path(out_dir, "trials", spec.group, spec.trial_id),
                }
                summary = {"status": "ok", "stage": "", "message": ""}
                if settings.whatif:
                    try:
                        rows = whatif_rows(spec, params_hash, analysis, settings)
                    except Exception as exc:  # the analysis stands; the simulation is an error
                        failed = error_row(spec, params_hash, "whatif", exc)
                        paths["errors"] = table_path(out_dir, "errors", spec.group, spec.trial_id)
                        write_rows(paths["errors"], "errors", failed)
                        summary = {
                            "status": "error",
                            "stage": "whatif",
                            "message": failed["message"][0],
                        }
                    else:
                        paths["whatif"] = table_path(out_dir, "whatif", spec.group, spec.trial_id)
                        write_rows(paths["whatif"], "whatif", rows)
                write_rows(paths["curves"], "curves", curves)
                write_rows(paths["trials"], "trials", trial)
                remove_stale(out_dir, spec.trial_id, set(paths.values()))
    return {"trial_id": spec.trial_id, **summary, "seconds": time.perf_counter() - t0}


def whatif_rows(
    spec: TrialSpec, params_hash: str, analysis: GaitAnalysis, settings: BatchSettings
) -> dict[str, list[Any]]:
    """Simulate the trial's representative stride as measured and with ``settings.whatif``
    (:func:`kinchain.sim.whatif`, the solver in its own process with the time limit) and
    tabulate the comparison: the ``whatif`` rows. Raises what the simulation raises (no
    OpenSim, a solve that did not converge or ran out of time)."""
    import tempfile

    from kinchain.sim import SolverSettings, default_stride_side, parse_restrictions, whatif

    restrictions = parse_restrictions(list(settings.whatif))
    stride_side = default_stride_side(analysis, restrictions)
    solver = SolverSettings.coarse() if settings.whatif_coarse else SolverSettings()
    solver = replace(
        solver,
        time_limit_s=settings.whatif_time_limit_s,
        compensation_weight=settings.whatif_compensation,
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kinchain-batch-sim-") as work:
        w = whatif(analysis, [restrictions], side=stride_side, settings=solver, workdir=work)
    seconds = time.perf_counter() - t0
    base, restricted, cmp = w.baseline, w.restricted[0], w.comparisons[0]
    cols: dict[str, list[Any]] = {}
    for c in cmp.changes:
        side, _, measure = c.measure.partition(" ")
        row = {
            "trial_id": spec.trial_id,
            "path": spec.path,
            "subject_id": spec.subject_id,
            "visit": spec.visit,
            "scenario": cmp.restricted,
            "stride_side": stride_side,
            "side": side,
            "measure": measure,
            "unit": c.unit,
            "baseline_peak": _f(c.baseline_peak),
            "restricted_peak": _f(c.restricted_peak),
            "peak_change": _f(c.peak_change),
            "peak_change_pct": _f(c.peak_change_pct),
            "baseline_mean": _f(c.baseline_mean),
            "restricted_mean": _f(c.restricted_mean),
            "mean_change": _f(c.mean_change),
            "mean_change_pct": _f(c.mean_change_pct),
            "baseline_iterations": base.solve.iterations,
            "restricted_iterations": restricted.solve.iterations,
            "baseline_tracking_rms_deg": _f(base.tracking_rms_deg.get("angles")),
            "baseline_moment_rms_nm_per_kg": _f(base.moment_rms.get("all")),
            "solve_seconds": seconds,
            "input_sha256": spec.input_sha256,
            "params_hash": params_hash,
            "kinchain_version": __version__,
            "processed_at": now_utc(),
        }
        for k, v in row.items():
            cols.setdefault(k, []).append(v)
    return cols

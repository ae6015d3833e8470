"""``kinchain process``: one trial to a per-frame table (CSV + Parquet), a JSON sidecar and a C3D
copy with the outputs added as points."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import typer

from kinchain.errors import InputError
from kinchain.io.c3d_write import write_c3d_with_outputs
from kinchain.io.load import load_trial
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.marker_map import apply_marker_map, load_marker_map
from kinchain.model.static import calibrate_static
from kinchain.process import ProcessOptions, TrialResult, process, sidecar

# Plug-in Gait stores moments as N·mm/kg in C3D files; our table uses N·m/kg.
_C3D_SCALE = {"Moment": 1000.0, "Force": 1.0, "Power": 1.0, "Angles": 1.0}
_C3D_UNITS = {"Moment": "Nmm", "Force": "N", "Power": "W", "Angles": "deg"}
_C3D_GROUPS = {"Angles": "ANGLES", "Moment": "MOMENTS", "Force": "FORCES", "Power": "POWERS"}


def _kind(label: str) -> str:
    return next(k for k in _C3D_SCALE if label.endswith(k))


def write_outputs(result: TrialResult, out_dir: Path) -> dict[str, Path]:
    """Write the table, sidecar and (for C3D input) the annotated C3D copy, all or nothing.

    Files are written into a temporary folder inside ``out_dir`` and moved into place only once
    every one of them is complete, so an error never leaves a half-written set.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(result.trial.path).stem
    table = result.to_frame()
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".kinchain-") as tmp:
        t = Path(tmp)
        files = {
            "csv": t / f"{stem}.csv",
            "parquet": t / f"{stem}.parquet",
            "json": t / f"{stem}.json",
        }
        table.to_csv(files["csv"], index=False, float_format="%.6g")
        table.to_parquet(files["parquet"], index=False)
        files["json"].write_text(sidecar(result), encoding="utf-8")
        if Path(result.trial.path).suffix.lower() == ".c3d":
            files["c3d"] = t / f"{stem}.kinchain.c3d"
            points: dict[str, np.ndarray] = {}
            units: dict[str, str] = {}
            groups: dict[str, list[str]] = {}
            for label, values in result.outputs.items():
                kind = _kind(label)
                points[label] = np.where(np.isfinite(values), values * _C3D_SCALE[kind], np.nan)
                units[label] = _C3D_UNITS[kind]
                groups.setdefault(_C3D_GROUPS[kind], []).append(label)
            write_c3d_with_outputs(result.trial.path, files["c3d"], points, units, groups)
        final: dict[str, Path] = {}
        for key, path in files.items():
            dest = out_dir / path.name
            os.replace(path, dest)
            final[key] = dest
    return final


def load_inputs(
    trial: Path,
    *,
    subject: Path | None = None,
    grf: Path | None = None,
    marker_map: str | None = None,
    static: Path | None = None,
    flat_foot: bool = False,
    marker_diameter_mm: float | None = None,
) -> tuple[Trial, SubjectMeasurements | None]:
    """Read a trial as the command-line options describe it (shared by ``process`` and
    ``analyze``): subject file, GRF file, marker map, marker diameter, static calibration.

    Returns the trial and the subject measurements to process it with.
    """
    for p in (trial, subject, grf, static):
        if p is not None and not p.is_file():
            raise InputError(str(p), "no such file")
    loaded = load_trial(trial, subject_file=subject, grf_path=grf)
    if marker_map is not None:
        loaded = apply_marker_map(loaded, load_marker_map(marker_map))
    subj = loaded.subject
    if marker_diameter_mm is not None:
        if not 1.0 <= marker_diameter_mm <= 50.0:
            raise InputError("--marker-diameter", f"{marker_diameter_mm} mm is not plausible")
        if subj is None:
            raise InputError(str(trial), "no subject measurements: give --subject FILE")
        subj = replace(subj, marker_diameter_m=marker_diameter_mm / 1000.0)
    if static is not None:
        static_trial = load_trial(static, subject=subj)
        if marker_map is not None:
            static_trial = apply_marker_map(static_trial, load_marker_map(marker_map))
        subj = calibrate_static(static_trial, subj, flat_foot=flat_foot)
    return loaded, subj


def register(app: typer.Typer) -> None:
    """Add the ``process`` command to the app."""

    @app.command("process")
    def process_cmd(
        trial: Path = typer.Argument(..., help="Trial file: .c3d, or .trc (with --grf)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        subject: Path | None = typer.Option(
            None, "--subject", help="Subject measurements: Vicon .mp or .vsk file."
        ),
        grf: Path | None = typer.Option(None, "--grf", help="OpenSim GRF .mot for a .trc trial."),
        marker_diameter_mm: float | None = typer.Option(
            None, "--marker-diameter", help="Marker diameter, mm (default: subject file or 14)."
        ),
        marker_cutoff_hz: float | None = typer.Option(
            None, "--marker-cutoff", help="Low-pass markers at this cut-off, Hz (default: none)."
        ),
        max_gap_s: float = typer.Option(0.1, "--max-gap", help="Longest gap interpolated, s."),
        marker_map: str | None = typer.Option(
            None,
            "--marker-map",
            help="Rename markers to Plug-in Gait names: a JSON file or 'opensim-rajagopal'.",
        ),
        static: Path | None = typer.Option(
            None, "--static", help="Static trial: calibrate the foot offsets from it."
        ),
        flat_foot: bool = typer.Option(
            False, "--flat-foot", help="With --static: the sole was flat on a level floor."
        ),
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
    ) -> None:
        """Process one gait trial into joint angles, moments and powers (Plug-in Gait labels)."""
        loaded, subj = load_inputs(
            trial,
            subject=subject,
            grf=grf,
            marker_map=marker_map,
            static=static,
            flat_foot=flat_foot,
            marker_diameter_mm=marker_diameter_mm,
        )
        options = ProcessOptions(max_gap_s=max_gap_s, marker_cutoff_hz=marker_cutoff_hz)
        result = process(loaded, subj, options, kinetics=not kinematics_only)
        files = write_outputs(result, out)
        n_valid = {k: int(v.sum()) for k, v in result.valid.items()}
        typer.echo(f"processed {trial.name}: {result.trial.n_frames} frames")
        if not kinematics_only:
            used = [c for c in result.contacts if c.used]
            typer.echo(f"force-plate contacts used: {len(used)} of {len(result.contacts)}")
            for c in result.contacts:
                if not c.used:
                    typer.echo(
                        f"  plate {c.plate + 1}, frames {c.start}-{c.end}: not used ({c.reason})"
                    )
        typer.echo(
            f"valid frames: knee angles L {n_valid['LKneeAngles']}, R {n_valid['RKneeAngles']}"
        )
        for key, path in files.items():
            typer.echo(f"{key:8s} {path}")

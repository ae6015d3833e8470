"""``kinchain process``: one trial to a per-frame table (CSV + Parquet), a JSON sidecar and a C3D
copy with the outputs added as points."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import typer

from kinchain._scratch import publish, staged_outputs
from kinchain.cli import trial_options as to
from kinchain.cli.trial_options import load_inputs
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.io.c3d import release_freed_memory
from kinchain.io.c3d_write import write_c3d_with_outputs
from kinchain.process import TrialResult, process, sidecar

__all__ = ["load_inputs", "register", "write_outputs"]

# Plug-in Gait stores moments as N·mm/kg in C3D files; our table uses N·m/kg.
_C3D_SCALE = {"Moment": 1000.0, "Force": 1.0, "Power": 1.0, "Angles": 1.0}
_C3D_UNITS = {"Moment": "Nmm", "Force": "N", "Power": "W", "Angles": "deg"}
_C3D_GROUPS = {"Angles": "ANGLES", "Moment": "MOMENTS", "Force": "FORCES", "Power": "POWERS"}


def _kind(label: str) -> str:
    return next(k for k in _C3D_SCALE if label.endswith(k))


def write_outputs(result: TrialResult, out_dir: Path) -> dict[str, Path]:
    """Write the table, sidecar and (for C3D input) the annotated C3D copy, all or nothing.

    Files are written into a temporary folder inside ``out_dir`` and moved into place only once
    every one of them is complete, so an error never leaves a half-written set. The folder is
    named after this run (``.kinchain-<host>-<pid>-<random>``, mode 0700); folders a killed run
    left behind are removed first (see :func:`kinchain._scratch.remove_stale`: only those whose
    process is gone or older than a day, never another live run's).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(result.trial.path).stem
    release_freed_memory()  # what processing freed, before the outputs are built
    table = result.to_frame()
    with staged_outputs(out_dir) as t:
        files = {
            "csv": t / f"{stem}.csv",
            "parquet": t / f"{stem}.parquet",
            "json": t / f"{stem}.json",
        }
        table.to_csv(files["csv"], index=False, float_format="%.6g")
        table.to_parquet(files["parquet"], index=False)
        del table
        release_freed_memory()
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
            write_c3d_with_outputs(
                result.trial.path,
                files["c3d"],
                points,
                units,
                groups,
                source_sha256=result.trial.sha256 or None,
            )
        return publish(files, out_dir)


def register(app: typer.Typer) -> None:
    """Add the ``process`` command to the app."""

    @app.command("process")
    @with_trial_options()
    def process_cmd(
        trial: Path = typer.Argument(..., help="Trial file: .c3d, or .trc (with --grf)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
        require_kinetics: bool = to.REQUIRE_KINETICS,
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Process one gait trial into joint angles, moments and powers (Plug-in Gait labels)."""
        options = trial_args.process_options()
        loaded, subj = trial_args.load(trial)
        # The file's own model outputs are not processed nor written: not held while the
        # trial is processed and its outputs written (they can be ~the file's size).
        loaded = dataclasses.replace(loaded, other_points={}, other_point_units={})
        result = process(
            loaded,
            subj,
            options,
            kinetics=not kinematics_only,
            require_kinetics=require_kinetics,
        )
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
        note = to.kinetics_note(result)
        if note is not None:
            typer.echo(note, err=True)
        for key, path in files.items():
            typer.echo(f"{key:8s} {path}")

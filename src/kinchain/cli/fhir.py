"""``kinchain fhir``: process and analyse a trial (and assess an intake) and write the visit as an
HL7 FHIR R4 Bundle (see ``docs/fhir.md``).

``kinchain fhir TRIAL.c3d --patient-id ID [trial options] [--intake INTAKE.json]
[--out bundle.json]`` (trial options as ``kinchain process``: see
:mod:`kinchain.cli.trial_options`) writes the bundle atomically (all or nothing) and prints
its path. Bad input raises :class:`kinchain.errors.InputError` (exit code 2 through
:func:`kinchain.cli.main.main`).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from kinchain.cli import trial_options as to
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.errors import InputError, ProcessingError

_OPTIONS = {"identifier": "patient-id", "name": "patient-name"}


def register(app: typer.Typer) -> None:
    """Add the ``fhir`` command to ``app``."""
    app.command(name="fhir")(fhir_command)


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise InputError(str(path), "file not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder (all or nothing)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(str(path), "the output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(str(path), f"cannot write ({exc.strerror})") from exc


@with_trial_options()
def fhir_command(
    trial: Path = typer.Argument(
        ..., help="Gait trial: .c3d, or .trc (with --grf).", show_default=False
    ),
    patient_id: str = typer.Option(..., "--patient-id", help="Patient identifier (required)."),
    require_kinetics: bool = to.REQUIRE_KINETICS,
    intake_file: Path | None = typer.Option(
        None, "--intake", help="Clinical intake JSON: adds the assessment, referral and tests."
    ),
    patient_name: str | None = typer.Option(None, "--patient-name", help="Patient name."),
    birth_date: str | None = typer.Option(None, "--birth-date", help="YYYY-MM-DD."),
    sex: str | None = typer.Option(None, "--sex", help="female, male, other or unknown."),
    out: Path | None = typer.Option(
        None, "--out", help="Output file (default: TRIAL.fhir.json beside the trial)."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Assessment date YYYY-MM-DD (for a self-care review date)."
    ),
    visit_date: str | None = typer.Option(
        None, "--visit-date", help="Date of the visit, YYYY-MM-DD (adds an Encounter)."
    ),
    visit_label: str | None = typer.Option(None, "--visit-label", help="The visit's label."),
    clinician: str | None = typer.Option(
        None, "--clinician", help="The responsible clinician (on the Encounter)."
    ),
    *,
    trial_args: TrialArgs,
) -> None:
    """Write the visit (gait measurements, findings, intake, assessment, referral and tests) as
    an HL7 FHIR R4 Bundle. Supports, and does not replace, a clinician's judgement."""
    from kinchain.analysis import analyze
    from kinchain.assessment import assess_with_gait
    from kinchain.clinical import parse_intake
    from kinchain.fhir import PatientInfo, VisitInfo, build_bundle, validate_bundle
    from kinchain.process import process

    try:
        patient = PatientInfo(
            identifier=patient_id,
            name=patient_name,
            birth_date=date.fromisoformat(birth_date) if birth_date else None,
            sex=sex,  # type: ignore[arg-type]
        )
    except ValueError as exc:  # ValidationError and a bad ISO date
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "patient"
            option = _OPTIONS.get(field, field.replace("_", "-"))
            raise InputError(f"--{option}", err["msg"].removeprefix("Value error, ")) from exc
        raise InputError("--birth-date", f"not a date YYYY-MM-DD ({birth_date})") from exc
    day: date | None = None
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError as exc:
            raise InputError("--today", f"not a date YYYY-MM-DD ({today})") from exc
    visit = None
    if visit_date is not None or visit_label is not None or clinician is not None:
        try:
            when = date.fromisoformat(visit_date) if visit_date is not None else None
        except ValueError as exc:
            raise InputError("--visit-date", f"not a date YYYY-MM-DD ({visit_date})") from exc
        visit = VisitInfo(visit_date=when, label=visit_label, clinician=clinician)
    if not trial.is_file():
        raise InputError(str(trial), "file not found")
    options = trial_args.process_options()
    to.check_marker_diameter(trial_args.marker_diameter_mm)
    trial_args.measurements()  # checked before the slower work
    target = out if out is not None else trial.with_name(trial.stem + ".fhir.json")
    if not (target.parent if str(target.parent) else Path(".")).is_dir():
        raise InputError(str(target), "the output folder does not exist")
    intake_data = _read_json(intake_file) if intake_file is not None else None
    if intake_data is not None:
        parse_intake(intake_data)  # fail on a bad intake before the slower processing

    loaded, subj = trial_args.load(trial)
    result = process(loaded, subj, options, require_kinetics=require_kinetics)
    analysis = analyze(result)
    assessment = intake = None
    if intake_data is not None:
        joined = assess_with_gait(analysis, intake_data, today=day)
        assessment, intake = joined.clinical, joined.intake
    bundle = build_bundle(analysis, assessment, intake, patient, visit=visit)
    problems = validate_bundle(bundle)
    if problems:
        raise ProcessingError(f"the FHIR bundle is not valid: {problems[0]}")
    write_atomic(target, json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
    note = to.kinetics_note(result)
    if note is not None:
        typer.echo(note, err=True)
    typer.echo(str(target))

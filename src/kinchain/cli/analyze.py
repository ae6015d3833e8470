"""``kinchain analyze``: one trial, or a session of several walking trials, to a gait report (HTML
+ PDF), ``analysis.json`` and the per-frame table of ``kinchain process``; with ``--intake`` the
clinical assessment joins it.

A session (several trial files, a folder of trials or a manifest, see
:mod:`kinchain.batch.sources`) is analysed with :func:`kinchain.session.analyze_session`: one
report over the usable strides of all trials, with each trial's contribution and the
trial-to-trial consistency, and each trial's per-frame table in ``OUT/trials/``. In a folder, the
static trials (:func:`kinchain.batch.sources.static_reason`) are set aside; exactly one is used as
the session's static unless ``--static`` names one. A trial that cannot be read stops the session
(exit 2, nothing written) unless ``--skip-bad-trials`` lists it in the report and goes on.

All inputs (trial, subject, static, normative set, intake) are checked before any work, and every
output is rendered in memory before anything is written, so bad input ends with one line and exit
code 2 (through :func:`kinchain.cli.main.main`) and writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import Assessment, assess_with_gait
from kinchain.batch.sources import TrialSpec, load_source, static_reason
from kinchain.cli import trial_options as to
from kinchain.cli.process import write_outputs
from kinchain.cli.trial_options import load_inputs
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.clinical import Intake, parse_intake
from kinchain.errors import InputError, KinchainError
from kinchain.gait.events import FALLBACKS
from kinchain.gait.normative import NormativeSet, load_normative_classes
from kinchain.process import ProcessOptions, TrialResult, process
from kinchain.session import SessionAnalysis, analyze_session

if TYPE_CHECKING:
    from kinchain.report.document import Identity

T = TypeVar("T")


def _read_intake(path: Path) -> Intake:
    if not path.is_file():
        raise InputError(str(path), "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read ({exc})") from exc
    try:
        return parse_intake(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc.source}", exc.problem) from exc


class _Stages:
    """Progress for people on a terminal (stderr): a spinner for the running stage and one line
    per finished stage. Silent when stderr is not a terminal, so scripts see only the paths."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )

    @contextmanager
    def running(self) -> Iterator[_Stages]:
        with self.progress:
            yield self

    def run(self, name: str, fn: Callable[[], T]) -> T:
        task = self.progress.add_task(name, total=None)
        t0 = time.perf_counter()
        try:
            out = fn()
        finally:
            self.progress.remove_task(task)
        if self.console.is_terminal:
            self.console.print(f"[green]✓[/] {name} [dim]{time.perf_counter() - t0:.2f} s[/]")
        return out


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to the app."""

    @app.command("analyze")
    @with_trial_options()
    def analyze_cmd(
        trials: list[Path] = typer.Argument(
            ...,
            help="Trial file (.c3d, or .trc with --grf); or a session: several trial files, a "
            "folder of trials, or a manifest (.csv/.yaml).",
            show_default=False,
            metavar="TRIAL",
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        normative: Path | None = to.NORMATIVE,
        intake: Path | None = typer.Option(
            None, "--intake", help="Clinical intake JSON: add the clinical assessment."
        ),
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
        require_kinetics: bool = to.REQUIRE_KINETICS,
        events: str = typer.Option(
            "auto",
            "--events",
            help="Event method: auto (plates, else --event-fallback), force_plate, zeni, "
            "foot_velocity or c3d (the events stored in the file).",
        ),
        event_fallback: str = typer.Option(
            "checked",
            "--event-fallback",
            help="Kinematic method away from clean plate strikes: checked (foot velocity "
            "checked against Zeni and the plates), zeni, foot_velocity or "
            "foot_velocity_then_zeni.",
        ),
        skip_bad_trials: bool = typer.Option(
            False,
            "--skip-bad-trials",
            help="In a session: leave out a trial that cannot be read, and list it in the "
            "report (default: stop, write nothing).",
        ),
        patient_name: str | None = typer.Option(
            None, "--patient-name", help="Patient's name, shown on every report page."
        ),
        patient_id: str | None = typer.Option(
            None, "--patient-id", help="The clinic's identifier of the patient."
        ),
        birth_date: str | None = typer.Option(
            None, "--birth-date", help="Patient's date of birth, YYYY-MM-DD."
        ),
        age_years: float | None = typer.Option(
            None,
            "--age-years",
            min=0,
            max=120,
            help="Patient's age in years, for the age-matched normal values when neither an "
            "intake nor --birth-date gives it.",
        ),
        sex: str | None = typer.Option(
            None,
            "--sex",
            help="female, male or other: for the sex-matched children's normal values when no "
            "intake gives it.",
        ),
        visit_date: str | None = typer.Option(
            None, "--visit-date", help="Date of the visit, YYYY-MM-DD."
        ),
        visit_label: str | None = typer.Option(
            None, "--visit-label", help="The visit's label, e.g. 'baseline walk'."
        ),
        clinician: str | None = typer.Option(
            None, "--clinician", help="The responsible clinician, shown on every report page."
        ),
        patient_summary: bool = typer.Option(
            False,
            "--patient-summary",
            help="Also write the patient's one-page summary in plain words (what was found, "
            "what happens next, when to get help at once), as PDF and HTML beside the report.",
        ),
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Analyse a gait trial, or a session of trials pooled: events, strides, spatiotemporal
        parameters, normative comparison (GPS/MAP) and kinetic-chain findings, written as
        report.html, report.pdf and analysis.json (plus the per-frame table). Supports, and does
        not replace, a clinician's judgement."""
        # matplotlib and reportlab load only when the command runs, not for every ``kinchain``.
        from kinchain.report import Identity, render_report, write_report

        identity = Identity(
            patient_name=_text_option("--patient-name", patient_name),
            birth_date=_date_option("--birth-date", birth_date),
            identifier=_text_option("--patient-id", patient_id),
            visit_date=_date_option("--visit-date", visit_date),
            visit_label=_text_option("--visit-label", visit_label),
            clinician=_text_option("--clinician", clinician),
            age_years=age_years,
            sex=_sex_option(sex),
        )

        subject, grf, static = trial_args.subject, trial_args.grf, trial_args.static
        marker_map, flat_foot = trial_args.marker_map, trial_args.flat_foot
        marker_diameter_mm = trial_args.marker_diameter_mm
        session_specs = _session_specs(trials)
        if session_specs is not None and grf is not None:
            raise InputError(
                "--grf",
                "applies to one .trc trial; in a session put <trial>.mot beside each .trc or "
                "give a manifest's grf column",
            )
        trial = trials[0]
        # Check the cheap inputs first: a bad intake or normative file fails before any work.
        single = trial if session_specs is None else None  # a session's trials: checked above
        for p in (single, subject, grf, static, normative):
            if p is not None and not p.is_file():
                raise InputError(str(p), "no such file")
        if events not in ("auto", "force_plate", "zeni", "foot_velocity", "c3d"):
            raise InputError("--events", f"unknown event method {events!r}")
        if event_fallback not in FALLBACKS:
            raise InputError("--event-fallback", f"unknown method {event_fallback!r}")
        options = trial_args.process_options()
        to.check_marker_diameter(marker_diameter_mm)
        measurements = trial_args.measurements()
        clinical_intake = _read_intake(intake) if intake is not None else None
        norm: dict[str, NormativeSet] | None = (
            load_normative_classes(normative) if normative is not None else None
        )

        stages = _Stages(Console(stderr=True))
        if session_specs is not None:
            specs, statics = session_specs
            static_info = _choose_static(trials[0], static, statics, specs)
            _run_session(
                specs,
                out=out,
                stages=stages,
                static_info=static_info,
                subject=subject,
                marker_map=marker_map,
                flat_foot=flat_foot,
                marker_diameter_mm=marker_diameter_mm,
                measurements=measurements,
                options=options,
                kinetics=not kinematics_only,
                require_kinetics=require_kinetics,
                normative=norm,
                events=events,
                event_fallback=event_fallback,
                clinical_intake=clinical_intake,
                skip_bad_trials=skip_bad_trials,
                identity=identity,
                patient_summary=patient_summary,
            )
            return
        with stages.running():
            loaded, subj = stages.run(
                "reading",
                lambda: load_inputs(
                    trial,
                    subject=subject,
                    grf=grf,
                    marker_map=marker_map,
                    static=static,
                    flat_foot=flat_foot,
                    marker_diameter_mm=marker_diameter_mm,
                    measurements=measurements,
                ),
            )
            result = stages.run(
                "modelling" if kinematics_only else "modelling and kinetics",
                lambda: process(
                    loaded,
                    subj,
                    options,
                    kinetics=not kinematics_only,
                    require_kinetics=require_kinetics,
                ),
            )
            gait: GaitAnalysis = stages.run(
                "analysis",
                lambda: analyze(
                    result,
                    normative=norm,
                    event_method=events,  # type: ignore[arg-type]
                    event_fallback=event_fallback,  # type: ignore[arg-type]
                ),
            )
            joined: GaitAnalysis | Assessment = gait
            if clinical_intake is not None:
                intake_ok = clinical_intake
                joined = stages.run(
                    "clinical assessment",
                    lambda: assess_with_gait(gait, intake_ok, today=date.today()),
                )
            report = stages.run("report", lambda: render_report(joined, identity=identity))
            table_files = stages.run("writing the table", lambda: write_outputs(result, out))
            report_files = stages.run("writing the report", lambda: write_report(report, out))
            if patient_summary:
                report_files |= stages.run(
                    "patient summary", lambda: _patient_summary(joined, identity, out)
                )

        for warning in gait.events.warnings:
            typer.echo(f"warning: {warning}", err=True)
        fired = [f"{f.name} ({f.side}, {f.severity})" for f in gait.fired()]
        st = gait.spatiotemporal
        typer.echo(
            f"analyzed {trial.name}: usable strides L {st.left.n_strides} / R "
            f"{st.right.n_strides}; findings fired: {', '.join(fired) if fired else 'none'}"
        )
        note = to.kinetics_note(result)
        if note is not None:
            typer.echo(note, err=True)
        if isinstance(joined, Assessment):
            c = joined.clinical
            typer.echo(f"clinical: {c.urgency_statement or c.urgency_meaning}")
        names = {"html": "report", "pdf": "pdf", "json": "analysis"} | _SUMMARY_NAMES
        for key, path in report_files.items():
            typer.echo(f"{names[key]:9s} {path}")
        for key, path in table_files.items():
            typer.echo(f"{'sidecar' if key == 'json' else key:9s} {path}")


_MANIFEST_SUFFIXES = (".csv", ".yaml", ".yml")

#: How the patient summary's files are named in the command's output (keys of its files).
_SUMMARY_NAMES = {"summary_html": "summary", "summary_pdf": "summary"}


def _patient_summary(
    joined: GaitAnalysis | Assessment, identity: Identity | None, out: Path
) -> dict[str, Path]:
    """Write the patient's one-page summary beside the report; its files by
    ``summary_html``/``summary_pdf``."""
    from kinchain.report.patient_summary import render_patient_summary, write_patient_summary

    if isinstance(joined, Assessment):
        summary = render_patient_summary(
            gait=joined.gait, clinical=joined.clinical, intake=joined.intake, identity=identity
        )
    else:
        summary = render_patient_summary(gait=joined, identity=identity)
    files = write_patient_summary(summary, out)
    return {f"summary_{key}": path for key, path in files.items()}


def _text_option(option: str, value: str | None) -> str | None:
    """A free-text identity option: stripped, at most 200 characters, None when blank."""
    if value is None or not value.strip():
        return None
    if len(value) > 200 or any(ord(ch) < 32 for ch in value):
        raise InputError(option, "give at most 200 characters on one line")
    return value.strip()


def _sex_option(value: str | None) -> str | None:
    """``--sex`` checked against the intake's values (None when not given)."""
    if value is None:
        return None
    if value.strip().lower() not in ("female", "male", "other"):
        raise InputError("--sex", f"one of female, male, other (got {value[:40]!r})")
    return value.strip().lower()


def _date_option(option: str, value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option as a date (None when not given)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(option, f"not a date YYYY-MM-DD ({value[:40]})") from None
    if not date(1900, 1, 1) <= day <= date(2200, 1, 1):
        raise InputError(option, f"not a plausible date ({value})")
    return day


def _session_specs(trials: list[Path]) -> tuple[list[TrialSpec], list[tuple[Path, str]]] | None:
    """The session's walking trials and the static trials set aside (path, why static), or None
    for one trial file (the single-trial analysis, unchanged)."""
    if len(trials) == 1:
        source = trials[0]
        if not (source.is_dir() or source.suffix.lower() in _MANIFEST_SUFFIXES):
            return None
        specs = load_source(source)
        if not source.is_dir():
            return specs, []
    else:
        for p in trials:
            if not p.is_file():
                raise InputError(str(p), "no such file")
        specs = [TrialSpec(trial_id=str(p), path=str(p)) for p in trials]
        return specs, []
    walking: list[TrialSpec] = []
    statics: list[tuple[Path, str]] = []
    for spec in specs:
        why = static_reason(spec.path)
        if why is None:
            walking.append(spec)
        else:
            statics.append((Path(spec.path), why))
    if not walking:
        raise InputError(str(trials[0]), "no walking trial found (only static trials)")
    return walking, statics


def _choose_static(
    source: Path,
    static: Path | None,
    statics: list[tuple[Path, str]],
    specs: list[TrialSpec],
) -> dict[str, str] | None:
    """The session's static trial and how it was chosen: ``--static``, else the manifest's
    ``static`` column (one file for all rows), else the only static trial of the folder."""
    if static is not None:
        return {"name": static.name, "path": str(static), "how": "given with --static"}
    given = {spec.static_file for spec in specs if spec.static_file}
    if len(given) > 1:
        raise InputError(str(source), "the manifest names more than one static trial")
    if given:
        path = Path(given.pop())
        if not path.is_file():
            raise InputError(str(path), "no such file")
        return {"name": path.name, "path": str(path), "how": "from the manifest"}
    if len(statics) > 1:
        names = ", ".join(p.name for p, _ in statics)
        raise InputError(
            str(source), f"{len(statics)} static trials ({names}): choose one with --static"
        )
    if statics:
        path, why = statics[0]
        why = why.replace(f" ({path.name})", "")  # the name is shown beside it
        return {
            "name": path.name,
            "path": str(path),
            "how": f"the only static trial in the folder; {why}",
        }
    return None


def _trial_dirs(results: list[TrialResult], out: Path) -> list[Path]:
    """``OUT/trials`` for each trial; ``OUT/trials/NN-stem`` when two trials share a stem."""
    stems = [Path(r.trial.path).stem for r in results]
    base = out / "trials"
    if len(set(stems)) == len(stems):
        return [base] * len(results)
    return [base / f"{k + 1:02d}-{stem}" for k, stem in enumerate(stems)]


def _run_session(
    specs: list[TrialSpec],
    *,
    out: Path,
    stages: _Stages,
    static_info: dict[str, str] | None,
    subject: Path | None,
    marker_map: str | None,
    flat_foot: bool,
    marker_diameter_mm: float | None,
    measurements: dict[str, float],
    options: ProcessOptions,
    kinetics: bool,
    require_kinetics: bool,
    normative: dict[str, NormativeSet] | None,
    events: str,
    event_fallback: str,
    clinical_intake: Intake | None,
    skip_bad_trials: bool,
    identity: Identity | None = None,
    patient_summary: bool = False,
) -> None:
    """Read, process and analyse every trial of a session, then write one report."""
    from kinchain.report import render_report, write_report

    static = Path(static_info["path"]) if static_info is not None else None
    items: list[TrialResult | tuple[str, str]] = []
    results: list[TrialResult] = []
    with stages.running():
        for spec in specs:
            name = Path(spec.path).name

            def one(spec: TrialSpec = spec) -> TrialResult:
                loaded, subj = load_inputs(
                    Path(spec.path),
                    subject=subject or (Path(spec.subject_file) if spec.subject_file else None),
                    grf=Path(spec.grf) if spec.grf else None,
                    marker_map=marker_map,
                    static=static,
                    flat_foot=flat_foot,
                    marker_diameter_mm=spec.marker_diameter_mm or marker_diameter_mm,
                    measurements={**(spec.measurements or {}), **measurements},
                )
                return process(
                    loaded,
                    subj,
                    options,
                    kinetics=kinetics,
                    require_kinetics=require_kinetics,
                )

            try:
                result = stages.run(f"reading and modelling {name}", one)
            except KinchainError as exc:
                problem = exc.problem if isinstance(exc, InputError) else str(exc)
                source = exc.source if isinstance(exc, InputError) else spec.path
                if not skip_bad_trials:
                    raise InputError(
                        source,
                        f"{problem} (the session stops; --skip-bad-trials leaves it out)",
                    ) from exc
                items.append((spec.path, f"{Path(source).name}: {problem}"))
                continue
            items.append(result)
            results.append(result)
        session: SessionAnalysis = stages.run(
            "analysis",
            lambda: analyze_session(
                items,
                normative=normative,
                event_method=events,  # type: ignore[arg-type]
                event_fallback=event_fallback,  # type: ignore[arg-type]
                static=static_info,
            ),
        )
        joined: GaitAnalysis | Assessment = session.pooled
        if clinical_intake is not None:
            intake_ok = clinical_intake
            joined = stages.run(
                "clinical assessment",
                lambda: assess_with_gait(session.pooled, intake_ok, today=date.today()),
            )
        report = stages.run(
            "report", lambda: render_report(joined, session=session, identity=identity)
        )
        table_files: list[dict[str, Path]] = []
        for result, folder in zip(results, _trial_dirs(results, out), strict=True):
            table_files.append(
                stages.run(
                    f"writing the table of {Path(result.trial.path).name}",
                    lambda r=result, f=folder: write_outputs(r, f),  # type: ignore[misc]
                )
            )
        report_files = stages.run("writing the report", lambda: write_report(report, out))
        if patient_summary:
            report_files |= stages.run(
                "patient summary", lambda: _patient_summary(joined, identity, out)
            )

    if static_info is not None:
        typer.echo(f"static: {static_info['name']} ({static_info['how']})", err=True)
    for t in session.trials:
        if t.analysis is None:
            typer.echo(f"left out {t.name}: {t.error}", err=True)
            continue
        for warning in t.analysis.events.warnings:
            typer.echo(f"warning: {t.name}: {warning}", err=True)
        for note in t.notes:
            typer.echo(f"note: {t.name}: {note}", err=True)
    for result in results:
        kinetics_note = to.kinetics_note(result)
        if kinetics_note is not None:
            typer.echo(f"{Path(result.trial.path).name}: {kinetics_note}", err=True)
    st = session.pooled.spatiotemporal
    fired = [f"{f.name} ({f.side}, {f.severity})" for f in session.pooled.fired()]
    per_trial = ", ".join(
        f"{t.name} L {t.n_strides('left')} / R {t.n_strides('right')}" for t in session.used()
    )
    typer.echo(
        f"analyzed a session of {len(session.used())} trials: usable strides L "
        f"{st.left.n_strides} / R {st.right.n_strides} ({per_trial}); findings fired: "
        f"{', '.join(fired) if fired else 'none'}"
    )
    if isinstance(joined, Assessment):
        c = joined.clinical
        typer.echo(f"clinical: {c.urgency_statement or c.urgency_meaning}")
    names = {"html": "report", "pdf": "pdf", "json": "analysis"} | _SUMMARY_NAMES
    for key, path in report_files.items():
        typer.echo(f"{names[key]:9s} {path}")
    for files in table_files:
        for key, path in files.items():
            typer.echo(f"{'sidecar' if key == 'json' else key:9s} {path}")

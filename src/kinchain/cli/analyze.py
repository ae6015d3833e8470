"""``kinchain analyze``: one trial to a gait report (HTML + PDF), ``analysis.json`` and the
per-frame table of ``kinchain process``; with ``--intake`` the clinical assessment joins it.

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
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import Assessment, assess_with_gait
from kinchain.cli import trial_options as to
from kinchain.cli.process import write_outputs
from kinchain.cli.trial_options import load_inputs
from kinchain.clinical import Intake, parse_intake
from kinchain.errors import InputError
from kinchain.gait.events import FALLBACKS
from kinchain.gait.normative import NormativeSet, load_normative
from kinchain.process import process

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
    def analyze_cmd(
        trial: Path = typer.Argument(..., help="Trial file: .c3d, or .trc (with --grf)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        subject: Path | None = to.SUBJECT,
        grf: Path | None = to.GRF,
        marker_diameter_mm: float | None = to.MARKER_DIAMETER,
        marker_cutoff_hz: float | None = to.MARKER_CUTOFF,
        max_gap_s: float = to.MAX_GAP,
        marker_map: str | None = to.MARKER_MAP,
        static: Path | None = to.STATIC,
        flat_foot: bool = to.FLAT_FOOT,
        mass_kg: float | None = to.MASS_KG,
        height_m: float | None = to.HEIGHT_M,
        leg_length_left_mm: float | None = to.LEG_LENGTH_LEFT,
        leg_length_right_mm: float | None = to.LEG_LENGTH_RIGHT,
        knee_width_left_mm: float | None = to.KNEE_WIDTH_LEFT,
        knee_width_right_mm: float | None = to.KNEE_WIDTH_RIGHT,
        ankle_width_left_mm: float | None = to.ANKLE_WIDTH_LEFT,
        ankle_width_right_mm: float | None = to.ANKLE_WIDTH_RIGHT,
        normative: Path | None = typer.Option(
            None,
            "--normative",
            help="Normative set (kinchain JSON); default Schwartz 2008 matched to the speed.",
        ),
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
    ) -> None:
        """Analyse one gait trial: events, strides, spatiotemporal parameters, normative
        comparison (GPS/MAP) and kinetic-chain findings, written as report.html, report.pdf and
        analysis.json (plus the per-frame table). Supports, and does not replace, a clinician's
        judgement."""
        # matplotlib and reportlab load only when the command runs, not for every ``kinchain``.
        from kinchain.report import render_report, write_report

        # Check the cheap inputs first: a bad intake or normative file fails before any work.
        for p in (trial, subject, grf, static, normative):
            if p is not None and not p.is_file():
                raise InputError(str(p), "no such file")
        if events not in ("auto", "force_plate", "zeni", "foot_velocity", "c3d"):
            raise InputError("--events", f"unknown event method {events!r}")
        if event_fallback not in FALLBACKS:
            raise InputError("--event-fallback", f"unknown method {event_fallback!r}")
        options = to.process_options(max_gap_s, marker_cutoff_hz)
        to.check_marker_diameter(marker_diameter_mm)
        measurements = to.measurements_si(
            mass_kg=mass_kg,
            height_m=height_m,
            leg_length_left_mm=leg_length_left_mm,
            leg_length_right_mm=leg_length_right_mm,
            knee_width_left_mm=knee_width_left_mm,
            knee_width_right_mm=knee_width_right_mm,
            ankle_width_left_mm=ankle_width_left_mm,
            ankle_width_right_mm=ankle_width_right_mm,
        )
        clinical_intake = _read_intake(intake) if intake is not None else None
        norm: NormativeSet | None = load_normative(normative) if normative is not None else None

        stages = _Stages(Console(stderr=True))
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
            report = stages.run("report", lambda: render_report(joined))
            table_files = stages.run("writing the table", lambda: write_outputs(result, out))
            report_files = stages.run("writing the report", lambda: write_report(report, out))

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
        names = {"html": "report", "pdf": "pdf", "json": "analysis"}
        for key, path in report_files.items():
            typer.echo(f"{names[key]:9s} {path}")
        for key, path in table_files.items():
            typer.echo(f"{'sidecar' if key == 'json' else key:9s} {path}")

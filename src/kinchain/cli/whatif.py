"""``kinchain whatif``: simulate a restriction of the chain on a patient's own stride.

``kinchain whatif TRIAL --restrict knee_flexion_max=20 --side L --out DIR`` analyses the trial as
``kinchain analyze`` does, then simulates one representative stride with a planar
musculoskeletal model twice (as measured, the baseline; and with each restriction, started
from the baseline's solution) and writes the gait report with a "What if" section, and
``analysis.json`` with ``whatif`` (:mod:`kinchain.sim`). It needs OpenSim (``pip install
"kinchain[sim]"``); without it the command says so and exits with code 2 before any work.

Every input is checked before the solver starts (a bad restriction, side or file ends with one
line and exit code 2), and nothing is written unless every solve converged: a solve that did not
converge, or that reached the time limit, is reported as such (exit 2), never as a result.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from kinchain.analysis import analyze
from kinchain.cli import trial_options as to
from kinchain.cli.analyze import _Stages
from kinchain.cli.trial_options import load_inputs
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.errors import InputError
from kinchain.gait.cycles_types import Side
from kinchain.gait.normative import NormativeSet, load_normative_classes
from kinchain.process import process

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    """Add the ``whatif`` command to the app."""

    @app.command("whatif")
    @with_trial_options()
    def whatif_cmd(
        trial: Path = typer.Argument(
            ...,
            help="Trial file (.c3d, or .trc with --grf).",
            show_default=False,
            metavar="TRIAL",
        ),
        restrict: list[str] = typer.Option(
            ...,
            "--restrict",
            help="A restriction to simulate, e.g. knee_flexion_max=20 (stiff knee), "
            "knee_extension_deficit=15 (flexion contracture), ankle_dorsiflexion_max=0, "
            "plantarflexor_strength=0.5 (weak push-off) or knee_release (a stiff knee "
            "released to a normal range); SPEC@L applies it to one side only. Repeat the "
            "option for several restrictions solved together; separate scenarios with "
            "--scenario.",
            show_default=False,
            metavar="SPEC",
        ),
        scenario: list[str] = typer.Option(
            [],
            "--scenario",
            help="A further scenario, solved on its own against the same baseline: its "
            "restrictions separated by commas, e.g. 'knee_release@L'.",
            metavar="SPECS",
        ),
        side: str = typer.Option(
            "both",
            "--side",
            help="Side the restrictions apply to unless they say: L, R or both.",
            metavar="SIDE",
        ),
        stride_side: str | None = typer.Option(
            None,
            "--stride",
            help="Whose stride to simulate (left or right; default: the restricted side, "
            "else the side with a force-plate stance).",
            metavar="SIDE",
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        normative: Path | None = to.NORMATIVE,
        coarse: bool = typer.Option(
            False,
            "--coarse",
            help="A coarse mesh: about twice as fast, less accurate (a preview).",
        ),
        compensation: float = typer.Option(
            1.0,
            "--compensation",
            min=0.01,
            max=1.0,
            help="How tightly the joints a restriction does not act on (and the pelvis and "
            "trunk) keep their measured curves in the restricted walk, as a factor on their "
            "tracking: 1 (default) keeps them, so that only the restriction changes; e.g. 0.1 "
            "lets them compensate for it, as a person would.",
            metavar="F",
        ),
        time_limit: float = typer.Option(
            600.0,
            "--time-limit",
            min=10.0,
            help="Wall-clock limit of each solve, s; a solve past it is stopped and reported.",
        ),
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Simulate how a restriction (a stiff knee, a flexion contracture, limited
        dorsiflexion, a weak push-off) would change the load on the ankle, knee and hip, on the
        patient's own stride: a prediction from a simplified planar musculoskeletal model,
        written as a section of the gait report and in analysis.json. Needs OpenSim
        (pip install "kinchain[sim]"). Supports, and does not replace, a clinician's
        judgement."""
        import dataclasses

        from kinchain.report import render_report, write_report
        from kinchain.sim import (
            SolverSettings,
            default_stride_side,
            parse_restrictions,
            parse_side,
            require_opensim,
            whatif,
        )
        from kinchain.sim.validity import residual_problems, swing_contact

        # Every input first: the restrictions, the sides, the files; then OpenSim.
        default_side = parse_side(side, "--side")
        scenarios = [parse_restrictions(restrict, side=default_side)]
        for k, text in enumerate(scenario):
            parts = [p for p in text.split(",") if p.strip()]
            if not parts:
                raise InputError(f"--scenario #{k + 1}", "no restriction given")
            scenarios.append(parse_restrictions(parts, side=default_side))
        chosen = _stride_side(stride_side)
        for p in (trial, trial_args.subject, trial_args.grf, trial_args.static, normative):
            if p is not None and not p.is_file():
                raise InputError(str(p), "no such file")
        options = trial_args.process_options()
        to.check_marker_diameter(trial_args.marker_diameter_mm)
        measurements = trial_args.measurements()
        norm: dict[str, NormativeSet] | None = (
            load_normative_classes(normative) if normative is not None else None
        )
        require_opensim()
        settings = SolverSettings.coarse() if coarse else SolverSettings()
        settings = dataclasses.replace(
            settings, time_limit_s=time_limit, compensation_weight=compensation
        )

        console = Console(stderr=True)
        stages = _Stages(console)
        with stages.running():
            loaded, subj = stages.run(
                "reading",
                lambda: load_inputs(
                    trial,
                    subject=trial_args.subject,
                    grf=trial_args.grf,
                    marker_map=trial_args.marker_map,
                    static=trial_args.static,
                    flat_foot=trial_args.flat_foot,
                    marker_diameter_mm=trial_args.marker_diameter_mm,
                    measurements=measurements,
                ),
            )
            result = stages.run("modelling and kinetics", lambda: process(loaded, subj, options))
            gait = stages.run("analysis", lambda: analyze(result, normative=norm))
        side_of_stride = chosen or default_stride_side(
            gait, [r for solved in scenarios for r in solved]
        )
        bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        tasks: dict[str, TaskID] = {}
        started: dict[str, float] = {}

        def finished() -> None:
            """The solve shown is over: its line becomes a tick and its time."""
            for label, task in tasks.items():
                bar.remove_task(task)
                if console.is_terminal:
                    took = time.perf_counter() - started[label]
                    console.print(f"[green]✓[/] {_name(label)} [dim]{took:.0f} s[/]")
            tasks.clear()

        def progress(label: str, iteration: int) -> None:
            name = "simulating the measured stride" if label == "baseline" else f"with {label}"
            if label not in tasks:
                finished()
                tasks[label] = bar.add_task(name, total=None)
                started[label] = time.perf_counter()
            bar.update(tasks[label], description=f"{name}: solver iteration {iteration}")

        with tempfile.TemporaryDirectory(prefix="kinchain-whatif-") as work, bar:
            sim = whatif(
                gait,
                scenarios,
                side=side_of_stride,
                settings=settings,
                workdir=work,
                progress=progress,
            )
        finished()
        report = render_report(gait, whatif=sim)
        files = write_report(report, out)
        for solved, solved_sim, c in zip(scenarios, sim.restricted, sim.comparisons, strict=True):
            for s in dict.fromkeys(s for r in solved for s in r.sides()):
                try:
                    r = c.get(f"{s} ankle reaction")
                except KeyError:
                    continue
                typer.echo(
                    f"{c.restricted}: predicted peak {s} ankle reaction "
                    f"{r.baseline_peak:.2f} -> {r.restricted_peak:.2f} body weights "
                    f"({r.peak_change_pct:+.0f} %), a model prediction"
                )
            contact = swing_contact(solved_sim)
            if contact is not None and contact.drags:
                typer.echo(
                    f"{c.restricted}: the {contact.side} foot drags on the floor through "
                    f"{contact.share_pct:.0f} % of its swing (a planar model cannot hike the hip "
                    "or swing the leg out): read the swing's values with care"
                )
            beyond = residual_problems(solved_sim)
            if beyond:
                hint = (
                    "; --compensation 0.1 lets the other joints compensate"
                    if compensation >= 1.0
                    else ""
                )
                typer.echo(
                    f"{c.restricted}: {'; '.join(beyond)}, beyond OpenSim's guidance: read its "
                    f"hip and pelvis values with care{hint}"
                )
        for path in files.values():
            typer.echo(str(path))


def _name(label: str) -> str:
    return "simulated the measured stride" if label == "baseline" else f"simulated {label}"


def _stride_side(text: str | None) -> Side | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("l", "left"):
        return "left"
    if value in ("r", "right"):
        return "right"
    raise InputError("--stride", f"{text!r}: give left or right")

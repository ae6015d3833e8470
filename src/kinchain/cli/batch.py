"""``kinchain batch``: process and analyse a cohort of trials on Dask, resumably, into
partitioned Parquet tables and a cohort report (see docs/cohorts.md)."""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from kinchain.cli import trial_options as to
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.errors import InputError

if TYPE_CHECKING:
    from kinchain.batch.sources import TrialSpec

#: The record of trials the batch did not process, and why (one JSON object a line).
SKIPPED_FILE = "skipped.jsonl"
_LENGTH_KEYS = tuple(
    f"{n}_{s}_m" for n in ("leg_length", "knee_width", "ankle_width") for s in ("left", "right")
)


def with_defaults(
    spec: TrialSpec, *, subject: Path | None, measurements: dict[str, float]
) -> TrialSpec:
    """``spec`` with the command line's ``--subject`` and typed measurements as defaults: the
    trial's own subject file and the manifest's measurements win, value by value."""
    if subject is not None and spec.subject_file is None and not spec.measurements:
        spec = replace(spec, subject_file=str(subject.resolve()))
    if measurements:
        merged = {**measurements, **(spec.measurements or {})}
        missing = [k for k in _LENGTH_KEYS if k not in merged]
        if missing:
            names = ", ".join(to.MEASUREMENT_OPTIONS[k][0] for k in missing)
            raise InputError(
                spec.trial_id,
                f"typed measurements need all six lengths in a batch; missing {names}",
            )
        spec = replace(spec, measurements=merged)
    return spec


def write_skipped(out: Path, skipped: list[tuple[TrialSpec, str]]) -> None:
    """Write (or remove, when empty) ``skipped.jsonl``: trial id, path and reason per line."""
    path = out / SKIPPED_FILE
    if not skipped:
        path.unlink(missing_ok=True)
        return
    lines = [
        json.dumps({"trial_id": s.trial_id, "path": s.path, "reason": f"static trial: {r}"})
        for s, r in skipped
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- trials/s" if speed is None else f"{speed:.2f} trials/s")


class _RichProgress:
    """Counts, rate and time left for :func:`kinchain.batch.run_batch`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = Progress(
            TextColumn("[bold]batch"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn(
                "ok {task.fields[ok]} · failed {task.fields[failed]} · "
                "skipped {task.fields[skipped]}"
            ),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None
        self.counts = {"ok": 0, "error": 0, "skipped": 0}

    def start(self, total: int, where: str) -> None:
        self.console.print(f"{total} trial(s) on {where}")
        self.bar.start()
        self.task = self.bar.add_task("batch", total=total, ok=0, failed=0, skipped=0)

    def advance(self, trial_id: str, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        if self.task is not None:
            self.bar.update(
                self.task,
                advance=1,
                ok=self.counts["ok"],
                failed=self.counts["error"],
                skipped=self.counts["skipped"],
            )

    def note(self, message: str) -> None:
        self.console.print(f"note: {message}", markup=False, highlight=False)

    def stop(self) -> None:
        self.bar.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to the app."""

    @app.command("batch")
    @with_trial_options(
        exclude=frozenset({"grf"}),
        help={
            "subject": "Subject measurements (Vicon .mp/.vsk) for every trial without its own "
            "subject file or manifest measurements.",
            "static": "Static trial for every trial whose manifest row names none.",
        },
    )
    def batch_cmd(
        source: Path = typer.Argument(
            ..., help="A folder tree of trials (.c3d, .trc+.mot) or a manifest (.csv, .yaml)."
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder (resumed if present)."),
        workers: int = typer.Option(
            2, "--workers", "-w", min=1, help="LocalCluster worker processes (1 thread each)."
        ),
        scheduler: str | None = typer.Option(
            None, "--scheduler", help="Use an existing Dask scheduler, e.g. tcp://HOST:8786."
        ),
        window: int | None = typer.Option(
            None, "--window", min=1, help="Most trials in flight (default 2 x worker threads)."
        ),
        retries: int = typer.Option(
            2, "--retries", min=0, help="Reruns of a trial whose worker died."
        ),
        force: bool = typer.Option(False, "--force", help="Rerun committed trials too."),
        stall_timeout: float = typer.Option(
            300.0,
            "--stall-timeout",
            min=0.0,
            help="Seconds without any trial finishing or running on a worker (no worker left, "
            "a lost scheduler) before the batch stops with exit code 3, recording the "
            "outstanding trials in errors/ for a resume; 0 waits forever.",
        ),
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
        require_kinetics: bool = to.REQUIRE_KINETICS,
        include_static: bool = typer.Option(
            False,
            "--include-static",
            help="Process static (standing, calibration) trials too instead of skipping them.",
        ),
        report: bool = typer.Option(
            True, "--report/--no-report", help="Write cohort.html at the end."
        ),
        whatif: list[str] = typer.Option(
            [],
            "--whatif",
            help="Also simulate this restriction on each trial's representative stride (as "
            "kinchain whatif --restrict; repeat for several, solved together; needs OpenSim): "
            "the whatif table. Minutes per trial.",
            metavar="SPEC",
        ),
        whatif_coarse: bool = typer.Option(
            False, "--whatif-coarse", help="Simulate on the coarse mesh (about twice as fast)."
        ),
        whatif_compensation: float = typer.Option(
            1.0,
            "--whatif-compensation",
            min=0.01,
            max=1.0,
            help="As kinchain whatif --compensation: how tightly the joints a restriction does "
            "not act on keep their measured curves (1: they keep them; e.g. 0.1: they may "
            "compensate).",
            metavar="F",
        ),
        whatif_time_limit: float = typer.Option(
            600.0,
            "--whatif-time-limit",
            min=10.0,
            help="Wall-clock limit of each simulation solve, s.",
        ),
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Process and analyse many trials on Dask into Parquet tables and cohort.html.

        Re-running the same command resumes: trials whose input and parameters are unchanged
        are skipped. Ctrl-C stops cleanly; everything committed stays.
        """
        from kinchain.batch.report import write_report
        from kinchain.batch.runner import ClusterStalled, run_batch
        from kinchain.batch.sources import load_source, static_reason
        from kinchain.batch.store import output_lock
        from kinchain.batch.worker import BatchSettings

        subject, static, flat_foot = trial_args.subject, trial_args.static, trial_args.flat_foot
        marker_map, marker_diameter_mm = trial_args.marker_map, trial_args.marker_diameter_mm
        max_gap_s, marker_cutoff_hz = trial_args.max_gap_s, trial_args.marker_cutoff_hz
        if not source.exists():
            raise InputError(str(source), "no such folder or manifest file")
        to.process_options(max_gap_s, marker_cutoff_hz)  # checks the values
        for given in (subject, static):
            if given is not None and not given.is_file():
                raise InputError(str(given), "no such file")
        to.check_marker_diameter(marker_diameter_mm)
        if marker_map is not None:
            from kinchain.model.marker_map import load_marker_map

            load_marker_map(marker_map)  # refused here, once, rather than in every trial
        measurements = trial_args.measurements()
        if whatif:
            from kinchain.sim import parse_restrictions, require_opensim

            parse_restrictions(whatif)  # a bad restriction is refused before any trial
            require_opensim()
        specs = [
            with_defaults(s, subject=subject, measurements=measurements)
            for s in load_source(source)
        ]
        if flat_foot and static is None and not any(s.static_file for s in specs):
            raise InputError("--flat-foot", "needs --static FILE or a 'static' manifest column")
        # One batch at a time into a folder: a second one is refused (exit code 2); the lock
        # is released on every exit, Ctrl-C and SIGTERM included.
        out.mkdir(parents=True, exist_ok=True)
        # SIGTERM (a scheduler, systemd, docker stop) stops as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        with output_lock(out, note=lambda msg: typer.echo(f"note: {msg}", err=True)):
            skipped_static: list[tuple[TrialSpec, str]] = []
            if not include_static:
                walking = []
                for spec in specs:
                    reason = static_reason(spec.path)
                    if reason is None:
                        walking.append(spec)
                    else:
                        skipped_static.append((spec, reason))
                specs = walking
            write_skipped(out, skipped_static)
            for spec, reason in skipped_static:
                typer.echo(f"skipped {spec.trial_id}: static trial ({reason})")
            if not specs:
                raise InputError(str(source), "only static trials found; nothing to process")
            settings = BatchSettings(
                max_gap_s=max_gap_s,
                marker_cutoff_hz=marker_cutoff_hz,
                kinetics=not kinematics_only,
                marker_map=marker_map,
                marker_diameter_mm=marker_diameter_mm,
                static_file=str(static.resolve()) if static is not None else None,
                flat_foot=flat_foot,
                require_kinetics=require_kinetics,
                whatif=tuple(whatif),
                whatif_coarse=whatif_coarse,
                whatif_time_limit_s=whatif_time_limit,
                whatif_compensation=whatif_compensation,
            )
            console = Console(stderr=True)
            progress = _RichProgress(console)
            t0 = time.perf_counter()
            try:
                summary = run_batch(
                    specs,
                    out,
                    settings=settings,
                    workers=workers,
                    scheduler=scheduler,
                    window=window,
                    retries=retries,
                    force=force,
                    progress=progress,
                    stall_timeout_s=stall_timeout,
                    note=progress.note,
                )
            except ClusterStalled as exc:
                progress.stop()
                counts = exc.summary
                committed = f"{counts.committed} trial(s) committed in this run, " if counts else ""
                n = counts.stalled if counts else 0
                typer.echo(
                    f"error: {exc.reason}; {committed}{n} outstanding recorded in {out / 'errors'} "
                    "(stage worker); re-run the same command with a working cluster to resume",
                    err=True,
                )
                sys.exit(3)
            except KeyboardInterrupt:
                progress.stop()
                done = progress.counts["ok"] + progress.counts["error"]
                typer.echo(
                    f"interrupted: {done} trial(s) committed in this run; re-run the same command "
                    f"to resume ({out})",
                    err=True,
                )
                sys.exit(130)
            progress.stop()
            wall = time.perf_counter() - t0
            typer.echo(
                f"{summary.total} trial(s): {summary.ok} ok, {summary.failed} failed, "
                f"{summary.skipped} skipped (already done) in {wall:.1f} s"
                + (f"; {len(skipped_static)} static trial(s) skipped" if skipped_static else "")
            )
            for f in summary.failures[:20]:
                typer.echo(f"  failed [{f.get('stage', '')}] {f.get('message', '')}")
            if len(summary.failures) > 20:
                typer.echo(f"  ... {len(summary.failures) - 20} more in {out / 'errors'}")
            if report:
                path = write_report(out)
                typer.echo(f"report   {path}")
            for table in ("trials", "curves", "errors"):
                if (out / table).is_dir():
                    typer.echo(f"{table:8s} {out / table}")
            if skipped_static:
                typer.echo(f"{'skipped':8s} {out / SKIPPED_FILE}")

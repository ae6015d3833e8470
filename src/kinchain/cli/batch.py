"""``kinchain batch``: process and analyse a cohort of trials on Dask, resumably, into
partitioned Parquet tables and a cohort report (see docs/cohorts.md)."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

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

from kinchain.errors import InputError


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

    def stop(self) -> None:
        self.bar.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to the app."""

    @app.command("batch")
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
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
        marker_cutoff_hz: float | None = typer.Option(
            None, "--marker-cutoff", help="Low-pass markers at this cut-off, Hz (default: none)."
        ),
        max_gap_s: float = typer.Option(0.1, "--max-gap", help="Longest gap interpolated, s."),
        report: bool = typer.Option(
            True, "--report/--no-report", help="Write cohort.html at the end."
        ),
    ) -> None:
        """Process and analyse many trials on Dask into Parquet tables and cohort.html.

        Re-running the same command resumes: trials whose input and parameters are unchanged
        are skipped. Ctrl-C stops cleanly; everything committed stays.
        """
        from kinchain.batch.report import write_report
        from kinchain.batch.runner import run_batch
        from kinchain.batch.sources import load_source
        from kinchain.batch.worker import BatchSettings

        if not source.exists():
            raise InputError(str(source), "no such folder or manifest file")
        specs = load_source(source)
        settings = BatchSettings(
            max_gap_s=max_gap_s, marker_cutoff_hz=marker_cutoff_hz, kinetics=not kinematics_only
        )
        console = Console(stderr=True)
        progress = _RichProgress(console)
        t0 = time.perf_counter()
        # SIGTERM (a scheduler, systemd, docker stop) stops as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
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
            )
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
        )
        for f in summary.failures[:20]:
            typer.echo(f"  failed [{f.get('stage', '')}] {f.get('message', '')}")
        if len(summary.failures) > 20:
            typer.echo(f"  ... {len(summary.failures) - 20} more in {out / 'errors'}")
        if report:
            path = write_report(out)
            typer.echo(f"report   {path}")
        for table in ("trials", "curves", "errors"):
            typer.echo(f"{table:8s} {out / table}")

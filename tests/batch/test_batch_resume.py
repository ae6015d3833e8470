"""Crash safety: a batch killed with SIGKILL mid-run loses at most the trials in flight, and the
same command resumes without lost or duplicated rows, skipping the committed trials; Ctrl-C
stops cleanly (so does SIGTERM)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from helpers import (
    Procs,
    copies,
    group_alive,
    kinchain_args,
    ledger_lines,
    procs_fixture,
    read,
    wait_for,
)

procs = procs_fixture
N = 24
# Runs the command that follows with SIGINT at its default, as from a terminal. A shell without job
# control starts a background job (`make test &`, a CI step's `cmd &`) with SIGINT ignored, every
# child inherits that, and Python then never turns SIGINT into KeyboardInterrupt.
DEFAULT_SIGINT = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def _check_complete(out: Path, n: int) -> None:
    trials = read(out, "trials")
    assert len(trials) == n and trials["trial_id"].is_unique
    assert (trials["status"] == "ok").all()
    curves = read(out, "curves")
    assert len(curves) == n * 2 * 101
    assert not curves.duplicated(["trial_id", "side", "pct"]).any()
    assert not (out / "errors").exists() or read(out, "errors").empty
    leftovers = [p for p in out.rglob(".*.tmp")]
    assert not leftovers


def test_resume_after_sigkill(tmp_path: Path, procs: Procs) -> None:
    src = tmp_path / "cohort"
    copies(src, N)
    out = tmp_path / "out"
    args = kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report")
    first = procs.start(args, log=tmp_path / "first.log")
    wait_for(lambda: len(ledger_lines(out)) >= 4, 90, "4 committed trials")
    os.killpg(first.pid, signal.SIGKILL)  # the driver, its scheduler and its worker, at once
    first.wait(timeout=10)
    wait_for(lambda: not group_alive(first.pid), 10, "the killed batch's processes to end")

    committed = {str(e["trial_id"]): e for e in ledger_lines(out)}
    assert 4 <= len(committed) < N, "the kill should land mid-run"
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "trials").rglob("*.parquet")}
    assert (out / "batch.lock").exists()  # kill -9 leaves the lock file (not its flock)
    second = procs.run(args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"{len(committed)} skipped" in second.stdout, second.stdout
    assert f"took over the lock of {out}: pid {first.pid} on host" in second.stderr
    _check_complete(out, N)

    latest = {str(e["trial_id"]): e for e in ledger_lines(out)}
    assert set(latest) == {f"trial_{i:03d}.c3d" for i in range(N)}
    for trial_id, entry in committed.items():
        assert latest[trial_id]["run_id"] == entry["run_id"], f"{trial_id} was run again"
    # Files of the committed trials were not rewritten.
    still = {p.name: p.stat().st_mtime_ns for p in (out / "trials").rglob("*.parquet")}
    rewritten = [n for n, t in mtimes.items() if still[n] != t]
    assert len(rewritten) <= 2, rewritten  # at most the trials in flight when killed

    third = procs.run(args)
    assert third.returncode == 0 and f"{N} skipped" in third.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_and_resumes(
    tmp_path: Path, procs: Procs, sig: signal.Signals
) -> None:
    src = tmp_path / "cohort"
    copies(src, 16)
    out = tmp_path / "out"
    args = kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report")
    proc = procs.start([*DEFAULT_SIGINT, *args], log=tmp_path / "run.log")
    wait_for(lambda: len(ledger_lines(out)) >= 2, 90, "2 committed trials")
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=60) == 130, (tmp_path / "run.log").read_text()
    assert "re-run the same command to resume" in (tmp_path / "run.log").read_text()
    assert not (out / "batch.lock").exists()  # released on the way out
    wait_for(lambda: not group_alive(proc.pid), 30, "the cluster's processes to end")
    done = len({e["trial_id"] for e in ledger_lines(out)})
    assert 2 <= done < 16
    again = procs.run(args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "took over" not in again.stderr
    assert f"{done} skipped" in again.stdout
    _check_complete(out, 16)

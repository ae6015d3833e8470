"""A cluster that stops running trials (every worker killed and none restarted, or none there
at all) does not hang the driver: after ``--stall-timeout`` seconds without any trial finishing
or running, the batch records the outstanding trials in ``errors/`` with stage ``worker``, exits
with code 3 and a one-line reason, and the same command with a working cluster finishes them."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from helpers import (
    Procs,
    copies,
    kinchain_args,
    ledger_lines,
    procs_fixture,
    read,
    start_scheduler,
    start_worker,
    wait_for,
)

from kinchain.batch import load_source, run_batch
from kinchain.batch.runner import ClusterStalled

procs = procs_fixture
N = 10
STALL_S = 3.0


def _parquet_files(folder: Path) -> list[Path]:
    return list(folder.rglob("*.parquet")) if folder.is_dir() else []


def test_cli_gives_up_when_the_only_worker_is_killed_then_resumes(
    tmp_path: Path, procs: Procs
) -> None:
    address = start_scheduler(tmp_path, procs)
    only = start_worker(address, "w1", tmp_path, procs)
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(1, timeout=60)
    src = tmp_path / "cohort"
    copies(src, N)
    out = tmp_path / "out"
    args = kinchain_args(
        "batch",
        str(src),
        "--out",
        str(out),
        "--scheduler",
        address,
        "--stall-timeout",
        f"{STALL_S:g}",
        "--no-report",
    )
    log = tmp_path / "batch.log"
    batch = procs.start(args, log=log)
    wait_for(lambda: len(ledger_lines(out)) >= 2, 90, "2 committed trials")
    os.kill(only.pid, signal.SIGKILL)  # no nanny: the cluster is left with no worker
    killed_at = time.monotonic()
    code = batch.wait(timeout=60)
    waited = time.monotonic() - killed_at
    text = log.read_text()
    assert code == 3, text[-3000:]
    assert waited < STALL_S + 15, f"the driver took {waited:.1f} s to give up"

    reasons = [line for line in text.splitlines() if line.startswith("error: ")]
    assert len(reasons) == 1, text[-3000:]
    assert reasons[0].startswith("error: cluster stalled: no Dask worker connected"), reasons
    assert f"for {STALL_S:g} s" in reasons[0]
    assert "re-run the same command" in reasons[0]
    assert "Traceback" not in text

    committed = {str(e["trial_id"]) for e in ledger_lines(out)}
    assert 2 <= len(committed) < N, "the kill should land mid-run"
    assert f"{N - len(committed)} outstanding recorded in" in reasons[0]
    errors = read(out, "errors")
    assert sorted(errors["trial_id"]) == sorted(
        f"trial_{i:03d}.c3d" for i in range(N) if f"trial_{i:03d}.c3d" not in committed
    )
    assert (errors["stage"] == "worker").all()
    assert (errors["error_type"] == "ClusterStalled").all()
    assert errors["message"].str.contains("cluster stalled").all()
    trials = read(out, "trials")
    assert len(trials) == N and trials["trial_id"].is_unique
    assert set(trials.loc[trials["status"] == "ok", "trial_id"]) == committed
    assert not (out / "batch.lock").exists()

    # The same command on a working cluster (its worker still starting: a longer patience).
    start_worker(address, "w2", tmp_path, procs)
    again = procs.run([*args, "--stall-timeout", "60"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{N} trial(s): {N - len(committed)} ok, 0 failed, {len(committed)} skipped" in (
        again.stdout
    )
    trials = read(out, "trials")
    assert len(trials) == N and (trials["status"] == "ok").all()
    assert not _parquet_files(out / "errors")  # each finished trial removed its errors row
    assert {str(e["trial_id"]) for e in ledger_lines(out)} == {
        f"trial_{i:03d}.c3d" for i in range(N)
    }
    assert not (out / "batch.lock").exists()


def test_run_batch_on_a_scheduler_without_workers_gives_up_then_resumes(tmp_path: Path) -> None:
    src = tmp_path / "cohort"
    copies(src, 4)
    specs = load_source(src)
    out = tmp_path / "out"
    out.mkdir()
    # A ledger line from an earlier run (another input then): left for the next run to check.
    earlier = {"trial_id": "trial_003.c3d", "input_sha256": "0" * 64, "status": "ok"}
    (out / "ledger.jsonl").write_text(json.dumps(earlier) + "\n")
    with LocalCluster(
        n_workers=0,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        t0 = time.monotonic()
        with pytest.raises(ClusterStalled, match="no Dask worker connected") as info:
            run_batch(specs, out, scheduler=cluster.scheduler_address, stall_timeout_s=1.0)
        assert time.monotonic() - t0 < 15
        summary = info.value.summary
        assert summary is not None and summary.stalled == 3 and summary.committed == 0
        errors = read(out, "errors").set_index("trial_id").sort_index()
        # The window (2: no worker thread known) was in flight; the rest was not reached.
        assert list(errors.index) == ["trial_000.c3d", "trial_001.c3d", "trial_002.c3d"]
        assert (errors["stage"] == "worker").all()
        assert (errors.loc[["trial_000.c3d", "trial_001.c3d"], "input_sha256"] != "").all()
        assert errors.loc["trial_002.c3d", "input_sha256"] == ""  # not reached, not read
        assert ledger_lines(out) == [earlier]  # nothing committed: the next run does them all

        cluster.scale(1)
        done = run_batch(specs, out, scheduler=cluster.scheduler_address, stall_timeout_s=60)
    assert (done.ok, done.failed, done.skipped, done.stalled) == (4, 0, 0, 0)
    assert not _parquet_files(out / "errors")
    assert (read(out, "trials")["status"] == "ok").all()


class _KillOnStart:
    """A progress sink that kills the scheduler a moment after the batch has started."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.timer: threading.Timer | None = None

    def start(self, total: int, where: str) -> None:
        self.timer = threading.Timer(1.0, os.kill, (self.pid, signal.SIGKILL))
        self.timer.start()

    def advance(self, trial_id: str, status: str) -> None:
        pass


def test_a_lost_scheduler_stops_the_batch_at_once(tmp_path: Path, procs: Procs) -> None:
    address = start_scheduler(tmp_path, procs)
    scheduler = procs.started[-1]
    src = tmp_path / "cohort"
    copies(src, 3)
    out = tmp_path / "out"
    t0 = time.monotonic()
    with pytest.raises(ClusterStalled, match="connection to the Dask scheduler") as info:
        run_batch(
            load_source(src),
            out,
            scheduler=address,
            stall_timeout_s=300,  # not what stops it: the futures are cancelled
            progress=_KillOnStart(scheduler.pid),
        )
    assert time.monotonic() - t0 < 30
    assert scheduler.wait(timeout=10) == -signal.SIGKILL
    summary = info.value.summary
    assert summary is not None and summary.stalled == 3
    errors = read(out, "errors")
    assert sorted(errors["trial_id"]) == [f"trial_{i:03d}.c3d" for i in range(3)]
    assert (errors["stage"] == "worker").all()
    assert ledger_lines(out) == []
    assert not (out / "batch.lock").exists()

"""The batch against a real Dask scheduler and two workers started as separate processes on
127.0.0.1, with one worker killed mid-run: the scheduler reruns its trials on the other one and
the batch completes with every row."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from distributed import Client
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

procs = procs_fixture
N = 24


def _start_cluster(tmp_path: Path, procs: Procs) -> tuple[str, list[int]]:
    address = start_scheduler(tmp_path, procs)
    workers = [start_worker(address, name, tmp_path, procs).pid for name in ("w1", "w2")]
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    return address, workers


def test_external_scheduler_with_a_worker_killed(tmp_path: Path, procs: Procs) -> None:
    address, workers = _start_cluster(tmp_path, procs)
    assert address.startswith("tcp://127.0.0.1:")
    src = tmp_path / "cohort"
    copies(src, N)
    out = tmp_path / "out"
    batch = procs.start(
        kinchain_args(
            "batch",
            str(src),
            "--out",
            str(out),
            "--scheduler",
            address,
            "--window",
            "6",
            "--no-report",
        ),
        log=tmp_path / "batch.log",
    )
    wait_for(lambda: len(ledger_lines(out)) >= 3, 90, "3 committed trials")
    os.kill(workers[0], signal.SIGKILL)
    log = tmp_path / "batch.log"
    assert batch.wait(timeout=120) == 0, log.read_text()[-3000:]
    assert len(ledger_lines(out)) < N + 3  # a rerun trial may be committed twice, no more

    trials = read(out, "trials")
    assert len(trials) == N and trials["trial_id"].is_unique
    assert (trials["status"] == "ok").all(), trials.loc[trials["status"] != "ok", "trial_id"]
    curves = read(out, "curves")
    assert len(curves) == N * 2 * 101
    assert not curves.duplicated(["trial_id", "side", "pct"]).any()
    assert f"{N} ok, 0 failed" in log.read_text()
    with Client(address, timeout="30s") as client:
        assert len(client.scheduler_info()["workers"]) == 1  # the killed one stayed dead

"""The batch against a real Dask scheduler and two workers started as separate processes on
127.0.0.1, with one worker killed mid-run: the scheduler reruns its trials on the other one and
the batch completes with every row."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from distributed import Client
from helpers import Procs, copies, kinchain_args, ledger_lines, procs_fixture, read, wait_for

procs = procs_fixture
N = 24


def _start_cluster(tmp_path: Path, procs: Procs) -> tuple[str, list[int]]:
    sched_file = tmp_path / "scheduler.json"
    procs.start(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(sched_file),
        ],
        log=tmp_path / "scheduler.log",
    )
    wait_for(sched_file.is_file, 60, "the scheduler file")
    wait_for(lambda: "address" in sched_file.read_text() or False, 10, "the scheduler address")
    address = json.loads(sched_file.read_text())["address"]
    workers = []
    for name in ("w1", "w2"):
        w = procs.start(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                address,
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--name",
                name,
                "--death-timeout",
                "60",
            ],
            log=tmp_path / f"{name}.log",
        )
        workers.append(w.pid)
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

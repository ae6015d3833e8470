"""Helpers for the batch tests: real trials, copies of them, and processes that are always
cleaned up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pandas as pd
import pytest

from shared_paths import shared_data

C3D_ORG = shared_data() / "c3d-org"
SAMPLE_00 = C3D_ORG / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
VENV_BIN = Path(sys.executable).parent


def copies(folder: Path, n: int, source: Path = SAMPLE_00) -> list[Path]:
    """``n`` copies of a real trial (``trial_000.c3d`` ...) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"trial_{i:03d}.c3d"
        shutil.copyfile(source, p)
        paths.append(p)
    return paths


def ledger_lines(out: Path) -> list[dict[str, object]]:
    path = out / "ledger.jsonl"
    if not path.is_file():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return lines


def wait_for(cond: Callable[[], bool], timeout: float, what: str, poll: float = 0.05) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Procs:
    """Start processes in their own session; kill every one (and its children) at the end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[str]] = []
        self.files: list[IO[str]] = []

    def start(self, args: list[str], log: Path | None = None) -> subprocess.Popen[str]:
        out = open(log, "w") if log else subprocess.DEVNULL
        if not isinstance(out, int):
            self.files.append(out)
        proc = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.started.append(proc)
        return proc

    def run(self, args: list[str], timeout: float = 150) -> subprocess.CompletedProcess[str]:
        """Run to completion (its process group is killed at cleanup if it hangs)."""
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.started.append(proc)
        stdout, stderr = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)

    def cleanup(self) -> None:
        for proc in self.started:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for fh in self.files:
            fh.close()


def kinchain_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "kinchain.cli.main", *args]


def read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(out / table)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _procs() -> Iterator[Procs]:
    p = Procs()
    try:
        yield p
    finally:
        p.cleanup()


#: Fixture: ``procs = procs_fixture`` in a test module gives tests a :class:`Procs`.
procs_fixture = pytest.fixture(name="procs")(_procs)


def start_scheduler(tmp_path: Path, procs: Procs) -> str:
    """A Dask scheduler on 127.0.0.1 (a separate process, no workers); returns its address."""
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
    wait_for(lambda: "address" in sched_file.read_text(), 10, "the scheduler address")
    return str(json.loads(sched_file.read_text())["address"])


def start_worker(address: str, name: str, tmp_path: Path, procs: Procs) -> subprocess.Popen[str]:
    """One worker process of one thread, without a nanny (killed, it stays dead)."""
    return procs.start(
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

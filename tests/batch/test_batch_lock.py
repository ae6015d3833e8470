"""One batch at a time into an output folder: a second one is refused with a clear message;
the lock (``DIR/batch.lock``: pid and host) is released on exit and on Ctrl-C, and a lock left by
a killed batch of this host is taken over with a note."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    Procs,
    copies,
    kinchain_args,
    ledger_lines,
    procs_fixture,
)

from kinchain.batch.store import LOCK, output_lock
from kinchain.errors import InputError

procs = procs_fixture


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write_lock(out: Path, pid: int, host: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / LOCK).write_text(json.dumps({"pid": pid, "host": host, "since": "2026-01-01T00:00"}))


def test_a_second_batch_into_a_folder_in_use_is_refused(tmp_path: Path, procs: Procs) -> None:
    src = tmp_path / "cohort"
    copies(src, 1)
    out = tmp_path / "out"
    args = kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report")
    with output_lock(out) as me:  # this process plays the batch running into ``out``
        owner = json.loads((out / LOCK).read_text())
        assert (owner["pid"], owner["host"]) == (os.getpid(), socket.gethostname())
        second = procs.run(args, timeout=60)
        assert (out / LOCK).exists()
    assert second.returncode == 2, second.stdout + second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert lines[0].startswith(
        f"error: {out}: in use by another kinchain batch ({me.describe()}); wait for it"
    )
    assert "trial(s)" not in second.stdout  # it ran nothing
    assert not (out / "trials").exists() and ledger_lines(out) == []
    assert not (out / LOCK).exists()


def test_a_stale_lock_of_a_dead_pid_on_this_host_is_taken_over(tmp_path: Path) -> None:
    dead = _dead_pid()
    _write_lock(tmp_path, dead, socket.gethostname())
    notes: list[str] = []
    with output_lock(tmp_path, note=notes.append) as me:
        assert me.pid == os.getpid()
        held = json.loads((tmp_path / LOCK).read_text())
        assert (held["pid"], held["host"]) == (os.getpid(), socket.gethostname())
        with output_lock(tmp_path):  # nested in the same process: no-op
            pass
        assert (tmp_path / LOCK).exists()
    assert len(notes) == 1 and f"pid {dead} on host" in notes[0]
    assert "no longer running" in notes[0]
    assert not (tmp_path / LOCK).exists()


@pytest.mark.parametrize(
    ("pid", "host", "says"),
    [
        (os.getppid(), socket.gethostname(), "still running"),
        (_dead_pid(), "another-host.example", "on host another-host.example"),
    ],
    ids=["live pid on this host", "another host"],
)
def test_a_lock_that_cannot_be_proven_stale_is_refused(
    tmp_path: Path, pid: int, host: str, says: str
) -> None:
    _write_lock(tmp_path, pid, host)
    before = (tmp_path / LOCK).read_text()
    with pytest.raises(InputError, match="in use by another kinchain batch") as info:
        with output_lock(tmp_path):
            pass
    assert says in str(info.value) and f"delete {tmp_path / LOCK}" in str(info.value)
    assert "\n" not in str(info.value)
    assert (tmp_path / LOCK).read_text() == before  # left for its owner


def test_the_lock_is_released_on_an_exception(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with output_lock(tmp_path):
            raise RuntimeError("boom")
    assert not (tmp_path / LOCK).exists()
    with output_lock(tmp_path):
        assert (tmp_path / LOCK).exists()

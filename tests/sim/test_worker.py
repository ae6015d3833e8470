"""The solver process ends itself when the process that started it dies without stopping it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

CHILD = textwrap.dedent(
    """
    import re, sys
    from kinchain.sim._worker import watch_parent
    watch_parent(int(sys.argv[1]), period_s=0.1)
    print("watching", flush=True)
    # busy in C code that holds the GIL, as the solver does (a Python thread cannot run)
    re.match("(a*)*b", "a" * 64)
    """
)
PARENT = textwrap.dedent(
    f"""
    import os, subprocess, sys, time
    child = subprocess.Popen(
        [sys.executable, "-c", {CHILD!r}, str(os.getpid())],
        start_new_session=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    child.stdout.readline()  # the watchdog runs
    print(child.pid, flush=True)
    time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and SIGKILL")
def test_an_orphaned_solver_process_exits() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert _alive(child), "the child should run while its parent lives"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10.0
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the orphaned child kept running"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def test_a_parent_dead_before_the_watchdog_starts_is_noticed() -> None:
    """The parent's pid comes from the parent: had it died before the worker started, the
    worker's own parent is already someone else and it exits at once."""
    code = "import time\nfrom kinchain.sim._worker import watch_parent\n"
    code += "watch_parent(-1, period_s=0.1)\ntime.sleep(120)\n"
    done = subprocess.run([sys.executable, "-c", code], timeout=60)
    from kinchain.sim._worker import ORPHANED

    assert done.returncode == ORPHANED

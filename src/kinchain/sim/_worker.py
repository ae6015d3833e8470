"""Solver process entry point: ``python -m kinchain.sim._worker JOB.pkl [PARENT_PID]``.

Reads a pickled job (stride, restrictions, settings, folder, guess), solves it with
:func:`kinchain.sim.problem.solve_stride` and pickles the raw output to ``folder/raw.pkl``
(or the error to ``folder/error.txt``). IPOPT's iteration lines go to stdout, which the parent
reads for progress.

The parent enforces the time limit and kills this process when it stops on an error or an
interrupt; a parent that is killed outright (SIGKILL, SIGTERM without a handler) cannot, so a
watchdog thread ends this process within :data:`WATCHDOG_PERIOD_S` once the parent is gone: a
solve nobody waits for never keeps the cores busy.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
import traceback
from pathlib import Path

#: How often the watchdog checks that the parent process is alive, s.
WATCHDOG_PERIOD_S = 1.0
#: Exit code of a solve abandoned because its parent process died.
ORPHANED = 3


def watch_parent(parent_pid: int, period_s: float = WATCHDOG_PERIOD_S) -> threading.Thread:
    """Start a daemon thread that ends this process (exit :data:`ORPHANED`) as soon as its
    parent is no longer ``parent_pid`` (the parent died and the process was re-parented)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(period_s)
        os._exit(ORPHANED)

    thread = threading.Thread(target=watch, name="kinchain-parent-watchdog", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> int:
    """Run one job; exit 0 when the solve ran (converged or not), 1 on an error."""
    # The parent's pid as the parent saw it: a parent dead before this line would otherwise
    # leave os.getppid() naming init, and the watchdog would never fire.
    watch_parent(int(argv[1]) if len(argv) > 1 else os.getppid())
    job = pickle.loads(Path(argv[0]).read_bytes())
    folder = Path(job["folder"])
    try:
        from kinchain.sim.problem import solve_stride

        raw = solve_stride(
            job["stride"], job["restrictions"], job["settings"], folder, job["guess"]
        )
    except Exception as exc:  # reported to the parent, which raises it as a ProcessingError
        (folder / "error.txt").write_text(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        return 1
    (folder / "raw.pkl").write_bytes(pickle.dumps(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

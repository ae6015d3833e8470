"""Solver process entry point: ``python -m kinchain.sim._worker JOB.pkl [PARENT_PID]``.

Reads a pickled job (stride, restrictions, settings, folder, guess), solves it with
:func:`kinchain.sim.problem.solve_stride` and pickles the raw output to ``folder/raw.pkl``
(or the error to ``folder/error.txt``). IPOPT's iteration lines go to stdout, which the parent
reads for progress.

The parent enforces the time limit and kills this process when it stops on an error or an
interrupt; a parent that is killed outright (SIGKILL, SIGTERM without a handler) cannot. So
that a solve nobody waits for never keeps the cores busy, this process asks the kernel to kill
it when its parent dies (Linux ``PR_SET_PDEATHSIG``; the solver runs in C++ holding Python's
GIL, so a Python thread could not do it during a solve), and where that is not available a
watchdog thread ends it within :data:`WATCHDOG_PERIOD_S` once the parent is gone, between
solver calls.
"""

from __future__ import annotations

import os
import pickle
import signal
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
    """End this process when its parent ``parent_pid`` dies.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``), even
    while the solver holds the GIL. Everywhere, a daemon thread exits the process
    (:data:`ORPHANED`) once the parent is no longer ``parent_pid``, and the process exits at
    once if that is already so (the parent died before this call).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the thread below still watches
            pass
    if os.getppid() != parent_pid:
        os._exit(ORPHANED)

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

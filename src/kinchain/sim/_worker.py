"""Solver process entry point: ``python -m kinchain.sim._worker JOB.pkl``.

Reads a pickled job (stride, restrictions, settings, folder, guess), solves it with
:func:`kinchain.sim.problem.solve_stride` and pickles the raw output to ``folder/raw.pkl``
(or the error to ``folder/error.txt``). IPOPT's iteration lines go to stdout, which the parent
reads for progress.
"""

from __future__ import annotations

import pickle
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run one job; exit 0 when the solve ran (converged or not), 1 on an error."""
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

"""The command line as a user runs it, for the tests: ``kinchain ARGS`` in a fresh process,
and the check that a refusal is one line on stderr with exit code 2 (no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(
    *args: str,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``kinchain ARGS`` in a fresh interpreter (``env``: its whole environment, if given;
    ``cwd``: its working folder)."""
    return subprocess.run(
        [sys.executable, "-m", "kinchain.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit code 2 and one line on stderr, holding every one of ``needles``, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err

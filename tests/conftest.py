"""Shared test configuration; the data path helper lives in ``shared_paths``."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

# The tests folder on the path, so every test (in any sub-folder) can import shared_paths.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """At the end of the run, say which groups of tests were skipped and why (issue 16)."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if not reasons:
        return
    terminalreporter.section("skipped groups")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count:5d} skipped: {reason}")
    terminalreporter.write_line("`sudo make test` installs and starts PostgreSQL and Chromium.")


#: Modules whose module-scoped fixtures hold one worker for minutes (the Moco solves): started
#: first, so that the other worker runs the rest meanwhile instead of both waiting on them at
#: the end of a parallel run.
SLOW_FIRST = ("tests/sim/test_solve.py",)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Run the :data:`SLOW_FIRST` modules' tests before the others (order otherwise kept)."""
    first = [i for i in items if any(i.path.as_posix().endswith(m) for m in SLOW_FIRST)]
    if first:
        chosen = set(map(id, first))
        items[:] = first + [i for i in items if id(i) not in chosen]

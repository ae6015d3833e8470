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

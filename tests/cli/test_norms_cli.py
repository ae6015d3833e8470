"""``kinchain norms build`` end to end on the real healthy trials of ../shared/data (issue 10):
the file equals what the library builds from the same trials, loads with ``load_normative``,
and ``kinchain analyze --normative`` names it in analysis.json and the report; failing trials
are listed and skipped (``--strict`` stops), bad input is one line and exit code 2."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli_run import one_line_error, run
from kinchain.cli.main import app
from kinchain.gait.normative import load_normative
from kinchain.gait.norms_build import SINGLE_CLASS, build_norms, load_norms, norms_to_json
from shared_paths import shared_data

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "data/demo/shared-trials.csv"  # sample_00, sample_09 (+ .mp, 25 mm), sample_03
SAMPLE_00 = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
needs_data = pytest.mark.skipif(
    not (SAMPLE_00.is_file() and (shared_data() / "c3d-org/sample_09/VER4C3D.c3d").is_file()),
    reason="shared data not available",
)


@needs_data
def test_manifest_build_round_trips_and_analyze_names_the_reference(tmp_path: Path) -> None:
    from kinchain.cli.norms import _expand, _reference

    out = tmp_path / "norms.json"
    proc = run(
        "norms", "build", str(MANIFEST), "--classes", "single", "--name", "Test lab", "--out",
        str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"norms     {out}" in proc.stdout
    assert "skipped" not in proc.stderr  # all three trials are usable
    assert not list(tmp_path.glob(".kinchain-norms-*")), "temporary file left behind"

    # The same trials read and analysed in this process, built by the library
    items, skipped = _expand(
        [MANIFEST], subject=None, grf=None, static=None, marker_diameter_mm=None, measurements={}
    )
    assert not skipped and len(items) == 3
    refs = [
        _reference(
            item,
            marker_map=None,
            flat_foot=False,
            max_gap_s=0.1,
            marker_cutoff_hz=None,
            kinematics_only=False,
            require_kinetics=False,
            events="auto",
            event_fallback="checked",
        )
        for item in items
    ]
    built = build_norms(refs, name="Test lab", classes="single")
    written = json.loads(out.read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(norms_to_json(built)))
    params = written["build"].pop("parameters")
    expected["build"].pop("parameters")
    assert written == expected
    assert params["weighting"] == "subject" and params["sides"] == "pooled"
    by_subject = {i["subject_id"]: i for i in written["build"]["inputs"]}
    # sample_03's stated assumptions (README) are recorded with it
    assert by_subject["sample_03"]["measurements"]["leg_length_m"] == {
        "left": 0.905,
        "right": 0.903,
    }
    assert by_subject["sample_09"]["measurements"]["marker_diameter_m"] == 0.025

    c = built.classes[SINGLE_CLASS]
    n_usable = sum(
        int(np.count_nonzero(r.cycles[s].usable())) for r in refs for s in ("left", "right")
    )
    assert (c.n_subjects, c.n_trials, c.n_strides) == (3, 3, n_usable)
    assert {i["sha256"] for i in written["build"]["inputs"]} == {
        r.input_sha256 for r in refs
    } and all(len(r.input_sha256) == 64 for r in refs)

    # Schwartz classes (the default): each trial in the class of its v*; the two classes with
    # 2 strides are left out with a message
    classed = build_norms(refs, name="Test lab")
    assert [i["speed_class"] for i in classed.provenance["inputs"]] == ["Fast", "Slow", "Free"]
    assert list(classed.classes) == ["Fast"]
    assert [n for n in classed.notes if "usable strides" in n] == [
        "class Slow: 2 usable strides from 1 trials, fewer than 5: left out",
        "class Free: 2 usable strides from 1 trials, fewer than 5: left out",
    ]

    top = load_normative(out)
    assert top.name == "Test lab All speeds"
    assert top.source.startswith("built by kinchain norms build from 3 trials (3 subjects, ")
    for var in c.normative.mean:
        np.testing.assert_array_equal(top.mean[var], c.normative.mean[var])
        np.testing.assert_array_equal(top.sd[var], c.normative.sd[var])
    assert top.spatiotemporal == c.normative.spatiotemporal
    back = load_norms(out).classes[SINGLE_CLASS]
    assert back.n_strides_by_variable == c.n_strides_by_variable
    assert back.gps_reference == c.gps_reference

    an = tmp_path / "an"
    proc = run("analyze", str(SAMPLE_00), "--normative", str(out), "--out", str(an))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((an / "analysis.json").read_text(encoding="utf-8"))
    assert data["normative"]["name"] == "Test lab All speeds"
    assert data["normative"]["source"] == top.source
    page = (an / "report.html").read_text(encoding="utf-8")
    assert "Test lab All speeds" in page
    assert "built by kinchain norms build from 3 trials" in page


@needs_data
def test_two_copies_of_a_trial_as_plain_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.c3d", tmp_path / "b.c3d"
    shutil.copyfile(SAMPLE_00, a)
    shutil.copyfile(SAMPLE_00, b)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert run("norms", "build", str(a), "--out", str(one)).returncode == 0
    proc = run("norms", "build", str(a), str(b), "--out", str(two))
    assert proc.returncode == 0, proc.stderr
    n1, n2 = load_norms(one), load_norms(two)
    assert list(n1.classes) == list(n2.classes)
    c1, c2 = next(iter(n1.classes.values())), next(iter(n2.classes.values()))
    n = c1.n_strides
    assert c2.n_strides == 2 * n and c2.n_subjects is None  # plain files: no subject ids
    assert n2.provenance["parameters"]["weighting"] == "stride"
    for var in c1.normative.mean:
        np.testing.assert_allclose(c2.normative.mean[var], c1.normative.mean[var], atol=1e-9)
        np.testing.assert_allclose(
            c2.normative.sd[var],
            c1.normative.sd[var] * math.sqrt(2 * (n - 1) / (2 * n - 1)),
            atol=1e-9,
        )
    # sample_00 has one stride with valid kinetics: moments and powers are left out, said so
    assert "KneeMoment" not in c1.normative.mean
    assert "note: class" in proc.stderr and "KneeMoment (2)" in proc.stderr


@needs_data
def test_a_failing_trial_is_listed_and_skipped_or_stops_with_strict(tmp_path: Path) -> None:
    good = tmp_path / "good.c3d"
    shutil.copyfile(SAMPLE_00, good)
    bad = tmp_path / "bad.c3d"
    bad.write_bytes(b"not a c3d file at all" * 10)
    out = tmp_path / "norms.json"
    proc = run("norms", "build", str(good), str(bad), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and skipped[0].startswith(f"skipped {bad}: ")
    built = load_norms(out)
    assert built.provenance["parameters"]["skipped_trials"][0]["trial"] == str(bad)
    assert [i["trial"] for i in built.provenance["inputs"]] == [str(good)]

    strict_out = tmp_path / "strict.json"
    proc = run("norms", "build", str(good), str(bad), "--strict", "--out", str(strict_out))
    one_line_error(proc, str(bad))
    assert not strict_out.exists()


@needs_data
def test_no_usable_strides_is_one_line_and_keeps_the_earlier_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.c3d"
    bad.write_bytes(b"\x00" * 600)
    out = tmp_path / "norms.json"
    out.write_text("earlier", encoding="utf-8")
    proc = run("norms", "build", str(bad), "--out", str(out))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: trials: no usable strides: all 1 trials failed or were skipped"]
    assert "Traceback" not in proc.stderr
    assert out.read_text(encoding="utf-8") == "earlier"
    # too few strides for every class: exit 2, one line with the counts
    proc = run("norms", "build", str(SAMPLE_00), "--min-strides", "50", "--out", str(out))
    one_line_error(proc, "no usable strides", "Fast 7")
    assert out.read_text(encoding="utf-8") == "earlier"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("nope.c3d",), "nope.c3d"),
        (("notes.txt",), "notes.txt"),
        ((str(SAMPLE_00), "--classes", "tertiles"), "--classes"),
        ((str(SAMPLE_00), "--min-strides", "1"), "--min-strides"),
        ((str(SAMPLE_00), "--events", "guess"), "--events"),
        ((str(SAMPLE_00), "--speed-class", "Brisk"), "--speed-class"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    out = tmp_path / "norms.json"
    proc = subprocess.run(
        [sys.executable, "-m", "kinchain.cli.main", "norms", "build", *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    one_line_error(proc, needle)
    assert not out.exists()


def test_out_folder_is_refused(tmp_path: Path) -> None:
    one_line_error(run("norms", "build", str(SAMPLE_00), "--out", str(tmp_path)), "is a folder")


def test_help_fits_80_columns() -> None:
    result = CliRunner().invoke(app, ["norms", "build", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())
    for option in ("--out", "--name", "--classes", "--min-strides", "--strict", "--subject"):
        assert option in result.output

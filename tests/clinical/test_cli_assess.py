"""``kinchain assess``: summary, --json, errors as one line with exit code 2, interactive."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinchain.cli.main import app, main
from kinchain.clinical import ClinicalAssessment

GOUT = {"demographics": {"sex": "male"},
        "pain": {"sites": ["foot"], "first_mtp": "yes", "onset": "sudden", "duration_days": 1},
        "signs": {"swelling": "yes", "warmth": "yes", "redness": "yes"},
        "labs": {"urate": 480}}


def _write(tmp_path: Path, data: object, name: str = "intake.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def test_summary(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["assess", str(_write(tmp_path, GOUT)), "--today", "2026-01-01"])
    assert r.exit_code == 0, r.output
    assert "SAME_DAY" in r.output and "Gout" in r.output
    assert "does not replace" in r.output.replace("\n", " ")


def test_json(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["assess", str(_write(tmp_path, GOUT)), "--json"])
    assert r.exit_code == 0
    a = ClinicalAssessment.model_validate_json(r.stdout)
    assert a.urgency.value == "same_day"
    assert any("umol/L" in x for x in a.assumptions)


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["kinchain", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return int(exc.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"pain": {"sites": ["knee"], "duration_days": -1}}, "pain.duration_days"),
        ({"pain": {"sites": ["knee"]}, "signs": {"temperature_c": 60}}, "signs.temperature_c"),
        ({"pain": {"sites": ["knee"]}, "labs": {"urate": 40}}, "labs.urate"),
        ({"pain": {"sites": ["knee"]},
          "function": {"bears_weight_4_steps": "no", "walked_today_km": 2}},
         "function.bears_weight_4_steps"),
        ({"pain": {}}, "pain.sites"),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], data: object,
                                   needle: str) -> None:
    code, err = _main(monkeypatch, capsys, "assess", str(_write(tmp_path, data)))
    assert code == 2
    assert needle in err and err.count("\n") == 1 and err.startswith("error: ")


def test_missing_file_and_bad_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _main(monkeypatch, capsys, "assess", str(tmp_path / "none.json"))
    assert code == 2 and "file not found" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    code, err = _main(monkeypatch, capsys, "assess", str(bad))
    assert code == 2 and "not valid JSON" in err
    code, err = _main(monkeypatch, capsys, "assess")
    assert code == 2 and "--interactive" in err


def test_interactive_saves_intake(tmp_path: Path) -> None:
    out = tmp_path / "saved.json"
    # answered_by, sites, age, sex, side, onset, duration, injury=y, mechanism, days since,
    # bore weight immediately, bears weight now, then blank (unknown) for the rest
    answers = ["clinician", "ankle", "30", "female", "right", "sudden", "1", "y", "twisting",
               "1", "n", "n"] + [""] * 80
    r = CliRunner().invoke(app, ["assess", "--interactive", "--save", str(out)],
                           input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    saved = json.loads(out.read_text())
    assert saved["pain"]["sites"] == ["ankle"]
    assert saved["trauma"]["bore_weight_immediately"] == "no"
    assert "SAME_DAY" in r.output
    # questions that no longer matter are skipped: no knee questions for an ankle
    assert "bend the knee" not in r.output


def test_interactive_reasks_on_bad_answer(tmp_path: Path) -> None:
    answers = ["", "elbow", "knee", "abc", "40"] + [""] * 80
    r = CliRunner().invoke(app, ["assess", "-i", "--json"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "give one or more of" in r.output and "give a number" in r.output


def test_interactive_stops_at_an_emergency(tmp_path: Path) -> None:
    # patient, knee, age, sex, side, onset, 2 days, no injury, bears weight, no deformity,
    # foot cold and pale -> emergency: the interview stops
    answers = ["patient", "knee", "60", "male", "left", "sudden", "2", "n", "y", "n", "y"]
    r = CliRunner().invoke(app, ["assess", "-i", "--json"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "EMERGENCY" in r.output
    assert "Is the joint or leg swollen" not in r.output
    assert '"urgency": "emergency"' in r.output


def test_interactive_refuses_a_contradiction() -> None:
    from kinchain.cli.assess import ask_intake

    # an out-of-range duration (-3 days) is refused at once and asked again
    answers = iter(["patient", "knee", "", "", "", "", "-3", "2"] + [""] * 80)
    echoed: list[str] = []
    data = ask_intake(lambda *a, **k: next(answers), echoed.append)
    assert data["pain"]["duration_days"] == 2
    assert any("pain.duration_days" in e for e in echoed)

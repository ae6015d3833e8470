"""``kinchain assess``: summary, --json, errors as one line with exit code 2, interactive."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clinical_fixtures import WARMTH, WHOLE_LEG
from kinchain.cli import assess as assess_cli
from kinchain.cli.main import app, main
from kinchain.clinical import (
    ClinicalAssessment,
    Intake,
    Specialist,
    Urgency,
    WhatWouldChange,
    assess,
    parse_intake,
)

GOUT = {
    "demographics": {"sex": "male"},
    "pain": {"sites": ["foot"], "first_mtp": "yes", "onset": "sudden", "duration_days": 1},
    "signs": {"swelling": "yes", "warmth": "yes", "redness": "yes"},
    "labs": {"urate": 480},
}


def _write(tmp_path: Path, data: object, name: str = "intake.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def test_summary(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["assess", str(_write(tmp_path, GOUT)), "--today", "2026-01-01"])
    assert r.exit_code == 0, r.output
    assert "SAME DAY" in r.output and "Gout" in r.output
    assert "does not replace" in r.output.replace("\n", " ")


def test_json(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["assess", str(_write(tmp_path, GOUT)), "--json"])
    assert r.exit_code == 0
    a = ClinicalAssessment.model_validate_json(r.stdout)
    assert a.urgency.value == "same_day"
    assert any("umol/L" in x for x in a.assumptions)


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
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
        (
            {
                "pain": {"sites": ["knee"]},
                "function": {"bears_weight_4_steps": "no", "walked_today_km": 2},
            },
            "function.bears_weight_4_steps",
        ),
        ({"pain": {}}, "pain.sites"),
    ],
)
def test_bad_input_exit_2_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data: object,
    needle: str,
) -> None:
    code, err = _main(monkeypatch, capsys, "assess", str(_write(tmp_path, data)))
    assert code == 2
    assert needle in err and err.count("\n") == 1 and err.startswith("error: ")


def test_missing_file_and_bad_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    answers = [
        "clinician",
        "ankle",
        "30",
        "female",
        "right",
        "sudden",
        "1 day",
        "y",
        "twisting",
        "1",
        "n",
        "n",
    ] + [""] * 300
    r = CliRunner().invoke(
        app, ["assess", "--interactive", "--save", str(out)], input="\n".join(answers) + "\n"
    )
    assert r.exit_code == 0, r.output
    saved = json.loads(out.read_text())
    assert saved["pain"]["sites"] == ["ankle"]
    assert saved["trauma"]["bore_weight_immediately"] == "no"
    assert "SAME DAY" in r.output
    # questions that no longer matter are skipped: no knee questions for an ankle
    assert "bend the knee" not in r.output


def test_interactive_reasks_on_bad_answer(tmp_path: Path) -> None:
    answers = ["", "elbow", "knee", "abc", "40"] + [""] * 300
    r = CliRunner().invoke(app, ["assess", "-i", "--json"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "give one or more of" in r.output and "give a number" in r.output


def test_interactive_stops_at_an_emergency(tmp_path: Path) -> None:
    # patient, knee, age, sex, side, onset, 2 days, no injury, bears weight, no deformity,
    # foot cold and pale -> emergency: the interview stops
    answers = ["patient", "knee", "60", "male", "left", "sudden", "2 days", "n", "y", "n", "y"]
    r = CliRunner().invoke(app, ["assess", "-i", "--json"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "EMERGENCY" in r.output
    assert "Is the joint or leg swollen" not in r.output
    assert '"urgency": "emergency"' in r.output


def test_interactive_refuses_a_contradiction() -> None:
    from kinchain.cli.assess import ask_intake

    # an out-of-range duration (-3 days) is refused at once and asked again, and so is a
    # number without its unit
    answers = iter(["patient", "knee", "", "", "", "", "-3 days", "2", "2 weeks"] + [""] * 300)
    echoed: list[str] = []
    data = ask_intake(lambda *a, **k: next(answers), echoed.append)
    assert data["pain"]["duration_value"] == 2 and data["pain"]["duration_unit"] == "weeks"
    assert parse_intake(data).pain.duration_days == 14
    assert any("0" in e for e in echoed)  # greater than or equal to 0
    assert any("days, weeks or months" in e for e in echoed)


# ------------------------------------------------------------------ the decision shown first

STATEMENT = (
    "Urgent: be seen today (same-day GP or urgent care) for a possible deep-vein "
    "thrombosis. Go to the emergency department now if you become breathless."
)
CHANGE = WhatWouldChange(
    field="skin.spreading_fast",
    question="Is the redness spreading quickly, within hours?",
    answer="yes",
    urgency=Urgency.emergency,
    destination=Specialist.emergency_department,
    because="a fast-spreading skin infection",
    rule_id="test_rule",
)
KNEE_FEVER = {
    "pain": {"sites": ["knee"], "onset": "sudden", "duration_days": 2},
    "signs": {"swelling": "yes", "redness": "yes", "fever": "yes"},
}


def _with_change(a: ClinicalAssessment) -> ClinicalAssessment:
    return a.model_copy(update={"urgency_statement": STATEMENT, "what_would_change": [CHANGE]})


def test_summary_shows_the_statement_and_what_would_change_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        assess_cli, "assess", lambda intake, today=None: _with_change(assess(intake, today=today))
    )
    path = _write(tmp_path, GOUT)
    r = CliRunner().invoke(
        app, ["assess", str(path), "--today", "2026-01-01"], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert STATEMENT in text
    assert "What would change this answer" in text
    assert CHANGE.question in text
    assert (
        "If yes: EMERGENCY, emergency department now, for a fast-spreading skin infection." in text
    )
    # the decision comes first: statement, then the questions, then the causes
    assert text.index(STATEMENT) < text.index(CHANGE.question) < text.index("Likely causes")
    assert "See:" not in text  # the statement says where to go: not twice
    # a person reads no field paths (they are in --json)
    assert "skin.spreading_fast" not in text
    a = assess(parse_intake(GOUT))
    for q in a.ask_next:
        assert f"({q.field}:" not in text
    r = CliRunner().invoke(app, ["assess", str(path), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["urgency_statement"] == STATEMENT
    assert data["what_would_change"][0]["field"] == "skin.spreading_fast"
    assert "not_musculoskeletal" in data
    assert ClinicalAssessment.model_validate(data).what_would_change == [CHANGE]


def test_json_carries_the_decision_fields(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["assess", str(_write(tmp_path, KNEE_FEVER)), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    for key in ("urgency_statement", "what_would_change", "not_musculoskeletal"):
        assert key in data


def test_real_intake_shows_what_would_change_when_there_is_any(tmp_path: Path) -> None:
    """A red, swollen knee with fever, warmth unknown: the section is there exactly when the
    engine lists something (its content is the engine's business)."""
    a = assess(parse_intake(KNEE_FEVER))
    r = CliRunner().invoke(
        app, ["assess", str(_write(tmp_path, KNEE_FEVER))], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert ("What would change this answer" in text) == bool(a.what_would_change)
    if a.urgency_statement:
        assert " ".join(a.urgency_statement.split()) in text


def _scripted(answers: dict[str, str]) -> tuple[list[str], object]:
    asked: list[str] = []

    def prompt(label: str, **_: object) -> str:
        asked.append(label)
        for needle, answer in answers.items():
            if needle in label:
                return answer
        return ""

    return asked, prompt


def _engine_asking(*changes: WhatWouldChange):  # type: ignore[no-untyped-def]
    """The real engine, with ``what_would_change`` replaced by ``changes`` that are still
    unknown in the intake, and an emergency as soon as one of them is answered with the answer
    that changes it (so the tests do not depend on the engine's own rules)."""

    def fake(intake: Intake, today: object = None) -> ClinicalAssessment:
        a = assess(intake)
        data = intake.model_dump()
        still = []
        for c in changes:
            group, name = c.field.split(".")
            if data[group][name] == "unknown":
                still.append(c)
            elif data[group][name] == c.answer and c.urgency == Urgency.emergency:
                return a.model_copy(update={"urgency": Urgency.emergency})
        return a.model_copy(update={"what_would_change": still})

    return fake


def test_interactive_asks_what_would_change_that_the_list_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(assess_cli, "assess", _engine_asking(WHOLE_LEG, WARMTH))
    asked, prompt = _scripted(
        {
            "Who is answering": "clinician",
            "Where is the pain": "knee",
            "Is the whole leg swollen": "y",
        }
    )
    echoed: list[str] = []
    data = assess_cli.ask_intake(prompt, echoed.append)
    # the fixed list skips the warmth (no swelling answered) and has no whole-leg question;
    # both are asked after it, once each, after the note
    labels = [a.split("?")[0] for a in asked]
    assert labels.count("Is the whole leg swollen") == 1
    assert labels.count("Is the joint warm or hot") == 1
    last_fixed = max(i for i, a in enumerate(asked) if "give way" in a)
    assert labels.index("Is the whole leg swollen") > last_fixed
    assert labels.index("Is the joint warm or hot") > last_fixed
    assert assess_cli.CHANGES_NOTE in echoed
    assert data["exam"]["entire_leg_swollen"] == "yes"
    assert "warmth" not in data.get("signs", {})  # asked, left unknown: not asked again


def test_interactive_follow_up_stops_at_an_emergency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assess_cli, "assess", _engine_asking(WARMTH, WHOLE_LEG))
    asked, prompt = _scripted(
        {
            "Who is answering": "clinician",
            "Where is the pain": "knee",
            "Is the joint warm": "y",
        }
    )
    echoed: list[str] = []
    data = assess_cli.ask_intake(prompt, echoed.append)
    assert any(e.startswith("EMERGENCY") for e in echoed)
    assert not any("whole leg" in a for a in asked)
    assert data["signs"]["warmth"] == "yes"


def test_patient_is_not_asked_examination_items(monkeypatch: pytest.MonkeyPatch) -> None:
    pulses = WHOLE_LEG.model_copy(
        update={"field": "vascular.foot_pulses_absent", "question": "Foot pulses absent?"}
    )
    monkeypatch.setattr(assess_cli, "assess", _engine_asking(WHOLE_LEG, pulses))
    asked, prompt = _scripted({"Who is answering": "patient", "Where is the pain": "calf"})
    assess_cli.ask_intake(prompt, lambda _m: None)
    assert not any("whole leg" in a or "pulses" in a for a in asked)


def test_sites_and_duration_prompts() -> None:
    from kinchain.cli.assess import QUESTIONS, _convert

    sites = next(q for q in QUESTIONS if q.kind == "sites")
    assert _convert(sites, "thigh, calf,toes") == ["thigh", "calf", "toes"]
    with pytest.raises(ValueError, match="knee, ankle, foot, toes, hip, thigh, calf, back"):
        _convert(sites, "elbow")
    duration = next(q for q in QUESTIONS if q.kind == "duration")
    assert _convert(duration, "3 weeks") == (3.0, "weeks")
    assert _convert(duration, "10d") == (10.0, "days")
    assert _convert(duration, "1,5 months") == (1.5, "months")
    with pytest.raises(ValueError, match="days, weeks or months"):
        _convert(duration, "3")
    swelling = next(q for q in QUESTIONS if q.path == "signs.leg_swelling")
    assert _convert(swelling, "one leg") == "one_leg"


def test_summary_without_a_statement_says_where_to_go() -> None:
    from rich.console import Console

    a = assess(parse_intake(GOUT)).model_copy(
        update={"urgency_statement": "", "what_would_change": []}
    )
    console = Console(record=True, width=200)
    assess_cli.print_summary(a, console)
    text = " ".join(console.export_text().split())
    assert f"See: {a.referral.label}." in text
    assert "What would change this answer" not in text

"""Intake schema: unknown is first-class, bad input gives InputError naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clinical_helpers import intake

from kinchain.clinical.intake import (
    MAX_LISTED_PROBLEMS,
    Intake,
    intake_json_schema,
    parse_intake,
)
from kinchain.errors import InputError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "intake.schema.json"


def test_only_sites_required_and_everything_defaults_to_unknown() -> None:
    i = parse_intake({"pain": {"sites": ["knee"]}})
    assert i.signs.fever == "unknown"
    assert i.demographics.age_years is None
    assert i.gait_findings is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pain": {}}, "pain.sites"),
        ({}, "pain"),
        ({"pain": {"sites": []}}, "pain.sites"),
        ({"pain": {"sites": ["knee"], "duration_days": -1}}, "pain.duration_days"),
        ({"pain": {"sites": ["knee"]}, "signs": {"temperature_c": 60}}, "signs.temperature_c"),
        ({"pain": {"sites": ["knee"]}, "signs": {"fever": "maybe"}}, "signs.fever"),
        ({"pain": {"sites": ["elbow"]}}, "pain.sites.0"),
        (
            {"pain": {"sites": ["knee"]}, "demographics": {"age_years": 130}},
            "demographics.age_years",
        ),
        ({"pain": {"sites": ["knee"]}, "unknown_field": 1}, "unknown_field"),
        ({"pain": {"sites": ["knee"]}, "labs": {"urate": 40}}, "labs.urate"),
        (
            {"pain": {"sites": ["knee"]}, "labs": {"urate": 420, "urate_unit": "mg/dL"}},
            "labs.urate",
        ),
        ({"pain": {"sites": ["knee"]}, "labs": {"rf_iu_ml": 30}}, "labs.rf_uln_iu_ml"),
        (
            {
                "pain": {"sites": ["knee"]},
                "function": {"bears_weight_4_steps": "no", "walked_today_km": 2},
            },
            "function.bears_weight_4_steps",
        ),
        (
            {"pain": {"sites": ["knee"]}, "trauma": {"injury": "no", "mechanism": "twisting"}},
            "trauma.mechanism",
        ),
        ({"pain": {"sites": ["knee"], "first_mtp": "yes"}}, "pain.sites"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_intake(data)
    assert exc.value.source == field
    assert exc.value.problem


def test_invalid_json_text() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        parse_intake("{not json")
    with pytest.raises(InputError, match="JSON object"):
        parse_intake("[1, 2]")


@pytest.mark.parametrize(
    ("value", "unit", "mg_dl", "assumed"),
    [
        (6.0, "mg/dL", 6.0, False),
        (357.0, "umol/L", 357.0 / 59.48, False),
        (0.36, "mmol/L", 0.36 / 0.05948, False),
        (420.0, None, 420 / 59.48, True),
        (7.2, None, 7.2, True),
        (0.48, None, 0.48 / 0.05948, True),
    ],
)
def test_urate_units(value: float, unit: str | None, mg_dl: float, assumed: bool) -> None:
    labs: dict[str, object] = {"urate": value}
    if unit:
        labs["urate_unit"] = unit
    i = intake(labs=labs)
    got, assumption = i.labs.urate_mg_dl()
    assert got == pytest.approx(mg_dl)
    assert (assumption is not None) is assumed
    assert any("urate" in a for a in i.assumptions()) is assumed


def test_temperature_over_38_is_taken_as_fever_with_a_stated_assumption() -> None:
    i = intake(signs={"temperature_c": 38.4})
    assert any("temperature_c" in a for a in i.assumptions())
    assert not intake(signs={"temperature_c": 37.9}).assumptions()


def test_fever_no_with_a_fever_temperature_is_a_contradiction() -> None:
    with pytest.raises(InputError) as exc:
        intake(signs={"fever": "no", "temperature_c": 38.0})
    assert exc.value.source == "signs.fever" and "temperature_c" in exc.value.problem
    assert intake(signs={"fever": "no", "temperature_c": 37.9}).signs.fever == "no"


def test_gait_finding_model() -> None:
    i = intake(
        gait_findings=[
            {
                "name": "overpronation",
                "side": "left",
                "fired": True,
                "severity": "moderate",
                "summary": "eversion",
            }
        ]
    )
    assert i.gait_findings is not None and i.gait_findings[0].fired
    with pytest.raises(InputError, match=r"gait_findings\.0\.name"):
        intake(gait_findings=[{"name": "moonwalk", "side": "left", "fired": True}])


def test_every_field_is_documented() -> None:
    def walk(model: type[object]) -> None:
        for name, info in model.model_fields.items():  # type: ignore[attr-defined]
            assert info.description, f"{model.__name__}.{name} has no description"
            ann = info.annotation
            for sub in (*getattr(ann, "__args__", ()), ann):
                if isinstance(sub, type) and hasattr(sub, "model_fields") and sub is not model:
                    walk(sub)

    walk(Intake)


def test_json_round_trip() -> None:
    i = intake(signs={"fever": "yes"}, labs={"urate": 7.0, "urate_unit": "mg/dL"})
    assert Intake.model_validate_json(i.model_dump_json()) == i


def test_published_schema_matches_generated() -> None:
    committed = json.loads(DOCS.read_text(encoding="utf-8"))
    assert committed == intake_json_schema(), (
        "docs/intake.schema.json is stale: run `python tools/gen_intake_docs.py`"
    )


# ---------------------------------------------------------------------------- strict types


@pytest.mark.parametrize(
    ("group", "value", "field"),
    [
        ({"demographics": {"age_years": "40"}}, "'40'", "demographics.age_years"),
        ({"demographics": {"age_years": True}}, "True", "demographics.age_years"),
        ({"signs": {"temperature_c": "38.5"}}, "'38.5'", "signs.temperature_c"),
        ({"signs": {"small_joints_involved": "3"}}, "'3'", "signs.small_joints_involved"),
        ({"signs": {"small_joints_involved": 3.0}}, "3.0", "signs.small_joints_involved"),
        ({"signs": {"small_joints_involved": False}}, "False", "signs.small_joints_involved"),
        ({"signs": {"fever": 1}}, "1", "signs.fever"),
        ({"signs": {"fever": True}}, "True", "signs.fever"),
        ({"demographics": {"sex": 0}}, "0", "demographics.sex"),
        ({"schema_version": 2}, "2", "schema_version"),
        (
            {"gait_findings": [{"name": "stiff_knee", "side": "left", "fired": 1}]},
            "1",
            "gait_findings.0.fired",
        ),
        (
            {"gait_findings": [{"name": "stiff_knee", "side": "left", "fired": "true"}]},
            "'true'",
            "gait_findings.0.fired",
        ),
    ],
)
def test_strict_types(group: dict[str, Any], value: str, field: str) -> None:
    with pytest.raises(InputError) as exc:
        intake(**group)
    assert exc.value.source == field
    assert f"(got {value})" in exc.value.problem


@pytest.mark.parametrize("as_text", [False, True])
def test_json_numbers_and_strings_still_accepted(as_text: bool) -> None:
    data: dict[str, Any] = {
        "schema_version": "1",
        "demographics": {"age_years": 40, "sex": "female", "pregnant": "no"},
        "pain": {"sites": ["knee", "calf"], "severity_0_10": 6.5, "distribution": "local"},
        "signs": {"temperature_c": 37, "small_joints_involved": 3, "leg_swelling": "one_leg"},
        "labs": {"urate": 7, "urate_unit": "mg/dL"},
        "gait_findings": [{"name": "stiff_knee", "side": "left", "fired": True}],
    }
    i = parse_intake(json.dumps(data) if as_text else data)
    assert i.demographics.age_years == 40.0 and isinstance(i.demographics.age_years, float)
    assert i.signs.temperature_c == 37.0 and i.signs.small_joints_involved == 3
    assert i.signs.leg_swelling == "one_leg" and i.pain.sites == ["knee", "calf"]
    assert i.gait_findings is not None and i.gait_findings[0].fired is True


def test_numpy_bool_is_read_for_fired() -> None:
    np = pytest.importorskip("numpy")
    i = intake(gait_findings=[{"name": "stiff_knee", "side": "left", "fired": np.bool_(True)}])
    assert i.gait_findings is not None and i.gait_findings[0].fired is True


def test_not_a_number_refused() -> None:
    with pytest.raises(InputError, match="finite number"):
        intake(signs={"temperature_c": float("nan")})
    with pytest.raises(InputError, match="NaN is not a JSON number"):
        parse_intake('{"pain": {"sites": ["knee"]}, "signs": {"temperature_c": NaN}}')


# ---------------------------------------------------------------------------- every problem


def test_every_problem_is_listed_each_naming_its_field() -> None:
    data = {
        "pain": {"sites": ["knee", "elbow"], "severity_0_10": "7"},
        "demographics": {"age_years": 130},
        "signs": {"fever": 1},
        "labs": {"urate": 40},
        "colour": "blue",
    }
    with pytest.raises(InputError) as exc:
        parse_intake(data)
    assert exc.value.source == "demographics.age_years"
    fields = [
        "demographics.age_years",
        "pain.sites.1",
        "pain.severity_0_10",
        "signs.fever",
        "labs.urate",
        "colour",
    ]
    message = str(exc.value)
    parts = message.split("; ")
    assert len(parts) == len(fields), message
    for part, field in zip(parts, fields, strict=True):
        assert part.startswith(f"{field}: "), (part, field)
    assert "more problem" not in message


def test_a_long_input_is_not_echoed_whole() -> None:
    with pytest.raises(InputError) as exc:
        intake(signs={"fever": "x" * 5000})
    assert exc.value.source == "signs.fever"
    assert "x" * 50 not in exc.value.problem
    assert len(exc.value.problem) < 150
    with pytest.raises(InputError) as exc:
        parse_intake({"pain": {"sites": ["knee"]}, "k" * 5000: 1})
    assert len(str(exc.value)) < 150


def test_many_problems_are_counted_past_the_listed_ones() -> None:
    data = {
        "pain": {"sites": ["knee"]},
        **{f"extra_{n}": n for n in range(MAX_LISTED_PROBLEMS + 5)},
    }
    with pytest.raises(InputError) as exc:
        parse_intake(data)
    assert exc.value.problem.count("; ") == MAX_LISTED_PROBLEMS - 1
    assert exc.value.problem.endswith("(and 5 more problems)")


def test_validating_an_intake_directly_raises_input_error_too() -> None:
    with pytest.raises(InputError) as exc:
        Intake.model_validate({"pain": {"sites": ["knee"]}, "signs": {"fever": 1}})
    assert exc.value.source == "signs.fever"


# ---------------------------------------------------------------------------- duration


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [(5, "days", 5.0), (3, "weeks", 21.0), (2, "months", 60.88), (1.5, "weeks", 10.5)],
)
def test_duration_value_and_unit_give_days(value: float, unit: str, days: float) -> None:
    i = intake(pain={"duration_value": value, "duration_unit": unit})
    assert i.pain.duration_days == pytest.approx(days)
    assert i.pain.duration_value == value and i.pain.duration_unit == unit
    text = json.dumps({"pain": {"sites": ["knee"], "duration_value": value, "duration_unit": unit}})
    assert parse_intake(text).pain.duration_days == pytest.approx(days)


def test_agreeing_duration_days_is_kept() -> None:
    i = intake(pain={"duration_value": 2, "duration_unit": "months", "duration_days": 60})
    assert i.pain.duration_days == 60
    # the converted intake reads back unchanged (model_dump holds all three)
    assert parse_intake(i.model_dump()) == i


@pytest.mark.parametrize(
    ("pain", "field"),
    [
        ({"duration_value": 3, "duration_unit": "weeks", "duration_days": 3}, "pain.duration_days"),
        (
            {"duration_value": 2, "duration_unit": "months", "duration_days": 30},
            "pain.duration_days",
        ),
        ({"duration_value": 3}, "pain.duration_unit"),
        ({"duration_unit": "weeks"}, "pain.duration_value"),
        ({"duration_value": "3", "duration_unit": "weeks"}, "pain.duration_value"),
        ({"duration_value": 3, "duration_unit": "years"}, "pain.duration_unit"),
    ],
)
def test_duration_problems(pain: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as exc:
        intake(pain=pain)
    assert exc.value.source == field


def test_contradicting_duration_names_both_fields() -> None:
    with pytest.raises(InputError) as exc:
        intake(pain={"duration_value": 3, "duration_unit": "weeks", "duration_days": 3})
    assert "pain.duration_days" in str(exc.value) and "pain.duration_value" in str(exc.value)


# ---------------------------------------------------------------------------- fixtures


def _vignette_intakes() -> list[tuple[str, dict[str, Any]]]:
    here = Path(__file__).resolve().parent
    out = []
    for path in sorted([*here.glob("vignettes/*.json"), *here.glob("vignettes_frozen/*.json")]):
        for v in json.loads(path.read_text(encoding="utf-8")):
            out.append((f"{path.parent.name}/{path.stem}:{v['id']}", v["intake"]))
    return out


def test_every_vignette_intake_still_parses() -> None:
    cases = _vignette_intakes()
    assert len(cases) > 100
    refused = []
    for name, data in cases:
        try:
            parse_intake(data)
            parse_intake(json.dumps(data))
        except InputError as exc:
            refused.append(f"{name}: {exc}")
    assert not refused, refused

"""Intake schema: unknown is first-class, bad input gives InputError naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinical_helpers import intake

from kinchain.clinical.intake import Intake, intake_json_schema, parse_intake
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
        ({"pain": {"sites": ["knee"]}, "demographics": {"age_years": 130}},
         "demographics.age_years"),
        ({"pain": {"sites": ["knee"]}, "unknown_field": 1}, "unknown_field"),
        ({"pain": {"sites": ["knee"]}, "labs": {"urate": 40}}, "labs.urate"),
        ({"pain": {"sites": ["knee"]}, "labs": {"urate": 420, "urate_unit": "mg/dL"}},
         "labs.urate"),
        ({"pain": {"sites": ["knee"]}, "labs": {"rf_iu_ml": 30}}, "labs.rf_uln_iu_ml"),
        ({"pain": {"sites": ["knee"]},
          "function": {"bears_weight_4_steps": "no", "walked_today_km": 2}},
         "function.bears_weight_4_steps"),
        ({"pain": {"sites": ["knee"]}, "trauma": {"injury": "no", "mechanism": "twisting"}},
         "trauma.mechanism"),
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
    i = intake(gait_findings=[{"name": "overpronation", "side": "left", "fired": True,
                               "severity": "moderate", "summary": "eversion"}])
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
        "docs/intake.schema.json is stale: regenerate it with intake_json_schema()"
    )

"""The intake's published schema and the field table in docs/clinical.md are what
tools/gen_intake_docs.py generates from the model (run it when this fails)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIX = "run `python tools/gen_intake_docs.py` and commit the result"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_intake_docs", ROOT / "tools" / "gen_intake_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_intake_docs", module)
    spec.loader.exec_module(module)
    return module


def test_schema_file_is_current(gen: ModuleType) -> None:
    committed = (ROOT / "docs" / "intake.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(gen.schema_text()), (
        f"docs/intake.schema.json is stale: {FIX}"
    )


def test_field_table_is_current(gen: ModuleType) -> None:
    doc = (ROOT / "docs" / "clinical.md").read_text(encoding="utf-8")
    assert gen.START in doc and gen.END in doc, f"docs/clinical.md lost the table markers ({FIX})"
    assert gen.doc_text(doc) == doc, f"the intake table in docs/clinical.md is stale: {FIX}"


def test_table_shows_answers_choices_groups_and_required(gen: ModuleType) -> None:
    table = gen.table_text()
    assert "| `demographics.pregnant` | answer |" in table
    assert "| `signs.leg_swelling` | `no` / `one_leg` / `both_legs` / `unknown` |" in table
    assert "| **`skin`** | group |" in table and "| **`general`** | group |" in table
    assert "| `pain.duration_unit` | `days` / `weeks` / `months` / null |" in table
    assert "| `demographics.age_years` | float / null |" in table
    assert "| `signs.small_joints_involved` | int / null |" in table
    assert "(required)" in table.split("`pain.sites`")[1].split("\n")[0]
    assert "| `schema_version` | `1` / `2` |" in table


def test_check_mode_reports_nothing_stale(gen: ModuleType) -> None:
    assert gen.stale() == [], FIX

"""docs/clinical.md documents every intake field and every rule with its citation."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from kinchain.clinical import Intake, parse_intake, run_rules

DOC = (Path(__file__).resolve().parents[2] / "docs" / "clinical.md").read_text(encoding="utf-8")


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        out.append(prefix + name)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_paths(ann, prefix + name + "."))
    return out


def test_every_intake_field_is_documented() -> None:
    missing = [p for p in _paths(Intake) if f"`{p}`" not in DOC]
    assert not missing, missing


def test_every_rule_is_listed() -> None:
    for r in run_rules(parse_intake({"pain": {"sites": ["knee"]}})):
        assert f"`{r.rule_id}`" in DOC, r.rule_id

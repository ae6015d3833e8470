"""The vignette suite (tests/clinical/vignettes/*.json): coverage, zero under-triage of red-flag
vignettes, and the expected urgency, cause and specialist for each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kinchain.clinical import CauseId, Specialist, Urgency, assess, parse_intake, run_rules

DIR = Path(__file__).parent / "vignettes"


def _load() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.extend(data if isinstance(data, list) else [data])
    return out


VIGNETTES = _load()
RED_FLAG_IDS = {r.rule_id for r in run_rules(parse_intake({"pain": {"sites": ["knee"]}}))
                if r.rule_id.startswith("red_flag_")}


def test_suite_size_and_coverage() -> None:
    assert len(VIGNETTES) >= 60
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)
    exp = [v["expected"] for v in VIGNETTES]
    assert {e["cause"] for e in exp} == {c.value for c in CauseId}
    assert {e["urgency"] for e in exp} == {u.value for u in Urgency}
    assert {e["specialist"] for e in exp} == {s.value for s in Specialist}
    assert {f for e in exp for f in e["red_flags"]} == RED_FLAG_IDS
    for v in VIGNETTES:
        assert v["written_from"] and v["title"]
        assert set(v["why"]) == {"urgency", "cause", "specialist"}
        assert all(v["why"].values())


@pytest.mark.parametrize("v", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(v: dict[str, Any]) -> None:
    a = assess(parse_intake(v["intake"]))
    exp = v["expected"]
    fired = {f.rule_id for f in a.red_flags}
    assert set(exp["red_flags"]) <= fired, "expected red flag did not fire"
    if exp["red_flags"]:
        assert a.urgency.rank >= Urgency(exp["urgency"]).rank, "under-triage of a red flag"
    assert a.urgency.value == exp["urgency"]
    assert a.causes[0].cause.value == exp["cause"]
    assert a.referral.specialist.value == exp["specialist"]


def test_eval_script_reports_zero_red_flag_under_triage() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "clinical_eval", Path(__file__).resolve().parents[2] / "benchmarks" / "clinical_eval.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    m = mod.evaluate(mod.load_vignettes(DIR))["metrics"]
    assert m["vignettes"] == len(VIGNETTES)
    assert m["red_flag_under_triage"] == 0

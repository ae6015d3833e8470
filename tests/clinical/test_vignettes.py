"""The regression vignette suite (tests/clinical/vignettes/*.json, written with the rules: it
measures consistency): coverage, zero under-triage, and the expected urgency, cause and
specialist for each, except the disagreements recorded below with their reason. The frozen
evaluation set is tested in test_frozen_vignettes.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kinchain.clinical import CauseId, Specialist, Urgency, assess, parse_intake, run_rules
from kinchain.clinical.result import NOT_MUSCULOSKELETAL

DIR = Path(__file__).parent / "vignettes"


def _load() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.extend(data if isinstance(data, list) else [data])
    return out


VIGNETTES = _load()

RECORDED_DISAGREEMENTS: dict[str, str] = {
    "M03": "fever with injecting drug use is now screened as possible endocarditis (ESC 2023; "
    "emergency), above the spinal-infection same-day level this vignette was written for",
    "S04": "fever, a hot swollen knee and injecting drug use: septic arthritis and endocarditis "
    "are both emergencies; endocarditis now ranks first (cause only; urgency and destination "
    "agree)",
    "B10": "an older person unable to bear weight after a fall is now an emergency (NICE CG124 "
    "suspected hip fracture; NICE CKS Sprains and strains), above this vignette's same day",
    "T23": "a knee that swelled within an hour of a twisting injury (haemarthrosis) now goes to "
    "the emergency department (NICE CKS Sprains and strains), above this vignette's same day",
    "B05": "destination only: a length-dependent neuropathy is managed by a GP first (NICE CKS), "
    "not a neurologist as this vignette was written",
    "P01": "destination only: neuropathy to a GP first (NICE CKS), not a neurologist",
    "P02": "destination only: neuropathy to a GP first (NICE CKS), not a neurologist",
    "P03": "destination only: neuropathy to a GP first (NICE CKS), not a neurologist",
    "G05": "destination only: gout is managed in primary care (NICE NG219), not rheumatology",
    "G06": "destination only: gout is managed in primary care (NICE NG219), not rheumatology",
}
"""Regression vignettes whose label the engine no longer meets exactly since the leg-pain
mimic screens were added, with why. None of them is under-triaged (tested)."""
RED_FLAG_IDS = {r.rule_id for r in run_rules(parse_intake({"pain": {"sites": ["knee"]}}))
                if r.rule_id.startswith("red_flag_")}


def test_suite_size_and_coverage() -> None:
    assert len(VIGNETTES) >= 60
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)
    exp = [v["expected"] for v in VIGNETTES]
    # the regression set covers the musculoskeletal causes and the first mimics; the frozen set
    # covers the rest (test_frozen_vignettes.py checks the union)
    assert {e["cause"] for e in exp} >= {c.value for c in CauseId} - {
        c.value for c in NOT_MUSCULOSKELETAL if c not in (CauseId.dvt, CauseId.acute_limb_ischaemia)
    }
    assert {e["urgency"] for e in exp} == {u.value for u in Urgency}
    assert {e["specialist"] for e in exp} == {s.value for s in Specialist} - {"gp"}
    # the red flags added after this set was written are covered by the frozen set
    assert {f for e in exp for f in e["red_flags"]} == RED_FLAG_IDS - {"red_flag_achilles_rupture"}
    for v in VIGNETTES:
        assert v["written_from"] and v["title"]
        assert set(v["why"]) == {"urgency", "cause", "specialist"}
        assert all(v["why"].values())


SUCCESSORS: dict[str, tuple[str, ...]] = {
    # without an injury a cold, pale or pulseless foot is screened as an arterial problem
    "red_flag_neurovascular": ("screen_arterial",),
}


@pytest.mark.parametrize("v", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(v: dict[str, Any]) -> None:
    a = assess(parse_intake(v["intake"]))
    exp = v["expected"]
    fired = {f.rule_id for f in a.red_flags}
    for flag in exp["red_flags"]:
        assert {flag, *SUCCESSORS.get(flag, ())} & fired, f"expected red flag {flag} did not fire"
    assert a.urgency.rank >= Urgency(exp["urgency"]).rank, "under-triage"
    if v["id"] in RECORDED_DISAGREEMENTS:
        assert exp["cause"] in [c.cause.value for c in a.causes[:3]]
        assert not (
            a.urgency.value == exp["urgency"]
            and a.causes[0].cause.value == exp["cause"]
            and a.referral.specialist.value == exp["specialist"]
        ), "agrees again: remove it from RECORDED_DISAGREEMENTS"
        return
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

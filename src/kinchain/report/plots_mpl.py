"""The report's figures as matplotlib drew them before the vector path of
:mod:`kinchain.report.plots` (issue 13), kept for the benchmark (``benchmarks/report_bench.py``
measures both in the same run) and as the PNG of :attr:`RenderedFigure.png` while the PDF still
embeds a PNG. Nothing on the report path calls it otherwise.

Each figure is laid out once and saved in the formats asked: SVG (text as paths) and PNG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kinchain.analysis import GaitAnalysis
from kinchain.gait.normative import GPS_VARIABLES
from kinchain.report.plots import (
    BAND,
    KINEMATIC_PANELS,
    LEFT,
    RIGHT,
    SIDE_BAND_ALPHA,
    SIDE_COLOUR,
    TRIAL_COLOURS,
    Panel,
    _side_curves,
    foot_off_pct,
)
from kinchain.session import SessionAnalysis

_PREFIX = {"left": "L", "right": "R"}
Formats = tuple[str, ...]

PNG_DPI = 150
STRIDE_LW = 0.6
VECTOR_STRIDES = 20  # more strides per side and panel are rasterised in the SVG, at PNG_DPI


@dataclass(frozen=True)
class MplFigure:
    """A matplotlib figure saved as SVG markup and/or PNG bytes (``None``: not asked)."""

    name: str
    svg: str | None
    png: bytes | None
    width_in: float
    height_in: float


_RC: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 7.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "kinchain",
    "path.simplify": True,
    # Titles at the top of their axes, where matplotlib's automatic placement puts them here (no
    # tick labels above the axes), without measuring every axes of the row on each drawing.
    "axes.titley": 1.0,
}


def _render(fig: Figure, name: str, formats: Formats) -> MplFigure:
    """Save ``fig`` in ``formats`` (``"svg"``, ``"png"``) with the layout it has: one drawing per
    format, no extra drawing to crop the margins (the figures set their own)."""
    svg = png = None
    if "svg" in formats:
        svg_buf = io.StringIO()
        fig.savefig(svg_buf, format="svg", dpi=PNG_DPI, metadata={"Date": None})
        svg = svg_buf.getvalue()
        svg = svg[svg.find("<svg") :]
    if "png" in formats:
        png_buf = io.BytesIO()
        fig.savefig(png_buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        png = png_buf.getvalue()
    w, h = fig.get_size_inches()
    return MplFigure(name, svg, png, float(w), float(h))


def curves_figure(
    analysis: GaitAnalysis,
    panels: tuple[Panel, ...],
    name: str,
    ncols: int = 3,
    formats: Formats = ("svg", "png"),
) -> MplFigure:
    """A grid of time-normalised curves: each side's mean (bold), ± 1 SD band (light) and usable
    strides (thin, one line collection per side) over the normative band, with each side's mean
    foot off as a dashed line."""
    nrows = -(-len(panels) // ncols)
    x = np.arange(101)
    norm = analysis.normative
    drawn: set[str] = set()
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(10.0, 2.15 * nrows + 0.5))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for k, panel in enumerate(panels):
            ax = axes[k // ncols][k % ncols]
            kinetic = not panel.variable.endswith("Angles")
            if norm is not None and norm.has(panel.variable):
                m = norm.mean_of(panel.variable)[:, panel.component]
                s = norm.sd_of(panel.variable)[:, panel.component]
                if np.isfinite(m).any() and np.isfinite(s).any():
                    ax.fill_between(x, m - s, m + s, color=BAND, lw=0, zorder=0)
            for side in ("left", "right"):
                cset = analysis.cycles[side]
                strides, mean, sd = _side_curves(
                    cset, _PREFIX[side] + panel.variable, panel.component, kinetic
                )
                colour = SIDE_COLOUR[side]
                if strides.shape[0] == 0:
                    continue
                drawn.add(side)
                # The strides as one collection (one artist, one pass per renderer), not one
                # line each; NaN samples break a stride's line, as they would a Line2D's.
                xy = np.stack([np.broadcast_to(x, strides.shape), strides], axis=-1)
                lines = LineCollection(
                    list(xy), colors=colour, linewidths=STRIDE_LW, alpha=0.35, zorder=2
                )
                # Many strides: drawn as one image inside the SVG, so the HTML does not grow by
                # a vector path per stride and panel (the mean and the bands stay vectors).
                lines.set_rasterized(strides.shape[0] > VECTOR_STRIDES)
                ax.add_collection(lines)
                ax.fill_between(
                    x, mean - sd, mean + sd, color=colour, alpha=SIDE_BAND_ALPHA, lw=0, zorder=1
                )
                ax.plot(x, mean, color=colour, lw=1.6, zorder=3)
                fo = foot_off_pct(cset)
                if np.isfinite(fo):
                    ax.axvline(fo, color=colour, lw=0.8, ls="--", zorder=1)
            ax.axhline(0.0, color="#888888", lw=0.5, zorder=1)
            ax.set_title(panel.title, loc="left")
            ax.set_xlim(0, 100)
            ax.set_xticks([0, 20, 40, 60, 80, 100])
            ax.set_ylabel(panel.unit)
            ax.grid(True, color="#eeeeee", lw=0.5)
            if k // ncols == nrows - 1:
                ax.set_xlabel("% of gait cycle")
        for k in range(len(panels), nrows * ncols):
            axes[k // ncols][k % ncols].set_visible(False)
        missing_sides = {"left", "right"} - drawn

        def side_label(side: str) -> str:
            if side in missing_sides:
                return f"{side.capitalize()} (no stride with data)"
            return f"{side.capitalize()} (mean ± 1 SD, strides thin)"

        def side_handle(colour: str) -> tuple[Patch, Line2D]:
            return (
                Patch(color=colour, alpha=SIDE_BAND_ALPHA, lw=0),
                Line2D([], [], color=colour, lw=1.6),
            )

        # A (band, line) pair is drawn as one legend key; matplotlib's stubs only know artists.
        handles: list[Any] = [
            side_handle(LEFT),
            side_handle(RIGHT),
            Patch(color=BAND),
            Line2D([], [], color="#555555", lw=0.8, ls="--"),
        ]
        labels = [
            side_label("left"),
            side_label("right"),
            "Normative mean ± 1 SD",
            "Foot off",
        ]
        height = fig.get_size_inches()[1]
        fig.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=4,
            frameon=False,
            fontsize=8,
        )
        # Fixed margins (inches turned into fractions) instead of tight_layout, which draws the
        # whole figure once more just to measure it.
        fig.subplots_adjust(
            left=0.065,
            right=0.99,
            bottom=0.5 / height,
            top=1 - 0.55 / height,
            hspace=0.45,
            wspace=0.3,
        )
        return _render(fig, name, formats)


def map_figure(analysis: GaitAnalysis, formats: Formats = ("svg", "png")) -> MplFigure | None:
    """Movement Analysis Profile: GVS per variable and side, and each side's GPS (Baker 2009)."""
    comp = analysis.comparison
    if comp is None:
        return None
    table = comp.map_table
    rows = list(table.index)
    y = np.arange(len(rows))[::-1]
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(7.5, 0.36 * len(rows) + 0.9))
        ax = fig.subplots()
        h = 0.38
        for offset, side in ((h / 2, "left"), (-h / 2, "right")):
            if side not in table.columns:
                continue
            vals = table[side].to_numpy(dtype=float)
            bars = ax.barh(
                y + offset,
                np.nan_to_num(vals),
                height=h,
                color=SIDE_COLOUR[side],
                label=side.capitalize(),
            )
            for bar, v in zip(bars, vals, strict=True):
                if np.isfinite(v):
                    ax.text(
                        bar.get_width() + 0.15,
                        bar.get_y() + h / 2,
                        f"{v:.1f}",
                        va="center",
                        fontsize=6.5,
                    )
        labels = [r.replace("_", " ") if r != "GPS" else "GPS" for r in rows]
        ax.set_yticks(y, labels)
        gps_row = rows.index("GPS") if "GPS" in rows else None
        if gps_row is not None:
            ax.axhline(y[gps_row] + 0.5, color="#888888", lw=0.6)
            ax.get_yticklabels()[gps_row].set_fontweight("bold")
        ax.set_xlabel("Gait Variable Score / Gait Profile Score, deg (0 = the normative mean)")
        ax.set_title(f"Movement Analysis Profile — overall GPS {comp.gps_overall:.1f}°", loc="left")
        ax.legend(loc="lower right", frameon=False)
        ax.grid(True, axis="x", color="#eeeeee", lw=0.5)
        xmax = np.nanmax(table.to_numpy(dtype=float)) if table.size else 1.0
        ax.set_xlim(0, float(xmax) * 1.15 + 0.5)
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine, for which savefig would lay the
        # figure out again (a drawing without output) before each format; the layout is done.
        fig.set_layout_engine(None)
        return _render(fig, "map", formats)


def trial_means_figure(session: SessionAnalysis, formats: Formats = ("svg", "png")) -> MplFigure:
    """Each trial's mean curve of the nine Gait Profile Score angles (left solid, right dashed,
    one colour per trial, numbered T1, T2… as in the report), to see which trial differs."""
    titles = {(p.variable, p.component): p.title for p in KINEMATIC_PANELS}
    colours = TRIAL_COLOURS
    used = session.used()
    x = np.arange(101)
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(10.0, 7.0))
        axes = fig.subplots(3, 3, squeeze=False)
        for k, (name, (variable, col)) in enumerate(GPS_VARIABLES.items()):
            ax = axes[k // 3][k % 3]
            for i, t in enumerate(used):
                assert t.analysis is not None
                for side, style in (("left", "-"), ("right", "--")):
                    cset = t.analysis.cycles[side]  # type: ignore[index]
                    label = ("L" if side == "left" else "R") + variable
                    if label not in cset.curves or not cset.usable().any():
                        continue
                    ax.plot(x, cset.mean(label)[:, col], color=colours[i % 10], lw=1.1, ls=style)
            ax.axhline(0.0, color="#888888", lw=0.5)
            ax.set_title(titles.get((variable, col), name.replace("_", " ")), loc="left")
            ax.set_xlim(0, 100)
            ax.set_ylabel("deg")
            ax.grid(True, color="#eeeeee", lw=0.5)
            if k // 3 == 2:
                ax.set_xlabel("% of gait cycle")
        handles = [
            Line2D([], [], color=colours[i % 10], lw=1.4, label=f"T{i + 1} {t.name}")
            for i, t in enumerate(used)
        ]
        handles += [
            Line2D([], [], color="#555555", lw=1.1, ls="-", label="left"),
            Line2D([], [], color="#555555", lw=1.1, ls="--", label="right"),
        ]
        fig.legend(
            handles=handles,
            loc="upper center",
            ncol=min(len(handles), 5),
            frameon=False,
            fontsize=7.5,
        )
        rows = -(-len(handles) // 5)
        fig.subplots_adjust(
            left=0.065,
            right=0.99,
            bottom=0.07,
            top=1 - (0.4 + 0.17 * rows) / 7.0,
            hspace=0.45,
            wspace=0.3,
        )
        return _render(fig, "trial_means", formats)

"""A small vector figure model for the report's plots, drawn without matplotlib.

A figure is described once, in data coordinates, as :class:`Axes` (a box on the figure, its
axis ranges and ticks, and the marks in it) plus free text and legend marks; :func:`scene`
resolves it into a flat list of :class:`Path` and :class:`Text` in figure points (1/72 in,
origin top left, y down). The SVG writer (:mod:`kinchain.report.svg_plot`) and the reportlab
drawing (:mod:`kinchain.report.rl_plot`) both draw that same scene, so the HTML and the PDF
show the same figure.

Marks in data coordinates: :class:`Line` (a polyline; NaN breaks it, so several strides can be
one line with NaN between them), :class:`Area` (a band between two curves, one polygon per run
of finite samples), :class:`VLine` / :class:`HLine` (across the whole axes), :class:`Bar` (a
rectangle) and :class:`Label` (text at a data point, shifted by points).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from reportlab.pdfbase.pdfmetrics import stringWidth

Anchor = Literal["start", "middle", "end"]

#: The figure's typeface; the SVG asks for the HTML report's sans-serif stack, the PDF for
#: the built-in Helvetica, so text widths are measured with Helvetica's metrics.
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
SPINE = "#000000"
SPINE_W = 0.8
TICK_LEN = 3.5
TICK_PAD = 3.5
GRID = "#eeeeee"


def dashes(width: float) -> tuple[float, float]:
    """matplotlib's ``"--"`` pattern for a line ``width`` points wide: 3.7 on, 1.6 off, times
    the width."""
    return (round(3.7 * width, 2), round(1.6 * width, 2))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` set in Helvetica (bold) at ``size`` points, in points."""
    return float(stringWidth(text, FONT_BOLD if bold else FONT, size))


# --------------------------------------------------------------------------- scene primitives


@dataclass(frozen=True)
class Path:
    """Polylines or polygons in figure points (y down).

    ``parts`` holds one ``(n, 2)`` array per sub-path; ``closed`` closes each into a polygon.
    ``stroke`` / ``fill`` are ``#rrggbb`` colours or ``None`` (not stroked / not filled);
    ``dash`` is the on/off pattern in points."""

    parts: tuple[np.ndarray, ...]
    stroke: str | None = None
    width: float = 1.0
    stroke_opacity: float = 1.0
    dash: tuple[float, ...] | None = None
    fill: str | None = None
    fill_opacity: float = 1.0
    closed: bool = False


@dataclass(frozen=True)
class Text:
    """One line of text; ``(x, y)`` is the anchor point on the baseline, in figure points
    (y down); ``rotate`` is 0 or 90 (read bottom to top, as a y axis label)."""

    x: float
    y: float
    text: str
    size: float
    anchor: Anchor = "start"
    colour: str = "#000000"
    bold: bool = False
    rotate: int = 0


Mark = Path | Text


# ----------------------------------------------------------------------- marks in data units


@dataclass(frozen=True)
class Line:
    """A polyline through ``(x, y)`` (data units); a NaN in ``y`` breaks it."""

    x: np.ndarray
    y: np.ndarray
    colour: str
    width: float
    opacity: float = 1.0
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Area:
    """The band between ``lower`` and ``upper`` over ``x``: one polygon per run of samples
    where both are finite."""

    x: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    colour: str
    opacity: float = 1.0


@dataclass(frozen=True)
class VLine:
    """A vertical line at ``x`` from the bottom to the top of the axes."""

    x: float
    colour: str
    width: float
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class HLine:
    """A horizontal line at ``y`` across the axes."""

    y: float
    colour: str
    width: float


@dataclass(frozen=True)
class Bar:
    """A filled rectangle ``[x0, x1] x [y0, y1]`` in data units."""

    x0: float
    x1: float
    y0: float
    y1: float
    colour: str


@dataclass(frozen=True)
class Label:
    """Text at the data point ``(x, y)``, moved right by ``dx`` points, vertically centred."""

    x: float
    y: float
    text: str
    size: float
    dx: float = 0.0


@dataclass(frozen=True)
class GridMark:
    """Where, among the marks, the grid is drawn (without one: under all marks)."""


DataMark = Line | Area | VLine | HLine | Bar | Label | GridMark


@dataclass
class Axes:
    """A plot box at ``(left, top)`` of ``width`` x ``height`` points with its data ranges,
    ticks (values and their labels), title, axis labels and marks (drawn in order)."""

    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xticks: tuple[tuple[float, str], ...] = ()
    yticks: tuple[tuple[float, str], ...] = ()
    bold_yticks: frozenset[int] = frozenset()
    title: str = ""
    title_size: float = 8.5
    xlabel: str = ""
    ylabel: str = ""
    label_size: float = 7.5
    tick_size: float = 7.0
    grid: Literal["both", "x", "none"] = "both"
    marks: list[DataMark] = field(default_factory=list)
    #: Where the y axis label's baseline sits, points left of the box (set from the tick
    #: labels' width when left at None).
    ylabel_offset: float | None = None

    def px(self, x: np.ndarray | float) -> np.ndarray:
        """Data ``x`` -> figure points."""
        x0, x1 = self.xlim
        return self.left + (np.asarray(x, dtype=float) - x0) * (self.width / (x1 - x0))

    def py(self, y: np.ndarray | float) -> np.ndarray:
        """Data ``y`` -> figure points (y down)."""
        y0, y1 = self.ylim
        return (
            self.top + self.height - (np.asarray(y, dtype=float) - y0) * (self.height / (y1 - y0))
        )


@dataclass
class FigureModel:
    """A figure of ``width`` x ``height`` points: its axes and the marks outside them
    (legend, free text), already in figure points."""

    width: float
    height: float
    axes: list[Axes] = field(default_factory=list)
    extra: list[Mark] = field(default_factory=list)
    title: str = ""


# ---------------------------------------------------------------------------------- ticks

_STEPS = (1.0, 2.0, 5.0, 10.0)


def nice_ticks(vmin: float, vmax: float, nbins: int = 6) -> np.ndarray:
    """Tick values inside ``[vmin, vmax]`` at a "nice" step (1, 2 or 5 times a power of ten):
    the smallest such step at least ``(vmax - vmin) / nbins`` (a smaller one if fewer than two
    ticks would fall inside), at the multiples of the step, as matplotlib's
    ``MaxNLocator(nbins, steps=[1, 2, 5, 10])`` picks them (its default ``"data"`` limits).

    Parameters
    ----------
    vmin, vmax
        The axis range, data units (``vmin < vmax``).
    nbins
        The number of intervals the range is divided into at most before rounding the step up
        to a nice one (>= 1).

    Returns
    -------
    numpy.ndarray
        The tick values, ascending, each within the range (to a relative 1e-10).
    """
    if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmax <= vmin:
        raise ValueError(f"nice_ticks: bad range [{vmin}, {vmax}]")
    nbins = max(1, int(nbins))
    raw = (vmax - vmin) / nbins
    scale = 10.0 ** math.floor(math.log10(raw))
    eps = 1e-10 * max(abs(vmin), abs(vmax), vmax - vmin)
    steps = [m * scale for m in (0.1, 0.2, 0.5, *_STEPS, 20.0)]
    chosen = len(steps) - 1
    for i, step in enumerate(steps):
        if step >= raw * (1 - 1e-12):
            chosen = i
            break
    # As MaxNLocator (min_n_ticks=2): a smaller step when fewer than two ticks fall inside.
    for step in steps[chosen::-1]:
        lo = math.ceil((vmin - eps) / step)
        hi = math.floor((vmax + eps) / step)
        if hi - lo + 1 >= 2:
            break
    ticks = np.arange(lo, hi + 1, dtype=float) * step
    ticks[np.abs(ticks) < eps] = 0.0
    return ticks


def tick_labels(ticks: np.ndarray) -> tuple[str, ...]:
    """Tick values as text with the same number of decimals, the fewest that show the step
    exactly (``0, 5, 10``; ``-0.5, 0.0, 0.5``; ``0.25, 0.50``), a true minus sign, no ``-0``."""
    if len(ticks) == 0:
        return ()
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else abs(float(ticks[0])) or 1.0
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    out = []
    for t in ticks:
        s = f"{t:.{decimals}f}"
        if s.startswith("-") and float(s) == 0.0:
            s = s[1:]
        out.append(s.replace("-", "\u2212"))
    return tuple(out)


def data_range(values: list[np.ndarray], include: tuple[float, ...] = ()) -> tuple[float, float]:
    """The finite extent of ``values`` and ``include``, widened by 5 % of its span on each side
    (matplotlib's default margins); ``(-1, 1)`` when nothing is finite, ``v ± 1`` for one value."""
    finite = [v[np.isfinite(v)] for v in (np.asarray(a, dtype=float).ravel() for a in values)]
    finite.append(np.asarray(include, dtype=float))
    allv = np.concatenate(finite) if finite else np.empty(0)
    if allv.size == 0:
        return (-1.0, 1.0)
    lo, hi = float(allv.min()), float(allv.max())
    if hi == lo:
        return (lo - 1.0, hi + 1.0)
    pad = 0.05 * (hi - lo)
    return (lo - pad, hi + pad)


def auto_yticks(ylim: tuple[float, float], height: float, size: float = 7.0) -> np.ndarray:
    """Nice ticks for a y axis ``height`` points tall with labels of ``size`` points, the range
    divided into one interval per two label heights (at most 9) before rounding the step up
    (matplotlib's ``AutoLocator`` rule)."""
    nbins = int(np.clip(math.floor(height / (2.0 * size)), 1, 9))
    return nice_ticks(ylim[0], ylim[1], nbins)


# --------------------------------------------------------------------------------- scene


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of every run of True in ``mask``."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def line_parts(xp: np.ndarray, yp: np.ndarray) -> tuple[np.ndarray, ...]:
    """The runs of finite points of a polyline, as ``(n, 2)`` arrays; a single finite point
    between NaNs draws nothing (as in matplotlib)."""
    ok = np.isfinite(xp) & np.isfinite(yp)
    pts = np.column_stack([xp, yp])
    return tuple(pts[a:b] for a, b in _runs(ok) if b - a >= 2)


def area_parts(xp: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, ...]:
    """One closed polygon (upper edge forward, lower edge back) per run of finite samples."""
    ok = np.isfinite(xp) & np.isfinite(lo) & np.isfinite(hi)
    out = []
    for a, b in _runs(ok):
        if b - a < 2:
            continue
        upper = np.column_stack([xp[a:b], hi[a:b]])
        lower = np.column_stack([xp[a:b], lo[a:b]])[::-1]
        out.append(np.concatenate([upper, lower]))
    return tuple(out)


def _axes_scene(ax: Axes) -> list[Mark]:
    out: list[Mark] = []
    left, right = ax.left, ax.left + ax.width
    top, bottom = ax.top, ax.top + ax.height
    grid: list[np.ndarray] = []
    if ax.grid in ("both", "x"):
        grid += [
            np.array([[x, top], [x, bottom]]) for x in ax.px(np.array([t for t, _ in ax.xticks]))
        ]
    if ax.grid == "both":
        grid += [
            np.array([[left, y], [right, y]]) for y in ax.py(np.array([t for t, _ in ax.yticks]))
        ]
    grid_path = Path(tuple(grid), stroke=GRID, width=0.5) if grid else None
    if grid_path is not None and not any(isinstance(m, GridMark) for m in ax.marks):
        out.append(grid_path)
    for m in ax.marks:
        if isinstance(m, GridMark):
            if grid_path is not None:
                out.append(grid_path)
        elif isinstance(m, Line):
            parts = line_parts(ax.px(m.x), ax.py(m.y))
            if parts:
                out.append(Path(parts, m.colour, m.width, m.opacity, m.dash))
        elif isinstance(m, Area):
            parts = area_parts(ax.px(m.x), ax.py(m.lower), ax.py(m.upper))
            if parts:
                out.append(Path(parts, fill=m.colour, fill_opacity=m.opacity, closed=True))
        elif isinstance(m, VLine):
            x = float(ax.px(m.x))
            out.append(Path((np.array([[x, top], [x, bottom]]),), m.colour, m.width, dash=m.dash))
        elif isinstance(m, HLine):
            y = float(ax.py(m.y))
            out.append(Path((np.array([[left, y], [right, y]]),), m.colour, m.width))
        elif isinstance(m, Bar):
            x0, x1 = (float(v) for v in ax.px(np.array([m.x0, m.x1])))
            y0, y1 = (float(v) for v in ax.py(np.array([m.y0, m.y1])))
            rect = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
            out.append(Path((rect,), fill=m.colour, closed=True))
        else:
            out.append(
                Text(float(ax.px(m.x)) + m.dx, float(ax.py(m.y)) + 0.35 * m.size, m.text, m.size)
            )
    # Spines (left, bottom), ticks and their labels.
    out.append(Path((np.array([[left, top], [left, bottom], [right, bottom]]),), SPINE, SPINE_W))
    ticks: list[np.ndarray] = []
    for x, lab in ax.xticks:
        xp = float(ax.px(x))
        ticks.append(np.array([[xp, bottom], [xp, bottom + TICK_LEN]]))
        out.append(
            Text(
                xp, bottom + TICK_LEN + TICK_PAD + 0.75 * ax.tick_size, lab, ax.tick_size, "middle"
            )
        )
    widest = 0.0
    for i, (y, lab) in enumerate(ax.yticks):
        yp = float(ax.py(y))
        ticks.append(np.array([[left - TICK_LEN, yp], [left, yp]]))
        bold = i in ax.bold_yticks
        out.append(
            Text(
                left - TICK_LEN - TICK_PAD,
                yp + 0.35 * ax.tick_size,
                lab,
                ax.tick_size,
                "end",
                bold=bold,
            )
        )
        widest = max(widest, text_width(lab, ax.tick_size, bold))
    if ticks:
        out.append(Path(tuple(ticks), SPINE, SPINE_W))
    if ax.title:
        out.append(Text(left, top - 0.5 * ax.title_size, ax.title, ax.title_size))
    if ax.xlabel:
        y = bottom + TICK_LEN + TICK_PAD + 0.75 * ax.tick_size + 4.0 + 0.8 * ax.label_size
        out.append(Text(left + ax.width / 2, y, ax.xlabel, ax.label_size, "middle"))
    if ax.ylabel:
        off = ax.ylabel_offset
        if off is None:
            off = TICK_LEN + TICK_PAD + widest + 4.0
        out.append(
            Text(left - off, top + ax.height / 2, ax.ylabel, ax.label_size, "middle", rotate=90)
        )
    return out


def scene(fig: FigureModel) -> list[Mark]:
    """The figure as paths and text in figure points (y down), in drawing order."""
    out: list[Mark] = []
    for ax in fig.axes:
        out.extend(_axes_scene(ax))
    out.extend(fig.extra)
    return out


# -------------------------------------------------------------------------------- legend

LegendKey = Literal["band_line", "patch", "line", "dashed"]


@dataclass(frozen=True)
class LegendEntry:
    """One legend item: its key's kind and colour, and its label."""

    key: LegendKey
    colour: str
    label: str
    opacity: float = 1.0
    width: float = 1.6


def legend(
    entries: list[LegendEntry],
    *,
    centre_x: float | None = None,
    right_x: float | None = None,
    top: float,
    size: float = 8.0,
    ncol: int = 4,
    max_width: float = math.inf,
) -> tuple[list[Mark], float]:
    """The legend as marks: rows of at most ``ncol`` entries and at most ``max_width`` points
    (a longer row continues on the next), each entry a 20-point key and its label, each row
    centred on ``centre_x`` (or ending at ``right_x``), the first row's top at ``top``.

    Returns the marks and the legend's height in points."""
    key_w, gap_key, gap_item, row_h = 20.0, 5.0, 16.0, 1.55 * size
    out: list[Mark] = []
    rows: list[list[tuple[LegendEntry, float]]] = []
    used = 0.0
    for e in entries:
        w = key_w + gap_key + text_width(e.label, size)
        if rows and len(rows[-1]) < ncol and used + gap_item + w <= max_width:
            rows[-1].append((e, w))
            used += gap_item + w
        else:
            rows.append([(e, w)])
            used = w
    for r, row in enumerate(rows):
        widths = [w for _, w in row]
        total = sum(widths) + gap_item * (len(row) - 1)
        if right_x is not None:
            x = right_x - total
        else:
            x = (centre_x or 0.0) - total / 2
        ymid = top + r * row_h + row_h / 2
        for e, w in row:
            out.extend(_legend_key(e, x, ymid, key_w))
            out.append(Text(x + key_w + gap_key, ymid + 0.35 * size, e.label, size))
            x += w + gap_item
    return out, row_h * len(rows)


def _legend_key(e: LegendEntry, x: float, ymid: float, key_w: float) -> list[Mark]:
    seg = np.array([[x, ymid], [x + key_w, ymid]])
    box = np.array(
        [[x, ymid - 4.0], [x + key_w, ymid - 4.0], [x + key_w, ymid + 4.0], [x, ymid + 4.0]]
    )
    if e.key == "band_line":
        return [
            Path((box,), fill=e.colour, fill_opacity=e.opacity, closed=True),
            Path((seg,), e.colour, e.width),
        ]
    if e.key == "patch":
        return [Path((box,), fill=e.colour, fill_opacity=e.opacity, closed=True)]
    if e.key == "dashed":
        return [Path((seg,), e.colour, e.width, dash=dashes(e.width))]
    return [Path((seg,), e.colour, e.width)]

"""The report's figures, drawn by kinchain on plain arrays: no matplotlib on the report path.

Each figure is described once as a :class:`~kinchain.report.figure_model.FigureModel` and drawn
from that same model twice: SVG markup for the HTML report (:mod:`kinchain.report.svg_plot`) and
a reportlab vector drawing for the PDF (:mod:`kinchain.report.rl_plot`, through
:meth:`RenderedFigure.flowable`). Colours follow the gait-lab convention: left red, right green,
the normative band (mean ± 1 SD) grey.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from reportlab.graphics.shapes import Drawing

from kinchain.analysis import GaitAnalysis
from kinchain.gait.cycles_types import CycleSet
from kinchain.gait.normative import GPS_VARIABLES
from kinchain.report.figure_model import (
    Area,
    Axes,
    Bar,
    DataMark,
    FigureModel,
    GridMark,
    HLine,
    Label,
    LegendEntry,
    Line,
    Mark,
    VLine,
    auto_yticks,
    dashes,
    data_range,
    legend,
    nice_ticks,
    scene,
    text_width,
    tick_labels,
)
from kinchain.report.rl_plot import VectorFigure, to_drawing
from kinchain.report.svg_plot import to_svg
from kinchain.session import SessionAnalysis

LEFT = "#d62728"
RIGHT = "#2ca02c"
BAND = "#c8c8c8"
ZERO = "#888888"
SIDE_COLOUR = {"left": LEFT, "right": RIGHT}
_PREFIX = {"left": "L", "right": "R"}
STRIDE_LW = 0.6
STRIDE_ALPHA = 0.35
MEAN_LW = 1.6
FOOT_OFF_LW = 0.8
SIDE_BAND_ALPHA = 0.15
PT_PER_IN = 72.0
#: One colour per trial (matplotlib's tab10, red and green last: they mean left and right).
TRIAL_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#d62728",
    "#2ca02c",
)
_X_PERCENT = tuple((float(v), str(v)) for v in range(0, 101, 20))


@dataclass(frozen=True)
class Panel:
    """One plot: a Plug-in Gait variable (no side prefix), a component and how to label it."""

    variable: str
    component: int
    title: str
    unit: str


@dataclass(frozen=True, eq=False)
class RenderedFigure:
    """A figure as inline SVG markup (HTML) and as a reportlab drawing (PDF), from one model.

    ``width_in`` x ``height_in`` is its size in inches (its aspect ratio). :meth:`flowable` is
    the PDF's vector drawing; :attr:`png` (a raster of the same figure, drawn by the old
    matplotlib path on first use) is kept only for a PDF writer that still embeds images."""

    name: str
    svg: str
    width_in: float
    height_in: float
    model: FigureModel = field(repr=False)
    marks: list[Mark] = field(repr=False)
    png_source: Callable[[], bytes] | None = field(default=None, repr=False)

    def flowable(self, max_width: float, max_height: float | None = None) -> VectorFigure:
        """The figure as a reportlab Flowable drawn in vectors, scaled to ``max_width`` points
        wide, or less so that it is at most ``max_height`` points high."""
        return VectorFigure(self.model, self._scale(max_width, max_height), self.marks)

    def drawing(self, max_width: float, max_height: float | None = None) -> Drawing:
        """The same as a reportlab graphics :class:`Drawing` (shapes), for reportlab's
        renderers; slower to write into a PDF than :meth:`flowable`."""
        return to_drawing(self.model, self._scale(max_width, max_height), self.marks)

    def _scale(self, max_width: float, max_height: float | None) -> float:
        scale = max_width / self.model.width
        if max_height is not None:
            scale = min(scale, max_height / self.model.height)
        return scale

    @cached_property
    def png(self) -> bytes:
        """PNG bytes of the figure (150 dpi), drawn when first asked for."""
        if self.png_source is None:
            raise ValueError(f"figure {self.name!r}: no PNG source")
        return self.png_source()


def _rendered(
    model: FigureModel, name: str, png_source: Callable[[], bytes] | None
) -> RenderedFigure:
    marks = scene(model)
    return RenderedFigure(
        name,
        to_svg(model, marks),
        model.width / PT_PER_IN,
        model.height / PT_PER_IN,
        model,
        marks,
        png_source,
    )


def _grid(
    n: int,
    ncols: int,
    width: float,
    height: float,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    hspace: float = 0.45,
    wspace: float = 0.3,
) -> list[tuple[float, float, float, float]]:
    """``(left, top, width, height)`` of ``n`` axes in a grid of ``ncols`` columns, inside the
    margins (points), with gaps of ``wspace`` / ``hspace`` times the axes' width / height (as
    matplotlib's ``subplots_adjust``)."""
    nrows = -(-n // ncols)
    w = (width - left - right) / (ncols + wspace * (ncols - 1))
    h = (height - top - bottom) / (nrows + hspace * (nrows - 1))
    return [
        (left + (k % ncols) * w * (1 + wspace), top + (k // ncols) * h * (1 + hspace), w, h)
        for k in range(n)
    ]


def _curve_axes(
    box: tuple[float, float, float, float],
    marks: list[DataMark],
    values: list[np.ndarray],
    title: str,
    unit: str,
    xlabel: bool,
) -> Axes:
    """An axes over 0-100 % of the gait cycle whose y range holds ``values`` and zero."""
    left, top, w, h = box
    ylim = data_range(values, include=(0.0,))
    yt = auto_yticks(ylim, h)
    return Axes(
        left,
        top,
        w,
        h,
        (0.0, 100.0),
        ylim,
        xticks=_X_PERCENT,
        yticks=tuple(zip(yt.tolist(), tick_labels(yt), strict=True)),
        title=title,
        xlabel="% of gait cycle" if xlabel else "",
        ylabel=unit,
        marks=marks,
    )


def _strides_line(strides: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All strides ``(k, 101)`` as one polyline, a NaN between strides (so one path per side)."""
    k = strides.shape[0]
    ys = np.concatenate([strides, np.full((k, 1), np.nan)], axis=1).ravel()
    xs = np.tile(np.append(x, np.nan), k)
    return xs, ys


KINEMATIC_PANELS: tuple[Panel, ...] = (
    Panel("PelvisAngles", 0, "Pelvic tilt (anterior +)", "deg"),
    Panel("PelvisAngles", 1, "Pelvic obliquity (up +)", "deg"),
    Panel("PelvisAngles", 2, "Pelvic rotation (internal +)", "deg"),
    Panel("HipAngles", 0, "Hip flexion", "deg"),
    Panel("HipAngles", 1, "Hip adduction", "deg"),
    Panel("HipAngles", 2, "Hip rotation (internal +)", "deg"),
    Panel("KneeAngles", 0, "Knee flexion", "deg"),
    Panel("KneeAngles", 1, "Knee adduction (varus +)", "deg"),
    Panel("KneeAngles", 2, "Knee rotation (internal +)", "deg"),
    Panel("AnkleAngles", 0, "Ankle dorsiflexion", "deg"),
    Panel("AnkleAngles", 1, "Ankle inversion (CGM1, indicative)", "deg"),
    Panel("FootProgressAngles", 2, "Foot progression (internal +)", "deg"),
)

KINETIC_PANELS: tuple[Panel, ...] = (
    Panel("HipMoment", 0, "Hip extensor moment", "N·m/kg"),
    Panel("HipMoment", 1, "Hip abductor moment", "N·m/kg"),
    Panel("HipPower", 2, "Hip power (generation +)", "W/kg"),
    Panel("KneeMoment", 0, "Knee extensor moment", "N·m/kg"),
    Panel("KneeMoment", 1, "Knee abductor moment", "N·m/kg"),
    Panel("KneePower", 2, "Knee power (generation +)", "W/kg"),
    Panel("AnkleMoment", 0, "Ankle plantarflexor moment", "N·m/kg"),
    Panel("AnkleMoment", 1, "Ankle frontal moment", "N·m/kg"),
    Panel("AnklePower", 2, "Ankle power (generation +)", "W/kg"),
)


def _side_curves(
    cset: CycleSet, label: str, component: int, kinetics: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Usable strides ``(k, 101)``, their mean and their SD (ddof=1) ``(101,)``.

    The mean is NaN where no stride has data, the SD where fewer than two have. For kinetics
    only the strides whose stance had valid kinetics are used, so that a stance on a force plate
    is never averaged with swings of other strides."""
    nothing = np.full(101, np.nan)
    if label not in cset.curves:
        return np.empty((0, 101)), nothing, nothing
    keep_rows = cset.usable()
    if kinetics:
        keep_rows = keep_rows & np.array([c.kinetics_valid for c in cset.cycles], dtype=bool)
    data = cset.curves[label][keep_rows][:, :, component]
    keep = np.isfinite(data).any(axis=1)
    data = data[keep]
    if data.shape[0] == 0:
        return data, nothing, nothing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.asarray(np.nanmean(data, axis=0))
        count = np.isfinite(data).sum(axis=0)
        sd = np.where(count >= 2, np.nanstd(data, axis=0, ddof=1), np.nan)
    return data, mean, np.asarray(sd)


def foot_off_pct(cset: CycleSet) -> float:
    """Mean foot off over the usable strides, % of the stride (NaN if none)."""
    vals = [
        (c.foot_off - c.start) / (c.end - c.start) * 100.0
        for c in cset.cycles
        if c.valid and not c.outlier and np.isfinite(c.foot_off) and c.end > c.start
    ]
    return float(np.mean(vals)) if vals else float("nan")


def curves_figure(
    analysis: GaitAnalysis, panels: tuple[Panel, ...], name: str, ncols: int = 3
) -> RenderedFigure:
    """A grid of time-normalised curves: each side's mean (bold), ± 1 SD band (light) and usable
    strides (thin, one path per side) over the normative band, with each side's mean foot off
    as a dashed line; a legend row on top."""
    nrows = -(-len(panels) // ncols)
    width, height = 10.0 * PT_PER_IN, (2.15 * nrows + 0.5) * PT_PER_IN
    boxes = _grid(
        len(panels), ncols, width, height,
        left=0.065 * width, right=0.01 * width, top=0.55 * PT_PER_IN, bottom=0.5 * PT_PER_IN,
    )  # fmt: skip
    x = np.arange(101, dtype=float)
    norm = analysis.normative
    drawn: set[str] = set()
    fig = FigureModel(width, height, title=name.capitalize())
    for k, panel in enumerate(panels):
        kinetic = not panel.variable.endswith("Angles")
        marks: list[DataMark] = []
        values: list[np.ndarray] = []
        if norm is not None and norm.has(panel.variable):
            m = norm.mean_of(panel.variable)[:, panel.component]
            s = norm.sd_of(panel.variable)[:, panel.component]
            if np.isfinite(m).any() and np.isfinite(s).any():
                marks.append(Area(x, m - s, m + s, BAND))
                values += [m - s, m + s]
        strides_lines: list[DataMark] = []
        means: list[DataMark] = []
        for side in ("left", "right"):
            cset = analysis.cycles[side]
            strides, mean, sd = _side_curves(
                cset, _PREFIX[side] + panel.variable, panel.component, kinetic
            )
            if strides.shape[0] == 0:
                continue
            drawn.add(side)
            colour = SIDE_COLOUR[side]
            marks.append(Area(x, mean - sd, mean + sd, colour, SIDE_BAND_ALPHA))
            fo = foot_off_pct(cset)
            if np.isfinite(fo):
                marks.append(VLine(fo, colour, FOOT_OFF_LW, dashes(FOOT_OFF_LW)))
            xs, ys = _strides_line(strides, x)
            strides_lines.append(Line(xs, ys, colour, STRIDE_LW, STRIDE_ALPHA))
            values += [strides, mean - sd, mean + sd]
            means.append(Line(x, mean, colour, MEAN_LW))
        marks.append(HLine(0.0, ZERO, 0.5))
        # The grid over the bands (as matplotlib's), the strides over the grid, the means over
        # all the strides.
        marks.append(GridMark())
        marks += strides_lines + means
        fig.axes.append(
            _curve_axes(boxes[k], marks, values, panel.title, panel.unit, k // ncols == nrows - 1)
        )

    def side_label(side: str) -> str:
        if side not in drawn:
            return f"{side.capitalize()} (no stride with data)"
        return f"{side.capitalize()} (mean ± 1 SD, strides thin)"

    entries = [
        LegendEntry("band_line", LEFT, side_label("left"), SIDE_BAND_ALPHA),
        LegendEntry("band_line", RIGHT, side_label("right"), SIDE_BAND_ALPHA),
        LegendEntry("patch", BAND, "Normative mean ± 1 SD"),
        LegendEntry("dashed", "#555555", "Foot off", width=FOOT_OFF_LW),
    ]
    fig.extra.extend(
        legend(entries, centre_x=width / 2, top=4.0, size=8.0, ncol=4, max_width=width - 20)[0]
    )

    def png() -> bytes:
        from kinchain.report import plots_mpl

        out = plots_mpl.curves_figure(analysis, panels, name, ncols, formats=("png",)).png
        assert out is not None
        return out

    return _rendered(fig, name, png)


def map_figure(analysis: GaitAnalysis) -> RenderedFigure | None:
    """Movement Analysis Profile: GVS per variable and side, and each side's GPS (Baker 2009),
    as horizontal bars with their values; the GPS row last, in bold, below a rule."""
    comp = analysis.comparison
    if comp is None:
        return None
    table = comp.map_table
    rows = list(table.index)
    n = len(rows)
    y = np.arange(n, dtype=float)[::-1]
    labels = [r.replace("_", " ") if r != "GPS" else "GPS" for r in rows]
    gps_row = rows.index("GPS") if "GPS" in rows else None
    tick_size, title_size, label_size = 7.0, 8.5, 7.5
    width, height = 7.5 * PT_PER_IN, (0.36 * n + 0.9) * PT_PER_IN
    widest = max(
        (text_width(lab, tick_size, i == gps_row) for i, lab in enumerate(labels)), default=0.0
    )
    left = 6.0 + widest + 3.5 + 3.5
    top = 8.0 + 1.55 * 8.0 + 6.0
    bottom = 3.5 + 3.5 + 0.75 * tick_size + 4.0 + 0.8 * label_size + 8.0
    box_w, box_h = width - left - 12.0, height - top - bottom
    h = 0.38
    marks: list[DataMark] = []
    ends: list[np.ndarray] = [np.array([0.0])]
    sides = [s for s in ("left", "right") if s in table.columns]
    for offset, side in ((h / 2, "left"), (-h / 2, "right")):
        if side not in sides:
            continue
        vals = table[side].to_numpy(dtype=float)
        ends.append(vals)
        for yy, v in zip(y + offset, vals, strict=True):
            marks.append(
                Bar(0.0, float(np.nan_to_num(v)), yy - h / 2, yy + h / 2, SIDE_COLOUR[side])
            )
            if np.isfinite(v):
                marks.append(Label(float(v) + 0.15, float(yy), f"{v:.1f}", 6.5))  # as before
    if gps_row is not None:
        marks.append(HLine(float(y[gps_row]) + 0.5, ZERO, 0.6))
    finite = table.to_numpy(dtype=float)
    xmax = float(np.nanmax(finite)) if finite.size and np.isfinite(finite).any() else 1.0
    xlim = (0.0, xmax * 1.15 + 0.5)
    ylim = data_range([np.array([y.min() - h, y.max() + h])]) if n else (-1.0, 1.0)
    xt = nice_ticks(*xlim, nbins=int(np.clip(box_w // (3 * tick_size), 1, 9)))
    ax = Axes(
        left,
        top,
        box_w,
        box_h,
        xlim,
        ylim,
        xticks=tuple(zip(xt.tolist(), tick_labels(xt), strict=True)),
        yticks=tuple(zip(y.tolist(), labels, strict=True)),
        bold_yticks=frozenset({gps_row} if gps_row is not None else set()),
        title=f"Movement Analysis Profile — overall GPS {comp.gps_overall:.1f}°",
        title_size=title_size,
        xlabel="Gait Variable Score / Gait Profile Score, deg (0 = the normative mean)",
        label_size=label_size,
        tick_size=tick_size,
        grid="x",
        marks=marks,
    )
    fig = FigureModel(width, height, [ax], title="Movement Analysis Profile")
    entries = [LegendEntry("patch", SIDE_COLOUR[s], s.capitalize()) for s in sides]
    fig.extra.extend(
        legend(entries, right_x=left + box_w, top=top - 1.55 * 8.0 - 5.0, size=8.0, ncol=2)[0]
    )

    def png() -> bytes:
        from kinchain.report import plots_mpl

        out = plots_mpl.map_figure(analysis, formats=("png",))
        assert out is not None and out.png is not None
        return out.png

    return _rendered(fig, "map", png)


def trial_means_figure(session: SessionAnalysis) -> RenderedFigure:
    """Each trial's mean curve of the nine Gait Profile Score angles (left solid, right dashed,
    one colour per trial, numbered T1, T2… as in the report), to see which trial differs."""
    titles = {(p.variable, p.component): p.title for p in KINEMATIC_PANELS}
    used = session.used()
    x = np.arange(101, dtype=float)
    width, height = 10.0 * PT_PER_IN, 7.0 * PT_PER_IN
    entries = [
        LegendEntry("line", TRIAL_COLOURS[i % 10], f"T{i + 1} {t.name}", width=1.4)
        for i, t in enumerate(used)
    ]
    entries += [
        LegendEntry("line", "#555555", "left", width=1.1),
        LegendEntry("dashed", "#555555", "right", width=1.1),
    ]
    key, key_h = legend(
        entries, centre_x=width / 2, top=4.0, size=7.5, ncol=5, max_width=width - 20
    )
    boxes = _grid(
        len(GPS_VARIABLES), 3, width, height,
        left=0.065 * width, right=0.01 * width, top=key_h + 0.35 * PT_PER_IN,
        bottom=0.07 * height,
    )  # fmt: skip
    fig = FigureModel(width, height, title="Trial means")
    for k, (name, (variable, col)) in enumerate(GPS_VARIABLES.items()):
        marks: list[DataMark] = [HLine(0.0, ZERO, 0.5)]
        values: list[np.ndarray] = []
        for i, t in enumerate(used):
            assert t.analysis is not None
            for side, dash in (("left", None), ("right", dashes(1.1))):
                cset = t.analysis.cycles[side]  # type: ignore[index]
                label = _PREFIX[side] + variable
                if label not in cset.curves or not cset.usable().any():
                    continue
                mean = cset.mean(label)[:, col]
                marks.append(Line(x, mean, TRIAL_COLOURS[i % 10], 1.1, dash=dash))
                values.append(mean)
        title = titles.get((variable, col), name.replace("_", " "))
        fig.axes.append(_curve_axes(boxes[k], marks, values, title, "deg", k // 3 == 2))
    fig.extra.extend(key)

    def png() -> bytes:
        from kinchain.report import plots_mpl

        out = plots_mpl.trial_means_figure(session, formats=("png",)).png
        assert out is not None
        return out

    return _rendered(fig, "trial_means", png)

"""The report's vector figure model on synthetic marks whose drawing is known analytically: data to
figure points, the SVG path data and the PDF path operators, NaN breaking a line, band polygons,
nice ticks (against matplotlib's MaxNLocator), tick labels, and the same scene built into a PDF
(the report's Flowable and reportlab's graphics shapes)."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.ticker import MaxNLocator
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from kinchain.report.figure_model import (
    Area,
    Axes,
    FigureModel,
    GridMark,
    HLine,
    LegendEntry,
    Line,
    Path,
    Text,
    VLine,
    area_parts,
    data_range,
    legend,
    line_parts,
    nice_ticks,
    scene,
    tick_labels,
)
from kinchain.report.rl_plot import VectorFigure, path_operators, to_drawing
from kinchain.report.svg_plot import path_data, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def _axes(**kw: object) -> Axes:
    """A 100 x 50 pt box at (10, 20) over x 0..100 and y -1..1."""
    return Axes(10.0, 20.0, 100.0, 50.0, (0.0, 100.0), (-1.0, 1.0), **kw)  # type: ignore[arg-type]


def test_data_maps_to_figure_points() -> None:
    ax = _axes()
    np.testing.assert_allclose(ax.px(np.array([0.0, 50.0, 100.0])), [10.0, 60.0, 110.0])
    # y up in data, down on the figure: -1 at the bottom (20 + 50), 1 at the top.
    np.testing.assert_allclose(ax.py(np.array([-1.0, 0.0, 1.0])), [70.0, 45.0, 20.0])


def test_known_line_gives_known_svg_coordinates() -> None:
    line = Line(np.array([0.0, 50.0, 100.0]), np.array([-1.0, 0.0, 1.0]), "#d62728", 1.6)
    fig = FigureModel(200.0, 100.0, [_axes(marks=[line])])
    paths = [m for m in scene(fig) if isinstance(m, Path) and m.stroke == "#d62728"]
    assert len(paths) == 1
    (part,) = paths[0].parts
    np.testing.assert_allclose(part, [[10, 70], [60, 45], [110, 20]])
    # In the SVG: tenths of a point, whole numbers.
    # In the SVG: tenths of a point, whole numbers, each point after the first relative.
    assert path_data(paths[0].parts, closed=False) == "M100 700l500-250 500-250"
    root = ET.fromstring(to_svg(fig))
    assert root.get("viewBox") == "0 0 2000 1000"
    red = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#d62728"]
    assert [p.get("d") for p in red] == ["M100 700l500-250 500-250"]
    assert red[0].get("stroke-width") == "16"


def test_svg_rounds_to_a_tenth_of_a_point() -> None:
    part = np.array([[1.04, 2.06], [3.149, -0.04]])
    assert path_data((part,), closed=True) == "M10 21l21-21Z"


def test_relative_svg_steps_add_up_to_the_rounded_points() -> None:
    rng = np.random.default_rng(3)
    pts = np.cumsum(rng.normal(0.0, 3.0, size=(500, 2)), axis=0) + 200.0
    d = path_data((pts,), closed=False)
    head, tail = d[1:].split("l")
    numbers = [int(v) for v in re.findall(r"-?\d+", tail)]
    start = np.array([int(v) for v in head.split()])
    back = np.vstack([start, start + np.cumsum(np.reshape(numbers, (-1, 2)), axis=0)])
    np.testing.assert_array_equal(back, np.rint(pts * 10))


def test_nan_breaks_a_line_and_a_lone_point_draws_nothing() -> None:
    x = np.arange(7.0)
    y = np.array([0.0, 1.0, np.nan, 2.0, 3.0, np.nan, 4.0])
    parts = line_parts(x, y)
    assert len(parts) == 2
    np.testing.assert_array_equal(parts[0], [[0, 0], [1, 1]])
    np.testing.assert_array_equal(parts[1], [[3, 2], [4, 3]])
    assert path_data(parts, closed=False) == "M0 0l10 10M30 20l10 10"


def test_band_is_upper_edge_forward_then_lower_edge_back_per_finite_run() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    lo = np.array([0.0, 0.0, np.nan, 1.0, 1.0])
    hi = np.array([2.0, 3.0, 4.0, 5.0, 6.0])
    parts = area_parts(x, lo, hi)
    assert len(parts) == 2
    np.testing.assert_array_equal(parts[0], [[0, 2], [1, 3], [1, 0], [0, 0]])
    np.testing.assert_array_equal(parts[1], [[3, 5], [4, 6], [4, 1], [3, 1]])
    band = Area(x, lo, hi, "#c8c8c8")
    ax = Axes(0.0, 0.0, 4.0, 6.0, (0.0, 4.0), (0.0, 6.0), marks=[band], grid="none")
    (poly,) = [m for m in scene(FigureModel(4.0, 6.0, [ax])) if m.fill == "#c8c8c8"]  # type: ignore[union-attr]
    assert isinstance(poly, Path) and poly.closed and poly.stroke is None
    # y flipped: data 2 at the top of a 6 pt box is 4 pt down.
    np.testing.assert_allclose(poly.parts[0], [[0, 4], [1, 3], [1, 6], [0, 6]])


def test_vertical_and_zero_lines_span_the_axes() -> None:
    ax = _axes(marks=[VLine(25.0, "#2ca02c", 0.8, (2.96, 1.28)), HLine(0.0, "#888888", 0.5)])
    marks = scene(FigureModel(200.0, 100.0, [ax]))
    (v,) = [m for m in marks if isinstance(m, Path) and m.stroke == "#2ca02c"]
    np.testing.assert_allclose(v.parts[0], [[35, 20], [35, 70]])
    assert v.dash == (2.96, 1.28)
    (h,) = [m for m in marks if isinstance(m, Path) and m.stroke == "#888888"]
    np.testing.assert_allclose(h.parts[0], [[10, 45], [110, 45]])


def test_grid_is_drawn_where_the_grid_mark_is() -> None:
    line = Line(np.array([0.0, 100.0]), np.array([0.0, 0.0]), "#d62728", 1.0)
    band = Area(np.array([0.0, 100.0]), np.array([-1.0, -1.0]), np.array([1.0, 1.0]), "#c8c8c8")
    ticks = ((0.0, "0"), (100.0, "100"))
    for marks, grid_at in (([band, line], 0), ([band, GridMark(), line], 1)):
        paths = [m for m in scene(FigureModel(200, 100, [_axes(marks=marks, xticks=ticks)]))
                 if isinstance(m, Path)]  # fmt: skip
        assert [p.stroke for p in paths].index("#eeeeee") == grid_at


@pytest.mark.parametrize(
    ("vmin", "vmax", "nbins", "expected"),
    [
        (0.0, 1.0, 5, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),  # step 1/5 = 0.2 exactly
        (-10.65, 2.79, 7, [-10, -8, -6, -4, -2, 0, 2]),  # 13.44 / 7 = 1.92 -> 2
        (-5.67, 70.62, 7, [0, 20, 40, 60]),  # 76.3 / 7 = 10.9 -> 20
        (0.0, 12.4, 9, [0, 2, 4, 6, 8, 10, 12]),  # 1.38 -> 2
        (-0.83, 1.62, 7, [-0.5, 0.0, 0.5, 1.0, 1.5]),  # 0.35 -> 0.5
        (3.0, 3.5, 1, [3.0, 3.5]),  # 0.5 -> 0.5
        (0.1, 0.9, 1, [0.2, 0.4, 0.6, 0.8]),  # 0.8 -> 1: no tick inside, 0.5: one, so 0.2
    ],
)
def test_nice_ticks_for_known_ranges(
    vmin: float, vmax: float, nbins: int, expected: list[float]
) -> None:
    np.testing.assert_allclose(nice_ticks(vmin, vmax, nbins), expected, atol=1e-12)


def test_nice_ticks_match_matplotlib_maxnlocator_on_random_ranges() -> None:
    rng = np.random.default_rng(13)
    for _ in range(2000):
        vmin = float(rng.normal() * 10.0 ** rng.integers(-3, 4))
        vmax = vmin + float(abs(rng.normal()) * 10.0 ** rng.integers(-3, 4))
        if vmax <= vmin:
            continue
        nbins = int(rng.integers(1, 10))
        ref = MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10]).tick_values(vmin, vmax)
        tol = 1e-9 * (vmax - vmin)
        ref = ref[(ref >= vmin - tol) & (ref <= vmax + tol)]
        np.testing.assert_allclose(nice_ticks(vmin, vmax, nbins), ref, rtol=1e-9, atol=tol)


def test_nice_ticks_refuse_an_empty_range() -> None:
    with pytest.raises(ValueError):
        nice_ticks(1.0, 1.0)
    with pytest.raises(ValueError):
        nice_ticks(0.0, math.nan)


def test_tick_labels_share_their_decimals_and_use_a_true_minus() -> None:
    assert tick_labels(np.array([-10.0, -5.0, 0.0, 5.0])) == ("\u221210", "\u22125", "0", "5")
    assert tick_labels(np.array([-0.5, 0.0, 0.5, 1.0])) == ("\u22120.5", "0.0", "0.5", "1.0")
    assert tick_labels(np.array([0.02, 0.04])) == ("0.02", "0.04")
    assert tick_labels(np.array([-1e-17, 1.0])) == ("0", "1")


def test_data_range_has_five_percent_margins_and_holds_the_included_values() -> None:
    assert data_range([np.array([2.0, np.nan, 4.0])]) == pytest.approx((1.9, 4.1))
    assert data_range([np.array([2.0, 4.0])], include=(0.0,)) == pytest.approx((-0.2, 4.2))
    assert data_range([np.array([np.nan])]) == (-1.0, 1.0)
    assert data_range([np.array([3.0])]) == (2.0, 4.0)


def _figure_with_text() -> FigureModel:
    line = Line(np.array([0.0, 50.0, 100.0]), np.array([-1.0, np.nan, 1.0]), "#d62728", 1.0)
    ax = _axes(
        marks=[line],
        xticks=((0.0, "0"), (100.0, "100")),
        yticks=((-1.0, "\u22121"), (1.0, "1")),
        title="Knee flexion & <extension>",
        ylabel="deg",
    )
    return FigureModel(200.0, 100.0, [ax], [Text(100.0, 10.0, "Foot off ± 1 SD", 8.0)])


def test_svg_is_well_formed_and_escapes_text() -> None:
    root = ET.fromstring(to_svg(_figure_with_text()))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Knee flexion & <extension>" in texts
    assert "Foot off ± 1 SD" in texts
    (ylabel,) = [t for t in root.iter(f"{SVG}text") if t.text == "deg"]
    # Turned to read upwards about its anchor, halfway down the box (20 + 50 / 2 pt).
    assert ylabel.get("y") == "450" and ylabel.get("text-anchor") == "middle"
    assert ylabel.get("transform") == f"rotate(-90 {ylabel.get('x')} 450)"


def test_reportlab_drawing_of_the_same_scene_builds_into_a_pdf() -> None:
    fig = _figure_with_text()
    drawing = to_drawing(fig, scale=2.0)
    assert (drawing.width, drawing.height) == (400.0, 200.0)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build([drawing])
    page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    text = page.extract_text()
    assert "Knee flexion & <extension>" in text
    assert "Foot off ± 1 SD" in text
    assert "-1" in text  # the true minus is set as a hyphen in Helvetica
    resources = page.get("/Resources") or {}
    assert "/XObject" not in resources  # vectors, no image


def test_pdf_path_operators_in_tenths_of_a_point() -> None:
    stroke = Path((np.array([[1.0, 2.0], [3.0, 4.06]]),), "#ff0000", 0.5, dash=(3.0, 1.0))
    assert path_operators(stroke) == (
        "1.000 0.000 0.000 RG 5.00 w\n[30.00 10.00] 0 d\n10 20 m 30 41 l\nS"
    )
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    filled = Path((square, square + 2.0), fill="#0000ff", closed=True)
    assert path_operators(filled) == (
        "0.000 0.000 1.000 rg\n0 0 m 10 0 l 10 10 l h\n20 20 m 30 20 l 30 30 l h\nf"
    )


def test_vector_flowable_builds_into_a_pdf_without_an_image() -> None:
    fig = _figure_with_text()
    flowable = VectorFigure(fig, scale=0.5)
    assert flowable.wrap(1000.0, 1000.0) == (100.0, 50.0)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build([flowable])
    page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    text = page.extract_text()
    for words in ("Knee flexion & <extension>", "Foot off ± 1 SD", "deg", "-1", "100"):
        assert words in text
    assert "/XObject" not in (page.get("/Resources") or {})
    # The spines' operators are in the page, under the tenths-of-a-point, y-down transform;
    # the red line, two lone points between NaN, draws nothing.
    content = page.get_contents().get_data().decode("latin-1")
    assert "0.1 0 0 -0.1 0 100.00 cm" in content
    assert "0.000 0.000 0.000 RG 8.00 w\n[] 0 d\n100 200 m 100 700 l 1100 700 l\nS" in content
    assert "0.839 0.153 0.157 RG" not in content


def test_legend_rows_wrap_at_the_width_and_the_column_count() -> None:
    # An entry with an empty label is its 20 pt key and the 5 pt gap to the label: 25 pt;
    # entries are 16 pt apart, and a row is 1.55 times the font size tall.
    entries = [LegendEntry("line", "#000000", "")] * 3
    assert legend(entries, centre_x=0, top=0, size=10, max_width=60)[1] == pytest.approx(46.5)
    assert legend(entries, centre_x=0, top=0, size=10, max_width=100)[1] == pytest.approx(31.0)
    assert legend(entries, centre_x=0, top=0, size=10, ncol=1)[1] == pytest.approx(46.5)
    marks, height = legend(entries, centre_x=0, top=0, size=10)
    assert height == pytest.approx(15.5)
    keys = [m for m in marks if isinstance(m, Path)]
    # One row centred on 0: 3 * 25 + 2 * 16 = 107 pt wide, the first key from -53.5 to -33.5.
    np.testing.assert_allclose(keys[0].parts[0], [[-53.5, 7.75], [-33.5, 7.75]])

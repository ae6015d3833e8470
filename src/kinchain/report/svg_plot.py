"""SVG markup of a :class:`~kinchain.report.figure_model.FigureModel`, by string building.

Coordinates are figure points rounded to 0.1, written as whole tenths of a point (the
``viewBox`` is the figure's size in tenths of a point), relative to the point before; a
:class:`~kinchain.report.figure_model.Path` with several parts is one ``<path>``. Text is SVG
text in the HTML report's sans-serif stack (the page's font), so the markup stays small.
"""

from __future__ import annotations

from html import escape

import numpy as np

from kinchain.report.figure_model import FigureModel, Mark, Path, Text, scene

_FONT_STACK = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"


#: The markup's unit: a tenth of a point, so every coordinate is a whole number (the figure's
#: coordinates rounded to 0.1 pt) and the numbers are written without a decimal point.
UNIT = 10


def _n(v: float) -> str:
    """``v`` points in tenths of a point, as a whole number."""
    return str(round(float(v) * UNIT))


def _num(v: float) -> str:
    """A size (font, stroke width) in tenths of a point, with at most one decimal."""
    s = f"{v * UNIT:.1f}"
    return s[:-2] if s.endswith(".0") else s


def path_data(parts: tuple[np.ndarray, ...], closed: bool) -> str:
    """The ``d`` attribute, in tenths of a point: per part, ``M x y`` (absolute) then ``l dx dy
    ...`` (each point relative to the one before: short numbers; taken between the rounded
    absolute points, so rounding does not accumulate), ``Z`` after each when closed. A minus
    sign separates numbers by itself (``l5-3``), as SVG allows."""
    out = []
    end = "Z" if closed else ""
    for p in parts:
        v = np.rint(np.asarray(p, dtype=float) * UNIT).astype(np.int64)
        steps = " ".join(map(str, np.diff(v, axis=0).ravel().tolist())).replace(" -", "-")
        out.append(f"M{v[0, 0]} {v[0, 1]}l{steps}{end}")
    return "".join(out)


def _path(p: Path) -> str:
    attrs = [f'd="{path_data(p.parts, p.closed)}"']
    if p.fill is None:
        attrs.append('fill="none"')
    else:
        attrs.append(f'fill="{p.fill}"')
        if p.fill_opacity < 1:
            attrs.append(f'fill-opacity="{p.fill_opacity:g}"')
    if p.stroke is not None:
        attrs.append(f'stroke="{p.stroke}" stroke-width="{_num(p.width)}"')
        if p.stroke_opacity < 1:
            attrs.append(f'stroke-opacity="{p.stroke_opacity:g}"')
        if p.dash:
            attrs.append(f'stroke-dasharray="{" ".join(_num(d) for d in p.dash)}"')
    return f"<path {' '.join(attrs)}/>"


def _text(t: Text) -> str:
    x, y = _n(t.x), _n(t.y)
    attrs = [f'x="{x}" y="{y}" font-size="{_num(t.size)}"']
    if t.anchor != "start":
        attrs.append(f'text-anchor="{t.anchor}"')
    if t.bold:
        attrs.append('font-weight="bold"')
    if t.colour != "#000000":
        attrs.append(f'fill="{t.colour}"')
    if t.rotate:
        attrs.append(f'transform="rotate({-t.rotate} {x} {y})"')
    return f"<text {' '.join(attrs)}>{escape(t.text, quote=False)}</text>"


def _mark(m: Mark) -> str:
    return _path(m) if isinstance(m, Path) else _text(m)


def to_svg(fig: FigureModel, marks: list[Mark] | None = None) -> str:
    """The figure as one ``<svg>`` element (no XML declaration): ``width`` and ``height`` in
    points, the ``viewBox`` (the drawing's units) in tenths of a point; its title is the
    accessible name. ``marks``: the figure's :func:`~kinchain.report.figure_model.scene`, when
    already computed."""
    w, h = _n(fig.width), _n(fig.height)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        f'width="{fig.width:.1f}pt" height="{fig.height:.1f}pt" role="img" '
        f'font-family="{_FONT_STACK}" stroke-linejoin="round" stroke-linecap="butt">'
    )
    title = f"<title>{escape(fig.title, quote=False)}</title>" if fig.title else ""
    body = "".join(_mark(m) for m in (scene(fig) if marks is None else marks))
    return f'{head}{title}<rect width="{w}" height="{h}" fill="#ffffff"/>{body}</svg>'

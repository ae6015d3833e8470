"""A reportlab vector drawing of a :class:`~kinchain.report.figure_model.FigureModel`, for the
PDF: the same scene as the SVG (:mod:`kinchain.report.svg_plot`), as reportlab shapes, so the
PDF gets vectors and no image is encoded.

The scene's y axis points down; reportlab's points up, so every y becomes ``height - y``.
Text is set in the built-in Helvetica (no font file to load or embed); the true minus sign of
the tick labels, which Helvetica's encoding lacks, is set as a hyphen.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.graphics.shapes import Path as RLPath
from reportlab.lib.colors import HexColor

from kinchain.report.figure_model import FONT, FONT_BOLD, FigureModel, Mark, Path, Text, scene


def _path(p: Path, height: float) -> RLPath:
    shape = RLPath(
        strokeColor=HexColor(p.stroke) if p.stroke else None,
        strokeWidth=p.width,
        fillColor=HexColor(p.fill) if p.fill else None,
        strokeLineJoin=1,
    )
    if p.stroke and p.stroke_opacity < 1:
        shape.strokeOpacity = p.stroke_opacity
    if p.fill and p.fill_opacity < 1:
        shape.fillOpacity = p.fill_opacity
    if p.dash:
        shape.strokeDashArray = list(p.dash)
    for part in p.parts:
        pts = part.tolist()
        x, y = pts[0]
        shape.moveTo(x, height - y)
        for x, y in pts[1:]:
            shape.lineTo(x, height - y)
        if p.closed:
            shape.closePath()
    return shape


def _text(t: Text, height: float) -> String | Group:
    text = t.text.replace("\u2212", "-")
    font = FONT_BOLD if t.bold else FONT
    colour = HexColor(t.colour)
    if t.rotate:
        s = String(
            0, 0, text, fontName=font, fontSize=t.size, fillColor=colour, textAnchor=t.anchor
        )
        # Rotate counter-clockwise by 90 degrees about the anchor point.
        return Group(s, transform=(0, 1, -1, 0, t.x, height - t.y))
    return String(
        t.x,
        height - t.y,
        text,
        fontName=font,
        fontSize=t.size,
        fillColor=colour,
        textAnchor=t.anchor,
    )


def to_drawing(fig: FigureModel, scale: float = 1.0, marks: list[Mark] | None = None) -> Drawing:
    """The figure as a reportlab :class:`~reportlab.graphics.shapes.Drawing` (a Flowable) of
    ``scale`` times the figure's size in points. ``marks``: the figure's
    :func:`~kinchain.report.figure_model.scene`, when already computed."""
    group = Group()
    for m in scene(fig) if marks is None else marks:
        group.add(_path(m, fig.height) if isinstance(m, Path) else _text(m, fig.height))
    if scale != 1.0:
        group.transform = (scale, 0, 0, scale, 0, 0)
    drawing = Drawing(fig.width * scale, fig.height * scale)
    drawing.add(group)
    return drawing

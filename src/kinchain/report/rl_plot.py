"""A :class:`~kinchain.report.figure_model.FigureModel` for the PDF, as vectors: the same scene
as the SVG (:mod:`kinchain.report.svg_plot`), so the PDF shows the same figure and no image is
encoded.

Two forms: :class:`VectorFigure`, the Flowable the report's PDF embeds, which writes the paths'
PDF operators itself (whole tenths of a point, as in the SVG; reportlab's shapes format every
coordinate in Python and cost ten times as much on the curve figures), and :func:`to_drawing`,
the same scene as reportlab graphics shapes (a ``Drawing``, for reportlab's own renderers).

The scene's y axis points down; PDF's points up, so every y becomes ``height - y``. Text is set
in the built-in Helvetica (no font file to load or embed); the true minus sign of the tick
labels, which Helvetica's encoding lacks, is set as a hyphen.
"""

from __future__ import annotations

import numpy as np
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.graphics.shapes import Path as RLPath
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

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


def _rgb(colour: str) -> str:
    c = HexColor(colour)
    return f"{c.red:.3f} {c.green:.3f} {c.blue:.3f}"


def path_operators(p: Path) -> str:
    """The PDF operators drawing ``p`` in a space of tenths of a point with y down (set by
    :class:`VectorFigure`): colours, width and dash, the sub-paths (``m``/``l``, ``h`` to
    close) and the painting operator (``S`` stroke, ``f`` fill, ``B`` both)."""
    ops = []
    if p.stroke:
        ops.append(f"{_rgb(p.stroke)} RG {p.width * 10:.2f} w")
        ops.append(f"[{' '.join(f'{d * 10:.2f}' for d in p.dash)}] 0 d" if p.dash else "[] 0 d")
    if p.fill:
        ops.append(f"{_rgb(p.fill)} rg")
    close = " h" if p.closed else ""
    for part in p.parts:
        v = np.rint(np.asarray(part, dtype=float) * 10.0).astype(np.int64).tolist()
        ops.append(f"{v[0][0]} {v[0][1]} m " + " ".join(f"{x} {y} l" for x, y in v[1:]) + close)
    ops.append("B" if p.stroke and p.fill else "S" if p.stroke else "f")
    return "\n".join(ops)


class VectorFigure(Flowable):
    """A figure as a Flowable of ``scale`` times its size in points, drawn as PDF vectors."""

    def __init__(self, fig: FigureModel, scale: float = 1.0, marks: list[Mark] | None = None):
        super().__init__()
        self.fig = fig
        self.scale = scale
        self.marks = scene(fig) if marks is None else marks
        self.width = fig.width * scale
        self.height = fig.height * scale

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Its size, points (it does not reflow)."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the scene on ``self.canv`` with the Flowable's origin at its bottom left."""
        canv: Canvas = self.canv
        h = self.fig.height
        canv.saveState()
        canv.scale(self.scale, self.scale)
        canv.setLineJoin(1)
        for m in self.marks:
            if isinstance(m, Path):
                self._path(canv, m, h)
            else:
                self._text(canv, m, h)
        canv.restoreState()

    @staticmethod
    def _path(canv: Canvas, p: Path, height: float) -> None:
        alpha = (p.stroke_opacity if p.stroke else 1.0, p.fill_opacity if p.fill else 1.0)
        canv.saveState()
        if alpha != (1.0, 1.0):
            canv.setStrokeAlpha(alpha[0])
            canv.setFillAlpha(alpha[1])
        canv.addLiteral(f"0.1 0 0 -0.1 0 {height:.2f} cm\n" + path_operators(p))
        canv.restoreState()

    @staticmethod
    def _text(canv: Canvas, t: Text, height: float) -> None:
        text = t.text.replace("\u2212", "-")
        canv.setFont(FONT_BOLD if t.bold else FONT, t.size)
        canv.setFillColor(HexColor(t.colour))
        draw = {
            "start": canv.drawString,
            "middle": canv.drawCentredString,
            "end": canv.drawRightString,
        }[t.anchor]
        if t.rotate:
            canv.saveState()
            canv.translate(t.x, height - t.y)
            canv.rotate(t.rotate)
            draw(0, 0, text)
            canv.restoreState()
        else:
            draw(t.x, height - t.y, text)

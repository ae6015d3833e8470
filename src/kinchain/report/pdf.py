"""The report as an A4 PDF, drawn with reportlab from the same document as the HTML.

Text is set in DejaVu Sans, which matplotlib ships (``mpl-data/fonts/ttf``), embedded in the
PDF: no system font, nothing downloaded, and the symbols the report uses (± ° ≤ ≥ − Δ) print.
"""

from __future__ import annotations

import importlib.util
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle

from kinchain.report.document import (
    Banner,
    Block,
    Bullets,
    Cell,
    Details,
    Document,
    Figure,
    Heading,
    KeyValues,
    Para,
    Table,
)
from kinchain.report.html import URGENCY_COLOURS
from kinchain.report.plots import RenderedFigure

# Streams are written as compressed binary, not also ASCII85-encoded: reportlab's encoder is pure
# Python (about 20 ms of the demo report's PDF, and 15 % of its size); both forms are valid PDF.
rl_config.useA85 = 0

MARGIN = 14 * mm
FRAME_W = A4[0] - 2 * MARGIN

_TONE_COLOURS = {
    "bad": "#b71c1c",
    "warn": "#a15c00",
    "ok": "#2e7d32",
    "muted": "#666666",
    "strong": "#1d2327",
}


def _font_folder() -> Path:
    """matplotlib's bundled TTF fonts, found without importing matplotlib (~0.2 s)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib's fonts (DejaVu Sans) are not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@cache
def _fonts() -> tuple[str, str]:
    folder = _font_folder()
    pdfmetrics.registerFont(TTFont("KcSans", str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("KcSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily("KcSans", normal="KcSans", bold="KcSans-Bold")
    return "KcSans", "KcSans-Bold"


#: While a document for a patient is drawn (:func:`render_pdf` ``scale``, ``plain_bullets``):
#: the factor on every font size and spacing, and whether bullets are set in the body style.
_READER: ContextVar[tuple[float, bool]] = ContextVar("kinchain_pdf_reader", default=(1.0, False))


def _styles() -> dict[str, ParagraphStyle]:
    return _styles_at(_READER.get()[0])


@cache
def _styles_at(scale: float) -> dict[str, ParagraphStyle]:
    """The styles with every font size, leading and paragraph spacing times ``scale``."""
    styles = _base_styles()
    if scale == 1.0:
        return styles
    return {
        name: ParagraphStyle(
            f"{name}@{scale:g}",
            parent=st,
            fontSize=st.fontSize * scale,
            leading=st.leading * scale,
            spaceBefore=st.spaceBefore * scale,
            spaceAfter=st.spaceAfter * scale,
        )
        for name, st in styles.items()
    }


@cache
def _base_styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=8.6, leading=11.2, alignment=TA_LEFT)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=17, leading=21, spaceAfter=3
        ),
        "sub": ParagraphStyle(
            "sub", parent=base, fontSize=10, textColor=colors.HexColor("#555555")
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=bold, fontSize=10, leading=13, spaceBefore=7, spaceAfter=3
        ),
        "muted": ParagraphStyle(
            "muted", parent=base, fontSize=7.8, leading=10, textColor=colors.HexColor("#5f6368")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.6, leading=9.4),
        "cellsmall": ParagraphStyle("cellsmall", parent=base, fontSize=6.9, leading=8.5),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=7.6, leading=9.4),
        "caveat": ParagraphStyle(
            "caveat",
            parent=base,
            backColor=colors.HexColor("#fff8e1"),
            borderColor=colors.HexColor("#f9a825"),
            borderWidth=0,
            borderPadding=(4, 5, 4, 5),
            spaceBefore=4,
            spaceAfter=6,
        ),
        "info": ParagraphStyle(
            "info",
            parent=base,
            backColor=colors.HexColor("#e3f2fd"),
            borderWidth=0,
            borderPadding=(4, 5, 4, 5),
            spaceBefore=4,
            spaceAfter=6,
        ),
        "banner_t": ParagraphStyle(
            "banner_t", parent=base, fontName=bold, fontSize=14.5, leading=18
        ),
        "banner_x": ParagraphStyle("banner_x", parent=base, fontSize=9.5, leading=12.5),
        "banner_d": ParagraphStyle(
            "banner_d", parent=base, fontSize=8.3, leading=10.8, spaceBefore=2
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=10, bulletIndent=1, spaceAfter=0.8
        ),
    }


def _p(text: str, style: str = "base", colour: str | None = None, bold: bool = False) -> Paragraph:
    t = escape(text)
    if bold:
        t = f"<b>{t}</b>"
    if colour:
        t = f'<font color="{colour}">{t}</font>'
    return Paragraph(t, _styles()[style])


def _cell(c: Cell, small: bool) -> Paragraph:
    style = "cellsmall" if small else "cell"
    if isinstance(c, tuple):
        text, tone = c
        return _p(text, style, _TONE_COLOURS.get(tone), bold=tone in ("bad", "warn", "strong"))
    return _p(c, style)


def _table(b: Table) -> list[Flowable]:
    n = len(b.header)
    rel = b.widths if len(b.widths) == n else (1.0,) * n
    total = sum(rel)
    widths = [FRAME_W * w / total for w in rel]
    data = [[_p(h, "head") for h in b.header]]
    data += [[_cell(c, b.small) for c in row] for row in b.rows]
    t = RLTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        RLTableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#c9ced4")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#e0e3e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    out: list[Flowable] = []
    if b.caption:
        out.append(_p(b.caption, "muted"))
    out.append(t)
    out.append(Spacer(1, 4))
    return out


def _kv(b: KeyValues) -> list[Flowable]:
    if not b.pairs:  # nothing to show (reportlab refuses an empty table)
        return []
    n = max(1, b.columns)
    key_w = 30 * mm if n > 1 else 38 * mm
    val_w = FRAME_W / n - key_w
    data: list[list[Paragraph | str]] = []
    for i in range(0, len(b.pairs), n):
        row: list[Paragraph | str] = []
        for k, v in b.pairs[i : i + n]:
            row += [_p(k, "cell", "#555555"), _p(v, "cell")]
        row += [""] * (2 * n - len(row))
        data.append(row)
    t = RLTable(data, colWidths=[key_w, val_w] * n)
    t.setStyle(
        RLTableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [t, Spacer(1, 4)]


def _figure(b: Figure, figures: dict[str, RenderedFigure]) -> list[Flowable]:
    """The figure as PDF vectors (:meth:`RenderedFigure.flowable`), at most a page high."""
    fig = figures.get(b.name)
    if fig is None:
        return []
    max_h = A4[1] - 2 * MARGIN - 30 * mm
    parts: list[Flowable] = [fig.flowable(FRAME_W, max_h)]
    if b.caption:
        parts.append(_p(b.caption, "muted"))
    return [KeepTogether(parts), Spacer(1, 6)]


def _banner(b: Banner) -> list[Flowable]:
    fg, bg = URGENCY_COLOURS.get(b.level, ("#ffffff", "#455a64"))
    data = [[_p(b.title, "banner_t", fg)], [_p(b.text, "banner_x", fg, bold=True)]]
    if b.detail:
        data.append([_p(b.detail, "banner_d", fg)])
    t = RLTable(data, colWidths=[FRAME_W])
    t.setStyle(
        RLTableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(bg)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (0, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return [t, Spacer(1, 6)]


def _flow(b: Block, figures: dict[str, RenderedFigure]) -> list[Flowable]:
    if isinstance(b, Heading):
        if b.level <= 2:
            return [CondPageBreak(40 * mm), _p(b.text, "h2")]
        return [CondPageBreak(25 * mm), _p(b.text, "h3")]
    if isinstance(b, Para):
        style = {"muted": "muted", "caveat": "caveat", "info": "info"}.get(b.tone, "base")
        colour = _TONE_COLOURS.get(b.tone) if b.tone in ("ok", "warn", "bad") else None
        text = escape(b.text)
        if colour:
            text = f'<font color="{colour}"><b>{text}</b></font>'
        if b.bold_lead:
            text = f"<b>{escape(b.bold_lead)}</b>{text}"
        return [Paragraph(text, _styles()[style]), Spacer(1, 2)]
    if isinstance(b, Bullets):
        if _READER.get()[1]:
            style = _styles()["bullet"]
            return [Paragraph(escape(i), style, bulletText="•") for i in b.items] + [Spacer(1, 3)]
        return [_p("• " + i, "muted") for i in b.items] + [Spacer(1, 3)]
    if isinstance(b, KeyValues):
        return _kv(b)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Figure):
        return _figure(b, figures)
    if isinstance(b, Banner):
        return _banner(b)
    if isinstance(b, Details):
        out: list[Flowable] = [_p(b.summary, "base", bold=True)]
        for x in b.blocks:
            out.extend(_flow(x, figures))
        return out
    raise TypeError(f"unknown block {type(b).__name__}")  # pragma: no cover


def render_pdf(
    doc: Document,
    figures: dict[str, RenderedFigure],
    *,
    scale: float = 1.0,
    plain_bullets: bool = False,
) -> bytes:
    """The report as PDF bytes (A4 portrait, fonts embedded).

    ``scale`` multiplies every font size and spacing (larger type for a patient);
    ``plain_bullets`` sets bullets in the body style instead of the report's small grey notes.
    """
    return _render_at(doc, figures, scale, plain_bullets)[0]


def render_pdf_fitted(
    doc: Document,
    figures: dict[str, RenderedFigure],
    scales: tuple[float, ...],
    *,
    pages: int = 1,
    plain_bullets: bool = False,
) -> bytes:
    """The PDF in the largest type that fits ``pages`` pages: drawn at each of ``scales`` in
    turn (largest first) until one fits; the last one's otherwise."""
    if not scales:
        raise ValueError("render_pdf_fitted: no scale given")
    pdf = b""
    for scale in scales:
        pdf, n = _render_at(doc, figures, scale, plain_bullets)
        if n <= pages:
            break
    return pdf


def _render_at(
    doc: Document, figures: dict[str, RenderedFigure], scale: float, plain_bullets: bool
) -> tuple[bytes, int]:
    token = _READER.set((scale, plain_bullets))
    try:
        return _render_pdf(doc, figures)
    finally:
        _READER.reset(token)


def _render_pdf(doc: Document, figures: dict[str, RenderedFigure]) -> tuple[bytes, int]:
    """The PDF's bytes and its number of pages."""
    regular, _ = _fonts()
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=" — ".join(t for t in (doc.title, doc.subtitle) if t),
        author="kinchain",
        creator="kinchain",
    )

    top_line = doc.identity.line() if doc.identity is not None else ""
    bottom_line = f"{doc.meta.get('trial', doc.subtitle)} · {doc.meta.get('generated', '')}"

    def furniture(c: Canvas, page: int, pages: int) -> None:
        """Each page's header (who and which visit) and footer (page N of M, disclaimer)."""
        c.saveState()
        c.setFont(regular, 6.5)
        c.setFillColor(colors.HexColor("#666666"))
        if top_line:
            c.drawString(MARGIN, A4[1] - MARGIN + 3 * mm, top_line)
        y = MARGIN - 2 * mm
        c.drawString(MARGIN, y, bottom_line)
        c.drawRightString(A4[0] - MARGIN, y, f"page {page} of {pages}")
        c.drawString(MARGIN, y - 8, doc.footer)
        c.restoreState()

    counted: list[int] = []

    class _Numbered(Canvas):
        """Draws every page's header and footer once the number of pages is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            counted.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                furniture(self, self._pageNumber, total)
                super().showPage()
            super().save()

    story: list[Flowable] = [_p(doc.title, "title")]
    if doc.subtitle:
        story.append(_p(doc.subtitle, "sub"))
    story.append(Spacer(1, 6))
    for b in doc.blocks:
        story.extend(_flow(b, figures))
    template.build(story, canvasmaker=_Numbered)
    return buf.getvalue(), counted[0]

"""The report as one self-contained HTML file: inline CSS, figures as inline SVG, no script, no
external fonts, images or links to fetch, so it opens offline and prints on A4."""

from __future__ import annotations

from html import escape

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
from kinchain.report.plots import RenderedFigure

URGENCY_COLOURS = {
    "emergency": ("#ffffff", "#b71c1c"),
    "same_day": ("#ffffff", "#e65100"),
    "soon": ("#3e2723", "#ffca28"),
    "routine": ("#ffffff", "#1565c0"),
    "self_care": ("#ffffff", "#2e7d32"),
}

CSS = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
  color: #1d2327; margin: 0; background: #f3f4f6; font-size: 14px; line-height: 1.45; }
main { max-width: 1080px; margin: 0 auto; background: #fff; padding: 28px 36px 40px; }
header.top { border-bottom: 3px solid #1d2327; padding-bottom: 10px; margin-bottom: 14px; }
header.top h1 { margin: 0; font-size: 24px; }
header.top .sub { color: #555; font-size: 15px; margin-top: 2px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d4d9; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
nav { font-size: 12.5px; color: #555; margin: 6px 0 0; }
nav a { color: #1565c0; text-decoration: none; margin-right: 12px; }
nav.links { margin: 0 0 12px; font-size: 15px; }
nav.links a { display: inline-block; padding: 8px 0; margin-right: 18px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0;
  font-size: 13px; }
dl.kv dt { color: #555; }
dl.kv dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
table.small { font-size: 12px; }
th { text-align: left; background: #eef1f4; font-weight: 600; padding: 5px 7px;
  border-bottom: 1px solid #c9ced4; vertical-align: bottom; }
td { padding: 4px 7px; border-bottom: 1px solid #e6e9ec; vertical-align: top; }
caption { caption-side: top; text-align: left; color: #555; font-size: 12px; padding: 2px 0; }
td.bad { color: #b71c1c; font-weight: 600; }
td.warn { color: #a15c00; font-weight: 600; }
td.ok { color: #2e7d32; }
td.muted { color: #777; }
td.strong { font-weight: 700; }
p.muted { color: #5f6368; font-size: 12.5px; }
p.ok { color: #2e7d32; font-weight: 600; }
p.warn { color: #a15c00; font-weight: 600; }
p.bad { color: #b71c1c; font-weight: 600; }
p.caveat, p.info { background: #fff8e1; border-left: 4px solid #f9a825; padding: 7px 10px; }
p.info { background: #e3f2fd; border-left-color: #1565c0; }
.banner { border-radius: 6px; padding: 12px 16px; margin: 10px 0 12px; }
.banner .t { font-size: 21px; font-weight: 800; letter-spacing: .3px; }
.banner .x { font-size: 15px; font-weight: 600; margin-top: 3px; }
.banner .d { font-size: 13px; margin-top: 6px; opacity: .95; }
figure { margin: 10px 0 14px; }
figure svg { width: 100%; height: auto; display: block; }
figure[data-figure="map"] svg { max-width: 720px; }
figcaption { color: #555; font-size: 12.5px; margin-top: 4px; }
details { border: 1px solid #e3e6ea; border-radius: 5px; padding: 4px 10px; margin: 5px 0; }
details summary { cursor: pointer; font-weight: 600; font-size: 13.5px; }
ul { margin: 4px 0 8px 18px; padding: 0; font-size: 12.5px; }
footer { margin-top: 26px; padding-top: 8px; border-top: 1px solid #d0d4d9; color: #555;
  font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  details { border: none; padding: 0; }
  figure, table, .banner { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  nav { display: none; }
}
"""


def _cell(c: Cell, tag: str = "td") -> str:
    if isinstance(c, tuple):
        return f'<{tag} class="{escape(c[1])}">{escape(c[0])}</{tag}>'
    return f"<{tag}>{escape(c)}</{tag}>"


def _block(b: Block, figures: dict[str, RenderedFigure]) -> str:
    if isinstance(b, Heading):
        anchor = f' id="{escape(b.anchor)}"' if b.anchor else ""
        return f"<h{b.level}{anchor}>{escape(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        lead = f"<strong>{escape(b.bold_lead)}</strong>" if b.bold_lead else ""
        cls = f' class="{b.tone}"' if b.tone else ""
        return f"<p{cls}>{lead}{escape(b.text)}</p>"
    if isinstance(b, Bullets):
        return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, KeyValues):
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in b.pairs)
        cols = " ".join(["max-content 1fr"] * max(1, b.columns))
        return f'<dl class="kv" style="grid-template-columns:{cols}">{rows}</dl>'
    if isinstance(b, Table):
        cls = ' class="small"' if b.small else ""
        cap = f"<caption>{escape(b.caption)}</caption>" if b.caption else ""
        head = "".join(f"<th>{escape(h)}</th>" for h in b.header)
        body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in b.rows)
        return f"<table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(b, Figure):
        fig = figures.get(b.name)
        if fig is None:
            return ""
        cap = f"<figcaption>{escape(b.caption)}</figcaption>" if b.caption else ""
        return f'<figure data-figure="{escape(b.name)}">{fig.svg}{cap}</figure>'
    if isinstance(b, Banner):
        fg, bg = URGENCY_COLOURS.get(b.level, ("#ffffff", "#455a64"))
        return (
            f'<div class="banner urgency-{escape(b.level)}" style="color:{fg};background:{bg}">'
            f'<div class="t">{escape(b.title)}</div><div class="x">{escape(b.text)}</div>'
            + (f'<div class="d">{escape(b.detail)}</div>' if b.detail else "")
            + "</div>"
        )
    if isinstance(b, Details):
        inner = "".join(_block(x, figures) for x in b.blocks)
        return f"<details><summary>{escape(b.summary)}</summary>{inner}</details>"
    raise TypeError(f"unknown block {type(b).__name__}")  # pragma: no cover


def render_html(
    doc: Document,
    figures: dict[str, RenderedFigure],
    *,
    extra_css: str = "",
    links: tuple[tuple[str, str], ...] = (),
) -> str:
    """The whole report as one HTML string (UTF-8, self-contained).

    ``extra_css`` is appended to the report's styles (the patient summary's larger type);
    ``links`` are ``(label, href)`` pairs shown above the title on screen, not printed (a web
    page's way back and its PDF).
    """
    bar = "".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in links)
    bar = f'<nav class="links">{bar}</nav>' if bar else ""
    anchors = [
        (b.anchor, b.text)
        for b in doc.blocks
        if isinstance(b, Heading) and b.anchor and b.level == 2
    ]
    nav = "".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t in anchors)
    body = "\n".join(_block(b, figures) for b in doc.blocks)
    title = " — ".join(escape(t) for t in (doc.title, doc.subtitle) if t)
    sub = f'<div class="sub">{escape(doc.subtitle)}</div>' if doc.subtitle else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        f'<meta name="generator" content="kinchain">'
        f"<style>{CSS}{extra_css}</style></head><body><main>{bar}"
        f'<header class="top"><h1>{escape(doc.title)}</h1>'
        f"{sub}<nav>{nav}</nav></header>\n"
        f"{body}\n<footer>{escape(doc.footer)}</footer></main></body></html>\n"
    )

"""An outcome subscale over a patient's visits as an inline SVG (no script needed), with the
minimal clinically important difference marked around each earlier score."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from itertools import pairwise
from typing import Any

#: Colour of a point by the change from the previous visit (first visit, or not classified: grey).
COLOURS = {
    "improved": "#2e7d32",
    "worsened": "#b71c1c",
    "no_important_change": "#5f6368",
    None: "#1565c0",
}


def series_svg(series: Mapping[str, Any], *, width: int = 480, height: int = 200) -> str:
    """One subscale over the visits as a small SVG line plot.

    Parameters
    ----------
    series
        One item of :func:`kinchain.web.outcomes.over_time`: ``range`` (the scale's lowest and
        highest score), ``mcid`` (points or ``None``), ``label``, ``direction`` and ``points``
        (``date``, ``score`` or ``None`` when not valid, ``classification``).
    width, height
        Size of the drawing in CSS pixels (it scales down to its container).

    Returns
    -------
    str
        The ``<svg>`` element. Visits are spaced evenly in date order; the y axis is the whole
        scale. Between consecutive visits with valid scores a shaded band spans the earlier score
        ± MCID: a later point outside the band is a change that reaches the MCID. Points are
        coloured by the change from the previous visit (green improved, red worsened, grey no
        important change, blue first visit or not classified); a visit whose score is not valid
        is marked with a hollow point on the axis and its reason in the tooltip.
    """
    left, right, top, bottom = 44, 40, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = (float(v) for v in series["range"])
    points = list(series["points"])
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(value: float) -> float:
        clipped = min(max(value, low), high)
        return top + plot_h * (high - clipped) / (high - low)

    label = escape(str(series.get("label", "")))
    out = [
        f'<svg class="outcome-plot" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label} over the visits">'
    ]
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):  # grid and y labels
        value = low + (high - low) * frac
        yy = y(value)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            'stroke="#e6e9ec"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#5f6368">{value:g}</text>'
        )
    mcid = series.get("mcid")
    valid = [(i, p) for i, p in enumerate(points) if p["score"] is not None]
    if mcid:
        for (i0, p0), (i1, _) in pairwise(valid):
            y_hi, y_lo = y(p0["score"] + mcid), y(p0["score"] - mcid)
            out.append(
                f'<rect class="mcid-band" x="{x(i0):.1f}" y="{y_hi:.1f}" '
                f'width="{x(i1) - x(i0):.1f}" height="{y_lo - y_hi:.1f}" '
                'fill="#90a4ae" fill-opacity="0.22"><title>'
                f"{escape(str(p0['date']))} score ± MCID ({mcid:g} points)</title></rect>"
            )
    if len(valid) > 1:
        path = " ".join(f"{x(i):.1f},{y(p['score']):.1f}" for i, p in valid)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1565c0" stroke-width="2"/>')
    for i, p in enumerate(points):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - 16}" text-anchor="middle" font-size="12" '
            f'fill="#1d2327">{escape(str(p["date"]))}</text>'
        )
        if p["score"] is None:
            tip = escape(f"{p['date']}: not scored — {p.get('reason') or ''}")
            out.append(
                f'<circle class="not-valid" cx="{x(i):.1f}" cy="{y(low):.1f}" r="5" fill="#fff" '
                f'stroke="#b71c1c" stroke-width="1.5"><title>{tip}</title></circle>'
            )
            continue
        colour = COLOURS.get(p.get("classification"), COLOURS[None])
        words = p.get("classification_text")
        tip = f"{p['date']}: {p['score']:.1f}" + (f" ({words}, {p['delta_text']})" if words else "")
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p["score"]):.1f}" r="5" fill="{colour}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    better = (
        "higher is better" if series.get("direction") == "higher_is_better" else "higher is worse"
    )
    out.append(
        f'<text x="{left}" y="{height - 2}" font-size="12" fill="#5f6368">{escape(better)}'
        + (f"; shaded: earlier score ± MCID {mcid:g}" if mcid else "")
        + "</text></svg>"
    )
    return "".join(out)

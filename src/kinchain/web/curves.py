"""Time-normalised curves for the interactive (Plotly) charts: each side's mean over its usable
strides and the normative mean ± 1 SD band, as plain JSON."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kinchain.analysis import GaitAnalysis
from kinchain.report.document import Cell, Document, Heading, Para, Table

#: (variable, component, title, unit) of each chart, Plug-in Gait labels without the side.
PANELS: tuple[tuple[str, int, str, str], ...] = (
    ("PelvisAngles", 0, "Pelvic tilt (anterior +)", "deg"),
    ("PelvisAngles", 1, "Pelvic obliquity (up +)", "deg"),
    ("PelvisAngles", 2, "Pelvic rotation (internal +)", "deg"),
    ("HipAngles", 0, "Hip flexion", "deg"),
    ("HipAngles", 1, "Hip adduction", "deg"),
    ("HipAngles", 2, "Hip rotation (internal +)", "deg"),
    ("KneeAngles", 0, "Knee flexion", "deg"),
    ("KneeAngles", 1, "Knee adduction (varus +)", "deg"),
    ("KneeAngles", 2, "Knee rotation (internal +)", "deg"),
    ("AnkleAngles", 0, "Ankle dorsiflexion", "deg"),
    ("AnkleAngles", 1, "Ankle inversion", "deg"),
    ("FootProgressAngles", 2, "Foot progression (internal +)", "deg"),
    ("HipMoment", 0, "Hip extensor moment", "N·m/kg"),
    ("KneeMoment", 0, "Knee extensor moment", "N·m/kg"),
    ("KneeMoment", 1, "Knee abductor moment", "N·m/kg"),
    ("AnkleMoment", 0, "Ankle plantarflexor moment", "N·m/kg"),
    ("HipPower", 2, "Hip power (generation +)", "W/kg"),
    ("KneePower", 2, "Knee power (generation +)", "W/kg"),
    ("AnklePower", 2, "Ankle power (generation +)", "W/kg"),
)

_PREFIX = {"left": "L", "right": "R"}


def _round(a: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 3) for v in a]


def _side_mean(analysis: GaitAnalysis, side: str, variable: str, comp: int) -> np.ndarray | None:
    cset = analysis.cycles[side]  # type: ignore[index]
    label = _PREFIX[side] + variable
    if label not in cset.curves:
        return None
    keep = cset.usable()
    if not variable.endswith("Angles"):
        keep = keep & np.array([c.kinetics_valid for c in cset.cycles], dtype=bool)
    data = cset.curves[label][keep][:, :, comp]
    data = data[np.isfinite(data).any(axis=1)]
    if data.shape[0] == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(data, axis=0))


def curves_payload(analysis: GaitAnalysis) -> dict[str, Any]:
    """``{"schema": "kinchain-curves/1", "panels": [{variable, component, title, unit, left,
    right, norm_mean, norm_sd}]}``; a side or band is None where the trial has no data."""
    norm = analysis.normative
    panels = []
    for variable, comp, title, unit in PANELS:
        left = _side_mean(analysis, "left", variable, comp)
        right = _side_mean(analysis, "right", variable, comp)
        if left is None and right is None:
            continue
        band_mean = band_sd = None
        if norm is not None and norm.has(variable):
            m = norm.mean_of(variable)[:, comp]
            s = norm.sd_of(variable)[:, comp]
            if np.isfinite(m).any() and np.isfinite(s).any():
                band_mean, band_sd = _round(m), _round(s)
        panels.append(
            {
                "id": f"{variable}_{comp}",
                "variable": variable,
                "component": comp,
                "title": title,
                "unit": unit,
                "left": None if left is None else _round(left),
                "right": None if right is None else _round(right),
                "norm_mean": band_mean,
                "norm_sd": band_sd,
            }
        )
    return {"schema": "kinchain-curves/1", "x_pct": list(range(101)), "panels": panels}


def spatiotemporal_table(doc: Document) -> dict[str, Any] | None:
    """The report's spatiotemporal table (labels with units, both sides, symmetry, normal
    values, out-of-range values marked) and its caption, for the visit page: ``{"header": [...],
    "rows": [[{"text", "style"}, ...]], "caption": str}``; None when the report has none."""
    blocks = list(doc.blocks)
    for i, b in enumerate(blocks):
        if isinstance(b, Heading) and b.anchor == "spatiotemporal":
            table = next((t for t in blocks[i + 1 :] if isinstance(t, Table)), None)
            if table is None:
                return None
            k = blocks.index(table)
            caption = next((c.text for c in blocks[k + 1 : k + 2] if isinstance(c, Para)), "")

            def cell(c: Cell) -> dict[str, str]:
                if isinstance(c, str):
                    return {"text": c, "style": ""}
                return {"text": c[0], "style": c[1]}

            return {
                "header": list(table.header),
                "rows": [[cell(c) for c in row] for row in table.rows],
                "caption": caption,
            }
    return None

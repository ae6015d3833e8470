"""The report's "What if" section: a simulated restriction of the chain, baseline against
restricted (:mod:`kinchain.sim`), in words a clinician reads, with its figures.

Every value here is a prediction from a simplified model, and the section says so first; the
solver's convergence, the baseline's agreement with the measurement and the model's assumptions
are printed with it. A scenario whose solve failed never reaches this module (the simulation
raises instead of returning a result).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kinchain.report.document import (
    Block,
    Bullets,
    Cell,
    Details,
    Figure,
    Heading,
    KeyValues,
    Para,
    Table,
)
from kinchain.report.figure_model import (
    Axes,
    DataMark,
    FigureModel,
    GridMark,
    HLine,
    LegendEntry,
    Line,
    auto_yticks,
    dashes,
    data_range,
    legend,
    tick_labels,
)
from kinchain.report.plots import PT_PER_IN, SIDE_COLOUR, ZERO, RenderedFigure, _grid, _rendered

if TYPE_CHECKING:
    from kinchain.sim import Comparison, Restriction, SideCurves, Simulation, WhatIf
    from kinchain.sim.validity import SwingContact

__all__ = ["describe_restriction", "whatif_figures", "whatif_section"]

_JOINT_WORDS = {"hip": "Hip", "knee": "Knee", "ankle": "Ankle"}
_MUSCLE_WORDS = {
    "soleus": "Soleus",
    "gastroc": "Gastrocnemius",
    "tib_ant": "Tibialis anterior",
    "vasti": "Vasti (quadriceps)",
    "rect_fem": "Rectus femoris",
    "hamstrings": "Hamstrings",
    "bifemsh": "Biceps femoris, short head",
    "glut_max": "Gluteus maximus",
    "iliopsoas": "Iliopsoas",
}
#: The muscles drawn in the figure (the table lists all).
_DRAWN_MUSCLES = ("soleus", "gastroc", "vasti")
BASELINE_LW = 1.2
RESTRICTED_LW = 1.8


def _side_words(side: str) -> str:
    return "both" if side == "both" else side


def describe_restriction(r: Restriction) -> str:
    """One restriction in a clinician's words: ``"the left knee bends no more than 20°"``."""
    side = "left and right" if r.side == "both" else r.side
    plural = r.side == "both"
    knee = f"the {side} knee{'s' if plural else ''}"
    if r.kind == "knee_flexion_max":
        verb = "bend" if plural else "bends"
        return f"{knee} {verb} no more than {r.value:g}° (a stiff knee)"
    if r.kind == "knee_flexion_min":
        return (
            f"{knee} cannot straighten beyond {r.value:g}° of flexion "
            f"(a flexion contracture of {r.value:g}°)"
        )
    if r.kind == "ankle_dorsiflexion_max":
        ankle = f"the {side} ankle{'s' if plural else ''}"
        return f"{ankle} dorsiflex{'' if plural else 'es'} no more than {r.value:g}°"
    if r.kind == "plantarflexor_strength":
        calves = f"the {side} calf muscles (gastrocnemius and soleus)"
        return f"{calves} at {100 * r.value:.0f} % of their normal strength (weak push-off)"
    if r.kind == "knee_release":
        return f"{knee} move{'' if plural else 's'} through a normal range (a stiff knee released)"
    return r.label()


def _scenario_title(sim: Simulation) -> str:
    return "; ".join(describe_restriction(r) for r in sim.restrictions) or sim.label


def _restricted_sides(sim: Simulation) -> list[str]:
    sides: list[str] = []
    for r in sim.restrictions:
        for s in r.sides():
            if s not in sides:
                sides.append(s)
    return sides or ["left", "right"]


def _fmt(v: float, digits: int = 2) -> str:
    if not math.isfinite(v):
        return "-"
    return f"{v:.{digits}f}"


def _pct(v: float) -> str:
    if not math.isfinite(v):
        return "-"
    return f"{v:+.0f} %"


def _change_cell(change: float, pct: float) -> Cell:
    text = f"{change:+.2f}" if math.isfinite(change) else "-"
    style = "strong" if math.isfinite(pct) and abs(pct) >= 10 else ""
    return (text, style) if style else text


#: The table's joint measures, in order: (measure of :func:`kinchain.sim.compare`, words, unit).
_JOINT_MEASURES = (
    ("reaction", "joint reaction force, peak", "BW"),
    ("moment", "net moment, peak", "N·m/kg"),
    ("power", "power, peak", "W/kg"),
    ("positive work", "work generated per stride", "J/kg"),
)


def _comparison_table(cmp: Comparison, side: str, restricted_here: bool) -> Table:
    rows: list[tuple[Cell, ...]] = []
    order = [
        (f"{side} {j} {measure}", f"{_JOINT_WORDS[j]} {words}", unit)
        for measure, words, unit in _JOINT_MEASURES
        for j in ("ankle", "knee", "hip")
    ]
    order += [
        (f"{side} {m} activation", f"{_MUSCLE_WORDS[m]} activation, peak", "0-1")
        for m in _MUSCLE_WORDS
    ]
    for key, words, unit in order:
        try:
            c = cmp.get(key)
        except KeyError:
            continue
        rows.append(
            (
                words,
                unit,
                _fmt(c.baseline_peak),
                _fmt(c.restricted_peak),
                _change_cell(c.peak_change, c.peak_change_pct),
                _pct(c.peak_change_pct),
            )
        )
    caption = f"{side.capitalize()} side" + (" (restricted)" if restricted_here else "")
    return Table(
        ("Measure", "Unit", "Measured stride (simulated)", "With the restriction", "Change", "%"),
        tuple(rows),
        widths=(3.2, 0.9, 1.4, 1.4, 1.0, 0.8),
        caption=caption,
        small=True,
    )


def _solve_words(sim: Simulation) -> str:
    s = sim.solve
    verdict = "converged" if s.success else f"did not converge ({s.status})"
    warm = ", started from the baseline solution" if s.warm_start else ""
    return (
        f"{verdict}, {s.iterations} iterations, {s.wall_time_s:.0f} s, "
        f"{s.mesh_intervals} mesh intervals{warm}"
    )


def _quality_pairs(w: WhatIf) -> list[tuple[str, str]]:
    b = w.baseline
    pairs = [("Stride simulated", _stride_words(b))]
    lifted = _lift_words(b)
    if lifted:
        pairs.append(("Measured angles adjusted for the model", lifted))
    angles = b.tracking_rms_deg.get("angles", math.nan)
    if math.isfinite(angles):
        pairs.append(
            (
                "Baseline against the measured angles",
                f"RMS difference {angles:.1f}° over the hip, knee and ankle angles and the "
                "pelvic tilt",
            )
        )
    if b.moment_rms:
        parts = [
            f"{k.replace('_', ' ')} {v:.2f}"
            for k, v in b.moment_rms.items()
            if k != "all" and math.isfinite(v)
        ]
        overall = b.moment_rms.get("all", math.nan)
        pairs.append(
            (
                "Baseline against the measured joint moments",
                f"RMS difference {_fmt(overall)} N·m/kg over the measured stance"
                + (f" ({', '.join(parts)})" if parts else ""),
            )
        )
    else:
        pairs.append(
            (
                "Baseline against the measured joint moments",
                "not checked: no force-plate stance in this stride",
            )
        )
    helpers = _residual_words(b)
    if helpers:
        pairs.append(("Help the baseline needed beyond its muscles", helpers))
    pairs.append(("Baseline solve", _solve_words(b)))
    contact = _swing_contact_words(w)
    if contact:
        pairs.append(contact)
    for sim in w.restricted:
        pairs.append((f"Solve if {_scenario_title(sim)}", _solve_words(sim)))
        helpers = _residual_words(sim)
        if helpers:
            pairs.append((f"Help needed if {_scenario_title(sim)}", helpers))
    return pairs


def _contact_words(c: SwingContact) -> str:
    return f"{c.share_pct:.0f} % of it (up to {100 * c.peak_bw:.0f} % of body weight)"


def _swing_contact_words(w: WhatIf) -> tuple[str, str] | None:
    """The stride side's foot on the floor in its swing, baseline and each scenario, in words."""
    from kinchain.sim.validity import swing_contact

    base = swing_contact(w.baseline)
    if base is None:
        return None
    words = f"touches the floor in {_contact_words(base)} as simulated"
    for sim in w.restricted:
        c = swing_contact(sim)
        if c is not None:
            words += f"; if {_scenario_title(sim)}, in {_contact_words(c)}"
    return (f"The {base.side} foot in its swing", words)


def _drag_words(sim: Simulation) -> str:
    """A caveat when the restricted walk drags the stride side's foot (empty otherwise)."""
    from kinchain.sim.validity import swing_contact

    c = swing_contact(sim)
    if c is None or not c.drags:
        return ""
    return (
        f"In this simulated walk the {c.side} foot drags on the floor through {c.share_pct:.0f} % "
        "of its swing. A person would clear it by hiking the hip or swinging the leg out to the "
        "side, which this model, moving only forwards and up, cannot do: read the values of "
        "the swing with particular care."
    )


def _beyond_guidance(sim: Simulation) -> bool:
    """Whether a pelvis residual of ``sim`` passes OpenSim's guidance (the check of
    :func:`kinchain.sim.validity.residual_problems`)."""
    from kinchain.sim.validity import residual_problems

    return bool(residual_problems(sim))


def _residual_words(sim: Simulation) -> str:
    """The pelvis residuals in words (empty for a simulation that did not report them)."""
    from kinchain.sim.validity import RESIDUAL_FORCE_LIMIT_N, RESIDUAL_MOMENT_LIMIT_NM

    r = sim.reserves
    moment = r.get("residual_pelvis_tilt")
    forces = [r[k]["peak"] for k in ("residual_pelvis_tx", "residual_pelvis_ty") if k in r]
    if moment is None or not forces:
        return ""
    words = (
        f"a turning moment on the pelvis of up to {moment['peak']:.0f} N·m (RMS "
        f"{moment['rms']:.0f} N·m), standing for the arm swing and pelvic rotation that the "
        "model does not have and for trunk movement beyond the steady lean it assumes, and "
        f"pushes on the pelvis of up to {max(forces):.0f} N "
        f"(OpenSim's guidance: at most {RESIDUAL_MOMENT_LIMIT_NM:g} N·m and "
        f"{RESIDUAL_FORCE_LIMIT_N:g} N)"
    )
    if _beyond_guidance(sim):
        words += (
            "; beyond that guidance, so part of this walk is held up by a force no muscle "
            "makes: read its hip and pelvis values with care"
        )
    return words


def _lift_words(sim: Simulation) -> str:
    """How the tracked angles differ from the measured ones, in words: the planar fit and the
    swing-foot lift (``planar_fit`` and ``angle_change_deg`` of the stride, "2.3 RMS, largest
    7.7"), or, for a simulation made before the fit, the lift alone (``swing_foot_lift_deg``,
    "left 3.6, right 1.2"); empty when no angle was changed or the stride does not say."""
    change = sim.stride.get("angle_change_deg")
    if isinstance(change, str):
        words = change.replace(",", "").split()
        try:
            rms, largest = float(words[0]), float(words[-1])
        except (ValueError, IndexError):
            return ""
        if largest < 0.05:
            return ""
        fit = sim.stride.get("planar_fit")
        fitted = f" ({fit.split(' from')[0]} from them)" if isinstance(fit, str) else ""
        text = (
            "the model's rigid legs were fitted in one plane to the measured joint centres "
            f"and foot markers{fitted}, and swinging feet kept clear of its floor: the "
            f"baseline tracks angles that differ from the measured ones by {rms:.1f}° RMS "
            f"(at most {largest:.1f}°)"
        )
        if isinstance(fit, str) and "pelvis at the " in fit:
            hip = fit.rsplit("pelvis at the ", 1)[1]
            other = {"left hip": "right", "right hip": "left"}.get(hip, "other")
            text += (
                f". The model has one point for both hips, placed at the {hip}: the {other} "
                "leg's angles also take up the distance between the hips, so its values are "
                "less exact"
            )
        return text
    raw = sim.stride.get("swing_foot_lift_deg")
    if not isinstance(raw, str):
        return ""
    legs: list[str] = []
    for part in raw.split(","):
        side, _, value = part.strip().partition(" ")
        try:
            deg = float(value)
        except ValueError:
            continue
        if deg >= 0.05:
            legs.append(f"{deg:.1f}° ({side} leg)")
    if not legs:
        return ""
    return (
        "a leg seen in one plane put the swinging foot into the model's floor, so its hip, knee "
        f"and ankle angles were changed by at most {' and '.join(legs)} to keep it clear; the "
        "baseline tracks these adjusted angles"
    )


def _stride_words(sim: Simulation) -> str:
    st = sim.stride
    side = st.get("side", "")
    dur = st.get("duration_s")
    text = f"one {side} stride" if side else "one stride"
    if isinstance(dur, (int, float)) and math.isfinite(dur):
        text += f" of {dur:.2f} s"
    start = st.get("start_s")
    if isinstance(start, (int, float)) and math.isfinite(start):
        text += f", from {start:.2f} s into the trial"
    return text


def whatif_section(w: WhatIf, figure_names: Sequence[str] = ()) -> list[Block]:
    """The "What if" section: what was simulated, the caveat, the predicted changes side by side
    (tables and ``figure_names``, one figure per scenario, from :func:`whatif_figures`), the
    quality of the baseline and the solves, and the model's assumptions."""
    out: list[Block] = [
        Heading("What if: a simulated restriction", 2, "whatif"),
        Para(
            "The values in this section are predictions from a simplified musculoskeletal "
            "model, not measurements. The model first reproduces the measured stride (the "
            "baseline), then walks the same stride with the restriction; the difference is what "
            "the model predicts the restriction changes. Read the direction and rough size of "
            "a change, not its exact value.",
            tone="caveat",
        ),
    ]
    names = list(figure_names)
    for k, (sim, cmp) in enumerate(zip(w.restricted, w.comparisons, strict=True)):
        sides = _restricted_sides(sim)
        out.append(Heading(f"If {_scenario_title(sim)}", 3))
        ankle = _headline(cmp, sides)
        if ankle:
            out.append(Para(ankle))
        weight = float(sim.settings.get("compensation_weight", 1.0))
        if weight < 1.0:
            out.append(
                Para(
                    "In this simulation the other joints, the pelvis and the trunk were free to "
                    "compensate for the restriction: they followed their measured curves "
                    f"{1.0 / weight:.3g} times more loosely than in the simulated measured "
                    "stride."
                )
            )
        if _beyond_guidance(sim):
            held = (
                " The other joints were held to their measured curves: a person with this "
                "restriction would move them differently, and a simulation that lets them "
                "compensate may not need that help."
                if weight >= 1.0
                else ""
            )
            out.append(
                Para(
                    "Part of this simulated walk is held up by a force no muscle makes (a "
                    "balancing moment on the pelvis beyond what OpenSim's guidance accepts; see "
                    "How far to trust it): read its hip and pelvis values with particular care."
                    + held,
                    tone="caveat",
                )
            )
        dragging = _drag_words(sim)
        if dragging:
            out.append(Para(dragging, tone="caveat"))
        if k < len(names):
            out.append(
                Figure(
                    names[k],
                    "Solid: the measured stride as simulated (baseline); dashed: with the "
                    "restriction. Left red, right green. Joint reaction forces in body weights "
                    "(BW), moments in N·m/kg (extensor and plantarflexor positive), powers in "
                    "W/kg (generation positive), activations from 0 (at rest) to 1 (maximal).",
                )
            )
        for side in sides:
            out.append(_comparison_table(cmp, side, True))
        for side in (s for s in ("left", "right") if s not in sides):
            table = _comparison_table(cmp, side, False)
            out.append(Details(f"The {side} side (not restricted), every measure", (table,)))
    out.append(Heading("How far to trust it", 3))
    out.append(KeyValues(tuple(_quality_pairs(w))))
    assumptions = list(w.baseline.assumptions)
    for sim in w.restricted:  # a scenario solved differently says so (e.g. compensation)
        assumptions += [a for a in sim.assumptions if a not in assumptions]
    out.append(
        Details(
            "The model's assumptions",
            (Bullets(tuple(a[:1].upper() + a[1:] for a in assumptions)),),
        )
    )
    return out


def _headline(cmp: Comparison, sides: Sequence[str]) -> str:
    """One sentence per restricted side on the ankle: its reaction force and its plantarflexor
    activation, baseline to restricted."""
    parts: list[str] = []
    for side in sides:
        try:
            r = cmp.get(f"{side} ankle reaction")
        except KeyError:
            continue
        text = (
            f"The model predicts the {side} ankle's peak joint reaction force to go from "
            f"{_fmt(r.baseline_peak)} to {_fmt(r.restricted_peak)} times body weight "
            f"({_pct(r.peak_change_pct)})"
        )
        try:
            g = cmp.get(f"{side} gastroc activation")
            s = cmp.get(f"{side} soleus activation")
            text += (
                f"; peak activation of the gastrocnemius {_fmt(g.baseline_peak)} to "
                f"{_fmt(g.restricted_peak)}, of the soleus {_fmt(s.baseline_peak)} to "
                f"{_fmt(s.restricted_peak)}"
            )
        except KeyError:
            pass
        parts.append(text + ".")
    return " ".join(parts)


# --------------------------------------------------------------------------------- figures
_ROWS: tuple[tuple[str, str], ...] = (
    ("angle", "deg"),
    ("reaction", "BW"),
    ("moment", "N·m/kg"),
    ("power", "W/kg"),
)
_ROW_TITLES = {
    "angle": "{joint} angle ({flexion} +)",
    "reaction": "{joint} joint reaction force",
    "moment": "{joint} moment ({extensor} +)",
    "power": "{joint} power (generation +)",
}
_SIGNS = {
    "ankle": {"flexion": "dorsiflexion", "extensor": "plantarflexor"},
    "knee": {"flexion": "flexion", "extensor": "extensor"},
    "hip": {"flexion": "flexion", "extensor": "extensor"},
}


def _curve(c: SideCurves, row: str, key: str) -> np.ndarray:
    table = {
        "angle": c.angle_deg,
        "reaction": c.reaction,
        "moment": c.moment,
        "power": c.power,
        "activation": c.activation,
    }[row]
    values = table.get(key)
    return np.asarray(values, dtype=float) if values is not None else np.full(101, np.nan)


def whatif_figure(w: WhatIf, index: int, name: str) -> RenderedFigure:
    """Baseline (solid) against restricted scenario ``index`` (dashed), both sides: angle,
    joint reaction, moment and power of ankle, knee and hip, and the activation of soleus,
    gastrocnemius and vasti, over the stride (0-100 %)."""
    restricted = w.restricted[index]
    panels: list[tuple[str, str, str, str]] = []  # row, key, title, unit
    for row, unit in _ROWS:
        for joint in ("ankle", "knee", "hip"):
            title = _ROW_TITLES[row].format(joint=_JOINT_WORDS[joint], **_SIGNS[joint])
            panels.append((row, joint, title, unit))
    for m in _DRAWN_MUSCLES:
        panels.append(("activation", m, f"{_MUSCLE_WORDS[m]} activation", "0-1"))
    ncols = 3
    nrows = -(-len(panels) // ncols)
    width, height = 10.0 * PT_PER_IN, (2.0 * nrows + 0.5) * PT_PER_IN
    boxes = _grid(
        len(panels), ncols, width, height,
        left=0.065 * width, right=0.01 * width, top=0.55 * PT_PER_IN, bottom=0.5 * PT_PER_IN,
    )  # fmt: skip
    x = np.asarray(w.baseline.percent, dtype=float)
    fig = FigureModel(width, height, title="What if")
    dash = dashes(RESTRICTED_LW)
    xticks = tuple((float(v), str(v)) for v in range(0, 101, 20))
    for k, (row, key, title, unit) in enumerate(panels):
        marks: list[DataMark] = []
        values: list[np.ndarray] = []
        for side in ("left", "right"):
            colour = SIDE_COLOUR[side]
            a = _curve(w.baseline.sides[side], row, key)
            b = _curve(restricted.sides[side], row, key)
            marks.append(Line(x, a, colour, BASELINE_LW))
            marks.append(Line(x, b, colour, RESTRICTED_LW, 1.0, dash))
            values += [a, b]
        include = (0.0,) if row != "activation" else (0.0, 1.0)
        marks.insert(0, GridMark())
        marks.insert(1, HLine(0.0, ZERO, 0.5))
        left, top, wd, ht = boxes[k]
        ylim = data_range(values, include=include)
        yt = auto_yticks(ylim, ht)
        fig.axes.append(
            Axes(
                left, top, wd, ht, (0.0, 100.0), ylim,
                xticks=xticks,
                yticks=tuple(zip(yt.tolist(), tick_labels(yt), strict=True)),
                title=title,
                xlabel="% of the stride" if k // ncols == nrows - 1 else "",
                ylabel=unit,
                marks=marks,
            )
        )  # fmt: skip
    entries = [
        LegendEntry("line", SIDE_COLOUR["left"], "Left, simulated measured stride"),
        LegendEntry("dashed", SIDE_COLOUR["left"], "Left, with the restriction"),
        LegendEntry("line", SIDE_COLOUR["right"], "Right, simulated measured stride"),
        LegendEntry("dashed", SIDE_COLOUR["right"], "Right, with the restriction"),
    ]
    fig.extra.extend(
        legend(entries, centre_x=width / 2, top=4.0, size=8.0, ncol=4, max_width=width - 20)[0]
    )
    return _rendered(fig, name, None)


def whatif_figures(w: WhatIf) -> dict[str, RenderedFigure]:
    """One figure per restricted scenario, named ``whatif_1``, ``whatif_2``, ..."""
    return {
        f"whatif_{k + 1}": whatif_figure(w, k, f"whatif_{k + 1}") for k in range(len(w.restricted))
    }

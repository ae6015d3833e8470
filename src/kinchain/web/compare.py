"""Two visits of a patient side by side: spatiotemporal values and key curve measures with their
change against measurement error (and, for walking speed, the minimal clinically important
difference), findings new, kept or resolved, both visits' curves and urgencies (the API's
``/patients/{id}/compare`` and its page).

Measurement error of a change
-----------------------------
Each visit's value is the mean over its usable strides, so it carries the stride-to-stride
variability of that visit: with ``s`` the SD of the per-stride values and ``n`` the strides, the
standard error of the visit's mean is ``SEM = s / sqrt(n)``. The change between visits A and B is
the difference of two such means; from the pooled within-visit SD

    s_p = sqrt(((n_A - 1) s_A**2 + (n_B - 1) s_B**2) / (n_A + n_B - 2))

its standard error is ``s_p * sqrt(1/n_A + 1/n_B)``, and the smallest change that exceeds that
noise with 95 % confidence (the minimal detectable change, MDC95) is

    error = t * s_p * sqrt(1/n_A + 1/n_B),   t = Student's t, 97.5th percentile, n_A + n_B - 2 df

the half-width of the 95 % confidence interval of the difference of two means. With many strides
``t`` tends to 1.96 and this is the usual ``MDC95 = 1.96 * sqrt(2) * SEM`` (Weir 2005; ``n``
strides in each visit, ``SEM = s_p / sqrt(n)``); with the 3-5 strides of a gait trial the SD
itself is uncertain and ``t`` is larger (2.78 for 3 and 3 strides, 2.45 for 4 and 4), so 1.96
would call changes real that are not. A change whose size exceeds ``error`` is "beyond measurement
error". It needs two strides or more in each visit. This error holds only the variability
between strides within a session; marker placement and day-to-day variation add to it between
visits (McGinley et al. 2009), so a change beyond it is necessary, not sufficient, for a real
change.

Where the per-stride values come from: the curve measures from each stride's chain features
(``strides[].features`` of ``analysis.json``); the spatiotemporal parameters from
``spatiotemporal.per_stride`` when the analysis holds it, otherwise the timing parameters (stride
and step time, cadence, stance, swing, support phases) are rebuilt from the stored events and
usable strides with the formulas of :mod:`kinchain.gait.spatiotemporal` and used only when their
mean reproduces the stored side mean (it does not for a session's pooled analysis, whose events
are its first trial's). Lengths, width and speed need marker positions: analyses written before
``per_stride`` existed do not hold them per stride, so their error is shown as not available.
Peak ankle dorsiflexion in stance is read from each visit's mean curve (``curves_json``, 0 %
to the side's mean foot off): no per-stride ankle angle is stored, so it has no error either.

Minimal clinically important difference: walking speed, small meaningful change 0.05 m/s and
substantial change 0.10 m/s (Perera et al. 2006). Outcome questionnaires (pain, KOOS, FAAM,
LEFS) scored at both visits are compared with their own MCIDs (:func:`outcome_rows`).

References
----------
Weir JP. Quantifying test-retest reliability using the intraclass correlation coefficient and
the SEM. J Strength Cond Res 2005;19(1):231-240.
McGinley JL, Baker R, Wolfe R, Morris ME. The reliability of three-dimensional kinematic gait
measurements: a systematic review. Gait Posture 2009;29:360-369.
Perera S, Mody SH, Woodman RC, Studenski SA. Meaningful change and responsiveness in common
physical performance measures in older adults. J Am Geriatr Soc 2006;54:743-749.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kinchain.clinical.outcomes import INSTRUMENTS, change
from kinchain.gait.cycles import strides as event_strides
from kinchain.gait.cycles_types import GaitEvent
from kinchain.report.content import FINDING_TITLES, SPATIO_LABELS
from kinchain.store.models import Visit
from kinchain.web import services as sv
from kinchain.web.context import MAX_ID, ApiError, DbId, Principal, api_user, ctx, page_user
from kinchain.web.outcomes import CHANGE_TEXT, ORDER, latest_responses, response_score
from kinchain.web.pages import error_page, render
from kinchain.web.services import visit_summary

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]

SIDES = ("left", "right")

#: Curve measures compared: per-stride chain feature -> (label, unit).
CURVE_MEASURES: dict[str, tuple[str, str]] = {
    "knee_flexion_loading_deg": ("Knee flexion at loading response", "deg"),
    "knee_flexion_swing_peak_deg": ("Peak knee flexion in swing", "deg"),
    "knee_rom_deg": ("Knee flexion range over the stride", "deg"),
    "hip_rotation_stance_deg": ("Hip rotation in stance (internal +)", "deg"),
    "foot_progression_stance_deg": ("Foot progression in stance (internal +)", "deg"),
    "a2_power_w_kg": ("Peak ankle power at push-off (A2)", "W/kg"),
    "ankle_plantarflexor_moment_peak_nm_kg": ("Peak ankle plantarflexor moment", "N·m/kg"),
    "k1_power_w_kg": ("Knee power absorption at loading response (K1)", "W/kg"),
    "knee_adduction_moment_first_peak_nm_kg": (
        "Knee adduction moment, first peak (external)",
        "N·m/kg",
    ),
}

#: Walking speed's minimal clinically important differences, m/s (Perera et al. 2006).
SPEED_MCID: dict[str, Any] = {
    "small": 0.05,
    "substantial": 0.10,
    "unit": "m/s",
    "source": "Perera S, Mody SH, Woodman RC, Studenski SA. Meaningful change and "
    "responsiveness in common physical performance measures in older adults. J Am Geriatr Soc "
    "2006;54:743-749.",
}

#: Spatiotemporal parameters that :func:`stride_timing` rebuilds from events.
TIMING_PARAMETERS = (
    "stride_time_s",
    "step_time_s",
    "cadence_steps_min",
    "stance_pct",
    "swing_pct",
    "foot_off_pct",
    "opposite_foot_off_pct",
    "opposite_foot_strike_pct",
    "single_support_pct",
    "double_support_pct",
)


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def spread(values: Sequence[float | None]) -> tuple[float, float, int]:
    """Mean, sample SD (``ddof=1``; NaN below two values) and count of the finite values."""
    x = _finite(values)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(x) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in x) / (n - 1)) if n >= 2 else math.nan
    return mean, sd, n


def change_error(sd_a: float, n_a: int, sd_b: float, n_b: int) -> float | None:
    """The measurement error (MDC95) of the change between two visits' means, in the values'
    unit: ``t * s_p * sqrt(1/n_a + 1/n_b)`` with ``s_p`` the pooled within-visit SD and ``t``
    Student's 97.5th percentile with ``n_a + n_b - 2`` degrees of freedom (see the module
    docstring). None when either visit has fewer than two strides."""
    if n_a < 2 or n_b < 2 or not (math.isfinite(sd_a) and math.isfinite(sd_b)):
        return None
    df = n_a + n_b - 2
    pooled = ((n_a - 1) * sd_a**2 + (n_b - 1) * sd_b**2) / df
    return t95(df) * math.sqrt(pooled * (1.0 / n_a + 1.0 / n_b))


def t95(df: int) -> float:
    """Student's t, 97.5th percentile, ``df`` degrees of freedom (two-sided 95 %)."""
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def stride_timing(j: Mapping[str, Any], side: str) -> dict[str, list[float]]:
    """Per usable stride of ``side``, the timing parameters rebuilt from ``analysis.json``'s
    events (units of :data:`kinchain.gait.spatiotemporal.PARAMETER_UNITS`).

    The strides are the side's usable ones (``strides[]``, matched by their start and end
    frames to the strides the events make, as :func:`kinchain.gait.cycles.strides` makes
    them). A parameter is returned only when every usable stride is found and the values'
    mean equals the stored side mean (relative 1e-9): a pooled session's events do not
    make its strides, so nothing is returned for it.
    """
    rate = float((j.get("trial") or {}).get("point_rate_hz") or math.nan)
    usable = [(s["start_frame"], s["end_frame"]) for s in j.get("strides", []) if s["side"] == side]
    stored = (j.get("spatiotemporal") or {}).get(side) or {}
    counted = ((j.get("spatiotemporal") or {}).get("strides") or {}).get(side)
    if not usable or not math.isfinite(rate) or rate <= 0 or counted != len(usable):
        return {}
    events = [
        GaitEvent(e["kind"], e["side"], float(e["frame"]), float(e["time_s"]), e["method"])
        for e in j.get("events", [])
    ]
    by_frames = {(c.start, c.end): c for c in event_strides(events, side)}  # type: ignore[arg-type]
    cycles = [by_frames.get((float(a), float(b))) for a, b in usable]
    if any(c is None for c in cycles):
        return {}
    out: dict[str, list[float]] = {k: [] for k in TIMING_PARAMETERS}
    for c in cycles:
        assert c is not None
        span = c.end - c.start

        def pct(frame: float, c0: float = c.start, d: float = span) -> float:
            return (frame - c0) / d * 100.0

        fo, ofo, ofs = pct(c.foot_off), pct(c.opposite_foot_off), pct(c.opposite_foot_strike)
        t = span / rate
        row = {
            "stride_time_s": t,
            "step_time_s": (c.end - c.opposite_foot_strike) / rate,
            "cadence_steps_min": 120.0 / t,
            "stance_pct": fo,
            "swing_pct": 100.0 - fo,
            "foot_off_pct": fo,
            "opposite_foot_off_pct": ofo,
            "opposite_foot_strike_pct": ofs,
            "single_support_pct": ofs - ofo,
            "double_support_pct": ofo + (fo - ofs),
        }
        for k, v in row.items():
            out[k].append(v)
    checked: dict[str, list[float]] = {}
    for k, values in out.items():
        mean, _, n = spread(values)
        want = stored.get(k)
        if n and want is not None and math.isclose(mean, want, rel_tol=1e-9, abs_tol=1e-12):
            checked[k] = values
    return checked


def _per_stride_spatio(j: Mapping[str, Any], side: str) -> tuple[dict[str, list[float]], str]:
    """Per-stride spatiotemporal values of ``side`` and where they came from."""
    rows = (j.get("spatiotemporal") or {}).get("per_stride")
    if isinstance(rows, list):
        mine = [r for r in rows if r.get("side") == side and r.get("usable", True)]
        keys = {k for r in mine for k in r if k not in ("side", "start", "end", "usable")}
        return {k: [r.get(k) for r in mine] for k in keys}, "per-stride values"
    return stride_timing(j, side), "rebuilt from the stored events"


def _error_fields(
    per_a: Sequence[float | None] | None, per_b: Sequence[float | None] | None
) -> dict[str, Any]:
    """SD, strides and measurement error of a change from the two visits' per-stride values."""
    if per_a is None or per_b is None:
        return {"sd_a": None, "sd_b": None, "n_a": None, "n_b": None, "error": None}
    _, sd_a, n_a = spread(per_a)
    _, sd_b, n_b = spread(per_b)
    return {
        "sd_a": sd_a if math.isfinite(sd_a) else None,
        "sd_b": sd_b if math.isfinite(sd_b) else None,
        "n_a": n_a,
        "n_b": n_b,
        "error": change_error(sd_a, n_a, sd_b, n_b),
    }


def _verdict(delta: float | None, error: float | None) -> bool | None:
    """True when ``|delta|`` exceeds the measurement error; None when either is unknown."""
    if delta is None or error is None:
        return None
    return abs(delta) > error


def speed_mcid(delta: float | None) -> str | None:
    """Walking-speed change against Perera et al. (2006): ``"substantial"`` (at least 0.10 m/s),
    ``"small"`` (at least 0.05 m/s) or ``"below"``; None when unknown."""
    if delta is None:
        return None
    size = abs(delta)
    if size >= SPEED_MCID["substantial"] - 1e-12:
        return "substantial"
    if size >= SPEED_MCID["small"] - 1e-12:
        return "small"
    return "below"


def _row(
    side: str,
    name: str,
    label: str,
    unit: str,
    va: float | None,
    vb: float | None,
    per_a: Sequence[float | None] | None,
    per_b: Sequence[float | None] | None,
    error_from: str,
) -> dict[str, Any]:
    delta = None if va is None or vb is None else vb - va
    pct = None if delta is None or not va else 100.0 * delta / abs(va)
    err = _error_fields(per_a, per_b)
    row = {
        "side": side,
        "parameter": name,
        "label": label,
        "unit": unit,
        "a": va,
        "b": vb,
        "change": delta,
        "change_pct": pct,
        **err,
        "beyond_error": _verdict(delta, err["error"]),
        "error_from": error_from if err["error"] is not None else "",
        "mcid": None,
        "mcid_class": None,
    }
    if name == "speed_m_s":
        row["mcid"] = SPEED_MCID
        row["mcid_class"] = speed_mcid(delta)
    return row


def _spatio_rows(ja: Mapping[str, Any], jb: Mapping[str, Any]) -> list[dict[str, Any]]:
    st_a, st_b = ja["spatiotemporal"], jb["spatiotemporal"]
    units = st_b.get("units", {})
    rows = []
    for side in SIDES:
        per_a, from_a = _per_stride_spatio(ja, side)
        per_b, from_b = _per_stride_spatio(jb, side)
        source = from_a if from_a == from_b else f"{from_a} (A), {from_b} (B)"
        for name, va in st_a[side].items():
            unit = units.get(name, "")
            rows.append(
                _row(
                    side,
                    name,
                    SPATIO_LABELS.get(name, name.replace("_", " ")),
                    unit,
                    va,
                    st_b[side].get(name),
                    per_a.get(name),
                    per_b.get(name),
                    source,
                )
            )
    return rows


def _feature_values(j: Mapping[str, Any], side: str, name: str) -> list[float | None]:
    return [s["features"].get(name) for s in j.get("strides", []) if s["side"] == side]


def _curve_rows(ja: Mapping[str, Any], jb: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each key curve measure per side: the mean over the strides with a value, both visits."""
    rows = []
    for name, (label, unit) in CURVE_MEASURES.items():
        for side in SIDES:
            per_a, per_b = _feature_values(ja, side, name), _feature_values(jb, side, name)
            mean_a, _, n_a = spread(per_a)
            mean_b, _, n_b = spread(per_b)
            if n_a == 0 and n_b == 0:
                continue
            rows.append(
                _row(
                    side,
                    name,
                    label,
                    unit,
                    mean_a if n_a else None,
                    mean_b if n_b else None,
                    per_a,
                    per_b,
                    "per-stride values",
                )
            )
    return rows


def stance_peak(
    curves: Mapping[str, Any] | None, panel: str, side: str, foot_off_pct: Any
) -> float | None:
    """Maximum of a side's mean curve (``curves_json``) from 0 % to foot off (the side's mean
    foot off, % of stride); None when the curve or foot off is missing."""
    if not curves or foot_off_pct is None or not math.isfinite(foot_off_pct):
        return None
    found = next((p for p in curves.get("panels", []) if p.get("id") == panel), None)
    values = found.get(side) if found else None
    if not values:
        return None
    stance = _finite(values[: math.floor(foot_off_pct) + 1])
    return max(stance) if stance else None


def _mean_curve_rows(
    ja: Mapping[str, Any],
    jb: Mapping[str, Any],
    ca: Mapping[str, Any] | None,
    cb: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """Peak ankle dorsiflexion in stance, read from each visit's mean curve: the stored analysis
    keeps no per-stride ankle angle, so it has no measurement error."""
    rows = []
    for side in SIDES:
        va = stance_peak(ca, "AnkleAngles_0", side, ja["spatiotemporal"][side].get("foot_off_pct"))
        vb = stance_peak(cb, "AnkleAngles_0", side, jb["spatiotemporal"][side].get("foot_off_pct"))
        if va is None and vb is None:
            continue
        rows.append(
            _row(
                side,
                "ankle_dorsiflexion_stance_peak_deg",
                "Peak ankle dorsiflexion in stance (of the mean curve)",
                "deg",
                va,
                vb,
                None,
                None,
                "",
            )
        )
    return rows


def _findings(ja: Mapping[str, Any], jb: Mapping[str, Any]) -> list[dict[str, Any]]:
    def fired(j: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(f["name"], f["side"]): f for f in j["findings"] if f.get("fired")}

    fa, fb = fired(ja), fired(jb)
    findings = []
    for fkey in sorted(set(fa) | set(fb)):
        change = "kept" if fkey in fa and fkey in fb else ("new" if fkey in fb else "resolved")
        f = fb.get(fkey) or fa[fkey]
        findings.append(
            {
                "name": fkey[0],
                "label": FINDING_TITLES.get(fkey[0], fkey[0].replace("_", " ")),
                "side": fkey[1],
                "change": change,
                "sentence": f.get("sentence"),
                "severity_a": fa.get(fkey, {}).get("severity"),
                "severity_b": fb.get(fkey, {}).get("severity"),
            }
        )
    return findings


def _points(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def outcome_rows(a: Visit, b: Visit) -> list[dict[str, Any]]:
    """Outcome questionnaires scored at both visits: each subscale's change against its MCID.

    The scores are recomputed from each visit's latest stored response of the instrument
    (:func:`kinchain.web.outcomes.latest_responses`) and compared with
    :func:`kinchain.clinical.outcomes.change` (``improved`` / ``worsened`` when the change
    reaches the MCID in that direction, ``no_important_change`` otherwise, ``None`` with a
    reason when it cannot be said). Instruments answered at one visit only, or under different
    versions, are left out.
    """
    latest_a, latest_b = latest_responses(a), latest_responses(b)
    rows: list[dict[str, Any]] = []
    for inst_id in ORDER:
        if inst_id not in latest_a or inst_id not in latest_b:
            continue
        before, after = response_score(latest_a[inst_id]), response_score(latest_b[inst_id])
        if before.version != after.version:
            continue
        inst = INSTRUMENTS[inst_id]
        for sid, c in change(before, after).subscales.items():
            sub = inst.subscale(sid)
            mcid = c.mcid
            mcid_text = "none published" if mcid is None else f"{_points(mcid.points)} points"
            if mcid is not None and mcid.relative is not None:
                mcid_text += f" or {mcid.relative:.0%} for an improvement"
            verdict = (
                CHANGE_TEXT.get(c.classification, c.classification)
                if c.classification is not None
                else (c.reason or "—")
            )
            rows.append(
                {
                    "instrument": inst_id,
                    "instrument_name": inst.name,
                    "subscale": sid,
                    "label": sub.label,
                    "direction": sub.direction,
                    "before": c.before,
                    "after": c.after,
                    "delta": c.delta,
                    "mcid": None
                    if mcid is None
                    else {"points": mcid.points, "relative": mcid.relative, "source": mcid.source},
                    "reaches_mcid": c.reaches_mcid,
                    "classification": c.classification,
                    "reason": c.reason,
                    "before_text": _points(c.before),
                    "after_text": _points(c.after),
                    "delta_text": "—" if c.delta is None else f"{c.delta:+.1f}",
                    "mcid_text": mcid_text,
                    "verdict": verdict,
                }
            )
    return rows


def compare(a: Visit, b: Visit) -> dict[str, Any]:
    """Visit ``a`` (earlier) against ``b``: spatiotemporal values and key curve measures with
    their change, its measurement error and whether the change exceeds it (walking speed also
    against its MCID), findings new/resolved/kept, outcome scores, both visits' curves and
    urgencies (the module docstring gives the formula)."""
    if a.patient_id != b.patient_id:
        raise ApiError(422, "b", "both visits must belong to the same patient")
    for key, v in (("a", a), ("b", b)):
        if v.analysis_json is None:
            raise ApiError(409, key, "this visit has no finished analysis")
    ja = json.loads(a.analysis_json or "{}")
    jb = json.loads(b.analysis_json or "{}")
    curves_a = json.loads(a.curves_json or "null")
    curves_b = json.loads(b.curves_json or "null")

    def urgency(v: Visit) -> str | None:
        return json.loads(v.clinical_json)["urgency"] if v.clinical_json else None

    return {
        "schema": "kinchain-compare/1",
        "a": visit_summary(a) | {"urgency": urgency(a)},
        "b": visit_summary(b) | {"urgency": urgency(b)},
        "measurement_error": {
            "method": "MDC95 = t(0.975, n_A + n_B - 2) x pooled within-visit stride-to-stride "
            "SD x sqrt(1/n_A + 1/n_B) (the 95 % confidence interval of the difference of two "
            "means; 1.96 x sqrt(2) x SEM for many strides, Weir 2005); stride-to-stride "
            "variability only, not marker placement or day-to-day variation",
        },
        "spatiotemporal": _spatio_rows(ja, jb),
        "measures": _curve_rows(ja, jb) + _mean_curve_rows(ja, jb, curves_a, curves_b),
        "findings": _findings(ja, jb),
        "outcomes": outcome_rows(a, b),
        "curves": {"a": curves_a, "b": curves_b},
    }


@api_router.get("/patients/{patient_id}/compare", tags=["visits"])
def compare_api(
    patient_id: DbId,
    request: Request,
    user: ApiUser,
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="Earlier visit id")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="Later visit id")],
) -> dict[str, Any]:
    """Two visits of a patient: curves of both, spatiotemporal changes, findings new/resolved."""
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        va, vb = sv.get_visit(db, a, user), sv.get_visit(db, b, user)
        if va.patient_id != p.id:
            raise ApiError(404, "a", "no such visit of this patient")
        if vb.patient_id != p.id:
            raise ApiError(404, "b", "no such visit of this patient")
        return compare(va, vb)


_DIGITS = {"m/s": 2, "m": 2, "s": 3, "steps/min": 1, "W/kg": 2, "N·m/kg": 2, "1": 2}
_UNIT_TEXT = {"deg": "°", "1": "", "% of stride": "% of stride"}


def _num(value: float | None, unit: str, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    digits = _DIGITS.get(unit, 1)
    if round(value, digits) == 0:  # no "-0.0" nor "+0.0": no change at the shown precision
        return f"{0.0:.{digits}f}"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _label(label: str, unit: str) -> str:
    shown = _UNIT_TEXT.get(unit, unit)
    return f"{label}, {shown}" if shown else label


def _error_text(row: Mapping[str, Any]) -> str:
    if row["error"] is not None:
        return "± " + _num(row["error"], row["unit"])
    if row["n_a"] is not None and min(row["n_a"], row["n_b"]) < 2:
        return "not available: fewer than 2 strides"
    return "not available (not stored per stride)"


def _verdict_text(row: Mapping[str, Any]) -> tuple[str, str]:
    if row["beyond_error"] is None:
        return "—", "muted"
    if row["beyond_error"]:
        return "beyond measurement error", "beyond"
    return "within measurement error", "muted"


def _mcid_text(row: Mapping[str, Any]) -> str:
    cls = row["mcid_class"]
    if cls is None:
        return ""
    m = row["mcid"]
    if cls == "substantial":
        return f"substantial change (≥ {m['substantial']:.2f} m/s)"
    if cls == "small":
        return f"small meaningful change (≥ {m['small']:.2f} m/s)"
    return f"below the smallest meaningful change ({m['small']:.2f} m/s)"


#: Spatiotemporal parameters the page leaves out: foot off equals stance.
_PAGE_HIDDEN = frozenset({"foot_off_pct"})


def page_rows(rows: Sequence[Mapping[str, Any]], order: Sequence[str]) -> list[dict[str, str]]:
    """The comparison rows as the page shows them: plain labels with units, the two values,
    the change, its measurement error, the verdict and (walking speed) the MCID; grouped by
    measure (in ``order``), left before right."""
    rank = {k: i for i, k in enumerate(order)}
    shown = [r for r in rows if r["parameter"] not in _PAGE_HIDDEN]
    shown.sort(key=lambda r: (rank.get(r["parameter"], len(rank)), SIDES.index(r["side"])))
    out = []
    for r in shown:
        verdict, tone = _verdict_text(r)
        out.append(
            {
                "measure": _label(r["label"], r["unit"]),
                "side": r["side"].capitalize(),
                "a": _num(r["a"], r["unit"]),
                "b": _num(r["b"], r["unit"]),
                "change": _num(r["change"], r["unit"], signed=True),
                "error": _error_text(r),
                "strides": "" if r["n_a"] is None else f"{r['n_a']} / {r['n_b']}",
                "verdict": verdict,
                "tone": tone,
                "mcid": _mcid_text(r),
            }
        )
    return out


@page_router.get("/patients/{patient_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    user: PageUser,
    patient_id: DbId,
    a: Annotated[int, Query()],
    b: Annotated[int, Query()],
) -> Response:
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        va, vb = sv.get_visit(db, a, user), sv.get_visit(db, b, user)
        if va.patient_id != p.id or vb.patient_id != p.id:
            raise ApiError(404, "visit", "no such visit of this patient")
        try:
            data = compare(va, vb)
        except ApiError as exc:
            return error_page(request, exc.status, exc.problem)
        info = sv.patient_dict(p)
    return render(
        request,
        "compare.html",
        user=user,
        patient=info,
        cmp=data,
        spatio=page_rows(data["spatiotemporal"], list(SPATIO_LABELS)),
        measures=page_rows(
            data["measures"], [*CURVE_MEASURES, "ankle_dorsiflexion_stance_peak_deg"]
        ),
    )

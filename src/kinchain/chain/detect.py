"""Kinetic-chain findings: named compensations with their evidence, per side.

Each detector compares the patient's strides with a normal range and returns a
:class:`~kinchain.chain.finding.Finding` that says whether it fired, how severe it is, in which
strides, the evidence with its normal range and source, and one plain sentence.

Normal ranges
-------------
- Curve features (knee flexion, rotations, powers, moments): the speed-matched normative mean
  ± ``z`` normative SDs at the point the feature is read from (:mod:`kinchain.chain.features`).
  The default ``z = 2`` is the usual clinical-gait criterion; hip rotation uses ``z = 3``
  because transverse-plane hip angles of the Conventional Gait Model carry errors of 5° and more
  between sessions and assessors (McGinley et al. 2009), so a 2-SD band would flag marker
  placement rather than gait.
- Shares of the support moment and of positive work: the share computed on the speed-matched
  normative mean curves + ``share_tolerance`` (default 0.10: no SD exists for a ratio of mean
  curves, and 0.10 is a little more than the difference between adjacent Schwartz 2008 speed
  classes, e.g. the ankle's share of support falls from 0.78 (Slow) to 0.69 (Free) to 0.61
  (Fast), so a smaller excess could come from a speed-class mismatch alone).
- Side-to-side comparisons (single support, stance, step time, vertical force, loading rate):
  symmetry indices (Robinson et al. 1987) or differences beyond kinchain defaults, stated with
  each finding; they are not validated cut-offs.
- Centre-of-pressure offset from the foot axis: kinchain defaults, no normative source.
- Knee adduction moment (external; first and second peak, impulse), reported as evidence of the
  knee-to-ankle summary, it does not make that finding fire: the peaks against the
  speed-matched normative mean ± ``z`` SD like the curve features; the impulse without a normal
  range (the packaged normative set holds no stride duration). Definitions, sign convention and
  literature (Miyazaki et al. 2002) in :mod:`kinchain.chain.knee_loading`.

Severity: by the largest exceedance of a firing criterion, in units of its threshold:
up to 1.5× mild, up to 2× moderate, beyond severe. No finding uses invalid frames: only usable
strides (kinematically valid, not outliers) count, and kinetic criteria only strides whose stance
is a clean force-plate contact.

References
----------
McGinley JL, Baker R, Wolfe R, Morris ME. The reliability of three-dimensional kinematic gait
measurements: a systematic review. Gait Posture 2009;29:360-369.
Robinson RO, Herzog W, Nigg BM. Use of force platform variables to quantify the effects of
chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther 1987;10:172-176.
Winter DA. Overall principle of lower limb support during stance phase of gait.
J Biomech 1980;13:923-927.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from kinchain.chain.features import CurveFeatures, StanceLoading
from kinchain.chain.finding import Evidence, Finding, Severity

SIDES = ("left", "right")
_OTHER = {"left": "right", "right": "left"}


@dataclass(frozen=True)
class Thresholds:
    """Detector thresholds; every one is a parameter (see the module docstring for sources).

    Attributes
    ----------
    z
        Normative SDs for curve features.
    z_hip_rotation
        Normative SDs for hip rotation (McGinley et al. 2009: poor transverse reliability).
    share_tolerance
        Allowed excess of the ankle's share of support moment or positive work over the
        normative share, fraction (see the module docstring).
    single_support_diff_pct
        Shorter single support on one side than the other, % of stride (kinchain default:
        about twice the SD of single support in the normative cycle events, Schwartz 2008).
    stance_diff_pct
        Shorter stance on the same side, % of stride (kinchain default).
    vertical_force_si_pct
        Lower vertical force peak or impulse on the same side, symmetry index % (kinchain
        default).
    step_time_si_pct
        Step-time asymmetry, symmetry index % (kinchain default).
    loading_rate_si_pct
        Loading-rate asymmetry, symmetry index % (kinchain default).
    cop_medial_mm, cop_lateral_mm
        Centre-of-pressure offset from the heel-toe line in mid stance beyond which
        overpronation (medial) or supination (lateral) is named, mm (kinchain defaults).
    min_strides
        Strides needed to compute a correlation across strides.
    min_strides_graded
        Usable strides per side a finding needs before it can be graded ``"moderate"`` or
        ``"severe"`` (default 3: one or two strides cannot separate a pattern from
        stride-to-stride variability); with fewer, a finding that fires is held at ``"mild"``
        and marked ``insufficient_strides``.
    """

    z: float = 2.0
    z_hip_rotation: float = 3.0
    share_tolerance: float = 0.10
    single_support_diff_pct: float = 4.0
    stance_diff_pct: float = 2.0
    vertical_force_si_pct: float = 10.0
    step_time_si_pct: float = 10.0
    loading_rate_si_pct: float = 30.0
    cop_medial_mm: float = -20.0
    cop_lateral_mm: float = 35.0
    min_strides: int = 3
    min_strides_graded: int = 3

    def as_dict(self) -> dict[str, float]:
        """Name -> value."""
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class SideData:
    """What the detectors need of one side.

    Attributes
    ----------
    strides
        Features of each usable stride (kinematically valid, not an outlier).
    kinetic
        Per usable stride, True when its stance is a clean force-plate contact.
    loading
        Per usable stride with kinetics, its ground-reaction features (else None).
    spatiotemporal
        The side's spatiotemporal means (``SideSpatiotemporal.as_dict()``).
    """

    strides: tuple[CurveFeatures, ...]
    kinetic: tuple[bool, ...]
    loading: tuple[StanceLoading | None, ...]
    spatiotemporal: dict[str, float]


@dataclass(frozen=True)
class NormalRanges:
    """The normative feature values and SDs (from the speed-matched normative set).

    Attributes
    ----------
    mean
        Feature name -> value on the normative mean curves.
    sd
        Feature name -> normative SD at the feature's point (NaN for shares).
    source
        The normative set's name and citation.
    """

    mean: dict[str, float]
    sd: dict[str, float]
    source: str


@dataclass(frozen=True)
class ChainData:
    """Everything the detectors read."""

    sides: dict[str, SideData]
    normal: NormalRanges | None
    symmetry_pct: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# helpers


def _severity(ratio: float) -> Severity:
    if not np.isfinite(ratio) or ratio < 1.0:
        return "none"
    if ratio <= 1.5:
        return "mild"
    if ratio <= 2.0:
        return "moderate"
    return "severe"


def _per(values: list[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _mean(values: list[float]) -> float:
    arr = np.asarray(values, dtype=float)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")


def _not_applicable(name: str, side: str, why: str) -> Finding:
    return Finding(name, side, False, "none", (), (), f"Not evaluated: {why}.", False, why)  # type: ignore[arg-type]


@dataclass
class _Criterion:
    evidence: Evidence
    fired: bool
    ratio: float
    cycles: tuple[int, ...]


def _curve_criterion(
    data: SideData,
    normal: NormalRanges,
    feature: str,
    quantity: str,
    unit: str,
    z: float,
    direction: str,
) -> _Criterion | None:
    """Patient mean of ``feature`` vs normative mean ± z SD; ``direction`` "low", "high" or
    "both" says which excursion fires."""
    values = [getattr(s, feature) for s in data.strides]
    if not values or not np.isfinite(values).any():
        return None
    mu, sd = normal.mean.get(feature, np.nan), normal.sd.get(feature, np.nan)
    if not (np.isfinite(mu) and np.isfinite(sd) and sd > 0):
        return None
    lo, hi = mu - z * sd, mu + z * sd
    value = _mean(values)
    dev = (value - mu) / (z * sd)
    if direction == "low":
        ratio = -dev
    elif direction == "high":
        ratio = dev
    else:
        ratio = abs(dev)
    cycles = tuple(
        i
        for i, v in enumerate(values)
        if np.isfinite(v)
        and (
            (direction in ("low", "both") and v < lo) or (direction in ("high", "both") and v > hi)
        )
    )
    ev = Evidence(quantity, value, unit, lo, hi, f"{normal.source}, mean ± {z:g} SD", _per(values))
    return _Criterion(ev, ratio >= 1.0, ratio, cycles)


def _share_criterion(
    data: SideData, normal: NormalRanges, feature: str, quantity: str, tolerance: float
) -> _Criterion | None:
    values = [
        getattr(s, feature) if k else np.nan
        for s, k in zip(data.strides, data.kinetic, strict=True)
    ]
    mu = normal.mean.get(feature, np.nan)
    if not np.isfinite(values).any() or not np.isfinite(mu):
        return None
    value = _mean(values)
    hi = mu + tolerance
    ratio = (value - mu) / tolerance
    cycles = tuple(i for i, v in enumerate(values) if np.isfinite(v) and v > hi)
    ev = Evidence(
        quantity,
        value,
        "fraction",
        float("nan"),
        hi,
        f"{normal.source} mean curves + {tolerance:g} (about the step between speed classes)",
        _per(values),
    )
    return _Criterion(ev, ratio >= 1.0, ratio, cycles)


def _finding(
    name: str,
    side: str,
    criteria: list[_Criterion],
    fired_sentence: str,
    quiet_sentence: str,
    thresholds: dict[str, float],
    fired: bool | None = None,
) -> Finding:
    if fired is None:
        fired = any(c.fired for c in criteria)
    ratio = max((c.ratio for c in criteria if c.fired), default=float("nan"))
    cycles = sorted({i for c in criteria if c.fired for i in c.cycles})
    return Finding(
        name=name,
        side=side,  # type: ignore[arg-type]
        fired=fired,
        severity=_severity(ratio) if fired else "none",
        evidence=tuple(c.evidence for c in criteria),
        cycles=tuple(cycles),
        sentence=fired_sentence if fired else quiet_sentence,
        thresholds=thresholds,
    )


def _fmt(x: float, digits: int = 0) -> str:
    return f"{x:.{digits}f}" if np.isfinite(x) else "n/a"


# ------------------------------------------------------------------------------------------
# detectors


def antalgic_gait(data: ChainData, t: Thresholds) -> list[Finding]:
    """Shortened stance and single support on one side, load shifted to the other leg."""
    out: list[Finding] = []
    for side in SIDES:
        other = _OTHER[side]
        me, them = data.sides[side].spatiotemporal, data.sides[other].spatiotemporal
        ss, ss_o = me.get("single_support_pct", np.nan), them.get("single_support_pct", np.nan)
        st, st_o = me.get("stance_pct", np.nan), them.get("stance_pct", np.nan)
        if not (np.isfinite(ss) and np.isfinite(ss_o)):
            out.append(
                _not_applicable("antalgic_gait", side, "single support not measured on both sides")
            )
            continue
        crit: list[_Criterion] = []
        diff = ss_o - ss
        crit.append(
            _Criterion(
                Evidence(
                    f"single support, {side} minus {other}",
                    ss - ss_o,
                    "% of stride",
                    -t.single_support_diff_pct,
                    float("nan"),
                    "kinchain default (about twice the normative SD of single support, "
                    "Schwartz 2008)",
                ),
                diff >= t.single_support_diff_pct,
                diff / t.single_support_diff_pct,
                (),
            )
        )
        stance_diff = st_o - st
        stance_short = np.isfinite(stance_diff) and stance_diff >= t.stance_diff_pct
        crit.append(
            _Criterion(
                Evidence(
                    f"stance, {side} minus {other}",
                    st - st_o,
                    "% of stride",
                    -t.stance_diff_pct,
                    float("nan"),
                    "kinchain default",
                ),
                bool(stance_short),
                stance_diff / t.stance_diff_pct if np.isfinite(stance_diff) else np.nan,
                (),
            )
        )
        # Vertical load shifted to the other leg (needs plate strides on both sides).
        shift = False
        for attr, label in (
            ("peak_vertical_bw", "vertical force peak"),
            ("impulse_bw_s", "vertical impulse"),
        ):
            a = _mean([getattr(x, attr) for x in data.sides[side].loading if x is not None])
            b = _mean([getattr(x, attr) for x in data.sides[other].loading if x is not None])
            if np.isfinite(a) and np.isfinite(b) and (a + b) > 0:
                si = (a - b) / (0.5 * (a + b)) * 100.0
                lower = -si >= t.vertical_force_si_pct
                shift |= lower
                crit.append(
                    _Criterion(
                        Evidence(
                            f"{label} symmetry index, {side} vs {other}",
                            si,
                            "%",
                            -t.vertical_force_si_pct,
                            float("nan"),
                            "Robinson et al. 1987 index; kinchain default threshold",
                        ),
                        bool(lower),
                        -si / t.vertical_force_si_pct,
                        (),
                    )
                )
        fired = crit[0].fired and (crit[1].fired or shift)
        out.append(
            _finding(
                "antalgic_gait",
                side,
                crit,
                f"Antalgic pattern on the {side}: single support is {_fmt(diff, 1)} % of the "
                f"stride shorter than on the {other}"
                + (
                    ", and load is shifted to the other leg."
                    if shift
                    else ", with a shorter stance."
                ),
                f"No antalgic pattern on the {side}: single support and stance are symmetric "
                "within the thresholds.",
                {
                    "single_support_diff_pct": t.single_support_diff_pct,
                    "stance_diff_pct": t.stance_diff_pct,
                    "vertical_force_si_pct": t.vertical_force_si_pct,
                },
                fired=fired,
            )
        )
    return out


def altered_foot_strike_timing(data: ChainData, t: Thresholds) -> list[Finding]:
    """Step-time asymmetry and a changed loading rate."""
    si = data.symmetry_pct.get("step_time_s", np.nan)
    out: list[Finding] = []
    for side in SIDES:
        other = _OTHER[side]
        if not np.isfinite(si):
            out.append(
                _not_applicable(
                    "altered_foot_strike_timing", side, "step time not measured on both sides"
                )
            )
            continue
        # The symmetry index is (L - R)/mean: positive means a longer left step time.
        own = si if side == "left" else -si
        crit = [
            _Criterion(
                Evidence(
                    f"step time symmetry index, {side} vs {other}",
                    own,
                    "%",
                    -t.step_time_si_pct,
                    t.step_time_si_pct,
                    "Robinson et al. 1987 index; kinchain default threshold",
                ),
                own >= t.step_time_si_pct,
                own / t.step_time_si_pct,
                (),
            )
        ]
        a = _mean([x.loading_rate_bw_s for x in data.sides[side].loading if x is not None])
        b = _mean([x.loading_rate_bw_s for x in data.sides[other].loading if x is not None])
        if np.isfinite(a) and np.isfinite(b) and a + b > 0:
            lr_si = (a - b) / (0.5 * (a + b)) * 100.0
            crit.append(
                _Criterion(
                    Evidence(
                        f"loading rate symmetry index, {side} vs {other}",
                        lr_si,
                        "%",
                        -t.loading_rate_si_pct,
                        t.loading_rate_si_pct,
                        "Robinson et al. 1987 index; kinchain default threshold",
                    ),
                    abs(lr_si) >= t.loading_rate_si_pct,
                    abs(lr_si) / t.loading_rate_si_pct,
                    (),
                )
            )
        out.append(
            _finding(
                "altered_foot_strike_timing",
                side,
                crit,
                f"Altered foot-strike timing: the {side} foot strikes late relative to the "
                f"{other} (step time {_fmt(own, 0)} % longer)"
                + (
                    ", and loading rates differ between sides."
                    if len(crit) > 1 and crit[1].fired
                    else "."
                ),
                f"Foot-strike timing of the {side} foot is within the thresholds.",
                {
                    "step_time_si_pct": t.step_time_si_pct,
                    "loading_rate_si_pct": t.loading_rate_si_pct,
                },
                # The finding names a side (that foot strikes late): only the signed step-time
                # criterion can fire it; a loading-rate asymmetry is shown as evidence but names
                # no late foot, so it cannot fire it (and so cannot fire it on both sides).
                fired=crit[0].fired,
            )
        )
    return out


def stiff_knee(data: ChainData, t: Thresholds) -> list[Finding]:
    """Reduced knee flexion at loading response and in swing, reduced range, reduced K1/K3."""
    out: list[Finding] = []
    for side in SIDES:
        d = data.sides[side]
        if data.normal is None or not d.strides:
            out.append(_not_applicable("stiff_knee", side, "no usable stride or no normative data"))
            continue
        n = data.normal
        crit = [
            c
            for c in (
                _curve_criterion(
                    d,
                    n,
                    "knee_flexion_loading_deg",
                    "knee flexion at loading response",
                    "deg",
                    t.z,
                    "low",
                ),
                _curve_criterion(
                    d,
                    n,
                    "knee_flexion_swing_peak_deg",
                    "peak knee flexion in swing",
                    "deg",
                    t.z,
                    "low",
                ),
                _curve_criterion(
                    d, n, "knee_rom_deg", "knee flexion range over the stride", "deg", t.z, "low"
                ),
            )
            if c is not None
        ]
        kin = SideData(
            tuple(s for s, k in zip(d.strides, d.kinetic, strict=True) if k),
            tuple(True for k in d.kinetic if k),
            (),
            d.spatiotemporal,
        )
        if kin.strides:
            # Less absorption = a less negative power: the "high" side of the band.
            for feat, q in (
                ("k1_power_w_kg", "K1 knee power absorption (minimum)"),
                ("k3_power_w_kg", "K3 knee power absorption (minimum)"),
            ):
                c = _curve_criterion(kin, n, feat, q, "W/kg", t.z, "high")
                if c is not None:
                    crit.append(c)
        if not crit:
            out.append(_not_applicable("stiff_knee", side, "knee curves incomplete"))
            continue
        worst = max(crit, key=lambda c: c.ratio if c.fired else -np.inf)
        out.append(
            _finding(
                "stiff_knee",
                side,
                crit,
                f"Stiff or guarded {side} knee: {worst.evidence.quantity} "
                f"{_fmt(worst.evidence.value)} {worst.evidence.unit} is below the normal range.",
                f"{side.capitalize()} knee flexion and knee power absorption are within normal "
                "ranges.",
                {"z": t.z},
            )
        )
    return out


def leg_rotation(data: ChainData, t: Thresholds) -> list[Finding]:
    """Hip rotation and foot progression outside normal (in-toeing, out-toeing)."""
    out: list[Finding] = []
    for side in SIDES:
        d = data.sides[side]
        if data.normal is None or not d.strides:
            out.append(
                _not_applicable("leg_rotation", side, "no usable stride or no normative data")
            )
            continue
        crit = [
            c
            for c in (
                _curve_criterion(
                    d,
                    data.normal,
                    "foot_progression_stance_deg",
                    "foot progression in stance (internal +)",
                    "deg",
                    t.z,
                    "both",
                ),
                _curve_criterion(
                    d,
                    data.normal,
                    "hip_rotation_stance_deg",
                    "hip rotation in stance (internal +)",
                    "deg",
                    t.z_hip_rotation,
                    "both",
                ),
            )
            if c is not None
        ]
        if not crit:
            out.append(_not_applicable("leg_rotation", side, "rotation curves incomplete"))
            continue
        fp = crit[0].evidence
        toe = (
            "in-toeing"
            if fp.value > fp.normal_high
            else "out-toeing"
            if fp.value < fp.normal_low
            else ""
        )
        hip = next((c for c in crit if c.evidence.quantity.startswith("hip") and c.fired), None)
        parts = []
        if toe:
            parts.append(f"{toe} (foot progression {_fmt(fp.value)}°)")
        if hip is not None:
            kind = "internal" if hip.evidence.value > hip.evidence.normal_high else "external"
            parts.append(f"{kind} hip rotation ({_fmt(hip.evidence.value)}°)")
        out.append(
            _finding(
                "leg_rotation",
                side,
                crit,
                f"{side.capitalize()} leg rotation: " + " and ".join(parts) + ".",
                f"{side.capitalize()} foot progression and hip rotation are within normal ranges.",
                {"z": t.z, "z_hip_rotation": t.z_hip_rotation},
            )
        )
    return out


def foot_roll(data: ChainData, t: Thresholds) -> list[Finding]:
    """Overpronation (medial) and supination (lateral) loading of the foot."""
    out: list[Finding] = []
    for side in SIDES:
        d = data.sides[side]
        loads = [x for x in d.loading if x is not None]
        offsets = [x.cop_offset_mm for x in loads]
        if not loads or not np.isfinite(offsets).any():
            for name in ("overpronation", "supination"):
                out.append(_not_applicable(name, side, "no clean force-plate stance of this foot"))
            continue
        value = _mean(offsets)
        support: list[_Criterion] = []
        ang = [s.ankle_inversion_stance_deg for s in d.strides]
        if np.isfinite(ang).any():
            support.append(
                _Criterion(
                    Evidence(
                        "ankle inversion angle in stance (CGM1; indicative only)",
                        _mean(ang),
                        "deg",
                        float("nan"),
                        float("nan"),
                        "no normative data in the CGM1 reference; shown, not used",
                        _per(ang),
                    ),
                    False,
                    float("nan"),
                    (),
                )
            )
        mom = [
            s.ankle_inversion_moment_nm_kg for s, k in zip(d.strides, d.kinetic, strict=True) if k
        ]
        if np.isfinite(mom).any():
            support.append(
                _Criterion(
                    Evidence(
                        "ankle inversion moment in mid stance",
                        _mean(mom),
                        "N·m/kg",
                        float("nan"),
                        float("nan"),
                        "no normative data; shown, not used",
                        _per(mom),
                    ),
                    False,
                    float("nan"),
                    (),
                )
            )
        for name, fires, limit, words in (
            ("overpronation", value <= t.cop_medial_mm, t.cop_medial_mm, "medial"),
            ("supination", value >= t.cop_lateral_mm, t.cop_lateral_mm, "lateral"),
        ):
            crit = _Criterion(
                Evidence(
                    "centre of pressure from the heel-toe line in mid stance (lateral +)",
                    value,
                    "mm",
                    t.cop_medial_mm,
                    t.cop_lateral_mm,
                    "kinchain default; no normative source",
                    _per(offsets),
                ),
                bool(fires),
                value / limit,
                tuple(i for i, v in enumerate(offsets) if (v <= limit if limit < 0 else v >= limit))
                if fires
                else (),
            )
            out.append(
                _finding(
                    name,
                    side,
                    [crit, *support],
                    f"{name.capitalize()} of the {side} foot: the centre of pressure runs "
                    f"{_fmt(abs(value))} mm {words} of the foot axis in mid stance.",
                    f"No {name} of the {side} foot: the centre of pressure stays within the "
                    "thresholds of the foot axis.",
                    {"cop_medial_mm": t.cop_medial_mm, "cop_lateral_mm": t.cop_lateral_mm},
                    fired=bool(fires),
                )
            )
    return out


def ankle_overload(data: ChainData, t: Thresholds) -> list[Finding]:
    """High plantarflexor moment, A2 generation and ankle shares of support and work."""
    out: list[Finding] = []
    for side in SIDES:
        d = data.sides[side]
        if data.normal is None or not any(d.kinetic):
            out.append(
                _not_applicable("ankle_overload", side, "no clean force-plate stance of this foot")
            )
            continue
        kin = SideData(
            tuple(s for s, k in zip(d.strides, d.kinetic, strict=True) if k),
            tuple(True for k in d.kinetic if k),
            (),
            d.spatiotemporal,
        )
        crit = [
            c
            for c in (
                _curve_criterion(
                    kin,
                    data.normal,
                    "ankle_plantarflexor_moment_peak_nm_kg",
                    "peak plantarflexor moment",
                    "N·m/kg",
                    t.z,
                    "high",
                ),
                _curve_criterion(
                    kin,
                    data.normal,
                    "a2_power_w_kg",
                    "A2 ankle power generation (peak)",
                    "W/kg",
                    t.z,
                    "high",
                ),
                _share_criterion(
                    kin,
                    data.normal,
                    "ankle_support_share",
                    "ankle share of the support moment (Winter 1980)",
                    t.share_tolerance,
                ),
                _share_criterion(
                    kin,
                    data.normal,
                    "ankle_positive_work_share",
                    "ankle share of positive joint work in stance",
                    t.share_tolerance,
                ),
            )
            if c is not None
        ]
        if not crit:
            out.append(_not_applicable("ankle_overload", side, "ankle kinetics incomplete"))
            continue
        worst = max(crit, key=lambda c: c.ratio if c.fired else -np.inf)
        out.append(
            _finding(
                "ankle_overload",
                side,
                crit,
                f"{side.capitalize()} ankle overload: {worst.evidence.quantity} "
                f"{_fmt(worst.evidence.value, 2)} {worst.evidence.unit} is above the normal range.",
                f"{side.capitalize()} ankle loading is within normal ranges.",
                {"z": t.z, "share_tolerance": t.share_tolerance},
            )
        )
    return out


def knee_adduction_evidence(data: ChainData, side: str, t: Thresholds) -> list[Evidence]:
    """The knee adduction moment of ``side``'s force-plate strides as evidence items.

    The first and second peak (N·m/kg) with the normative mean ± ``t.z`` SD as their range
    (``normal_low``/``normal_high`` NaN without normative data), and the impulse (N·m·s/kg) with
    no normal range; all external, adduction positive (:mod:`kinchain.chain.knee_loading`).
    ``per_cycle`` holds the value of each stride with kinetics, in stride order. Empty when the
    side has no stride with kinetics or no finite knee adduction moment.
    """
    d = data.sides[side]
    kin = [s for s, k in zip(d.strides, d.kinetic, strict=True) if k]
    out: list[Evidence] = []
    items = (
        ("knee_adduction_moment_first_peak_nm_kg", "knee adduction moment, first peak (external)"),
        (
            "knee_adduction_moment_second_peak_nm_kg",
            "knee adduction moment, second peak (external)",
        ),
    )
    for feature, quantity in items:
        values = [getattr(s, feature) for s in kin]
        if not np.isfinite(values).any():
            continue
        lo = hi = float("nan")
        source = "no normative data"
        if data.normal is not None:
            mu = data.normal.mean.get(feature, np.nan)
            sd = data.normal.sd.get(feature, np.nan)
            if np.isfinite(mu) and np.isfinite(sd) and sd > 0:
                lo, hi = mu - t.z * sd, mu + t.z * sd
                source = f"{data.normal.source}, mean ± {t.z:g} SD"
        out.append(Evidence(quantity, _mean(values), "N·m/kg", lo, hi, source, _per(values)))
    impulse = [s.knee_adduction_impulse_nm_s_kg for s in kin]
    if np.isfinite(impulse).any():
        out.append(
            Evidence(
                "knee adduction moment impulse over stance (external)",
                _mean(impulse),
                "N·m·s/kg",
                float("nan"),
                float("nan"),
                "no normal range: the normative set holds no stride duration",
                _per(impulse),
            )
        )
    return out


def knee_to_ankle_propagation(
    data: ChainData, t: Thresholds, stiff: list[Finding], overload: list[Finding]
) -> list[Finding]:
    """Does the ankle take over work the knee is not doing, on the same side and strides?

    The evidence also carries the side's knee adduction moment (:func:`knee_adduction_evidence`)
    as the summary of frontal-plane knee loading; it does not decide whether the finding fires.
    """
    out: list[Finding] = []
    for side in SIDES:
        d = data.sides[side]
        knee = next(f for f in stiff if f.side == side)
        ankle = next(f for f in overload if f.side == side)
        if not (knee.applicable and ankle.applicable):
            why = knee.why_not or ankle.why_not
            out.append(_not_applicable("knee_to_ankle_propagation", side, why))
            continue
        shares = [e for e in ankle.evidence if "share" in e.quantity]
        share_up = any(e.value > e.normal_high for e in shares if np.isfinite(e.value))
        kin_idx = [i for i, k in enumerate(d.kinetic) if k]
        knee_lr = [d.strides[i].knee_flexion_loading_deg for i in kin_idx]
        ankle_share = [d.strides[i].ankle_support_share for i in kin_idx]
        evidence = list(knee.evidence[:1]) + shares
        if (
            len(kin_idx) >= t.min_strides
            and np.isfinite(knee_lr).all()
            and np.isfinite(ankle_share).all()
        ):
            # Undefined (NaN) when either does not vary across the strides.
            varies = np.ptp(knee_lr) > 0 and np.ptp(ankle_share) > 0
            r = float(np.corrcoef(knee_lr, ankle_share)[0, 1]) if varies else float("nan")
            evidence.append(
                Evidence(
                    "correlation across strides: knee flexion at loading response vs ankle "
                    "share of support moment",
                    r,
                    "Pearson r",
                    float("nan"),
                    float("nan"),
                    f"{len(kin_idx)} strides with kinetics",
                )
            )
        else:
            evidence.append(
                Evidence(
                    "correlation across strides",
                    float("nan"),
                    "Pearson r",
                    float("nan"),
                    float("nan"),
                    f"not computed: {len(kin_idx)} stride(s) with kinetics, {t.min_strides} needed",
                )
            )
        evidence.extend(knee_adduction_evidence(data, side, t))
        fired = knee.fired and ankle.fired and share_up
        cycles = tuple(sorted(set(knee.cycles) & set(ankle.cycles)))
        severity: Severity = "none"
        if fired:
            order = ["none", "mild", "moderate", "severe"]
            severity = order[min(order.index(knee.severity), order.index(ankle.severity))]  # type: ignore[assignment]
        out.append(
            Finding(
                "knee_to_ankle_propagation",
                side,  # type: ignore[arg-type]
                fired,
                severity,
                tuple(evidence),
                cycles,
                (
                    f"The {side} ankle is taking over work the knee is not doing: the knee is "
                    "stiff or guarded while the ankle carries more than its normal share of "
                    "support and work."
                    if fired
                    else f"No sign that the {side} ankle is taking over work from the knee"
                    + (
                        " (the knee is stiff but the ankle's share is normal)."
                        if knee.fired
                        else "."
                    )
                ),
                thresholds={"share_tolerance": t.share_tolerance, "z": t.z},
            )
        )
    return out


def detect_findings(data: ChainData, thresholds: Thresholds | None = None) -> list[Finding]:
    """Run every detector on both sides.

    Returns
    -------
    list
        Findings in a fixed order: antalgic gait, altered foot-strike timing, stiff knee, leg
        rotation, overpronation, supination, ankle overload, knee-to-ankle propagation; left
        before right.
    """
    t = thresholds or Thresholds()
    stiff = stiff_knee(data, t)
    overload = ankle_overload(data, t)
    roll = foot_roll(data, t)
    findings = [
        *antalgic_gait(data, t),
        *altered_foot_strike_timing(data, t),
        *stiff,
        *leg_rotation(data, t),
        *[f for f in roll if f.name == "overpronation"],
        *[f for f in roll if f.name == "supination"],
        *overload,
        *knee_to_ankle_propagation(data, t, stiff, overload),
    ]
    return [_grade_by_strides(f, data, t) for f in findings]


#: Findings that compare the two sides (their stride count is the smaller side's) and findings
#: read off force-plate strides only (their stride count is the side's kinetic strides).
_BOTH_SIDES = frozenset({"antalgic_gait", "altered_foot_strike_timing"})
_KINETIC = frozenset({"overpronation", "supination", "ankle_overload", "knee_to_ankle_propagation"})


def stride_count(name: str, side: str, data: ChainData) -> int:
    """Usable strides behind finding ``name`` on ``side`` (see :class:`Finding.n_strides`)."""

    def count(s: str) -> int:
        d = data.sides.get(s)
        if d is None:
            return 0
        return sum(d.kinetic) if name in _KINETIC else len(d.strides)

    if name in _BOTH_SIDES:
        return min(count(s) for s in SIDES)
    return count(side)


def _grade_by_strides(f: Finding, data: ChainData, t: Thresholds) -> Finding:
    """Record the stride count; hold a finding fired on too few strides at "mild"."""
    n = stride_count(f.name, f.side, data)
    if not f.fired or n >= t.min_strides_graded:
        return replace(f, n_strides=n)
    where = "each side" if f.name in _BOTH_SIDES else f"the {f.side}"
    kind = "force-plate strides" if f.name in _KINETIC else "usable strides"
    return replace(
        f,
        n_strides=n,
        severity="mild",
        insufficient_strides=True,
        sentence=(
            f"Insufficient strides ({n} {kind} on {where}; {t.min_strides_graded} needed to "
            f"grade a finding): {f.sentence}"
        ),
    )

"""Per-stride features of the kinetic chain, from time-normalised curves and ground reactions.

Every feature is computed the same way from a patient's stride and from a normative mean curve,
so the two compare like with like. Curves are ``(101, 3)`` arrays over 0..100 % of the stride in
Plug-in Gait's conventions: angles in degrees (X sagittal, Y frontal, Z transverse; flexion,
adduction/varus, internal rotation, dorsiflexion and inversion positive), moments in N·m/kg
(internal; hip, knee extensor and ankle plantarflexor positive in X), powers in W/kg (Z holds the
total, generation positive).

Windows (percent of the stride; stance ends one point before foot off, typically ~60 %):

====================================  ========================================================
feature                               definition
====================================  ========================================================
knee flexion at loading response      maximum knee flexion between 0 and 20 %
peak swing knee flexion               maximum knee flexion between foot off and 100 %
knee range of motion                  maximum minus minimum knee flexion over the stride
hip rotation in stance                mean hip rotation from 0 % to foot off
foot progression in stance            mean foot progression (internal +) from 0 % to foot off
ankle inversion in stance             mean ankle frontal angle from 0 % to foot off
K1 (knee absorption)                  minimum knee power between 0 and 20 % (Winter 1983)
K3 (knee absorption)                  minimum knee power in the last 15 % of stance (the part of
                                      Winter's K3 burst before foot off: kinetics end there)
A2 (ankle generation)                 maximum ankle power between 40 % and foot off
peak plantarflexor moment             maximum ankle moment X in stance
ankle inversion moment                mean ankle moment Y in mid stance (20–80 % of stance)
ankle share of support moment         the ankle's part of the extensor (support) moment impulse in
                                      stance: ∑ max(ankle X, 0) / ∑ over hip, knee and ankle of
                                      max(X, 0) (after Winter 1980's support moment)
ankle / knee share of positive work   positive work of the joint in stance over the positive
                                      work of hip, knee and ankle together
knee adduction moment, 1st / 2nd     maximum external knee adduction moment (= knee moment Y,
peak                                  internal abductor +) in the first / second half of stance
knee adduction moment impulse         its time integral over stance, N·m·s/kg (needs the stride
                                      time; NaN on normative mean curves)
====================================  ========================================================

The knee adduction moment measures, their sign convention and literature are in
:mod:`kinchain.chain.knee_loading`.

References
----------
Winter DA. Overall principle of lower limb support during stance phase of gait.
J Biomech 1980;13:923-927.
Winter DA. Energy generation and absorption at the ankle and knee during fast, natural, and slow
cadences. Clin Orthop Relat Res 1983;175:147-154.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from kinchain.chain.knee_loading import kam_from_stride_curve, kam_windows

FloatArray = NDArray[np.float64]
N_POINTS = 101
_PCT = np.linspace(0.0, 100.0, N_POINTS)


@dataclass(frozen=True)
class CurveFeatures:
    """Features of one stride (or one normative mean curve); NaN where not computable.

    Units: degrees for angles, W/kg for powers, N·m/kg for moments, N·m·s/kg for the knee
    adduction moment impulse, fractions (0..1) for shares. Knee adduction moments are external,
    adduction positive (:mod:`kinchain.chain.knee_loading`).
    """

    knee_flexion_loading_deg: float
    knee_flexion_swing_peak_deg: float
    knee_rom_deg: float
    hip_rotation_stance_deg: float
    foot_progression_stance_deg: float
    ankle_inversion_stance_deg: float
    k1_power_w_kg: float
    k3_power_w_kg: float
    a2_power_w_kg: float
    ankle_plantarflexor_moment_peak_nm_kg: float
    ankle_inversion_moment_nm_kg: float
    ankle_support_share: float
    ankle_positive_work_share: float
    knee_positive_work_share: float
    knee_adduction_moment_first_peak_nm_kg: float
    knee_adduction_moment_second_peak_nm_kg: float
    knee_adduction_impulse_nm_s_kg: float

    def as_dict(self) -> dict[str, float]:
        """Feature name -> value."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


#: Feature name -> (label family, component, how the normal SD is taken) for features read off
#: a single curve; the others (shares) have no per-point SD.
CURVE_FEATURES: dict[str, tuple[str, int]] = {
    "knee_flexion_loading_deg": ("KneeAngles", 0),
    "knee_flexion_swing_peak_deg": ("KneeAngles", 0),
    "knee_rom_deg": ("KneeAngles", 0),
    "hip_rotation_stance_deg": ("HipAngles", 2),
    "foot_progression_stance_deg": ("FootProgressAngles", 2),
    "ankle_inversion_stance_deg": ("AnkleAngles", 1),
    "k1_power_w_kg": ("KneePower", 2),
    "k3_power_w_kg": ("KneePower", 2),
    "a2_power_w_kg": ("AnklePower", 2),
    "ankle_plantarflexor_moment_peak_nm_kg": ("AnkleMoment", 0),
    "ankle_inversion_moment_nm_kg": ("AnkleMoment", 1),
    "knee_adduction_moment_first_peak_nm_kg": ("KneeMoment", 1),
    "knee_adduction_moment_second_peak_nm_kg": ("KneeMoment", 1),
}


def _window(lo: float, hi: float) -> NDArray[np.bool_]:
    return (_PCT >= lo) & (_PCT <= hi)


def _series(curves: Mapping[str, FloatArray], family: str, k: int) -> FloatArray:
    c = curves.get(family)
    if c is None:
        return np.full(N_POINTS, np.nan)
    return np.asarray(c[:, k], dtype=np.float64)


def _pick(x: FloatArray, window: NDArray[np.bool_], how: str) -> tuple[float, int]:
    """Value and index of the max / min / mean of ``x`` inside ``window`` (NaN if incomplete)."""
    seg = np.where(window, x, np.nan)
    if not np.isfinite(x[window]).all() or not window.any():
        return float("nan"), -1
    if how == "max":
        i = int(np.nanargmax(seg))
        return float(x[i]), i
    if how == "min":
        i = int(np.nanargmin(seg))
        return float(x[i]), i
    return float(np.mean(x[window])), -1


def feature_windows(foot_off_pct: float) -> dict[str, tuple[NDArray[np.bool_], str]]:
    """The window (mask over the 101 points) and reduction of every single-curve feature."""
    fo = float(foot_off_pct) if np.isfinite(foot_off_pct) else 60.0
    # Stance windows stop one point before foot off: kinetics are valid only while the foot is
    # on the plate, and the sample at foot off itself may fall just after it.
    stance = _window(0.0, fo - 1.0)
    mid = _window(0.2 * fo, 0.8 * fo)
    kam_first, kam_second = kam_windows(fo)
    return {
        "knee_flexion_loading_deg": (_window(0.0, 20.0), "max"),
        "knee_flexion_swing_peak_deg": (_window(fo, 100.0), "max"),
        "hip_rotation_stance_deg": (stance, "mean"),
        "foot_progression_stance_deg": (stance, "mean"),
        "ankle_inversion_stance_deg": (stance, "mean"),
        "k1_power_w_kg": (_window(0.0, 20.0), "min"),
        "k3_power_w_kg": (_window(fo - 15.0, fo - 1.0), "min"),
        "a2_power_w_kg": (_window(40.0, fo - 1.0), "max"),
        "ankle_plantarflexor_moment_peak_nm_kg": (stance, "max"),
        "ankle_inversion_moment_nm_kg": (mid, "mean"),
        "knee_adduction_moment_first_peak_nm_kg": (kam_first, "max"),
        "knee_adduction_moment_second_peak_nm_kg": (kam_second, "max"),
    }


def curve_features(
    curves: Mapping[str, FloatArray], foot_off_pct: float, stride_time_s: float = float("nan")
) -> CurveFeatures:
    """Features of one stride's curves.

    Parameters
    ----------
    curves
        Label family without side prefix (``"KneeAngles"``, ``"AnklePower"``, ...) -> ``(101, 3)``.
    foot_off_pct
        This foot's foot off, % of the stride (60 % assumed when NaN).
    stride_time_s
        The stride's duration, s, for the knee adduction moment impulse (NaN without it, e.g.
        on normative mean curves).
    """
    values: dict[str, float] = {}
    for name, (window, how) in feature_windows(foot_off_pct).items():
        family, k = CURVE_FEATURES[name]
        values[name], _ = _pick(_series(curves, family, k), window, how)
    knee = _series(curves, "KneeAngles", 0)
    values["knee_rom_deg"] = (
        float(np.max(knee) - np.min(knee)) if np.isfinite(knee).all() else float("nan")
    )
    fo = float(foot_off_pct) if np.isfinite(foot_off_pct) else 60.0
    stance = _window(0.0, fo - 1.0)
    extensor = [
        np.clip(_series(curves, f"{j}Moment", 0)[stance], 0.0, None)
        for j in ("Hip", "Knee", "Ankle")
    ]
    total_ext = sum(float(e.sum()) for e in extensor)
    if all(np.isfinite(e).all() for e in extensor) and total_ext > 0:
        values["ankle_support_share"] = float(extensor[2].sum() / total_ext)
    else:
        values["ankle_support_share"] = float("nan")
    work = {
        j: np.clip(_series(curves, f"{j}Power", 2)[stance], 0.0, None).sum()
        for j in ("Hip", "Knee", "Ankle")
    }
    total = sum(work.values())
    ok = all(np.isfinite(v) for v in work.values()) and total > 0
    values["ankle_positive_work_share"] = float(work["Ankle"] / total) if ok else float("nan")
    values["knee_positive_work_share"] = float(work["Knee"] / total) if ok else float("nan")
    knee_moment = curves.get("KneeMoment")
    values["knee_adduction_impulse_nm_s_kg"] = (
        kam_from_stride_curve(knee_moment, fo, stride_time_s).impulse_nm_s_kg
        if knee_moment is not None
        else float("nan")
    )
    return CurveFeatures(**values)


def normal_sd(
    sd_curves: Mapping[str, FloatArray], mean_curves: Mapping[str, FloatArray], foot_off_pct: float
) -> dict[str, float]:
    """The normative SD of each single-curve feature: the SD curve at the point the feature is
    read from (for means over a window, the mean SD over it; for the knee range, the root sum of
    squares of the SDs at the maximum and the minimum)."""
    out: dict[str, float] = {}
    for name, (window, how) in feature_windows(foot_off_pct).items():
        family, k = CURVE_FEATURES[name]
        mean = _series(mean_curves, family, k)
        sd = _series(sd_curves, family, k)
        _, i = _pick(mean, window, how)
        if how == "mean":
            out[name] = float(np.mean(sd[window])) if np.isfinite(sd[window]).all() else np.nan
        else:
            out[name] = float(sd[i]) if i >= 0 else float("nan")
    knee, knee_sd = _series(mean_curves, "KneeAngles", 0), _series(sd_curves, "KneeAngles", 0)
    if np.isfinite(knee).all() and np.isfinite(knee_sd).all():
        out["knee_rom_deg"] = float(
            np.hypot(knee_sd[int(np.argmax(knee))], knee_sd[int(np.argmin(knee))])
        )
    else:
        out["knee_rom_deg"] = float("nan")
    return out


@dataclass(frozen=True)
class StanceLoading:
    """Ground-reaction features of one stance on a force plate.

    Attributes
    ----------
    peak_vertical_bw
        Largest vertical ground reaction in stance, body weights.
    impulse_bw_s
        Vertical impulse over stance, body-weight seconds.
    loading_rate_bw_s
        Loading rate, body weights per second: the 20-80 % rise of the first vertical peak (the
        maximum in the first half of the contact), ``0.6 * peak / (t80 - t20)``, measured on the
        analog force signal when it is given (:func:`loading_rate`).
    cop_offset_mm
        Mean distance of the centre of pressure from the heel-toe line in mid stance (20-80 % of
        stance), mm, positive lateral (towards the foot's outside).
    """

    peak_vertical_bw: float
    impulse_bw_s: float
    loading_rate_bw_s: float
    cop_offset_mm: float


def loading_rate(
    fz_n: FloatArray,
    rate_hz: float,
    body_weight_n: float,
    *,
    threshold_n: float = 20.0,
    low: float = 0.2,
    high: float = 0.8,
) -> float:
    """Loading rate of one foot contact: the 20-80 % rise of the first vertical force peak.

    The contact begins at the first sample above ``threshold_n``; its first peak is the
    maximum of the vertical force in the first half of the loaded samples. The times at which
    the force first reaches ``low`` and ``high`` times that peak are found by linear
    interpolation between samples, so the result does not depend on where the strike falls
    between samples (it does on the marker-rate force, where the steepest one-frame slope
    changes with the strike's phase within a frame).

    Parameters
    ----------
    fz_n
        Vertical ground reaction force of the contact, N, ``(n,)``; it may start before the
        strike (samples at or below the threshold are skipped). Use the analog signal
        (typically 1000 Hz) where available.
    rate_hz
        Sampling rate of ``fz_n``, Hz.
    body_weight_n
        Body weight, N (mass times 9.81 m/s²).
    threshold_n
        Vertical-force threshold of the contact, N.
    low, high
        Fractions of the first peak between which the rise is measured (defaults 0.2, 0.8).

    Returns
    -------
    float
        Body weights per second; NaN when the contact is too short, has gaps, or the peak is
        not above the threshold.
    """
    fz = np.asarray(fz_n, dtype=np.float64)
    above = np.flatnonzero(np.where(np.isfinite(fz), fz, -np.inf) > threshold_n)
    nan = float("nan")
    if above.size < 4 or body_weight_n <= 0:
        return nan
    seg = fz[above[0] : above[-1] + 1]
    if not np.isfinite(seg).all():
        return nan
    half = max(seg.size // 2, 2)
    peak_i = int(np.argmax(seg[:half]))
    peak = float(seg[peak_i])
    if peak <= threshold_n or peak_i < 1:
        return nan
    # Include the sample before the strike so the crossing can be interpolated from below.
    lo_i = max(int(above[0]) - 1, 0)
    rise = fz[lo_i : int(above[0]) + peak_i + 1]
    rise = np.nan_to_num(rise, nan=0.0)

    def crossing(level: float) -> float:
        k = int(np.argmax(rise >= level))
        if k == 0:
            return float(lo_i)
        f0, f1 = rise[k - 1], rise[k]
        return lo_i + k - 1 + float((level - f0) / (f1 - f0))

    t_low, t_high = crossing(low * peak), crossing(high * peak)
    if not t_high > t_low:
        return nan
    return float((high - low) * peak / ((t_high - t_low) / rate_hz) / body_weight_n)


def stance_loading(
    force_n: FloatArray,
    cop_m: FloatArray,
    heel_m: FloatArray,
    toe_m: FloatArray,
    start: int,
    stop: int,
    rate_hz: float,
    mass_kg: float,
    side: str,
    *,
    fz_analog_n: FloatArray | None = None,
    analog_rate_hz: float | None = None,
) -> StanceLoading:
    """Ground-reaction features of the stance ``[start, stop)`` (marker frames).

    Parameters
    ----------
    force_n, cop_m
        The foot's ground reaction force (N) and centre of pressure (m), ``(n, 3)``, lab frame.
    heel_m, toe_m
        Heel and toe marker positions, m, ``(n, 3)``.
    start, stop
        First frame of the stance and the frame after its last.
    rate_hz
        Marker rate.
    mass_kg
        Body mass.
    side
        ``"left"`` or ``"right"`` (decides which way is lateral).
    fz_analog_n, analog_rate_hz
        The contact's vertical force at the analog rate, N, and that rate, Hz: the loading rate
        is then measured on it (:func:`loading_rate`); without them, on ``force_n`` at the
        marker rate (same definition, coarser).
    """
    bw = mass_kg * 9.81
    fz = force_n[start:stop, 2] / bw
    nan = float("nan")
    if len(fz) < 4 or not np.isfinite(fz).all():
        return StanceLoading(nan, nan, nan, nan)
    if fz_analog_n is not None and analog_rate_hz:
        rate_bw_s = loading_rate(fz_analog_n, analog_rate_hz, bw)
    else:
        lo = max(start - 1, 0)
        rate_bw_s = loading_rate(force_n[lo:stop, 2], rate_hz, bw)
    n = stop - start
    mid = slice(start + int(0.2 * n), start + max(int(0.8 * n), int(0.2 * n) + 1))
    axis = toe_m[mid, :2] - heel_m[mid, :2]
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    rel = cop_m[mid, :2] - heel_m[mid, :2]
    left_of_axis = axis[:, 0] * rel[:, 1] - axis[:, 1] * rel[:, 0]  # z of axis × rel
    # "Left of the axis" is lateral for the left foot, medial for the right foot.
    sign = 1.0 if side == "left" else -1.0
    offset = float(np.nanmean(left_of_axis) * sign * 1000.0)
    return StanceLoading(
        peak_vertical_bw=float(fz.max()),
        impulse_bw_s=float(np.trapezoid(fz, dx=1.0 / rate_hz)),
        loading_rate_bw_s=rate_bw_s,
        cop_offset_mm=offset,
    )

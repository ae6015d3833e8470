"""The knee adduction moment (KAM): the most used kinetic marker of medial knee loading.

In walking the ground reaction passes medial to the knee for most of stance, so the external
moment about the knee's antero-posterior axis tends to adduct the shank (varus); the medial
compartment carries the load that balances it. Its stance curve has two peaks, one in early
stance (loading response) and one in late stance (push-off). Three measures are reported:

=================================  =================================================================
measure                            definition
=================================  =================================================================
first peak, N·m/kg                 maximum of the external KAM in the first half of stance
second peak, N·m/kg                maximum of the external KAM in the second half of stance
impulse, N·m·s/kg                  time integral of the external KAM over stance (trapezoid rule;
                                   negative parts count, as in the time integral over stance)
=================================  =================================================================

Convention
----------
The literature reports the **external** knee adduction moment, positive when the external load
adducts the shank (varus). kinchain's knee moments (``{L,R}KneeMoment``, as Plug-in Gait) are
**internal** net moments in the proximal shank frame with component Y frontal, *abductor*
positive, for both sides; the internal abductor moment balances the external adduction moment,
so **external KAM = +KneeMoment[:, 1]**. Checked on the Plug-in Gait reference curves: c3d.org
sample_00 ``LKneeMoment`` Y and sample_09 ``PlugInC3D.c3d`` ``L/RKneeMoment`` Y are positive
with two peaks over stance on a force plate, and so is the Schwartz et al. (2008) normative mean
(``KneeMoment`` Y, every speed class).

Normal range: the speed-matched Schwartz 2008 curve (kinchain's packaged normative data; mostly
children and teenagers), read with the same windows: the peak of the mean curve and the SD curve
at that point (:func:`kinchain.chain.features.normal_sd`). The peak of a mean curve is lower than
the mean of individual peaks (peaks at different times average out), so the range is a little
low; the packaged set holds no stride duration, so the impulse has no normal range.

What it means: a higher KAM peak predicts radiographic progression of medial knee
osteoarthritis (Miyazaki et al. 2002: each 1 % body weight × height increase in the peak raised
the risk of progression 6.46-fold over six years); the impulse also reflects how long the load
acts and separates mild from moderate disease better than the peak (Thorp et al. 2006; Kean et
al. 2012). The KAM is a surrogate of the medial-compartment load, not the load itself.

References
----------
Miyazaki T, Wada M, Kawahara H, Sato M, Baba H, Shimada S. Dynamic load at baseline can predict
radiographic disease progression in medial compartment knee osteoarthritis. Ann Rheum Dis
2002;61:617-622.
Thorp LE, Sumner DR, Block JA, Moisio KC, Shott S, Wimmer MA. Knee joint loading differs in
individuals with mild compared with moderate medial knee osteoarthritis. Arthritis Rheum
2006;54:3842-3849.
Kean CO, Hinman RS, Bowles KA, Cicuttini F, Davies-Tuck M, Bennell KL. Comparison of peak knee
adduction moment and knee adduction moment impulse in distinguishing between severities of knee
osteoarthritis. Clin Biomech 2012;27:520-523.
Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically
developing children. J Biomech 2008;41:1639-1650.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Component of a Plug-in Gait knee moment (internal, N·m/kg) that is the external adduction
#: moment with its sign: Y, abductor positive internal = adduction positive external.
KAM_COMPONENT = 1

_N_POINTS = 101
_PCT = np.linspace(0.0, 100.0, _N_POINTS)


@dataclass(frozen=True)
class KneeAdductionMoment:
    """The external knee adduction moment measures of one stance (NaN where not computable).

    Attributes
    ----------
    first_peak_nm_kg
        Maximum in the first half of stance, N·m/kg (external, adduction positive).
    second_peak_nm_kg
        Maximum in the second half of stance, N·m/kg.
    impulse_nm_s_kg
        Time integral over stance, N·m·s/kg.
    """

    first_peak_nm_kg: float
    second_peak_nm_kg: float
    impulse_nm_s_kg: float

    def as_dict(self) -> dict[str, float]:
        """Measure name -> value."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


_NAN = KneeAdductionMoment(float("nan"), float("nan"), float("nan"))


def external_knee_adduction_moment(knee_moment_nm_kg: FloatArray) -> FloatArray:
    """External knee adduction moment from a Plug-in Gait knee moment.

    Parameters
    ----------
    knee_moment_nm_kg
        ``(n, 3)`` internal knee moment, N·m/kg, Plug-in Gait layout (X sagittal extensor +,
        Y frontal abductor +, Z transverse), either side.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` external adduction moment, N·m/kg, adduction (varus) positive.
    """
    m = np.asarray(knee_moment_nm_kg, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] != 3:
        raise ValueError(f"expected an (n, 3) knee moment, got shape {m.shape}")
    return m[:, KAM_COMPONENT].copy()


def kam_measures(kam_nm_kg: FloatArray, rate_hz: float) -> KneeAdductionMoment:
    """KAM peaks and impulse of one stance sampled in time.

    Parameters
    ----------
    kam_nm_kg
        ``(n,)`` external knee adduction moment, N·m/kg, from foot contact to foot off (the
        samples of one stance on a force plate, in order).
    rate_hz
        Sampling rate, Hz.

    Returns
    -------
    KneeAdductionMoment
        The first peak is the maximum over samples at times ``t <= T / 2`` and the second over
        ``t > T / 2``, where ``T = (n - 1) / rate_hz`` is the stance duration; the impulse is
        the trapezoid integral over ``[0, T]``. All NaN when the stance has fewer than 4
        samples or any non-finite sample.
    """
    if not rate_hz > 0:
        raise ValueError(f"kam_measures: sampling rate must be positive, got {rate_hz} Hz")
    x = np.asarray(kam_nm_kg, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"kam_measures: expected a 1-D stance curve, got shape {x.shape}")
    if x.size < 4 or not np.isfinite(x).all():
        return _NAN
    t = np.arange(x.size) / rate_hz
    first = t <= t[-1] / 2.0
    return KneeAdductionMoment(
        first_peak_nm_kg=float(x[first].max()),
        second_peak_nm_kg=float(x[~first].max()),
        impulse_nm_s_kg=float(np.trapezoid(x, t)),
    )


def kam_windows(foot_off_pct: float) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Masks over the 101 points of a stride (0..100 %) for the first and second KAM peak.

    Stance is taken as 0 % to one point before foot off (kinetics are valid only while the foot
    is on the plate; the sample at foot off may fall just after it), as in
    :func:`kinchain.chain.features.feature_windows`; its first half is ``0 <= p <= fo / 2``,
    its second half ``fo / 2 < p <= fo - 1`` (``fo`` = foot off, %; 60 % when NaN).
    """
    fo = float(foot_off_pct) if np.isfinite(foot_off_pct) else 60.0
    first = _PCT <= fo / 2.0
    second = (_PCT > fo / 2.0) & (_PCT <= fo - 1.0)
    return first, second


def kam_from_stride_curve(
    knee_moment_nm_kg: FloatArray, foot_off_pct: float, stride_time_s: float = float("nan")
) -> KneeAdductionMoment:
    """KAM measures from a time-normalised stride (or a normative mean curve).

    Parameters
    ----------
    knee_moment_nm_kg
        ``(101, 3)`` internal knee moment over 0..100 % of the stride, N·m/kg, Plug-in Gait
        layout.
    foot_off_pct
        Foot off, % of the stride (60 % when NaN).
    stride_time_s
        Stride duration, s: needed for the impulse (NaN without it); the points are
        ``stride_time_s / 100`` apart.

    Returns
    -------
    KneeAdductionMoment
        Peaks over :func:`kam_windows`; impulse the trapezoid integral over the stance points
        (0 % to one point before foot off). NaN where a window has a non-finite point.
    """
    m = np.asarray(knee_moment_nm_kg, dtype=np.float64)
    if m.shape != (_N_POINTS, 3):
        raise ValueError(f"expected a (101, 3) stride curve, got shape {m.shape}")
    kam = external_knee_adduction_moment(m)
    first, second = kam_windows(foot_off_pct)
    nan = float("nan")

    def peak(window: NDArray[np.bool_]) -> float:
        seg = kam[window]
        return float(seg.max()) if seg.size and np.isfinite(seg).all() else nan

    stance = kam[first | second]
    impulse = nan
    if np.isfinite(stride_time_s) and stride_time_s > 0 and np.isfinite(stance).all():
        impulse = float(np.trapezoid(stance, dx=stride_time_s / 100.0))
    return KneeAdductionMoment(peak(first), peak(second), impulse)

"""Strides and time normalisation: one :class:`~kinchain.gait.cycles_types.CycleSet` per side.

A stride (gait cycle) of one foot runs from its foot strike to its next foot strike. Each output
curve is resampled at 101 points, 0, 1, ..., 100 % of the stride, by linear interpolation between
the two marker frames around each (fractional) sample time; a sample next to a NaN frame is NaN.

Validity
--------
- ``valid`` (kinematic validity): every *angle* output used is valid
  (:attr:`kinchain.process.TrialResult.valid`) on every frame the stride touches, and the stride
  holds at most one foot off of its own foot (two mean a foot strike was missed). Invalid strides
  keep their curves, with a ``note`` saying which outputs failed.
- ``kinetics_valid``: every kinetic output used (moments, powers, forces) is valid over the
  stride's stance, the frames from the foot strike up to the frame before this foot's foot off.
  Kinetics are usually valid only on strides whose stance is a clean force-plate contact;
  elsewhere their curves are NaN where the output is invalid, so :meth:`CycleSet.mean` of a
  kinetic label averages only the plate strides (it uses ``nanmean``), and a stride's kinetics
  never make it ``valid=False``.

Outliers
--------
Among the kinematically valid strides of one side, a stride is flagged ``outlier=True`` (kept,
with a ``note``) when

1. its duration differs by more than ``duration_tolerance`` (default 20 %) from the median
   duration of the *other* valid strides (needs at least 3 valid strides), or
2. the RMS distance of its sagittal hip and knee angle curves from the median curves of the other
   valid strides exceeds ``outlier_k`` (default 3) times the median of that distance over all
   valid strides, and also exceeds ``outlier_floor_deg`` (default 5 degrees, so that a trial of
   very consistent strides does not flag a stride for a 2-degree difference). Needs at least 4
   valid strides.

Rule 2 is a median/median-absolute-deviation rule: a distance to the median is compared with the
median of such distances, the robust analogue of a z-score; Leys et al. (2013) recommend a
threshold of 2.5 to 3 such units and call 3 "very conservative". Rule 1 catches missed or extra
events (a stride twice or half as long) that the curves may not show.

References
----------
Leys C, Ley C, Klein O, Bernard P, Licata L. Detecting outliers: Do not use standard deviation
around the mean, use absolute deviation around the median. J Exp Soc Psychol 2013;49:764-766.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from kinchain.gait.cycles_types import N_POINTS, Cycle, CycleSet, GaitEvent, Side
from kinchain.gait.events import GaitEvents

if TYPE_CHECKING:
    from kinchain.process import TrialResult

__all__ = ["segment_cycles", "strides", "time_normalise"]

FloatArray = NDArray[np.float64]
SIDES: tuple[Side, Side] = ("left", "right")
_PREFIX = {"left": "L", "right": "R"}
_KINEMATIC_SUFFIX = "Angles"
_DEFAULT_SUFFIXES = ("Angles", "Moment", "Power")


def time_normalise(
    values: FloatArray, start: float, end: float, n_points: int = N_POINTS
) -> FloatArray:
    """Resample ``values`` between two fractional frames at ``n_points`` equally spaced times.

    Parameters
    ----------
    values
        ``(n_frames,)`` or ``(n_frames, k)``, any unit, time along axis 0, NaN where missing.
    start, end
        Zero-based, possibly fractional frames, ``0 <= start < end <= n_frames - 1``.
    n_points
        Samples of the result (101: 0..100 %).

    Returns
    -------
    numpy.ndarray
        ``(n_points,)`` or ``(n_points, k)`` by linear interpolation; NaN where a neighbouring
        frame is NaN (a sample exactly on a frame uses that frame only).

    Raises
    ------
    ValueError
        If the interval is empty or outside the data.
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.shape[0]
    if not (0.0 <= start < end <= n - 1):
        raise ValueError(f"time_normalise: need 0 <= start < end <= {n - 1}, got {start}, {end}")
    t = np.linspace(start, end, n_points)
    i0 = np.clip(np.floor(t).astype(np.intp), 0, n - 1)
    i1 = np.clip(i0 + 1, 0, n - 1)
    w = t - i0
    shape = (-1,) + (1,) * (x.ndim - 1)
    w = w.reshape(shape)
    lo, hi = x[i0], x[i1]
    with np.errstate(invalid="ignore"):
        out = np.where(w == 0.0, lo, (1.0 - w) * lo + w * hi)
    return np.asarray(out)


def _event_list(events: GaitEvents | Iterable[GaitEvent]) -> list[GaitEvent]:
    pool = events.events if isinstance(events, GaitEvents) else tuple(events)
    return sorted(pool, key=lambda e: e.frame)


def strides(events: GaitEvents | Iterable[GaitEvent], side: Side) -> tuple[Cycle, ...]:
    """The strides of one side from a list of events, with the events inside each.

    Parameters
    ----------
    events
        Chosen events (:class:`~kinchain.gait.events.GaitEvents`) or any events.
    side
        The foot.

    Returns
    -------
    tuple of Cycle
        One per pair of consecutive foot strikes of ``side``; ``foot_off`` is the first foot off
        of ``side`` inside, ``opposite_foot_off`` the first foot off of the other foot before the
        other foot's first strike inside (``opposite_foot_strike``); NaN where absent. A stride
        holding two foot offs of its own foot is returned ``valid=False``.
    """
    ev = _event_list(events)
    frames = [e.frame for e in ev]
    other: Side = "right" if side == "left" else "left"
    strikes = [e.frame for e in ev if e.side == side and e.kind == "foot_strike"]
    out: list[Cycle] = []
    for a, b in pairwise(strikes):
        # The events strictly between the strikes, in frame order: one slice of the sorted list,
        # found by bisection, so that all strides together read each event about twice.
        inside = ev[bisect_right(frames, a) : bisect_left(frames, b)]
        offs = [e.frame for e in inside if e.side == side and e.kind == "foot_off"]
        opp_strike = next(
            (e.frame for e in inside if e.side == other and e.kind == "foot_strike"), np.nan
        )
        limit = opp_strike if np.isfinite(opp_strike) else b
        opp_off = next(
            (
                e.frame
                for e in inside
                if e.side == other and e.kind == "foot_off" and e.frame < limit
            ),
            np.nan,
        )
        cycle = Cycle(
            side=side,
            start=float(a),
            end=float(b),
            foot_off=float(offs[0]) if offs else float("nan"),
            opposite_foot_off=float(opp_off),
            opposite_foot_strike=float(opp_strike),
        )
        if len(offs) > 1:
            cycle = replace(
                cycle, valid=False, note="two foot offs inside: a foot strike was missed"
            )
        out.append(cycle)
    return tuple(out)


def _default_labels(result: TrialResult, side: Side) -> list[str]:
    p = _PREFIX[side]
    return [k for k in result.outputs if k.startswith(p) and k.endswith(_DEFAULT_SUFFIXES)]


def _frames(start: float, end: float, n: int) -> slice:
    return slice(max(0, int(np.floor(start))), min(n, int(np.ceil(end)) + 1))


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _leave_one_out_nanmedian(values: FloatArray) -> FloatArray:
    """For each row, the NaN-ignoring median of all *other* rows, column by column.

    Parameters
    ----------
    values
        ``(m, ...)``, any unit; NaN where missing.

    Returns
    -------
    numpy.ndarray
        Same shape: row ``n`` equals ``np.nanmedian(np.delete(values, n, axis=0), axis=0)``
        (the mean of the two middle values for an even count, NaN where no other row has a
        value), computed from one sort per column, ``O(m log m)`` rather than ``O(m**2)``.
    """
    x = np.asarray(values, dtype=np.float64)
    m = x.shape[0]
    flat = x.reshape(m, -1)
    order = np.argsort(flat, axis=0, kind="stable")  # NaNs sort last
    ordered = np.take_along_axis(flat, order, axis=0)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(m)[:, None], axis=0)
    finite = ~np.isnan(flat)
    count = finite.sum(axis=0)  # values per column
    # Without row n: a value leaves the sorted column, a NaN leaves nothing.
    left = count[None, :] - finite  # (m, k) values left
    lo = (left - 1) // 2
    hi = left // 2
    # Position in the remaining sorted column -> position in the whole sorted column.
    removed = np.where(finite, rank, m)
    lo_at = np.where(lo >= removed, lo + 1, lo)
    hi_at = np.where(hi >= removed, hi + 1, hi)
    cols = np.arange(flat.shape[1])[None, :]
    low = ordered[np.clip(lo_at, 0, m - 1), cols]
    high = ordered[np.clip(hi_at, 0, m - 1), cols]
    # As numpy's median: the two middle values summed and halved (an odd count's middle twice).
    med = (low + high) / 2.0
    med[left == 0] = np.nan
    return med.reshape(x.shape)


def _flag_outliers(
    cycles: list[Cycle],
    curves: dict[str, FloatArray],
    side: Side,
    *,
    outlier_k: float,
    outlier_floor_deg: float,
    duration_tolerance: float,
) -> list[Cycle]:
    idx = [i for i, c in enumerate(cycles) if c.valid]
    flags: dict[int, list[str]] = {i: [] for i in idx}
    if len(idx) >= 3:
        dur = np.array([cycles[i].end - cycles[i].start for i in idx])
        others_dur = _leave_one_out_nanmedian(dur)
        for n, i in enumerate(idx):
            med_dur = float(others_dur[n])
            rel = abs(dur[n] - med_dur) / med_dur
            if rel > duration_tolerance:
                flags[i].append(
                    f"duration {100 * rel:.0f} % from the other strides' median "
                    f"(> {100 * duration_tolerance:.0f} %)"
                )
    p = _PREFIX[side]
    names = [f"{p}HipAngles", f"{p}KneeAngles"]
    if len(idx) >= 4 and all(n in curves for n in names):
        sag = np.stack([curves[n][idx, :, 0] for n in names], axis=-1)  # (m, 101, 2)
        others = _leave_one_out_nanmedian(sag)
        # Per stride, the RMS over its 202 samples that are not NaN (nanmean of each row).
        sq = ((sag - others) ** 2).reshape(len(idx), -1)
        missing = np.isnan(sq)
        total = np.where(missing, 0.0, sq).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = np.sqrt(total / (~missing).sum(axis=1))
        scale = float(np.nanmedian(dist))
        for n, i in enumerate(idx):
            if dist[n] > outlier_k * scale and dist[n] > outlier_floor_deg:
                flags[i].append(
                    f"hip/knee sagittal curves {dist[n]:.1f} deg RMS from the others' median "
                    f"(> {outlier_k:g} x {scale:.1f} deg)"
                )
    out = list(cycles)
    for i, why in flags.items():
        if why:
            out[i] = replace(
                out[i], outlier=True, note=_join(out[i].note, "outlier: " + "; ".join(why))
            )
    return out


def segment_cycles(
    result: TrialResult,
    events: GaitEvents | Sequence[GaitEvent],
    labels: Sequence[str] | None = None,
    *,
    outlier_k: float = 3.0,
    outlier_floor_deg: float = 5.0,
    duration_tolerance: float = 0.2,
) -> dict[Side, CycleSet]:
    """Cut a processed trial into strides per side and time-normalise its outputs.

    Parameters
    ----------
    result
        A processed trial.
    events
        Gait events (usually :func:`~kinchain.gait.events.detect_events`'s result; its chosen
        ``events`` are used).
    labels
        Output labels to normalise; each side takes those of its prefix (``L*`` for left). Default:
        every ``*Angles``, ``*Moment`` and ``*Power`` output of the side.
    outlier_k, outlier_floor_deg, duration_tolerance
        The outlier rule's parameters (see the module docstring).

    Returns
    -------
    dict
        ``{"left": CycleSet, "right": CycleSet}``; curves are ``(n_cycles, 101, 3)`` in the
        outputs' units (degrees, N·m/kg, W/kg). A side without two strikes has no cycles and
        empty ``(0, 101, 3)`` curves.
    """
    n = result.trial.n_frames
    out: dict[Side, CycleSet] = {}
    for side in SIDES:
        p = _PREFIX[side]
        wanted = (
            [k for k in labels if k.startswith(p) and k in result.outputs]
            if labels is not None
            else _default_labels(result, side)
        )
        cycles = [c for c in strides(events, side) if 0 <= c.start and c.end <= n - 1]
        curves: dict[str, FloatArray] = {}
        for label in wanted:
            values = np.array(result.outputs[label], dtype=np.float64, copy=True)
            ok = result.valid.get(label)
            if ok is not None:
                values[~ok] = np.nan
            curves[label] = (
                np.stack([time_normalise(values, c.start, c.end) for c in cycles])
                if cycles
                else np.empty((0, N_POINTS, values.shape[1]))
            )
        kin = [k for k in wanted if k.endswith(_KINEMATIC_SUFFIX)]
        loads = [k for k in wanted if not k.endswith(_KINEMATIC_SUFFIX)]
        judged: list[Cycle] = []
        for c in cycles:
            sl = _frames(c.start, c.end, n)
            bad = [k for k in kin if k in result.valid and not bool(result.valid[k][sl].all())]
            valid, note = c.valid, c.note
            if bad:
                valid = False
                note = _join(note, "invalid " + ", ".join(bad) + " inside the stride")
            kinetics_valid = False
            if loads and np.isfinite(c.foot_off):
                # Inner frames of the stance; the frame holding the foot off is left out, because
                # a plate contact at the marker rate ends up to a frame before the sub-frame
                # force-plate foot off (frames average their analog samples).
                st = slice(max(0, int(np.ceil(c.start))), min(n, int(np.floor(c.foot_off))))
                kinetics_valid = all(
                    k in result.valid and bool(result.valid[k][st].all()) for k in loads
                )
            judged.append(replace(c, valid=valid, note=note, kinetics_valid=kinetics_valid))
        judged = _flag_outliers(
            judged,
            curves,
            side,
            outlier_k=outlier_k,
            outlier_floor_deg=outlier_floor_deg,
            duration_tolerance=duration_tolerance,
        )
        out[side] = CycleSet(side=side, cycles=tuple(judged), curves=curves)
    return out

"""Gait events: foot strike and foot off, from force plates and from kinematics.

Three detectors, each a pure function over plain arrays, plus :func:`detect_events` which runs
them on a processed trial, compares them with each other and with the events stored in the file,
and chooses one set.

Methods
-------
``force_plate``
    On each *clean* force-plate contact assigned to a foot (see
    :mod:`kinchain.kinetics.plates`: single foot, whole contact seen, COP under the foot), foot
    strike is the first sample whose vertical force exceeds ``threshold_n`` (default 20 N, the
    usual centre-of-pressure threshold) and foot off the last such sample. Analog samples are used
    when the trial has them, so the events carry sub-frame precision: analog sample ``k`` is marker
    frame ``k * point_rate / analog_rate`` (a C3D marker frame ``i`` owns analog samples
    ``[i r, (i + 1) r)``). Without analog data the contact's first and last marker frames are used.
``zeni``
    Zeni, Richards & Higginson (2008): the heel and toe positions relative to the pelvis, projected
    on the direction of progression. Foot strike is at a maximum of the heel's anterior position
    (the heel furthest in front of the pelvis), foot off at a minimum of the toe's (the toe furthest
    behind). Extrema are refined to sub-frame precision by a parabola through the peak sample and
    its two neighbours.
``foot_velocity``
    O'Connor, Thorpe, O'Malley & Vaughan (2007), the *foot velocity algorithm*: the foot centre
    (midpoint of heel and toe markers) is low-pass filtered (``cutoff_hz``, default 7 Hz, a
    zero-lag Butterworth; our choice) and differentiated. Each peak of its forward (progression)
    velocity marks mid-swing; foot strike is the first local minimum of its vertical velocity in
    the ``0.25 s`` after mid-swing (the foot's fastest descent), foot off the last local maximum of
    its vertical velocity in the ``0.4 s`` before mid-swing (its fastest rise). O'Connor et al.
    report errors of 16 ± 15 ms (strike) and 9 ± 15 ms (off) against force plates; here it is a
    cross-check.
``c3d``
    Events stored in the file (``"Foot Strike"`` / ``"Foot Off"``, contexts ``Left`` / ``Right``),
    as another program (or a person) placed them. They are compared, never used unless asked for
    with ``method="c3d"``.

Default choice (``method="auto"``, ``fallback="checked"``)
-------------------------------------------------------
1. Force-plate events wherever a clean contact exists, except a plate foot off at which the
   toe stands still (below 0.3 m/s): the foot rolled off the plate's edge mid-stance
   (:func:`plate_offs_on_a_still_foot`; sample_03/gait-pig-nz.c3d, left).
2. Elsewhere the foot-velocity events, each cross-checked against Zeni's: a foot-velocity strike
   more than ``tolerance_frames`` (2) before the heel's forward maximum relative to the pelvis,
   or a foot off more than 2 frames after the toe's backward minimum, is physically impossible
   (the foot still outruns the pelvis, so it is not on the ground), and Zeni's event is used
   (:func:`checked_kinematic_events`). Where a side's plate events show the foot-velocity
   method missing by more than 2 frames and Zeni's less, Zeni's are used for that side and kind.
3. Each kinematic method's offset from this trial's plate events, per kind, is removed, and
   Zeni's gap-filling events are moved by their median offset from the foot-velocity events
   (:func:`calibrate_kinematic_events`). Then, on a foot with a plate event of that kind, each
   kinematic event is moved (by at most 4 frames) to where the heel (strikes) or toe (offs)
   velocity best repeats its pattern at the plate event (:func:`plate_template_events`).
   On a foot without a heel marker (the ankle joint centre stands in for it) in a trial with no
   plate strike to calibrate against, each strike lies midway between the foot-velocity and
   Zeni strikes, whose biases there are opposite and about equal
   (:func:`ankle_strike_midpoints`, ``method="kinematic_midpoint"``).
4. :attr:`GaitEvents.notes` says, for every event where the methods disagree by more than 2
   frames, which method was used and why; :attr:`GaitEvents.warnings` names every stored C3D
   event more than 2 frames from the events found in the data (:func:`check_stored_events`),
   whichever ``method`` is chosen (including ``"c3d"``).

Why not Zeni alone (the default until issue 10): its strikes lead the force plate by 26-45 ms
on sample_00 (100 Hz), which lengthens stance by 4-5 points and double support by 8-10
on sample_00 and sample_03; see ``tests/gait/test_gait_real_trials.py``.

Events of two methods are *matched* when they are of the same side and kind and mutually nearest
within ``match_window_s`` (default 0.25 s, well under the shortest plausible stride); each matched
pair is reported as an :class:`EventDisagreement` (``frame_b - frame_a``, in marker frames) and
summarised per method pair in :class:`MethodAgreement`.

References
----------
Zeni JA, Richards JG, Higginson JS. Two simple methods for determining gait events during
treadmill and overground walking using kinematic data. Gait Posture 2008;27:710-714.

O'Connor CM, Thorpe SK, O'Malley MJ, Vaughan CL. Automatic detection of gait events using
kinematic data. Gait Posture 2007;25:469-474.
"""

from __future__ import annotations

import inspect
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, ClassVar, Literal, Self

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from kinchain.gait.cycles_types import EventKind, GaitEvent, Side
from kinchain.kinetics.filtering import _finite_runs, lowpass

if TYPE_CHECKING:
    import pandas as pd

    from kinchain.kinetics.plates import Contact
    from kinchain.process import TrialResult

__all__ = [
    "EventDetector",
    "EventDisagreement",
    "FootVelocityDetector",
    "ForcePlateDetector",
    "GaitEvents",
    "MethodAgreement",
    "ZeniDetector",
    "c3d_events",
    "calibrate_kinematic_events",
    "check_stored_events",
    "checked_kinematic_events",
    "contact_vertical_force",
    "detect_events",
    "foot_velocity_events",
    "kinematic_events",
    "match_events",
    "plate_events",
    "plate_offs_on_a_still_foot",
    "plate_template_events",
    "threshold_events",
    "zeni_events",
]

FloatArray = NDArray[np.float64]
Method = Literal["auto", "force_plate", "zeni", "foot_velocity", "c3d"]
Fallback = Literal["checked", "zeni", "foot_velocity", "foot_velocity_then_zeni"]
FALLBACKS: tuple[str, ...] = ("checked", "zeni", "foot_velocity", "foot_velocity_then_zeni")
SIDES: tuple[Side, Side] = ("left", "right")
KINDS: tuple[EventKind, EventKind] = ("foot_strike", "foot_off")
_C3D_LABELS: dict[str, EventKind] = {"foot strike": "foot_strike", "foot off": "foot_off"}


@dataclass(frozen=True)
class EventDisagreement:
    """One event found by two methods, and how far apart they put it.

    Attributes
    ----------
    side, kind
        The event.
    method_a, method_b
        The two methods (in the order of :attr:`GaitEvents.candidates`).
    frame_a, frame_b
        Zero-based marker frames (fractional) each method gives.
    difference_frames
        ``frame_b - frame_a``, marker frames (positive: ``method_b`` is later).
    """

    side: Side
    kind: EventKind
    method_a: str
    method_b: str
    frame_a: float
    frame_b: float
    difference_frames: float


@dataclass(frozen=True)
class MethodAgreement:
    """How two methods agree over all the events they both found.

    Attributes
    ----------
    method_a, method_b
        The pair.
    n_matched
        Events matched between them.
    mean_abs_frames, max_abs_frames
        Mean and largest absolute difference, marker frames (NaN when nothing matched).
    mean_frames
        Mean signed difference ``b - a``, marker frames: the bias of ``b`` relative to ``a``.
    unmatched_a, unmatched_b
        Events one method found that the other has no counterpart for (within the window).
    """

    method_a: str
    method_b: str
    n_matched: int
    mean_abs_frames: float
    max_abs_frames: float
    mean_frames: float
    unmatched_a: int
    unmatched_b: int


@dataclass(frozen=True)
class GaitEvents:
    """Result of :func:`detect_events`.

    Attributes
    ----------
    events
        The chosen events, sorted by time (frame).
    candidates
        Method -> every event that method found (``"force_plate"``, ``"zeni"``,
        ``"foot_velocity"``, ``"c3d"``), each sorted by time; a method that could not run (no
        plates, no stored events) is absent.
    disagreements
        Every matched pair of events between every two candidate methods.
    summary
        One :class:`MethodAgreement` per candidate pair.
    point_rate
        Marker rate, Hz (frames to seconds).
    parameters
        Provenance (input file and its sha256) and the thresholds and windows used.
    notes
        One sentence per chosen event where the methods disagree by more than
        ``tolerance_frames``: which method was used and why; plus how each kinematic method
        agrees with the force plate on this trial.
    warnings
        One sentence per stored (C3D) event that disagrees with the events found from the
        markers and plates by more than ``tolerance_frames`` (or has no counterpart): stored
        events are never trusted unchecked.
    """

    events: tuple[GaitEvent, ...]
    candidates: dict[str, tuple[GaitEvent, ...]]
    disagreements: tuple[EventDisagreement, ...] = ()
    summary: tuple[MethodAgreement, ...] = ()
    point_rate: float = float("nan")
    parameters: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def of(self, side: Side, kind: EventKind, method: str | None = None) -> tuple[GaitEvent, ...]:
        """Chosen events (or one method's candidates) of one side and kind, in time order."""
        pool = self.events if method is None else self.candidates.get(method, ())
        return tuple(e for e in pool if e.side == side and e.kind == kind)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate event and per chosen event that no method gave as such (a
        kinematic event moved by this trial's measured offset, see
        :func:`calibrate_kinematic_events`): ``method``, ``side``, ``kind``, ``frame``
        (zero-based, fractional), ``time_s`` (s from the first frame), ``chosen`` (bool) and
        ``adjusted`` (bool: the row is such a moved event)."""
        import pandas as pd

        chosen = set(self.events)
        given = {e for events in self.candidates.values() for e in events}
        rows = [
            {
                "method": e.method,
                "side": e.side,
                "kind": e.kind,
                "frame": e.frame,
                "time_s": e.time_s,
                "chosen": e in chosen,
                "adjusted": False,
            }
            for events in self.candidates.values()
            for e in events
        ] + [
            {
                "method": e.method,
                "side": e.side,
                "kind": e.kind,
                "frame": e.frame,
                "time_s": e.time_s,
                "chosen": True,
                "adjusted": True,
            }
            for e in self.events
            if e not in given
        ]
        cols = ["method", "side", "kind", "frame", "time_s", "chosen", "adjusted"]
        return pd.DataFrame(rows, columns=cols).sort_values(["frame", "method"], ignore_index=True)

    def agreement(self, method_a: str, method_b: str) -> MethodAgreement | None:
        """The summary of one pair (either order; the signed mean refers to the stored order)."""
        for s in self.summary:
            if {s.method_a, s.method_b} == {method_a, method_b}:
                return s
        return None


# --------------------------------------------------------------------------------------------
# Signal-level detectors (pure functions over arrays)


def threshold_events(
    fz: FloatArray, threshold_n: float = 20.0, *, rate_ratio: float = 1.0
) -> tuple[float, float] | None:
    """First and last sample above a vertical-force threshold, as marker frames.

    Parameters
    ----------
    fz
        Vertical ground reaction force of one contact window, N, ``(n,)`` (NaN = no data).
    threshold_n
        Force threshold, N (strictly above counts as loaded).
    rate_ratio
        Samples per marker frame (``analog_rate / point_rate``); the result is
        ``sample_index / rate_ratio``.

    Returns
    -------
    (strike, off) or None
        Fractional marker frames relative to the start of ``fz`` of the first and last sample
        above the threshold; None when no sample is.
    """
    above = np.flatnonzero(np.where(np.isfinite(fz), fz, -np.inf) > threshold_n)
    if above.size == 0:
        return None
    return float(above[0]) / rate_ratio, float(above[-1]) / rate_ratio


def _refine(x: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
    """Sub-sample position of extrema at ``idx`` by a parabola through the 3 samples around."""
    out = idx.astype(np.float64)
    ok = (idx > 0) & (idx < x.size - 1)
    i = idx[ok]
    a, b, c = x[i - 1], x[i], x[i + 1]
    denom = a - 2.0 * b + c
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = np.where(np.abs(denom) > 0, 0.5 * (a - c) / denom, 0.0)
    out[ok] = i + np.clip(np.nan_to_num(delta), -0.5, 0.5)
    return out


def _extrema(x: FloatArray, *, maxima: bool, min_distance: int, prominence: float) -> FloatArray:
    """Sub-frame positions of the interior maxima (or minima) of ``x``, per finite run."""
    found: list[FloatArray] = []
    sign = 1.0 if maxima else -1.0
    for start, stop in _finite_runs(np.isfinite(x)):
        if stop - start < 3:
            continue
        seg = sign * x[start:stop]
        # prominence 0 keeps every peak: skip computing prominences (slow on long trials)
        peaks, _ = find_peaks(
            seg, distance=max(1, min_distance), prominence=prominence if prominence > 0 else None
        )
        if peaks.size:
            found.append(_refine(seg, peaks) + start)
    return np.concatenate(found) if found else np.empty(0)


def zeni_events(
    heel_ap_m: FloatArray,
    toe_ap_m: FloatArray,
    point_rate: float,
    side: Side,
    *,
    min_stride_s: float = 0.5,
    min_prominence_m: float = 0.05,
) -> tuple[GaitEvent, ...]:
    """Zeni et al. (2008) events of one foot.

    Parameters
    ----------
    heel_ap_m, toe_ap_m
        Heel and toe marker positions relative to the pelvis (or sacrum), projected on the
        direction of progression, m, ``(n,)``; positive forward. NaN where missing.
    point_rate
        Marker rate, Hz.
    side
        The foot.
    min_stride_s
        Two strikes (or two offs) of one foot are at least this far apart, s.
    min_prominence_m
        Smallest prominence of an extremum, m (rejects marker jitter).

    Returns
    -------
    tuple of GaitEvent
        Foot strikes at the heel's forward maxima, foot offs at the toe's backward minima,
        sorted by frame, ``method="zeni"``.
    """
    dist = round(min_stride_s * point_rate)
    strikes = _extrema(heel_ap_m, maxima=True, min_distance=dist, prominence=min_prominence_m)
    offs = _extrema(toe_ap_m, maxima=False, min_distance=dist, prominence=min_prominence_m)
    return _make(side, strikes, offs, point_rate, "zeni")


def foot_velocity_events(
    heel_m: FloatArray,
    toe_m: FloatArray,
    forward: FloatArray,
    point_rate: float,
    side: Side,
    *,
    cutoff_hz: float | None = 7.0,
    strike_window_s: float = 0.25,
    off_window_s: float = 0.4,
    min_stride_s: float = 0.5,
) -> tuple[GaitEvent, ...]:
    """O'Connor et al. (2007) foot-velocity events of one foot.

    Parameters
    ----------
    heel_m, toe_m
        Heel and toe marker positions, m, ``(n, 3)``, lab frame with Z up.
    forward
        ``(3,)`` unit vector of the direction of progression in the lab.
    point_rate
        Marker rate, Hz.
    side
        The foot.
    cutoff_hz
        Low-pass cut-off for the foot centre before differentiation, Hz (None: no filter).
    strike_window_s, off_window_s
        Search windows after (strike) and before (off) each mid-swing, s.
    min_stride_s
        Two mid-swings of one foot are at least this far apart, s.

    Returns
    -------
    tuple of GaitEvent
        Sorted by frame, ``method="foot_velocity"``.
    """
    centre = 0.5 * (np.asarray(heel_m, dtype=np.float64) + np.asarray(toe_m, dtype=np.float64))
    if cutoff_hz is not None and cutoff_hz < 0.5 * point_rate:
        centre = lowpass(centre, point_rate, cutoff_hz)
    vel = np.full_like(centre, np.nan)
    for start, stop in _finite_runs(np.asarray(np.isfinite(centre).all(axis=1), dtype=bool)):
        if stop - start >= 3:
            vel[start:stop] = np.gradient(centre[start:stop], 1.0 / point_rate, axis=0)
    v_fwd = vel @ np.asarray(forward, dtype=np.float64)
    vz = vel[:, 2]
    finite = v_fwd[np.isfinite(v_fwd)]
    if finite.size < 3:
        return ()
    span = float(np.max(finite) - np.min(finite))
    mid = _extrema(
        v_fwd,
        maxima=True,
        min_distance=round(min_stride_s * point_rate),
        prominence=0.3 * span,
    )
    vmax = _extrema(vz, maxima=True, min_distance=1, prominence=0.0)
    vmin = _extrema(vz, maxima=False, min_distance=1, prominence=0.0)
    vz_at = np.interp(np.concatenate([vmax, vmin]), np.arange(vz.size), np.nan_to_num(vz))
    vmax_val, vmin_val = vz_at[: vmax.size], vz_at[vmax.size :]
    w_strike, w_off = strike_window_s * point_rate, off_window_s * point_rate
    strikes: list[float] = []
    offs: list[float] = []
    for m in mid:
        after = vmin[(vmin > m) & (vmin <= m + w_strike) & (vmin_val < 0)]
        if after.size:
            strikes.append(float(after[0]))
        before = vmax[(vmax < m) & (vmax >= m - w_off) & (vmax_val > 0)]
        if before.size:
            offs.append(float(before[-1]))
    return _make(side, np.array(strikes), np.array(offs), point_rate, "foot_velocity")


def _make(
    side: Side, strikes: FloatArray, offs: FloatArray, point_rate: float, method: str
) -> tuple[GaitEvent, ...]:
    out = [GaitEvent("foot_strike", side, float(f), float(f) / point_rate, method) for f in strikes]
    out += [GaitEvent("foot_off", side, float(f), float(f) / point_rate, method) for f in offs]
    return tuple(sorted(out, key=lambda e: e.frame))


# --------------------------------------------------------------------------------------------
# Trial-level detectors


def _used_contacts(result: TrialResult, threshold_n: float) -> list[Contact]:
    from kinchain.kinetics.plates import assign_plates

    trial, model = result.trial, result.model
    params = result.provenance.get("parameters", {})
    same = isinstance(params, Mapping) and params.get("force_threshold_n") == threshold_n
    contacts = list(result.contacts) if (result.contacts and same) else []
    if not contacts and trial.plates:
        contacts = assign_plates(
            trial.plates,
            trial.point_rate,
            model.n_frames,
            model.foot_points(),
            threshold_n=threshold_n,
            analog_rate=trial.analog_rate or None,
        ).contacts
    return [c for c in contacts if c.used and c.side in SIDES]


def plate_events(result: TrialResult, *, threshold_n: float = 20.0) -> tuple[GaitEvent, ...]:
    """Force-plate events of a processed trial: one strike and one off per clean contact.

    Parameters
    ----------
    result
        A processed trial. Its ``contacts`` are used when they were found with the same
        threshold; otherwise (or when kinetics were not computed) plates are assigned anew with
        :func:`kinchain.kinetics.plates.assign_plates`.
    threshold_n
        Vertical-force threshold, N.

    Returns
    -------
    tuple of GaitEvent
        ``method="force_plate"``, sorted by frame; empty without clean contacts.
    """
    trial = result.trial
    rate = trial.point_rate
    out: list[GaitEvent] = []
    for c in _used_contacts(result, threshold_n):
        side: Side = "left" if c.side == "left" else "right"
        plate = next((p for p in trial.plates if p.index == c.plate), None)
        found: tuple[float, float] | None = None
        if plate is not None and trial.analog_rate > 0:
            r = trial.analog_rate / rate
            lo = max(0, int(np.floor((c.start - 1) * r)))
            hi = min(plate.force.shape[0], int(np.ceil((c.end + 2) * r)))
            window = plate.force[lo:hi, 2]
            # The padded window may catch a neighbouring contact of the same plate: accept the
            # crossings only where they lie within a frame of the contact's own ends.
            crossing = threshold_events(window, threshold_n, rate_ratio=r)
            if crossing is not None:
                found = (crossing[0] + lo / r, crossing[1] + lo / r)
                if not (c.start - 1 <= found[0] < c.start + 1 and c.end <= found[1] < c.end + 2):
                    found = None
        if found is None:
            found = (float(c.start), float(c.end))
        out.append(GaitEvent("foot_strike", side, found[0], found[0] / rate, "force_plate"))
        out.append(GaitEvent("foot_off", side, found[1], found[1] / rate, "force_plate"))
    return tuple(sorted(out, key=lambda e: e.frame))


def _point_speed(point_m: FloatArray, point_rate: float) -> FloatArray:
    """Speed of a point, m/s, ``(n,)``: central differences within each finite run, NaN in gaps."""
    p = np.asarray(point_m, dtype=np.float64)
    vel = np.full_like(p, np.nan)
    for start, stop in _finite_runs(np.asarray(np.isfinite(p).all(axis=1), dtype=bool)):
        if stop - start >= 3:
            vel[start:stop] = np.gradient(p[start:stop], 1.0 / point_rate, axis=0)
    return np.asarray(np.linalg.norm(vel, axis=1), dtype=np.float64)


def plate_offs_on_a_still_foot(
    plates: Sequence[GaitEvent],
    toe_speed_m_s: Mapping[str, FloatArray],
    point_rate: float,
    *,
    still_m_s: float = 0.3,
) -> tuple[tuple[GaitEvent, ...], tuple[str, ...]]:
    """Drop force-plate foot offs at which the foot is still standing.

    At a true foot off the toe has started to move (0.63-1.22 m/s at the plate foot offs of the
    c3d.org trials); a plate "foot off" while the toe stands still (below ``still_m_s``) is the
    foot rolling off the plate's edge mid-stance: the force left the plate, not the foot the
    ground. Such a contact was not whole on the plate; its foot strike is kept.

    Parameters
    ----------
    plates
        Force-plate events (:func:`plate_events`).
    toe_speed_m_s
        Side -> toe marker speed, m/s, ``(n_frames,)`` (NaN where missing).
    point_rate
        Marker rate, Hz (for the notes).
    still_m_s
        Toe speed below which the foot counts as standing, m/s.

    Returns
    -------
    (events, notes)
        The plate events kept, and one sentence per foot off dropped.
    """
    kept: list[GaitEvent] = []
    notes: list[str] = []
    for e in plates:
        speed = toe_speed_m_s.get(e.side)
        if e.kind == "foot_off" and speed is not None and speed.size:
            i = int(np.clip(round(e.frame), 0, speed.size - 1))
            seg = speed[max(0, i - 1) : i + 2]
            v = float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan")
            if np.isfinite(v) and v < still_m_s:
                notes.append(
                    f"force-plate {_fmt_event(e)} not used: the toe stands still there "
                    f"({v:.2f} m/s < {still_m_s:g}); the foot rolled off the plate mid-stance, "
                    "so the plate did not see the whole contact."
                )
                continue
        kept.append(e)
    return tuple(kept), tuple(notes)


def contact_vertical_force(
    result: TrialResult, side: Side, frame: float, *, threshold_n: float = 20.0
) -> tuple[FloatArray, float] | None:
    """The analog-rate vertical force of the clean plate contact of one foot at one frame.

    Parameters
    ----------
    result
        A processed trial.
    side
        The foot.
    frame
        A marker frame (zero-based, fractional) inside the contact, or within a frame of its
        start (e.g. the foot strike that begins a stride).
    threshold_n
        Vertical-force threshold of the contacts, N.

    Returns
    -------
    (fz_n, rate_hz) or None
        The vertical force, N, from one frame before the contact to two after it, at the analog
        rate, and that rate, Hz; None when no clean contact of that foot covers ``frame`` or the
        trial has no analog data.
    """
    trial = result.trial
    if trial.analog_rate <= 0:
        return None
    for c in _used_contacts(result, threshold_n):
        if c.side != side or not (c.start - 1 <= frame <= c.end):
            continue
        plate = next((p for p in trial.plates if p.index == c.plate), None)
        if plate is None:
            return None
        r = trial.analog_rate / trial.point_rate
        lo = max(0, int(np.floor((c.start - 1) * r)))
        hi = min(plate.force.shape[0], int(np.ceil((c.end + 2) * r)))
        return np.asarray(plate.force[lo:hi, 2], dtype=np.float64), float(trial.analog_rate)
    return None


def _progression(result: TrialResult) -> tuple[FloatArray, FloatArray]:
    """Forward unit vector (sign checked against the pelvis's travel) and the pelvis origin."""
    model = result.model
    forward = np.asarray(model.progression[:, 0], dtype=np.float64)
    origin = np.asarray(model.segments["pelvis"].origin, dtype=np.float64)
    ok = np.isfinite(origin).all(axis=1)
    if ok.sum() >= 2:
        travel = origin[ok][-1] - origin[ok][0]
        if np.linalg.norm(travel[:2]) >= 0.3 and float(travel @ forward) < 0:
            forward = -forward
    return forward, origin


def _foot(result: TrialResult, side: Side) -> tuple[FloatArray, FloatArray, str]:
    """Heel (or, when the heel marker is missing in more than half the frames, the ankle joint
    centre, which rides on the hindfoot with it), toe, and the name of the point used."""
    j = result.model.joints
    heel = j.get(f"{side}_heel")
    if heel is not None and np.isfinite(heel).all(axis=1).mean() >= 0.5:
        return heel, j[f"{side}_toe"], "heel"
    return j[f"{side}_ankle"], j[f"{side}_toe"], "ankle"


def kinematic_events(
    result: TrialResult,
    method: Literal["zeni", "foot_velocity"],
    *,
    min_stride_s: float = 0.5,
    min_prominence_m: float = 0.05,
    cutoff_hz: float | None = 7.0,
    strike_window_s: float = 0.25,
    off_window_s: float = 0.4,
) -> tuple[GaitEvent, ...]:
    """Run :func:`zeni_events` or :func:`foot_velocity_events` on both feet of a trial.

    The heel and toe are the model's heel and toe points (the HEE and TOE markers; when a trial
    lacks the heel marker, the ankle joint centre stands in for it); the pelvis
    reference for Zeni is the pelvis origin (mid-ASIS), which moves with the sacrum up to a
    near-constant offset along the progression, so the timing of the extrema is the same.
    """
    forward, origin = _progression(result)
    rate = result.trial.point_rate
    out: list[GaitEvent] = []
    for side in SIDES:
        heel, toe, _ = _foot(result, side)
        if method == "zeni":
            out += zeni_events(
                (heel - origin) @ forward,
                (toe - origin) @ forward,
                rate,
                side,
                min_stride_s=min_stride_s,
                min_prominence_m=min_prominence_m,
            )
        else:
            out += foot_velocity_events(
                heel,
                toe,
                forward,
                rate,
                side,
                cutoff_hz=cutoff_hz,
                strike_window_s=strike_window_s,
                off_window_s=off_window_s,
                min_stride_s=min_stride_s,
            )
    return tuple(sorted(out, key=lambda e: e.frame))


def c3d_events(result: TrialResult) -> tuple[GaitEvent, ...]:
    """The foot strikes and offs stored in the trial's file, as fractional frames.

    The frame is ``time_s * point_rate - (first_frame - 1)`` (C3D times count from frame 1),
    not the rounded :attr:`kinchain.io.trial.Event.frame`. Events outside the trial are dropped.
    """
    trial = result.trial
    out: list[GaitEvent] = []
    for e in trial.events:
        kind = _C3D_LABELS.get(e.label.strip().lower())
        ctx = e.context.strip().lower()
        if kind is None or ctx not in SIDES:
            continue
        side: Side = "left" if ctx == "left" else "right"
        frame = e.time_s * trial.point_rate - (trial.first_frame - 1)
        if -0.5 <= frame <= trial.n_frames - 0.5:
            out.append(GaitEvent(kind, side, frame, frame / trial.point_rate, "c3d"))
    return tuple(sorted(out, key=lambda e: e.frame))


# --------------------------------------------------------------------------------------------
# Comparison and choice


def match_events(
    a: Sequence[GaitEvent], b: Sequence[GaitEvent], window_frames: float
) -> list[tuple[GaitEvent, GaitEvent]]:
    """Pairs ``(event_a, event_b)`` of the same side and kind that are mutually nearest and
    no more than ``window_frames`` apart."""
    pairs: list[tuple[GaitEvent, GaitEvent]] = []
    for side in SIDES:
        for kind in KINDS:
            ea = [e for e in a if e.side == side and e.kind == kind]
            eb = [e for e in b if e.side == side and e.kind == kind]
            if not ea or not eb:
                continue
            fa = np.array([e.frame for e in ea])
            fb = np.array([e.frame for e in eb])
            d = np.abs(fa[:, None] - fb[None, :])
            best_b = d.argmin(axis=1)
            best_a = d.argmin(axis=0)
            for i, jb in enumerate(best_b):
                if best_a[jb] == i and d[i, jb] <= window_frames:
                    pairs.append((ea[i], eb[jb]))
    return sorted(pairs, key=lambda p: p[0].frame)


def _compare(
    candidates: Mapping[str, Sequence[GaitEvent]], window_frames: float
) -> tuple[tuple[EventDisagreement, ...], tuple[MethodAgreement, ...]]:
    dis: list[EventDisagreement] = []
    summary: list[MethodAgreement] = []
    for ma, mb in combinations(candidates, 2):
        pairs = match_events(candidates[ma], candidates[mb], window_frames)
        diffs = np.array([eb.frame - ea.frame for ea, eb in pairs])
        for ea, eb in pairs:
            dis.append(
                EventDisagreement(ea.side, ea.kind, ma, mb, ea.frame, eb.frame, eb.frame - ea.frame)
            )
        summary.append(
            MethodAgreement(
                ma,
                mb,
                len(pairs),
                float(np.mean(np.abs(diffs))) if diffs.size else float("nan"),
                float(np.max(np.abs(diffs))) if diffs.size else float("nan"),
                float(np.mean(diffs)) if diffs.size else float("nan"),
                len(candidates[ma]) - len(pairs),
                len(candidates[mb]) - len(pairs),
            )
        )
    return tuple(dis), tuple(summary)


def _merge(
    primary: Iterable[GaitEvent], fallback: Iterable[GaitEvent], window_frames: float
) -> tuple[GaitEvent, ...]:
    """Primary events, plus the fallback events no primary event of that side/kind covers."""
    prim = list(primary)
    out = list(prim)
    frames: dict[tuple[str, str], FloatArray] = {}
    for side in SIDES:
        for kind in KINDS:
            frames[(side, kind)] = np.sort(
                [p.frame for p in prim if (p.side, p.kind) == (side, kind)]
            )
    for e in fallback:
        f = frames[(e.side, e.kind)]
        i = int(np.searchsorted(f, e.frame))
        near = f[max(i - 1, 0) : i + 1]
        if not (near.size and float(np.min(np.abs(near - e.frame))) <= window_frames):
            out.append(e)
    return tuple(sorted(out, key=lambda e: e.frame))


def _fmt_event(e: GaitEvent) -> str:
    return f"{e.side} {e.kind.replace('_', ' ')} at frame {e.frame:.1f} ({e.time_s:.3f} s)"


#: An event as :func:`_fmt_event` writes it, to find the events a note names.
_EVENT_TEXT = re.compile(
    r"(?:left|right) foot (?:strike|off) at frame -?\d+\.\d \(-?\d+\.\d{3} s\)"
)


def checked_kinematic_events(
    foot_velocity: Sequence[GaitEvent],
    zeni: Sequence[GaitEvent],
    window_frames: float,
    tolerance_frames: float,
    point_rate: float,
    strike_points: Mapping[str, str] | None = None,
    set_aside: Collection[tuple[str, str]] = (),
) -> tuple[tuple[GaitEvent, ...], tuple[str, ...]]:
    """Foot-velocity events, each cross-checked against Zeni's and replaced where impossible.

    Zeni's extrema bound the true events from one side (the heel and toe positions are taken
    relative to the pelvis, which moves forward at nearly constant speed):

    - the heel is furthest in front of the pelvis when its forward speed falls to the pelvis's;
      once the heel is on the ground its speed is near zero, so the heel's forward maximum comes
      at or *before* foot strike. A foot-velocity strike more than ``tolerance_frames`` before
      Zeni's falls while the heel still outruns the pelvis, i.e. before the foot can have landed;
    - the toe is furthest behind the pelvis when, after foot off, its forward speed rises to the
      pelvis's, so the toe's backward minimum comes at or *after* foot off. A foot-velocity foot
      off more than ``tolerance_frames`` after Zeni's falls when the toe already outruns the
      pelvis, i.e. after it has left the ground.

    In those two cases Zeni's event is used; otherwise the foot-velocity event (O'Connor et al.
    2007: closest to the force plates on the c3d.org trials, while Zeni's strikes lead the plate
    by 26-45 ms on sample_00). Events one method found and the other did not are kept.

    Parameters
    ----------
    foot_velocity, zeni
        Candidate events of the two methods (any order).
    window_frames
        Largest distance between the two methods' versions of one event, marker frames.
    tolerance_frames
        Largest disagreement accepted without a note, marker frames.
    point_rate
        Marker rate, Hz (for the notes).
    strike_points
        Side -> the point the strikes come from, ``"heel"`` (default) or ``"ankle"`` (the ankle
        joint centre standing in for a missing heel marker), as the notes name it.
    set_aside
        ``(side, kind)`` pairs whose foot-velocity events were set aside before this check
        (:func:`_plate_cross_check`, whose note says why): their Zeni events get no "foot
        velocity found none" note.

    Returns
    -------
    (events, notes)
        The chosen events sorted by frame, and one sentence per event where the methods differ
        by more than ``tolerance_frames`` (or only one found it) saying which was used and why.
    """
    pairs = match_events(foot_velocity, zeni, window_frames)
    paired_fv = {id(f) for f, _ in pairs}
    paired_z = {id(z) for _, z in pairs}
    out: list[GaitEvent] = []
    notes: list[str] = []
    ms = 1000.0 / point_rate
    for f, z in pairs:
        d = f.frame - z.frame  # > 0: foot velocity later
        impossible = (f.kind == "foot_strike" and d < -tolerance_frames) or (
            f.kind == "foot_off" and d > tolerance_frames
        )
        if impossible:
            out.append(z)
            point = (strike_points or {}).get(f.side, "heel")
            point = "ankle joint centre" if point == "ankle" else point
            where = (
                f"before the {point}'s forward maximum relative to the pelvis (the {point} still "
                "outran the pelvis, so the foot was not yet on the ground)"
                if f.kind == "foot_strike"
                else "after the toe's backward minimum relative to the pelvis (the toe already "
                "outran the pelvis, so it had left the ground)"
            )
            notes.append(
                f"{_fmt_event(z)}: Zeni used; the foot-velocity event lies "
                f"{abs(d):.1f} frames ({abs(d) * ms:.0f} ms) {where}."
            )
        else:
            out.append(f)
            if abs(d) > tolerance_frames:
                bias = "leads" if f.kind == "foot_strike" else "trails"
                notes.append(
                    f"{_fmt_event(f)}: foot velocity used; Zeni's event is "
                    f"{abs(d):.1f} frames ({abs(d) * ms:.0f} ms) "
                    f"{'earlier' if d > 0 else 'later'}, as expected (Zeni's extremum {bias} the "
                    "true event: it marks when the foot's speed crosses the pelvis's)."
                )
    for f in foot_velocity:
        if id(f) not in paired_fv:
            out.append(f)
            notes.append(f"{_fmt_event(f)}: foot velocity only (Zeni found none).")
    for z in zeni:
        if id(z) not in paired_z:
            out.append(z)
            if (z.side, z.kind) not in set_aside:
                notes.append(f"{_fmt_event(z)}: Zeni only (foot velocity found none).")
    return tuple(sorted(out, key=lambda e: e.frame)), tuple(notes)


def check_stored_events(
    stored: Sequence[GaitEvent],
    reference: Sequence[GaitEvent],
    window_frames: float,
    tolerance_frames: float,
    point_rate: float,
) -> tuple[str, ...]:
    """Warnings for stored (C3D) events that disagree with the events found in the data.

    Parameters
    ----------
    stored
        The file's events (:func:`c3d_events`).
    reference
        Events found from the force plates and markers (the ``"auto"`` choice).
    window_frames
        Largest distance between two versions of one event, marker frames.
    tolerance_frames
        Largest difference accepted without a warning, marker frames.
    point_rate
        Marker rate, Hz.

    Returns
    -------
    tuple of str
        One sentence per stored event more than ``tolerance_frames`` from its counterpart, or
        with none within ``window_frames`` (only where the reference covers that part of the
        trial: between its first and last event of that side and kind, widened by the window).
    """
    pairs = match_events(stored, reference, window_frames)
    seen = {id(a) for a, _ in pairs}
    out: list[str] = []
    ms = 1000.0 / point_rate
    for a, b in pairs:
        d = a.frame - b.frame
        if abs(d) > tolerance_frames:
            out.append(
                f"stored {_fmt_event(a)} is {abs(d):.1f} frames ({abs(d) * ms:.0f} ms) "
                f"{'later' if d > 0 else 'earlier'} than the {b.method.replace('_', ' ')} event "
                f"found in the data (frame {b.frame:.1f})."
            )
    for a in stored:
        if id(a) in seen:
            continue
        same = [r.frame for r in reference if r.side == a.side and r.kind == a.kind]
        if same and min(same) - window_frames <= a.frame <= max(same) + window_frames:
            out.append(
                f"stored {_fmt_event(a)} has no counterpart in the data within "
                f"{window_frames:.0f} frames."
            )
    return tuple(out)


def calibrate_kinematic_events(
    events: Sequence[GaitEvent],
    plates: Sequence[GaitEvent],
    foot_velocity: Sequence[GaitEvent],
    zeni: Sequence[GaitEvent],
    window_frames: float,
    tolerance_frames: float,
) -> tuple[tuple[GaitEvent, ...], tuple[str, ...]]:
    """Remove each kinematic method's offset measured on this trial, per kind of event.

    1. Where clean force-plate events exist, the median of (method - plate) over the matched
       events of one method and kind is that method's offset on this trial; it is subtracted
       from all that method's events of that kind (both feet: the offset is a property of the
       method on this walker, while a failing method on one foot is caught before, by
       :func:`checked_kinematic_events` and the plate cross-check).
    2. Zeni events without a plate offset (those filling gaps where the foot-velocity method
       found nothing, typically at the ends of the trial) are moved by the median
       (foot velocity - Zeni) over the events both methods found on this trial, when at least
       two such pairs agree with the bound of :func:`checked_kinematic_events`, and then by the
       foot-velocity method's plate offset, if any.

    Parameters
    ----------
    events
        The checked kinematic events (from :func:`checked_kinematic_events`).
    plates
        Force-plate events (may be empty).
    foot_velocity, zeni
        Each method's candidates.
    window_frames
        Largest distance between two versions of one event, marker frames.
    tolerance_frames
        Disagreement of the foot-velocity and Zeni events above which a pair is not used to
        measure their offset (the bound of :func:`checked_kinematic_events`), marker frames.

    Returns
    -------
    (events, notes)
        The shifted events (same methods, frames moved), and one note per shift applied.
    """
    offsets: dict[tuple[str, str], float] = {}
    notes: list[str] = []
    for kind in KINDS:
        for m in ("foot_velocity", "zeni"):
            mine = [e for e in events if e.method == m and e.kind == kind]
            ref = [e for e in plates if e.kind == kind]
            pairs = match_events(ref, mine, window_frames)
            if pairs:
                off = float(np.median([b.frame - a.frame for a, b in pairs]))
                offsets[(m, kind)] = off
                notes.append(
                    f"{'Zeni' if m == 'zeni' else 'Foot-velocity'} {kind.replace('_', ' ')}s "
                    f"moved by {-off:+.1f} frames: "
                    f"their offset from this trial's force plate ({len(pairs)} event(s))."
                )
        if ("zeni", kind) not in offsets:
            ok = _bounded_lags(foot_velocity, zeni, kind, window_frames, tolerance_frames)
            if len(ok) >= 2:
                fv_off = offsets.get(("foot_velocity", kind), 0.0)
                offsets[("zeni", kind)] = -float(np.median(ok)) + fv_off
                if any(e.method == "zeni" and e.kind == kind for e in events):
                    notes.append(
                        f"Zeni {kind.replace('_', ' ')}s moved by "
                        f"{-offsets[('zeni', kind)]:+.1f} frames: their median offset from the "
                        f"foot-velocity events on this trial ({len(ok)} pairs)"
                        + (" and that method's plate offset." if fv_off else ".")
                    )
    out = [
        GaitEvent(
            e.kind,
            e.side,
            e.frame - offsets.get((e.method, e.kind), 0.0),
            (e.frame - offsets.get((e.method, e.kind), 0.0)) * (e.time_s / e.frame)
            if e.frame
            else e.time_s,
            e.method,
        )
        for e in events
    ]
    return tuple(sorted(out, key=lambda e: e.frame)), tuple(notes)


def _lags(
    foot_velocity: Sequence[GaitEvent],
    zeni: Sequence[GaitEvent],
    kind: str,
    window_frames: float,
    side: str | None = None,
) -> list[float]:
    """(foot velocity - Zeni) frames of the events of one kind (and side, if given) that both
    methods found."""
    pick = [
        [e for e in events if e.kind == kind and side in (None, e.side)]
        for events in (foot_velocity, zeni)
    ]
    return [f.frame - z.frame for f, z in match_events(pick[0], pick[1], window_frames)]


def _bounded_lags(
    foot_velocity: Sequence[GaitEvent],
    zeni: Sequence[GaitEvent],
    kind: str,
    window_frames: float,
    tolerance_frames: float,
) -> list[float]:
    """:func:`_lags` of both feet, keeping the pairs within the bound of
    :func:`checked_kinematic_events`."""
    return [
        x
        for x in _lags(foot_velocity, zeni, kind, window_frames)
        if (x >= -tolerance_frames if kind == "foot_strike" else x <= tolerance_frames)
    ]


def ankle_strike_midpoints(
    events: Sequence[GaitEvent],
    foot_velocity: Sequence[GaitEvent],
    zeni: Sequence[GaitEvent],
    ankle_sides: Sequence[str],
    window_frames: float,
    tolerance_frames: float,
    point_rate: float,
) -> tuple[tuple[GaitEvent, ...], tuple[str, ...]]:
    """Foot strikes midway between the two kinematic methods' on a foot without a heel marker.

    Where the ankle joint centre stands in for a missing heel marker (:func:`_foot`), both
    kinematic strikes are biased, in opposite directions: the foot-velocity method keys on the
    fastest descent of the ankle-toe midpoint, which sits higher on the foot than the heel-toe
    one and falls fastest nearer foot flat (late), and Zeni's ankle maximum ahead of the pelvis
    leads initial contact as the heel's does (early). Measured against the force plates of the
    c3d.org trials, with the heel markers set aside where a trial has them
    (``tests/gait/test_gait_real_trials.py``): foot velocity 17 ms late and Zeni 22 ms early on
    average (mean absolute errors 28 and 24 ms), their midpoint 5 ms early (mean absolute error
    16 ms; 11 strikes, 6 trials). With a heel marker the foot-velocity strike is kept; with a
    force-plate strike in the trial the methods' offsets are measured on it instead
    (:func:`calibrate_kinematic_events`), and this step is not used.

    Parameters
    ----------
    events
        The checked, calibrated kinematic events (:func:`calibrate_kinematic_events`).
    foot_velocity, zeni
        Each method's strike candidates (other events are ignored).
    ankle_sides
        The feet whose strikes come from the ankle joint centre.
    window_frames
        Largest distance between the two methods' versions of one event, marker frames.
    tolerance_frames
        The bound of :func:`checked_kinematic_events`, marker frames.
    point_rate
        Marker rate, Hz.

    Returns
    -------
    (events, notes)
        Foot-velocity strikes of those feet with a Zeni counterpart within the bound replaced
        by the midpoint (``method="kinematic_midpoint"``); Zeni strikes standing alone (moved
        by :func:`calibrate_kinematic_events` by the median foot-velocity offset) moved back by
        half of it, to the midpoint's place; one note per foot changed.
    """
    kind = "foot_strike"
    lags = _bounded_lags(foot_velocity, zeni, kind, window_frames, tolerance_frames)
    half = 0.5 * float(np.median(lags)) if len(lags) >= 2 else 0.0
    out: list[GaitEvent] = []
    changed: dict[tuple[str, str], int] = {}
    for e in events:
        if e.kind != kind or e.side not in ankle_sides or e.method not in ("foot_velocity", "zeni"):
            out.append(e)
            continue
        frame = e.frame - half if e.method == "zeni" else float("nan")
        if e.method == "foot_velocity":
            z = [x for x in zeni if x.kind == kind and x.side == e.side]
            pair = match_events([e], z, window_frames)
            if pair and e.frame - pair[0][1].frame >= -tolerance_frames:
                frame = 0.5 * (e.frame + pair[0][1].frame)
        if not np.isfinite(frame) or frame == e.frame:
            out.append(e)
            continue
        method = "kinematic_midpoint" if e.method == "foot_velocity" else e.method
        out.append(GaitEvent(kind, e.side, frame, frame / point_rate, method))
        changed[(e.side, method)] = changed.get((e.side, method), 0) + 1
    notes: list[str] = []
    for side in SIDES:
        mid, alone = changed.get((side, "kinematic_midpoint"), 0), changed.get((side, "zeni"), 0)
        if not (mid or alone):
            continue
        parts = [f"{mid} midway between the foot-velocity and Zeni strikes"] if mid else []
        if alone:
            parts.append(
                f"{alone} from Zeni's method (no usable foot-velocity strike), moved by "
                f"{half:+.1f} frames in all (half the median foot-velocity minus Zeni offset on "
                "this trial)"
            )
        notes.append(
            f"{side} foot strikes: {'; '.join(parts)}. Without a heel marker the ankle joint "
            "centre stands in for the heel, and the foot-velocity strike then comes late and "
            "Zeni's early by about as much (17 and 22 ms on average against the force plates "
            "of six trials)."
        )
    return tuple(sorted(out, key=lambda e: e.frame)), tuple(notes)


def _interp_rows(x: FloatArray, frames: FloatArray) -> FloatArray:
    """Columns of ``x`` (``(n, k)``) linearly interpolated at fractional frames, ``(m, k)``
    (NaN outside ``[0, n - 1]``). Only the rows around ``frames`` are read, so one call costs
    in proportion to the span of ``frames``, not to ``n``."""
    frames = np.asarray(frames, dtype=np.float64)
    n = x.shape[0]
    finite = frames[np.isfinite(frames)]
    if finite.size == 0 or n == 0:
        return np.full((frames.size, x.shape[1]), np.nan)
    lo = int(min(max(np.floor(finite.min()), 0), n - 1))
    hi = int(min(max(np.ceil(finite.max()) + 1, lo + 1), n))
    grid = np.arange(lo, hi, dtype=np.float64)
    sub = x[lo:hi]
    return np.column_stack(
        [np.interp(frames, grid, sub[:, j], left=np.nan, right=np.nan) for j in range(x.shape[1])]
    )


def plate_template_events(
    events: Sequence[GaitEvent],
    plates: Sequence[GaitEvent],
    heel_m: Mapping[str, FloatArray],
    toe_m: Mapping[str, FloatArray],
    forward: FloatArray,
    point_rate: float,
    *,
    half_window_s: float = 0.06,
    search_frames: float = 4.0,
    step_frames: float = 0.1,
    max_templates: int = 8,
) -> tuple[tuple[GaitEvent, ...], tuple[str, ...]]:
    """Move each kinematic event to where the foot moves as it did at this foot's plate event.

    At a force-plate foot strike the heel (at a foot off the toe) has a forward and vertical
    velocity pattern that is the walker's own; the same foot repeats it at its other strikes
    (offs). For every kinematic event of a side and kind with plate events of the *same* side
    and kind, the velocity of the heel (strikes) or toe (offs) over ``± half_window_s`` around
    each plate event is the template; the event is moved to the frame, within
    ``± search_frames`` of where it was and on a ``step_frames`` grid, that minimises the sum of
    squared differences from the template (the mean over templates when the foot has several
    plate events). Events whose windows hold missing samples are left where they were. This is
    the idea of Vicon Nexus's "autocorrelate events" on the plate's event, written here from
    its description, on velocities (not positions, which a walkway not level with the lab's Z
    would shift).

    Parameters
    ----------
    events
        The calibrated kinematic events (any methods; force-plate events pass unchanged).
    plates
        Force-plate events of this trial (clean contacts).
    heel_m, toe_m
        Side -> heel (or ankle) and toe positions, m, ``(n, 3)``, lab frame, Z up.
    forward
        ``(3,)`` unit vector of progression.
    point_rate
        Marker rate, Hz.
    half_window_s
        Half width of the template, s.
    search_frames
        How far an event may move, marker frames.
    step_frames
        Resolution of the search, marker frames.
    max_templates
        At most this many plate events (the nearest in time) serve as templates for one event,
        so that a long trial with a plate event every stride (an instrumented treadmill) takes
        time in proportion to its length.

    Returns
    -------
    (events, notes)
        The events (sorted by frame) and one note per side and kind moved.
    """
    half = half_window_s * point_rate
    offsets = np.arange(-np.floor(half), np.floor(half) + 0.5, 1.0)
    shifts = np.arange(-search_frames, search_frames + 0.5 * step_frames, step_frames)
    signals: dict[tuple[str, str], FloatArray] = {}
    for side, points in (("foot_strike", heel_m), ("foot_off", toe_m)):
        for foot, pos in points.items():
            vel = np.gradient(np.asarray(pos, dtype=np.float64), 1.0 / point_rate, axis=0)
            signals[(foot, side)] = np.column_stack([vel @ forward, vel[:, 2]])
    templates = {
        id(p): _interp_rows(signals[(p.side, p.kind)], p.frame + offsets)
        for p in plates
        if (p.side, p.kind) in signals
    }
    by_foot: dict[tuple[str, str], list[GaitEvent]] = {}
    for p in sorted(plates, key=lambda p: p.frame):
        by_foot.setdefault((p.side, p.kind), []).append(p)
    ref_frames = {k: np.array([p.frame for p in v]) for k, v in by_foot.items()}
    out: list[GaitEvent] = []
    moved: dict[tuple[str, str], list[float]] = {}
    for e in events:
        sig = signals.get((e.side, e.kind))
        refs = by_foot.get((e.side, e.kind), [])
        if e.method == "force_plate" or sig is None or not refs:
            out.append(e)
            continue
        if len(refs) > max_templates:  # the nearest in time: linear on long trials
            i = int(np.searchsorted(ref_frames[(e.side, e.kind)], e.frame))
            near = refs[max(i - max_templates, 0) : i + max_templates]
            refs = sorted(near, key=lambda p: abs(p.frame - e.frame))[:max_templates]
        cands = e.frame + shifts
        windows = _interp_rows(sig, (cands[:, None] + offsets[None, :]).ravel()).reshape(
            cands.size, offsets.size, -1
        )
        best: list[float] = []
        for ref in refs:
            template = templates[id(ref)]
            cost = np.sum((windows - template[None]) ** 2, axis=(1, 2))
            if not (np.isfinite(template).all() and np.isfinite(cost).all()):
                continue
            best.append(float(cands[int(np.argmin(cost))]))
        if not best:
            out.append(e)
            continue
        frame = float(np.mean(best))
        moved.setdefault((e.side, e.kind), []).append(frame - e.frame)
        out.append(GaitEvent(e.kind, e.side, frame, frame / point_rate, e.method))
    notes = [
        f"{side} {kind.replace('_', ' ')}s matched to this foot's force-plate "
        f"{'heel' if kind == 'foot_strike' else 'toe'} velocity pattern (± "
        f"{half_window_s * 1000:.0f} ms): moved by {min(d):+.1f} to {max(d):+.1f} frames "
        f"({len(d)} event(s))."
        for (side, kind), d in moved.items()
    ]
    return tuple(sorted(out, key=lambda e: e.frame)), tuple(notes)


def _plate_cross_check(
    candidates: Mapping[str, Sequence[GaitEvent]], window_frames: float, tolerance_frames: float
) -> tuple[list[GaitEvent], list[GaitEvent], list[str]]:
    """The per-trial cross-check against the force plate, per side and kind of event.

    Where a side has clean plate events of a kind and the foot-velocity events of that side and
    kind miss them by more than ``tolerance_frames`` on average while Zeni's miss them by less,
    the foot-velocity events of that side and kind are dropped (Zeni's are then used): the
    trial itself shows that method failing on that foot. A foot with no plate event of that
    kind follows that decision when the two methods relate on it as they do on the plate's
    foot (the median foot-velocity minus Zeni frame of the two feet within
    ``tolerance_frames``): the same bias then holds on both. On sample_32 the foot-velocity
    foot offs come 4.3 frames before the left plate's, 3.4-4.7 before Zeni's on that foot and
    3.3-3.8 on the right, which has no plate; kept there, its first foot off missed the stored
    one by 3.4 frames. A foot whose methods relate differently (a swing altered on one side
    only, ``tests/chain/test_findings.py``) keeps its own. Returns the foot-velocity and Zeni
    candidates to use and one note per such decision.
    """
    fv_all = candidates.get("foot_velocity", ())
    fv = list(fv_all)
    zeni = list(candidates.get("zeni", ()))
    plates = candidates.get("force_plate", ())
    notes: list[str] = []
    for side in SIDES:
        for kind in KINDS:
            ref = [e for e in plates if e.side == side and e.kind == kind]
            if not ref:
                continue
            err: dict[str, float] = {}
            for name, pool in (("foot_velocity", fv), ("zeni", zeni)):
                mine = [e for e in pool if e.side == side and e.kind == kind]
                pairs = match_events(ref, mine, window_frames)
                err[name] = (
                    float(np.mean([abs(b.frame - a.frame) for a, b in pairs]))
                    if pairs
                    else float("inf")
                )
            if err["foot_velocity"] > tolerance_frames and err["zeni"] < err["foot_velocity"]:
                fv = [e for e in fv if not (e.side == side and e.kind == kind)]
                notes.append(
                    f"{side} {kind.replace('_', ' ')}s: Zeni used throughout; on this trial's "
                    f"force plate the foot-velocity method missed by {err['foot_velocity']:.1f} "
                    f"frames and Zeni's by {err['zeni']:.1f}."
                )
                other = "right" if side == "left" else "left"
                if any(e.side == other and e.kind == kind for e in plates):
                    continue
                here, there = (
                    float(np.median(lags)) if lags else float("nan")
                    for lags in (_lags(fv_all, zeni, kind, window_frames, s) for s in (side, other))
                )
                if abs(here - there) <= tolerance_frames:  # False when either is NaN
                    fv = [e for e in fv if not (e.side == other and e.kind == kind)]
                    notes.append(
                        f"{other} {kind.replace('_', ' ')}s: Zeni used throughout, as on the "
                        f"{side} foot: no force plate checks this foot, and its foot-velocity "
                        f"events lie {there:+.1f} frames from Zeni's against {here:+.1f} on the "
                        f"{side} foot, so the same bias holds."
                    )
    return fv, zeni, notes


def _plate_notes(
    candidates: Mapping[str, Sequence[GaitEvent]], window_frames: float, point_rate: float
) -> list[str]:
    """How each kinematic method agrees with the force-plate events of this trial."""
    plates = candidates.get("force_plate", ())
    if not plates:
        return []
    parts = []
    for m in ("foot_velocity", "zeni"):
        pairs = match_events(plates, candidates.get(m, ()), window_frames)
        if pairs:
            d = np.array([b.frame - a.frame for a, b in pairs])
            parts.append(
                f"{m.replace('_', ' ')} {np.mean(d):+.1f} frames on average "
                f"(max |{np.max(np.abs(d)):.1f}|, {d.size} events)"
            )
    if not parts:
        return []
    return [
        "Cross-check against the force plate on this trial (method minus plate): "
        + "; ".join(parts)
        + "."
    ]


def detect_events(
    result: TrialResult,
    *,
    method: Method = "auto",
    threshold_n: float = 20.0,
    match_window_s: float = 0.25,
    zeni_min_prominence_m: float = 0.05,
    velocity_cutoff_hz: float | None = 7.0,
    min_stride_s: float = 0.5,
    fallback: Fallback = "checked",
    tolerance_frames: float = 2.0,
) -> GaitEvents:
    """Detect foot strikes and foot offs of a processed trial with every method available.

    Parameters
    ----------
    result
        A processed trial (:func:`kinchain.process.process`).
    method
        Which events are *chosen*: ``"auto"`` (force-plate events where a clean contact exists,
        ``fallback`` events elsewhere; the other kinematic method and the stored events only
        cross-check), or one method's events alone (``"force_plate"``, ``"zeni"``,
        ``"foot_velocity"``, ``"c3d"``).
    threshold_n
        Force-plate vertical-force threshold, N.
    match_window_s
        Largest time between two methods' versions of one event, s.
    zeni_min_prominence_m
        Smallest prominence of a Zeni extremum, m.
    velocity_cutoff_hz
        Low-pass cut-off of the foot-velocity method, Hz.
    min_stride_s
        Shortest stride the kinematic methods accept, s.
    fallback
        The kinematic events ``"auto"`` uses away from clean plate contacts: ``"checked"``
        (the default: foot-velocity events, each cross-checked against Zeni's and replaced by it
        where the foot-velocity event is physically impossible, see
        :func:`checked_kinematic_events`), ``"zeni"``, ``"foot_velocity"``, or
        ``"foot_velocity_then_zeni"`` (foot-velocity events, with Zeni's where the
        foot-velocity method found none). Measured against the events stored in the c3d.org
        files and the force plates (``tests/gait/test_gait_real_trials.py``): Zeni's strikes
        lead the plate and the stored events by 2.5-7 frames (26-45 ms on sample_00 at 100 Hz),
        which lengthens stance and double support; the foot-velocity events agree within 2
        frames wherever the stored events are right. The foot-velocity method alone fails
        when the swing is altered (on sample_00 with the knee stiffened in swing,
        ``tests/chain/perturb.py``, its strikes came 13 frames early); the Zeni bound catches
        that, so the checked choice keeps Zeni's robustness without its bias.
    tolerance_frames
        Disagreement between methods (and with the stored events) above which a note (or a
        warning, for stored events) is written, marker frames.

    Returns
    -------
    GaitEvents
        The chosen events, every method's candidates, and how they disagree.

    Raises
    ------
    ValueError
        Unknown ``method``.
    """
    if method not in ("auto", "force_plate", "zeni", "foot_velocity", "c3d"):
        raise ValueError(f"detect_events: unknown method {method!r}")
    if fallback not in FALLBACKS:
        raise ValueError(f"detect_events: unknown fallback {fallback!r}")
    rate = result.trial.point_rate
    window = match_window_s * rate
    feet = {side: _foot(result, side) for side in SIDES}
    candidates: dict[str, tuple[GaitEvent, ...]] = {}
    plates, still_notes = plate_offs_on_a_still_foot(
        plate_events(result, threshold_n=threshold_n),
        {side: _point_speed(f[1], rate) for side, f in feet.items()},
        rate,
    )
    if plates:
        candidates["force_plate"] = plates
    candidates["zeni"] = kinematic_events(
        result, "zeni", min_prominence_m=zeni_min_prominence_m, min_stride_s=min_stride_s
    )
    candidates["foot_velocity"] = kinematic_events(
        result,
        "foot_velocity",
        cutoff_hz=velocity_cutoff_hz,
        min_stride_s=min_stride_s,
    )
    stored = c3d_events(result)
    if stored:
        candidates["c3d"] = stored
    notes: list[str] = []
    fv_events, zeni_events_, plate_choice = _plate_cross_check(candidates, window, tolerance_frames)
    checked, checked_notes = checked_kinematic_events(
        fv_events,
        zeni_events_,
        window,
        tolerance_frames,
        rate,
        {side: f[2] for side, f in feet.items()},
        {(e.side, e.kind) for e in candidates["foot_velocity"]}
        - {(e.side, e.kind) for e in fv_events},
    )
    plates_first = candidates.get("force_plate", ())
    checked, calib_notes = calibrate_kinematic_events(
        checked,
        plates_first,
        candidates["foot_velocity"],
        candidates["zeni"],
        window,
        tolerance_frames,
    )
    ankle_sides = [side for side, f in feet.items() if f[2] == "ankle"]
    if ankle_sides and not any(e.kind == "foot_strike" for e in plates_first):
        before = checked
        checked, mid_notes = ankle_strike_midpoints(
            checked,
            candidates["foot_velocity"],
            candidates["zeni"],
            ankle_sides,
            window,
            tolerance_frames,
            rate,
        )
        if any(e.method == "zeni" and e.kind == "foot_strike" for e in set(checked) - set(before)):
            # the net shift of those strikes is in the midpoint's note
            calib_notes = tuple(n for n in calib_notes if not n.startswith("Zeni foot strikes"))
        calib_notes = (*calib_notes, *mid_notes)
        gone = {_fmt_event(e) for e in set(before) - set(checked) if e.method == "foot_velocity"}
        checked_notes = tuple(n for n in checked_notes if gone.isdisjoint(_EVENT_TEXT.findall(n)))
    if plates_first:
        forward, _ = _progression(result)
        checked, template_notes = plate_template_events(
            checked,
            plates_first,
            {side: f[0] for side, f in feet.items()},
            {side: f[1] for side, f in feet.items()},
            forward,
            rate,
        )
        calib_notes = (*calib_notes, *template_notes)
    checked_notes = (*plate_choice, *calib_notes, *checked_notes)
    auto = _merge(plates_first, checked, window)
    if method == "auto":
        if fallback == "checked":
            chosen = auto
            in_chosen = set(chosen)
            covered = {_fmt_event(e) for e in checked if e not in in_chosen}
            notes += [n for n in checked_notes if covered.isdisjoint(_EVENT_TEXT.findall(n))]
        elif fallback == "foot_velocity_then_zeni":
            chosen = _merge(
                _merge(plates_first, candidates["foot_velocity"], window),
                candidates["zeni"],
                window,
            )
        else:
            chosen = _merge(plates_first, candidates[fallback], window)
    else:
        chosen = candidates.get(method, ())
    if plates_first:
        notes = [
            f"{_fmt_event(e)}: force plate used (clean contact)."
            for e in chosen
            if e.method == "force_plate"
        ] + notes
    notes += [*still_notes, *_plate_notes(candidates, window, rate)]
    if method not in ("auto", "force_plate"):
        notes.insert(0, f"Events: {method.replace('_', ' ')} only, as asked.")
    warnings = check_stored_events(stored, auto, window, tolerance_frames, rate) if stored else ()
    if method == "c3d" and not stored:
        warnings = ("no foot strike or foot off events are stored in the file.",)
    disagreements, summary = _compare(candidates, window)
    params: dict[str, object] = {
        "input": result.trial.path,
        "input_sha256": result.trial.sha256,
        "method": method,
        "threshold_n": threshold_n,
        "match_window_s": match_window_s,
        "zeni_min_prominence_m": zeni_min_prominence_m,
        "velocity_cutoff_hz": velocity_cutoff_hz,
        "min_stride_s": min_stride_s,
        "fallback": fallback,
        "tolerance_frames": tolerance_frames,
        "foot_points": {side: f[2] for side, f in feet.items()},
    }
    return GaitEvents(
        chosen, candidates, disagreements, summary, rate, params, tuple(notes), tuple(warnings)
    )


# --------------------------------------------------------------------------------------------
# Detector objects (scikit-learn / gaitmap style)


class EventDetector(ABC):
    """Base of the event detectors: keyword-only parameters stored as given, no work in
    ``__init__``, one action :meth:`detect` that returns ``self`` with the result in ``events_``.

    Subclasses set :attr:`method` and implement :meth:`_detect`; their ``__init__`` parameters are
    their whole configuration (:meth:`get_params`, JSON round trip with :meth:`to_json` /
    :meth:`from_json`).
    """

    method: ClassVar[str] = ""
    events_: tuple[GaitEvent, ...]

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [n for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, object]:
        """Parameter name -> value, as passed to ``__init__``."""
        return {n: getattr(self, n) for n in self._param_names()}

    def to_json(self) -> str:
        """The detector's class and parameters as JSON."""
        return json.dumps({"detector": type(self).__name__, "params": self.get_params()})

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Rebuild a detector written by :meth:`to_json`.

        Raises
        ------
        ValueError
            The JSON names another detector class.
        """
        data = json.loads(text)
        if data.get("detector") != cls.__name__:
            raise ValueError(f"{cls.__name__}.from_json: got a {data.get('detector')!r}")
        return cls(**data["params"])

    def detect(self, result: TrialResult) -> Self:
        """Detect the events of a processed trial; the result is in ``self.events_``."""
        self.events_ = self._detect(result)
        return self

    @abstractmethod
    def _detect(self, result: TrialResult) -> tuple[GaitEvent, ...]:
        """The events of one method (each subclass's own detection)."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class ForcePlateDetector(EventDetector):
    """Force-plate events (:func:`plate_events`).

    Parameters
    ----------
    threshold_n
        Vertical-force threshold, N (default 20).
    """

    method = "force_plate"

    def __init__(self, *, threshold_n: float = 20.0) -> None:
        self.threshold_n = threshold_n

    def _detect(self, result: TrialResult) -> tuple[GaitEvent, ...]:
        return plate_events(result, threshold_n=self.threshold_n)


class ZeniDetector(EventDetector):
    """Zeni et al. (2008) events (:func:`zeni_events` on both feet).

    Parameters
    ----------
    min_stride_s
        Shortest stride accepted, s (default 0.5).
    min_prominence_m
        Smallest prominence of an extremum, m (default 0.05).
    """

    method = "zeni"

    def __init__(self, *, min_stride_s: float = 0.5, min_prominence_m: float = 0.05) -> None:
        self.min_stride_s = min_stride_s
        self.min_prominence_m = min_prominence_m

    def _detect(self, result: TrialResult) -> tuple[GaitEvent, ...]:
        return kinematic_events(
            result, "zeni", min_stride_s=self.min_stride_s, min_prominence_m=self.min_prominence_m
        )


class FootVelocityDetector(EventDetector):
    """O'Connor et al. (2007) foot-velocity events (:func:`foot_velocity_events` on both feet).

    Parameters
    ----------
    cutoff_hz
        Low-pass cut-off of the foot centre, Hz (default 7; None: unfiltered).
    strike_window_s, off_window_s
        Search windows after / before mid-swing, s (defaults 0.25 and 0.4).
    min_stride_s
        Shortest stride accepted, s (default 0.5).
    """

    method = "foot_velocity"

    def __init__(
        self,
        *,
        cutoff_hz: float | None = 7.0,
        strike_window_s: float = 0.25,
        off_window_s: float = 0.4,
        min_stride_s: float = 0.5,
    ) -> None:
        self.cutoff_hz = cutoff_hz
        self.strike_window_s = strike_window_s
        self.off_window_s = off_window_s
        self.min_stride_s = min_stride_s

    def _detect(self, result: TrialResult) -> tuple[GaitEvent, ...]:
        return kinematic_events(
            result,
            "foot_velocity",
            cutoff_hz=self.cutoff_hz,
            strike_window_s=self.strike_window_s,
            off_window_s=self.off_window_s,
            min_stride_s=self.min_stride_s,
        )

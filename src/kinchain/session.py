"""A gait session: several walking trials of one visit analysed as one, the way gait labs report
(the mean over all usable strides of all trials, with the trial-to-trial consistency).

Each trial is analysed on its own first (:func:`kinchain.analysis.analyze`: its own events and
strides, its outliers judged within the trial). Then the usable strides of all trials are pooled
per side, keeping the trial each stride came from, and the spatiotemporal means, the normative
comparison (GPS/MAP), the chain features' normal ranges and the findings are computed on the
pooled strides by the same functions a single trial uses; a session of one trial is therefore
exactly that trial's analysis.

Trial-to-trial consistency (:class:`Consistency`), per side over the trials with usable strides:

- key spatiotemporal parameters: each trial's mean, the mean and the standard deviation of the
  trial means (ddof = 1) and their coefficient of variation, %;
- each kinematic variable of the Gait Profile Score (Baker et al. 2009), on the trials' mean
  curves: the between-trial SD (the across-trial SD at each % of the cycle, RMS over the cycle:
  the inter-trial error of Schwartz, Trost & Wervey 2004), the RMS difference of each trial's
  mean curve from the session's pooled mean curve (and its mean over the trials), and the
  coefficient of multiple correlation (CMC) between the trials' mean curves (Kadaba et al. 1989,
  the within-day form; NaN where its radicand is negative or the curves are flat).

A trial is flagged, never dropped, when its walking speed differs from the median of the session's
trial speeds by more than ``speed_tolerance_m_s`` (default 0.10 m/s, the "substantial
meaningful change" in gait speed of Perera et al. 2006), or when it contributes no usable stride.

References
----------
Baker R, McGinley JL, Schwartz MH, et al. The Gait Profile Score and Movement Analysis Profile.
Gait Posture 2009;30:265-269.

Kadaba MP, Ramakrishnan HK, Wootten ME, et al. Repeatability of kinematic, kinetic, and
electromyographic data in normal adult gait. J Orthop Res 1989;7:849-860.

Schwartz MH, Trost JP, Wervey RA. Measurement and management of errors in quantitative gait data.
Gait Posture 2004;20:196-203.

Perera S, Mody SH, Woodman RC, Studenski SA. Meaningful change and responsiveness in common
physical performance measures in older adults. J Am Geriatr Soc 2006;54:743-749.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kinchain.analysis import (
    SIDES,
    GaitAnalysis,
    StrideRecord,
    _jsonable,
    _normative_set,
    analyze,
    normal_ranges,
)
from kinchain.chain.detect import ChainData, SideData, Thresholds, detect_findings
from kinchain.chain.features import CurveFeatures, StanceLoading
from kinchain.errors import InputError
from kinchain.gait.cycles_types import N_POINTS, CycleSet, Side
from kinchain.gait.events import Fallback
from kinchain.gait.normative import GPS_VARIABLES, NormativeChoice, compare
from kinchain.gait.spatiotemporal import (
    PARAMETER_UNITS,
    Spatiotemporal,
    StrideParameters,
    _mean_side,
    symmetry_index,
)
from kinchain.process import TrialResult

__all__ = [
    "CONSISTENCY_PARAMETERS",
    "Consistency",
    "SessionAnalysis",
    "SessionTrial",
    "analyze_session",
    "build_session",
    "cmc",
    "pool_analyses",
]

FloatArray = NDArray[np.float64]

#: Spatiotemporal parameters whose trial-to-trial spread is reported.
CONSISTENCY_PARAMETERS = ("speed_m_s", "cadence_steps_min", "stride_length_m", "stance_pct")

#: Default speed difference from the other trials' median that flags a trial, m/s (Perera 2006).
SPEED_TOLERANCE_M_S = 0.10


@dataclass(frozen=True)
class SessionTrial:
    """One trial of the session and what it contributed.

    Attributes
    ----------
    name
        The file name shown to people.
    path
        The file as given.
    analysis
        Its own analysis, or None when it could not be read (``error`` says why).
    error
        Why the trial was left out ("" when it was used).
    notes
        Plain-language flags (e.g. much slower than the other trials); the trial still counts.
    """

    name: str
    path: str
    analysis: GaitAnalysis | None
    error: str = ""
    notes: tuple[str, ...] = ()

    @property
    def used(self) -> bool:
        """True when the trial was analysed (even if it has no usable stride)."""
        return self.analysis is not None

    def n_strides(self, side: Side) -> int:
        """Usable strides of ``side`` (0 for a trial that was left out)."""
        if self.analysis is None:
            return 0
        return int(np.count_nonzero(self.analysis.cycles[side].usable()))

    def speed_m_s(self) -> float:
        """Mean walking speed of the trial over both sides' usable strides' side means, m/s."""
        if self.analysis is None:
            return float("nan")
        st = self.analysis.spatiotemporal
        v = [s.speed_m_s for s in (st.left, st.right) if math.isfinite(s.speed_m_s)]
        return float(np.mean(v)) if v else float("nan")

    def kinetics(self) -> bool:
        """True when at least one usable stride of the trial has kinetics."""
        if self.analysis is None:
            return False
        return any(s.kinetics for s in self.analysis.strides)


@dataclass(frozen=True)
class Consistency:
    """Trial-to-trial consistency of a session (see the module docstring).

    Attributes
    ----------
    parameters
        Side -> parameter -> ``{"trials": [...], "mean": ..., "sd": ..., "cv_pct": ...}``: each
        trial's mean (None for a trial without usable strides of that side), the mean and SD
        (ddof = 1) of the trial means and their coefficient of variation, %.
    curves
        Side -> GPS variable -> ``{"between_trial_sd_deg": ..., "rms_to_session_deg": [...],
        "mean_rms_to_session_deg": ..., "cmc": ...}``, degrees.
    n_trials
        Side -> trials with at least one usable stride (the statistics need 2).
    speed_tolerance_m_s
        The speed difference that flags a trial, m/s.
    """

    parameters: dict[str, dict[str, dict[str, Any]]]
    curves: dict[str, dict[str, dict[str, Any]]]
    n_trials: dict[str, int]
    speed_tolerance_m_s: float


@dataclass(frozen=True)
class SessionAnalysis:
    """Result of :func:`analyze_session`.

    Attributes
    ----------
    trials
        Every trial given, in order (left-out ones with their error).
    pooled
        The analysis of all usable strides of the used trials. Its ``result`` and ``events`` are
        the first used trial's (subject, processing parameters); its cycles, strides,
        spatiotemporal parameters, comparison and findings are the pooled ones.
    stride_trials
        Side -> for each of the pooled side's strides (all, not only usable), the index into
        ``trials`` of the trial it came from.
    consistency
        Trial-to-trial consistency.
    static
        The static trial used to calibrate the subject (file name and how it was chosen), or
        None.
    """

    trials: tuple[SessionTrial, ...]
    pooled: GaitAnalysis
    stride_trials: dict[Side, tuple[int, ...]]
    consistency: Consistency
    static: dict[str, str] | None = None

    def used(self) -> list[SessionTrial]:
        """The trials analysed (not left out)."""
        return [t for t in self.trials if t.used]

    def usable_stride_trials(self, side: Side) -> list[int]:
        """For each usable pooled stride of ``side`` (numbered L1, L2… / R1, R2…), its trial."""
        mask = self.pooled.cycles[side].usable()
        return [t for t, ok in zip(self.stride_trials[side], mask, strict=True) if ok]

    def session_dict(self) -> dict[str, Any]:
        """The ``session`` object of ``analysis.json`` (JSON-ready)."""
        trials = []
        for k, t in enumerate(self.trials):
            entry: dict[str, Any] = {
                "index": k,
                "name": t.name,
                "input": t.path,
                "used": t.used,
                "error": t.error,
                "notes": list(t.notes),
                "strides": {side: t.n_strides(side) for side in SIDES},
                "speed_m_s": t.speed_m_s(),
                "kinetics": t.kinetics(),
            }
            if t.analysis is not None:
                a = t.analysis
                tr = a.result.trial
                entry.update(
                    {
                        "input_sha256": tr.sha256,
                        "trial": {
                            "frames": tr.n_frames,
                            "point_rate_hz": tr.point_rate,
                            "first_frame": tr.first_frame,
                        },
                        "events": [
                            {
                                "kind": e.kind,
                                "side": e.side,
                                "frame": e.frame,
                                "time_s": e.time_s,
                                "method": e.method,
                            }
                            for e in a.events.events
                        ],
                        "event_warnings": list(a.events.warnings),
                        "kinetics_status": a.kinetics_status(),
                        "spatiotemporal": {
                            "left": a.spatiotemporal.left.as_dict(),
                            "right": a.spatiotemporal.right.as_dict(),
                        },
                    }
                )
            trials.append(entry)
        c = self.consistency
        payload = {
            "trials": trials,
            "static": self.static,
            "stride_trials": {side: self.usable_stride_trials(side) for side in SIDES},
            "consistency": {
                "n_trials": c.n_trials,
                "speed_tolerance_m_s": c.speed_tolerance_m_s,
                "parameters": c.parameters,
                "curves": c.curves,
            },
        }
        return dict(_jsonable(payload))

    def to_dict(self) -> dict[str, Any]:
        """``analysis.json``: the pooled analysis (schema ``kinchain-analysis/1``) with the
        session under ``"session"``."""
        payload = self.pooled.to_dict()
        payload["session"] = self.session_dict()
        return payload


def cmc(curves: FloatArray) -> float:
    """Coefficient of multiple correlation of ``G`` curves over ``T`` points (Kadaba et al.
    1989, within-day form).

    ``CMC = sqrt(1 - [sum (Y_gt - Ybar_t)^2 / (T (G - 1))] / [sum (Y_gt - Ybar)^2 / (T G - 1)])``
    with ``Ybar_t`` the mean over curves at point ``t`` and ``Ybar`` the grand mean.

    Parameters
    ----------
    curves
        ``(G, T)``; points where any curve is NaN are left out.

    Returns
    -------
    float
        In [0, 1]; 1 for identical curves; NaN for fewer than 2 curves or 2 points, flat curves,
        or a negative radicand (curves less alike than their grand mean).
    """
    y = np.asarray(curves, dtype=np.float64)
    y = y[:, np.all(np.isfinite(y), axis=0)]
    g, t = y.shape
    if g < 2 or t < 2:
        return float("nan")
    within = float(np.sum((y - y.mean(axis=0)) ** 2)) / (t * (g - 1))
    total = float(np.sum((y - y.mean()) ** 2)) / (t * g - 1)
    if total <= 0.0:
        return float("nan")
    r2 = 1.0 - within / total
    return float(math.sqrt(r2)) if r2 >= 0.0 else float("nan")


def _pool_cycles(sets: Sequence[CycleSet], side: Side) -> CycleSet:
    labels: list[str] = []
    for s in sets:
        labels += [k for k in s.curves if k not in labels]
    curves: dict[str, FloatArray] = {}
    for label in labels:
        parts = [
            s.curves[label] if label in s.curves else np.full((len(s.cycles), N_POINTS, 3), np.nan)
            for s in sets
        ]
        curves[label] = np.concatenate(parts, axis=0)
    cycles = tuple(c for s in sets for c in s.cycles)
    return CycleSet(side, cycles, curves)


def _pool_spatiotemporal(analyses: Sequence[GaitAnalysis]) -> Spatiotemporal:
    if len(analyses) == 1:
        return analyses[0].spatiotemporal
    first = analyses[0].result.model.subject.leg_length_m
    rows: dict[Side, list[StrideParameters]] = {
        side: [r for a in analyses for r in a.spatiotemporal.strides if r.side == side]
        for side in SIDES
    }
    left = _mean_side("left", rows["left"], float(first.get("left", np.nan)))
    right = _mean_side("right", rows["right"], float(first.get("right", np.nan)))
    sym = {k: symmetry_index(getattr(left, k), getattr(right, k)) for k in PARAMETER_UNITS}
    everything = tuple(r for a in analyses for r in a.spatiotemporal.strides)
    params: dict[str, object] = dict(analyses[0].spatiotemporal.parameters)
    params["input"] = [a.result.trial.path for a in analyses]
    params["input_sha256"] = [a.result.trial.sha256 for a in analyses]
    return Spatiotemporal(left, right, everything, sym, params)


def pool_analyses(
    analyses: Sequence[GaitAnalysis],
    *,
    normative: NormativeChoice = None,
    thresholds: Thresholds | None = None,
) -> GaitAnalysis:
    """One analysis of the usable strides of several trials' analyses.

    The strides keep their trial's validity, outlier and kinetics flags and chain features; the
    spatiotemporal side means, the normative set (speed-matched to the pooled speed unless
    given), the comparison, the normal ranges and the findings are computed on the pooled strides
    exactly as :func:`kinchain.analysis.analyze` computes them on one trial's.

    Parameters
    ----------
    analyses
        At least one trial analysis; the first gives the pooled result's ``result`` and
        ``events`` (subject and processing parameters).
    normative, thresholds
        As for :func:`kinchain.analysis.analyze`.
    """
    if not analyses:
        raise InputError("session", "no trial to pool")
    thresholds = thresholds or analyses[0].thresholds
    cycles = {side: _pool_cycles([a.cycles[side] for a in analyses], side) for side in SIDES}
    spatio = _pool_spatiotemporal(analyses)
    norm = _normative_set(normative, spatio)
    comparison = compare({str(k): v for k, v in cycles.items()}, norm) if norm is not None else None
    records: list[StrideRecord] = []
    sides: dict[str, SideData] = {}
    for side in SIDES:
        offset = 0
        feats: list[CurveFeatures] = []
        kin: list[bool] = []
        loads: list[StanceLoading | None] = []
        for a in analyses:
            for r in a.strides:
                if r.side != side:
                    continue
                feats.append(CurveFeatures(**r.features))
                kin.append(r.kinetics)
                loads.append(StanceLoading(**r.loading) if r.loading is not None else None)
                records.append(replace(r, index=r.index + offset))
            offset += len(a.cycles[side].cycles)
        sides[side] = SideData(tuple(feats), tuple(kin), tuple(loads), spatio.side(side).as_dict())
    normal, normal_features = normal_ranges(norm)
    findings = detect_findings(ChainData(sides, normal, dict(spatio.symmetry_pct)), thresholds)
    first = analyses[0]
    return GaitAnalysis(
        result=first.result,
        events=first.events,
        cycles=cycles,
        spatiotemporal=spatio,
        normative=norm,
        comparison=comparison,
        strides=tuple(records),
        findings=tuple(findings),
        thresholds=thresholds,
        normal_features=normal_features,
    )


def _stats(values: list[float]) -> dict[str, Any]:
    finite = [v for v in values if math.isfinite(v)]
    mean = float(np.mean(finite)) if finite else float("nan")
    sd = float(np.std(finite, ddof=1)) if len(finite) >= 2 else float("nan")
    cv = sd / abs(mean) * 100.0 if math.isfinite(sd) and mean != 0 else float("nan")
    return {"trials": values, "mean": mean, "sd": sd, "cv_pct": cv}


def _consistency(
    analyses: Sequence[GaitAnalysis | None], pooled: GaitAnalysis, tolerance: float
) -> Consistency:
    params: dict[str, dict[str, dict[str, Any]]] = {}
    curves: dict[str, dict[str, dict[str, Any]]] = {}
    n_trials: dict[str, int] = {}
    for side in SIDES:
        prefix = "L" if side == "left" else "R"
        have = [a is not None and bool(np.any(a.cycles[side].usable())) for a in analyses]
        n_trials[side] = sum(have)
        params[side] = {}
        for key in CONSISTENCY_PARAMETERS:
            vals = [
                float(getattr(a.spatiotemporal.side(side), key))
                if a is not None and ok
                else math.nan
                for a, ok in zip(analyses, have, strict=True)
            ]
            params[side][key] = _stats(vals)
        curves[side] = {}
        for name, (variable, col) in GPS_VARIABLES.items():
            label = prefix + variable
            if label not in pooled.cycles[side].curves:
                continue
            session_mean = pooled.cycles[side].mean(label)[:, col]
            means: list[FloatArray] = []
            rms: list[float] = []
            for a, ok in zip(analyses, have, strict=True):
                if a is None or not ok or label not in a.cycles[side].curves:
                    rms.append(math.nan)
                    continue
                m = a.cycles[side].mean(label)[:, col]
                means.append(m)
                d = m - session_mean
                d = d[np.isfinite(d)]
                rms.append(float(np.sqrt(np.mean(d**2))) if d.size else math.nan)
            finite_rms = [v for v in rms if math.isfinite(v)]
            between = math.nan
            agreement = math.nan
            if len(means) >= 2:
                stack = np.stack(means)
                stack = stack[:, np.all(np.isfinite(stack), axis=0)]
                if stack.shape[1]:
                    sd_t = np.std(stack, axis=0, ddof=1)
                    between = float(np.sqrt(np.mean(sd_t**2)))
                agreement = cmc(np.stack(means))
            curves[side][name] = {
                "between_trial_sd_deg": between,
                "rms_to_session_deg": rms,
                "mean_rms_to_session_deg": (float(np.mean(finite_rms)) if finite_rms else math.nan),
                "cmc": agreement,
            }
    return Consistency(params, curves, n_trials, tolerance)


#: Subject measurements that must agree between the trials of a session (one person, one visit).
_SUBJECT_FIELDS = {
    "mass_kg": "body mass",
    "leg_length_m": "leg length",
    "knee_width_m": "knee width",
    "ankle_width_m": "ankle width",
    "marker_diameter_m": "marker diameter",
}


def _subject_differs(a: GaitAnalysis, b: GaitAnalysis) -> list[str]:
    """The measurements (by name) in which two trials' subjects differ."""
    sa, sb = a.result.model.subject, b.result.model.subject
    out = []
    for name, label in _SUBJECT_FIELDS.items():
        va, vb = getattr(sa, name), getattr(sb, name)
        if isinstance(va, dict):
            same = all(
                np.isclose(float(va.get(k, np.nan)), float(vb.get(k, np.nan)), equal_nan=True)
                for k in ("left", "right")
            )
        else:
            same = bool(np.isclose(float(va), float(vb), equal_nan=True))
        if not same:
            out.append(label)
    return out


def _trial_notes(trials: list[SessionTrial], tolerance: float) -> list[SessionTrial]:
    speeds = [t.speed_m_s() for t in trials]
    finite = [v for v in speeds if math.isfinite(v)]
    median = float(np.median(finite)) if len(finite) >= 2 else math.nan
    first = next(t.analysis for t in trials if t.analysis is not None)
    out = []
    for t, v in zip(trials, speeds, strict=True):
        notes = list(t.notes)
        if t.analysis is not None:
            differs = _subject_differs(first, t.analysis)
            if differs:
                notes.append(
                    f"processed with other subject measurements than the first trial "
                    f"({', '.join(differs)}): check they are the same person and visit"
                )
            if t.n_strides("left") == 0 and t.n_strides("right") == 0:
                notes.append("no usable stride: contributes nothing to the means")
            if math.isfinite(median) and math.isfinite(v) and abs(v - median) > tolerance:
                word = "slower" if v < median else "faster"
                notes.append(
                    f"walked {word} than the session ({v:.2f} vs median {median:.2f} m/s): "
                    "check it is the same walking condition"
                )
        out.append(replace(t, notes=tuple(notes)))
    return out


def build_session(
    analyses: Sequence[GaitAnalysis | tuple[str, str]],
    *,
    normative: NormativeChoice = None,
    thresholds: Thresholds | None = None,
    static: dict[str, str] | None = None,
    speed_tolerance_m_s: float = SPEED_TOLERANCE_M_S,
) -> SessionAnalysis:
    """A session of trials already analysed (:func:`kinchain.analysis.analyze`), in order; a
    trial that could not be read is given as ``(path, error)``. See :func:`analyze_session`."""
    if not math.isfinite(speed_tolerance_m_s) or speed_tolerance_m_s <= 0:
        raise InputError("speed_tolerance_m_s", f"{speed_tolerance_m_s} must be positive")
    trials: list[SessionTrial] = []
    kept: list[GaitAnalysis | None] = []
    for item in analyses:
        if isinstance(item, tuple):
            path, error = item
            trials.append(SessionTrial(Path(path).name, path, None, error))
            kept.append(None)
        else:
            trials.append(
                SessionTrial(Path(item.result.trial.path).name, item.result.trial.path, item)
            )
            kept.append(item)
    used = [a for a in kept if a is not None]
    if not used:
        raise InputError("session", "no trial could be analysed")
    pooled = pool_analyses(used, normative=normative, thresholds=thresholds)
    stride_trials = {
        side: tuple(k for k, a in enumerate(kept) if a is not None for _ in a.cycles[side].cycles)
        for side in SIDES
    }
    return SessionAnalysis(
        trials=tuple(_trial_notes(trials, speed_tolerance_m_s)),
        pooled=pooled,
        stride_trials=stride_trials,
        consistency=_consistency(kept, pooled, speed_tolerance_m_s),
        static=static,
    )


def analyze_session(
    results: Sequence[TrialResult | tuple[str, str]],
    *,
    normative: NormativeChoice = None,
    thresholds: Thresholds | None = None,
    event_method: Literal["auto", "force_plate", "zeni", "foot_velocity", "c3d"] = "auto",
    event_fallback: Fallback = "checked",
    static: dict[str, str] | None = None,
    speed_tolerance_m_s: float = SPEED_TOLERANCE_M_S,
) -> SessionAnalysis:
    """Analyse a session of walking trials as one.

    Parameters
    ----------
    results
        The processed trials in order (:func:`kinchain.process.process`); a trial that could not
        be read is given as ``(path, error)`` and listed as left out.
    normative
        As for :func:`kinchain.analysis.analyze`; without one, each trial's own analysis is
        matched to its own speed and the pooled analysis to the pooled speed.
    thresholds, event_method, event_fallback
        As for :func:`kinchain.analysis.analyze`, used for every trial.
    static
        How the subject was calibrated, for the record (``{"name": ..., "how": ...}``).
    speed_tolerance_m_s
        A trial whose speed differs from the median of the trials' speeds by more than this is
        flagged, m/s.

    Returns
    -------
    SessionAnalysis

    Raises
    ------
    InputError
        When no trial could be analysed.
    """
    items: list[GaitAnalysis | tuple[str, str]] = []
    for item in results:
        if isinstance(item, tuple):
            items.append(item)
        else:
            items.append(
                analyze(
                    item,
                    normative=normative,
                    thresholds=thresholds,
                    event_method=event_method,
                    event_fallback=event_fallback,
                )
            )
    return build_session(
        items,
        normative=normative,
        thresholds=thresholds,
        static=static,
        speed_tolerance_m_s=speed_tolerance_m_s,
    )

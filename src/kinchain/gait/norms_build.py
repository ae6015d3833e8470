"""A lab's own normative reference, built from its healthy trials with kinchain's own model.

What it computes
----------------
From analysed reference trials (each: its strides per side, time-normalised by
:func:`kinchain.gait.cycles.segment_cycles`, and its per-stride spatiotemporal parameters),
:func:`build_norms` returns one :class:`~kinchain.gait.normative.NormativeSet` per walking-speed
class, with the counts and provenance a lab must keep beside a reference, and the Gait Profile
Score of each reference stride against the reference mean (the lab's own GPS variability).

Decisions (stated here, in the file's ``build.parameters`` and in the report's source line)
-------------------------------------------------------------------------------------------
- **Speed classes** (``classes="schwartz"``, default): the Schwartz et al. (2008) classes of the
  dimensionless speed ``v* = v / sqrt(g L)`` (:data:`~kinchain.gait.normative.
  SCHWARTZ2008_SPEED_RANGES`), so a lab class stands beside the packaged Schwartz class of the
  same name. A *trial* belongs to one class, by the rule :func:`kinchain.analysis.analyze` uses
  to match a patient: the mean of the two sides' walking speeds over the mean of the two leg
  lengths (strides of one trial are not split between classes). ``classes="single"``: one class
  holding every stride whatever its speed (for a lab that records self-selected speed only);
  its ``speed_class`` is None and its v* range the observed one. Tertiles of the lab's own
  speeds were not used: their limits would move with every trial added and would not match the
  classes the analysis matches a patient with.
- **Too few strides**: a class with fewer than ``min_strides`` usable strides (sides pooled) is
  left out with a message; so is a curve (e.g. a joint moment, needing strides with valid
  kinetics) with fewer than ``min_strides`` contributing strides, and a spatiotemporal parameter
  with fewer than ``min_strides`` finite values.
- **Strides pooled**: left and right strides are pooled into one curve per variable
  (``"KneeAngles"`` from ``LKneeAngles`` and ``RKneeAngles``), as the Schwartz reference is and
  as :func:`~kinchain.gait.normative.compare` uses it (each side's curve against the same
  reference). Kinematic curves come from usable strides (valid, not outliers); moment and power
  curves from usable strides with valid kinetics (``Cycle.kinetics_valid``); NaN samples are left
  out point by point.
- **Weighting**: when every trial carries a subject id (a batch manifest's ``subject_id``, or
  the subject id of a folder source), each *subject* weighs the same: each of a subject's
  ``n_s`` contributing strides has weight ``1 / n_s``. Otherwise (plain files, ids missing)
  each *stride* weighs the same. Mean ``m = sum w x / sum w``; SD with reliability weights
  ``sqrt(sum w (x - m)^2 / (sum w - sum w^2 / sum w))``, which is the ordinary sample SD (ddof 1)
  when the weights are equal. A value with fewer than 2 contributing strides has no SD.
- **GPS reference**: each usable stride's 9 Gait Variable Scores against the class mean (its
  own side's pelvis) and its GPS = RMS of them (Baker et al. 2009, as
  :func:`~kinchain.gait.normative.gait_variable_scores`), with their mean, SD (ddof 1), median
  and maximum, so a patient's GPS can be read against the lab's own stride-to-stride and
  subject-to-subject spread. The reference strides are part of the mean, so these GPS are
  slightly smaller than those of new healthy strides would be.
- **Spatiotemporal**: mean and SD of every parameter of
  :data:`~kinchain.gait.spatiotemporal.PARAMETER_UNITS` over the usable strides (weighted as
  above), plus ``opposite_foot_contact_pct`` (= ``opposite_foot_strike_pct``, the name the
  Schwartz sets use).

References
----------
- Schwartz MH, Rozumalski A, Trost JP. J Biomech 2008;41:1639-1650 (speed classes).
- Baker R et al. The Gait Profile Score and Movement Analysis Profile. Gait Posture
  2009;30:265-269.
- Hof AL. Scaling gait data to body size. Gait Posture 1996;4:222-223.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kinchain import __version__
from kinchain.errors import InputError
from kinchain.gait.cycles_types import CycleSet, Side
from kinchain.gait.normative import (
    SCHWARTZ2008_SPEED_RANGES,
    SPEED_CLASSES,
    NormativeSet,
    SpatiotemporalNormal,
    _default_unit,
    _normative_from_json,
    _read_json,
    base_label,
    dimensionless_speed,
    gait_profile_score,
    gait_variable_scores,
    normative_to_json,
    select_speed_class,
)
from kinchain.gait.spatiotemporal import PARAMETER_UNITS, StrideParameters

FloatArray = NDArray[np.float64]
ClassRule = Literal["schwartz", "single"]

#: Format tag of the build record kept beside the normative set in the same file.
BUILD_FORMAT = "kinchain-norms-build/1"

#: Name of the single class of ``classes="single"``.
SINGLE_CLASS = "All speeds"

_SIDES: tuple[Side, Side] = ("left", "right")
_PREFIX = {"left": "L", "right": "R"}
_STP_ALIASES = {"opposite_foot_contact_pct": "opposite_foot_strike_pct"}


@dataclass(frozen=True)
class ReferenceTrial:
    """One analysed healthy trial given to :func:`build_norms`.

    Attributes
    ----------
    trial_id
        How the trial is named in the build record (its path, or a manifest's trial id).
    subject_id
        The subject's id, or None when not known.
    input_sha256
        sha256 of the trial file ("" when built in memory).
    cycles
        Side -> :class:`~kinchain.gait.cycles_types.CycleSet` (curves in degrees, N·m/kg, W/kg).
    strides
        Per-stride spatiotemporal parameters (:attr:`kinchain.gait.spatiotemporal.
        Spatiotemporal.strides`), both sides.
    speed_m_s, leg_length_m
        The trial's walking speed (mean of the sides' means), m/s, and mean leg length, m: they
        decide its speed class (NaN when unknown).
    files
        Other input files -> sha256 (subject file, GRF, static), for provenance.
    measurements
        The subject measurements the trial was processed with (SI), for provenance.
    """

    trial_id: str
    subject_id: str | None
    input_sha256: str
    cycles: Mapping[Side, CycleSet]
    strides: tuple[StrideParameters, ...]
    speed_m_s: float
    leg_length_m: float
    files: dict[str, str] = field(default_factory=dict)
    measurements: dict[str, Any] = field(default_factory=dict)

    @property
    def v_star(self) -> float:
        """Dimensionless speed of the trial (Hof 1996), NaN when speed or leg length is unknown."""
        if not (math.isfinite(self.speed_m_s) and math.isfinite(self.leg_length_m)):
            return math.nan
        if self.leg_length_m <= 0 or self.speed_m_s < 0:
            return math.nan
        return dimensionless_speed(self.speed_m_s, self.leg_length_m)


def reference_trial(
    trial_id: str,
    cycles: Mapping[Side, CycleSet],
    strides: Sequence[StrideParameters],
    *,
    speeds_m_s: Sequence[float],
    leg_lengths_m: Sequence[float],
    subject_id: str | None = None,
    input_sha256: str = "",
    files: Mapping[str, str] | None = None,
    measurements: Mapping[str, Any] | None = None,
) -> ReferenceTrial:
    """A :class:`ReferenceTrial` from an analysis's parts.

    Parameters
    ----------
    speeds_m_s, leg_lengths_m
        The sides' mean walking speeds (m/s) and leg lengths (m); the finite ones are averaged,
        as :func:`kinchain.analysis.analyze` does to match a patient's speed class.
    """
    speeds = [float(s) for s in speeds_m_s if math.isfinite(s)]
    legs = [float(x) for x in leg_lengths_m if math.isfinite(x)]
    return ReferenceTrial(
        trial_id=trial_id,
        subject_id=subject_id or None,
        input_sha256=input_sha256,
        cycles=dict(cycles),
        strides=tuple(strides),
        speed_m_s=float(np.mean(speeds)) if speeds else math.nan,
        leg_length_m=float(np.mean(legs)) if legs else math.nan,
        files=dict(files or {}),
        measurements=dict(measurements or {}),
    )


@dataclass(frozen=True)
class StrideGps:
    """One reference stride's scores against its class mean (degrees)."""

    trial_id: str
    side: str
    index: int
    gps: float
    gvs: dict[str, float]


@dataclass(frozen=True)
class GpsReference:
    """The GPS of every usable reference stride against the reference mean, degrees.

    ``mean``, ``sd`` (ddof 1), ``median`` and ``max`` are over the strides whose GPS is finite
    (``n``); NaN when there are none (SD: fewer than 2).
    """

    strides: tuple[StrideGps, ...]
    n: int
    mean: float
    sd: float
    median: float
    max: float


@dataclass(frozen=True)
class ClassNorms:
    """The reference of one speed class and what it was built from.

    Attributes
    ----------
    normative
        The curves and spatiotemporal normals (load it back with
        :func:`kinchain.gait.normative.load_normative`).
    n_subjects
        Distinct subject ids, or None when subjects were not identified.
    n_trials, n_strides
        Trials and usable strides (sides pooled) in the class.
    n_strides_by_variable
        Variable -> strides contributing to its curve (fewer for moments and powers).
    trials
        Trial ids in the class.
    dimensionless_speed_observed
        ``(min, max)`` of the trials' v*.
    gps_reference
        See :class:`GpsReference`.
    """

    normative: NormativeSet
    n_subjects: int | None
    n_trials: int
    n_strides: int
    n_strides_by_variable: dict[str, int]
    trials: tuple[str, ...]
    dimensionless_speed_observed: tuple[float, float]
    gps_reference: GpsReference


@dataclass(frozen=True)
class BuiltNorms:
    """Result of :func:`build_norms`.

    Attributes
    ----------
    classes
        Class name -> :class:`ClassNorms`, the class with the most strides first (it is the
        set a file's top level holds, the one ``analyze --normative FILE`` uses).
    notes
        What was left out and why (classes or curves with too few strides, trials without a
        speed class), one sentence each.
    provenance
        kinchain version, parameters and the inputs (trial id, subject id, sha256, class).
    """

    classes: dict[str, ClassNorms]
    notes: tuple[str, ...]
    provenance: dict[str, Any]


# --------------------------------------------------------------------------------------------
# Statistics


def weighted_mean_sd(
    values: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Weighted mean and SD over axis 0, NaN-aware.

    Parameters
    ----------
    values
        ``(n, ...)``, NaN where a sample is missing.
    weights
        ``(n,)`` non-negative weights.

    Returns
    -------
    mean, sd, count
        Shaped as ``values[0]``. ``sd = sqrt(sum w (x - m)^2 / (V1 - V2 / V1))`` with
        ``V1 = sum w``, ``V2 = sum w^2`` over the finite samples (reliability weights: the
        sample SD with ddof 1 when the weights are equal); ``count`` = finite samples; the mean
        is NaN where count is 0 and the SD where it is below 2.
    """
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    w = np.asarray(weights, dtype=float).reshape((-1,) + (1,) * (x.ndim - 1)) * ok
    xz = np.where(ok, x, 0.0)
    v1 = w.sum(axis=0)
    v2 = np.square(w).sum(axis=0)
    count = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * xz).sum(axis=0) / v1
        dev = np.where(ok, xz - mean, 0.0)
        var = (w * np.square(dev)).sum(axis=0) / (v1 - v2 / v1)
    mean = np.where(count > 0, mean, np.nan)
    sd = np.where(count > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
    return mean, sd, count


def _weights(subjects: Sequence[str | None], by_subject: bool) -> FloatArray:
    """Per-stride weights: ``1 / n_s`` for a subject's ``n_s`` strides, else all 1."""
    if not by_subject:
        return np.ones(len(subjects))
    counts = Counter(subjects)
    return np.array([1.0 / counts[s] for s in subjects])


# --------------------------------------------------------------------------------------------
# Building


def _trial_class(trial: ReferenceTrial, rule: ClassRule) -> str | None:
    if rule == "single":
        return SINGLE_CLASS
    v = trial.v_star
    if not math.isfinite(v):
        return None
    return select_speed_class(v)


@dataclass
class _Pool:
    """Curves and weights gathered for one class."""

    curves: dict[str, list[FloatArray]] = field(default_factory=dict)
    curve_subjects: dict[str, list[str | None]] = field(default_factory=dict)
    stp: dict[str, list[float]] = field(default_factory=dict)
    stp_subjects: list[str | None] = field(default_factory=list)
    strides: list[tuple[ReferenceTrial, Side, int]] = field(default_factory=list)


def _gather(trials: Sequence[ReferenceTrial]) -> _Pool:
    pool = _Pool()
    for t in trials:
        for side in _SIDES:
            cset = t.cycles.get(side)
            if cset is None:
                continue
            usable = cset.usable()
            for label, arr in cset.curves.items():
                kinetic = not label.endswith("Angles")
                var = base_label(label)
                for i, cyc in enumerate(cset.cycles):
                    if not usable[i] or (kinetic and not cyc.kinetics_valid):
                        continue
                    pool.curves.setdefault(var, []).append(arr[i])
                    pool.curve_subjects.setdefault(var, []).append(t.subject_id)
            pool.strides.extend((t, side, i) for i in range(len(cset.cycles)) if usable[i])
        for s in t.strides:
            if not s.usable:
                continue
            pool.stp_subjects.append(t.subject_id)
            for key in PARAMETER_UNITS:
                pool.stp.setdefault(key, []).append(float(getattr(s, key)))
    return pool


def _gps_reference(pool: _Pool, normative: NormativeSet) -> GpsReference:
    rows: list[StrideGps] = []
    for t, side, i in pool.strides:
        cset = t.cycles[side]
        stride = {label: arr[i] for label, arr in cset.curves.items()}
        gvs = gait_variable_scores(stride, normative, side)
        rows.append(StrideGps(t.trial_id, side, i, gait_profile_score(gvs), gvs))
    values = np.array([r.gps for r in rows], dtype=float)
    values = values[np.isfinite(values)]
    return GpsReference(
        strides=tuple(rows),
        n=int(values.size),
        mean=float(np.mean(values)) if values.size else math.nan,
        sd=float(np.std(values, ddof=1)) if values.size > 1 else math.nan,
        median=float(np.median(values)) if values.size else math.nan,
        max=float(np.max(values)) if values.size else math.nan,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _source_text(n_trials: int, n_subjects: int | None, n_strides: int, by_subject: bool) -> str:
    who = _count(n_subjects, "subject") if n_subjects is not None else "subjects not identified"
    weighting = "each subject weighted equally" if by_subject else "each stride weighted equally"
    return (
        f"built by kinchain norms build from {_count(n_trials, 'trial')} ({who}, "
        f"{_count(n_strides, 'stride')}, "
        f"left and right pooled, {weighting}) with kinchain {__version__}'s own model; inputs "
        f"(sha256) and parameters in the file's 'build' field"
    )


def build_norms(
    trials: Sequence[ReferenceTrial],
    *,
    name: str = "Lab reference",
    population: str | None = None,
    classes: ClassRule = "schwartz",
    min_strides: int = 5,
    speed_class: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> BuiltNorms:
    """Build a lab's normative reference from its analysed healthy trials.

    Parameters
    ----------
    trials
        The reference trials (:func:`reference_trial`).
    name
        Name of the reference; each class's set is named ``"{name} {class}"``.
    population
        Who was measured, in plain words; default a sentence with the counts.
    classes
        ``"schwartz"`` (Schwartz 2008 dimensionless-speed classes, the trial's v*) or
        ``"single"`` (one class, all speeds). See the module docstring.
    min_strides
        Fewest usable strides (sides pooled) a class, a curve or a spatiotemporal parameter
        needs to be kept (at least 2: an SD needs two).
    speed_class
        Keep only this class (e.g. ``"Free"``), or None for every class with enough strides.
    parameters
        Processing parameters to record in the provenance (options of the command line).

    Returns
    -------
    BuiltNorms

    Raises
    ------
    InputError
        No trials, an unknown class, ``min_strides`` below 2, or no class with enough strides
        (the message says how many each had).
    """
    if classes not in ("schwartz", "single"):
        raise InputError("classes", f"unknown rule {classes!r}; 'schwartz' or 'single'")
    if min_strides < 2:
        raise InputError("min_strides", f"{min_strides} is below 2 (an SD needs two strides)")
    known = (SINGLE_CLASS,) if classes == "single" else SPEED_CLASSES
    if speed_class is not None and speed_class not in known:
        raise InputError("speed_class", f"unknown class {speed_class!r}; one of {list(known)}")
    if not trials:
        raise InputError("trials", "no reference trials given")
    ids = [t.trial_id for t in trials]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError("trials", f"trial id {dup!r} given twice")
    by_subject = all(t.subject_id for t in trials)
    notes: list[str] = []
    grouped: dict[str, list[ReferenceTrial]] = {}
    inputs: list[dict[str, Any]] = []
    for t in trials:
        cls = _trial_class(t, classes)
        inputs.append(
            {
                "trial": t.trial_id,
                "subject_id": t.subject_id,
                "sha256": t.input_sha256,
                "files_sha256": dict(t.files),
                "measurements": dict(t.measurements),
                "speed_m_s": t.speed_m_s,
                "leg_length_m": t.leg_length_m,
                "dimensionless_speed": t.v_star,
                "speed_class": cls,
            }
        )
        if cls is None:
            notes.append(
                f"{t.trial_id}: no walking speed or leg length, so no speed class: left out"
            )
            continue
        grouped.setdefault(cls, []).append(t)

    built: dict[str, ClassNorms] = {}
    counts: list[str] = []
    for cls in known:
        members = grouped.get(cls, [])
        if not members:
            continue
        if speed_class is not None and cls != speed_class:
            notes.append(f"class {cls}: not asked for (speed class {speed_class} only): left out")
            continue
        pool = _gather(members)
        n_strides = len(pool.strides)
        counts.append(f"{cls} {n_strides}")
        if n_strides < min_strides:
            notes.append(
                f"class {cls}: {n_strides} usable strides from {len(members)} trials, fewer than "
                f"{min_strides}: left out"
            )
            continue
        means: dict[str, FloatArray] = {}
        sds: dict[str, FloatArray] = {}
        available: dict[str, tuple[bool, bool, bool]] = {}
        units: dict[str, str] = {}
        n_by_var: dict[str, int] = {}
        few = {v: len(c) for v, c in sorted(pool.curves.items()) if len(c) < min_strides}
        if few:
            notes.append(
                f"class {cls}: curves with fewer than {min_strides} strides left out: "
                + ", ".join(f"{v} ({n})" for v, n in few.items())
            )
        gaps: list[str] = []
        for var in sorted(pool.curves):
            n_var = len(pool.curves[var])
            if n_var < min_strides:
                continue
            stack = np.stack(pool.curves[var])
            mean, sd, count = weighted_mean_sd(
                stack, _weights(pool.curve_subjects[var], by_subject)
            )
            avail = [bool(np.all(count[:, k] >= 2)) for k in range(stack.shape[2])]
            if not any(avail):
                gaps.append(var)
                continue
            for k in range(3):
                if not avail[k]:
                    mean[:, k] = np.nan
                    sd[:, k] = np.nan
            means[var], sds[var] = mean, sd
            available[var] = (avail[0], avail[1], avail[2])
            units[var] = _default_unit(var)
            n_by_var[var] = n_var
        if gaps:
            notes.append(
                f"class {cls}: curves left out because some points of the cycle have fewer than "
                f"2 strides with valid values (kinetics are valid on clean plate strikes only): "
                + ", ".join(gaps)
            )
        if not means:
            notes.append(f"class {cls}: no curve with enough strides: left out")
            continue
        stp: dict[str, SpatiotemporalNormal] = {}
        w = _weights(pool.stp_subjects, by_subject)
        for key, vals in pool.stp.items():
            arr = np.array(vals, dtype=float)
            if np.count_nonzero(np.isfinite(arr)) < min_strides:
                continue
            m, s, _ = weighted_mean_sd(arr, w)
            stp[key] = SpatiotemporalNormal(float(m), float(s), PARAMETER_UNITS[key])
        for alias, key in _STP_ALIASES.items():
            if key in stp:
                stp[alias] = stp[key]
        subjects = {t.subject_id for t in members}
        n_subjects = len(subjects) if by_subject else None
        v_obs = [t.v_star for t in members if math.isfinite(t.v_star)]
        observed = (min(v_obs), max(v_obs)) if v_obs else (math.nan, math.nan)
        if classes == "schwartz":
            rng: tuple[float, float] | None = SCHWARTZ2008_SPEED_RANGES[cls]
        else:
            rng = observed if observed[0] < observed[1] else None
        who = _count(n_subjects, "subject") if n_subjects is not None else "subjects not identified"
        default_population = (
            f"the lab's own reference trials (healthy by the lab's selection): {who}, "
            f"{_count(len(members), 'trial')}, dimensionless speed "
            f"{observed[0]:.3f}-{observed[1]:.3f}"
        )
        normative = NormativeSet(
            name=f"{name} {cls}",
            source=_source_text(len(members), n_subjects, n_strides, by_subject),
            population=population or default_population,
            mean=means,
            sd=sds,
            available=available,
            units=units,
            spatiotemporal=stp,
            speed_class=cls if classes == "schwartz" else None,
            dimensionless_speed_range=rng,
        )
        gps = _gps_reference(pool, normative)
        normative = replace(
            normative,
            gps_reference={
                "n": float(gps.n),
                "mean": gps.mean,
                "sd": gps.sd,
                "median": gps.median,
                "max": gps.max,
            },
        )
        built[cls] = ClassNorms(
            normative=normative,
            n_subjects=n_subjects,
            n_trials=len(members),
            n_strides=n_strides,
            n_strides_by_variable=n_by_var,
            trials=tuple(t.trial_id for t in members),
            dimensionless_speed_observed=observed,
            gps_reference=gps,
        )
    if not built:
        detail = ", ".join(counts) if counts else "no trial had a speed class"
        raise InputError(
            "trials",
            f"no usable strides: no speed class has {min_strides} usable strides ({detail})",
        )
    order = sorted(built, key=lambda c: (-built[c].n_strides, known.index(c)))
    provenance = {
        "kinchain_version": __version__,
        "parameters": {
            "classes": classes,
            "class_rule": (
                "Schwartz 2008 dimensionless-speed classes of each trial's v* (mean side speed "
                "over sqrt(g * mean leg length))"
                if classes == "schwartz"
                else "one class, all speeds"
            ),
            "min_strides": min_strides,
            "speed_class": speed_class,
            "weighting": "subject" if by_subject else "stride",
            "sides": "pooled",
            **dict(parameters or {}),
        },
        "inputs": inputs,
    }
    return BuiltNorms({c: built[c] for c in order}, tuple(notes), provenance)


# --------------------------------------------------------------------------------------------
# JSON


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _class_json(c: ClassNorms) -> dict[str, Any]:
    g = c.gps_reference
    return {
        "n_subjects": c.n_subjects,
        "n_trials": c.n_trials,
        "n_strides": c.n_strides,
        "n_strides_by_variable": dict(c.n_strides_by_variable),
        "trials": list(c.trials),
        "dimensionless_speed_observed": [_num(v) for v in c.dimensionless_speed_observed],
        "gps_reference": {
            "unit": "deg",
            "definition": "GPS (Baker 2009) of each usable reference stride against this class's "
            "mean; mean, SD (ddof 1), median and max over those strides",
            "n": g.n,
            "mean": _num(g.mean),
            "sd": _num(g.sd),
            "median": _num(g.median),
            "max": _num(g.max),
            "strides": [
                {
                    "trial": s.trial_id,
                    "side": s.side,
                    "index": s.index,
                    "gps": _num(s.gps),
                    "gvs": {k: _num(v) for k, v in s.gvs.items()},
                }
                for s in g.strides
            ],
        },
    }


def norms_to_json(built: BuiltNorms) -> dict[str, Any]:
    """The file's JSON object.

    The top level is the first class's set in kinchain's normative format
    (``kinchain-normative/1``, readable by :func:`kinchain.gait.normative.load_normative`), plus
    ``counts`` and ``gps_reference`` of that class, ``build`` (format
    :data:`BUILD_FORMAT`: provenance, parameters, notes) and ``other_speed_classes``: class name
    -> a complete ``kinchain-normative/1`` object of each further class, with its own counts.
    """
    first, *others = built.classes.values()
    out = normative_to_json(first.normative)
    out.update(_counts_split(_class_json(first)))
    out["other_speed_classes"] = {
        c.normative.speed_class or name: {
            **normative_to_json(c.normative),
            **_counts_split(_class_json(c)),
        }
        for name, c in zip(list(built.classes)[1:], others, strict=True)
    }
    out["build"] = {
        "format": BUILD_FORMAT,
        **_strict(built.provenance),
        "notes": list(built.notes),
    }
    return out


def _strict(obj: Any) -> Any:
    """NaN and inf -> None, tuples -> lists, numpy scalars -> Python (strict JSON)."""
    if isinstance(obj, Mapping):
        return {str(k): _strict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_strict(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _counts_split(cj: dict[str, Any]) -> dict[str, Any]:
    gps = cj.pop("gps_reference")
    return {"counts": cj, "gps_reference": gps}


def _class_from_json(data: Mapping[str, Any], file: str) -> ClassNorms:
    normative = _normative_from_json(data, file)
    counts = data.get("counts")
    gps = data.get("gps_reference")
    if not isinstance(counts, dict) or not isinstance(gps, dict):
        raise InputError(
            file, "fields 'counts' and 'gps_reference' missing: not written by kinchain norms build"
        )

    def f(v: Any) -> float:
        return math.nan if v is None else float(v)

    try:
        rows = tuple(
            StrideGps(
                str(s["trial"]),
                str(s["side"]),
                int(s["index"]),
                f(s["gps"]),
                {k: f(v) for k, v in s["gvs"].items()},
            )
            for s in gps["strides"]
        )
        lo, hi = (f(v) for v in counts["dimensionless_speed_observed"])
        n_subj = counts["n_subjects"]
        return ClassNorms(
            normative=normative,
            n_subjects=None if n_subj is None else int(n_subj),
            n_trials=int(counts["n_trials"]),
            n_strides=int(counts["n_strides"]),
            n_strides_by_variable={
                str(k): int(v) for k, v in counts["n_strides_by_variable"].items()
            },
            trials=tuple(str(t) for t in counts["trials"]),
            dimensionless_speed_observed=(lo, hi),
            gps_reference=GpsReference(
                rows, int(gps["n"]), f(gps["mean"]), f(gps["sd"]), f(gps["median"]), f(gps["max"])
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(file, "fields 'counts' or 'gps_reference' malformed") from None


def load_norms(path: str | Path) -> BuiltNorms:
    """Read a file written by ``kinchain norms build`` back (every class, counts, provenance).

    Raises
    ------
    InputError
        Missing file, invalid JSON, or a field of the format malformed (named in the message).
    """
    file = str(path)
    data = _read_json(Path(path))
    if not isinstance(data, dict):
        raise InputError(file, "top level must be a JSON object")
    build = data.get("build")
    if not isinstance(build, dict) or build.get("format") != BUILD_FORMAT:
        raise InputError(file, f"field 'build.format' must be {BUILD_FORMAT!r}")
    first = _class_from_json(data, file)
    classes = {first.normative.speed_class or SINGLE_CLASS: first}
    others = data.get("other_speed_classes") or {}
    if not isinstance(others, dict):
        raise InputError(file, "field 'other_speed_classes' must be an object")
    for name, entry in others.items():
        if not isinstance(entry, dict):
            raise InputError(file, f"field 'other_speed_classes.{name}' must be an object")
        classes[str(name)] = _class_from_json(entry, f"{file} ({name})")
    notes = build.get("notes", [])
    provenance = {k: v for k, v in build.items() if k not in ("format", "notes")}
    return BuiltNorms(classes, tuple(str(n) for n in notes), provenance)


__all__ = [
    "BUILD_FORMAT",
    "SINGLE_CLASS",
    "BuiltNorms",
    "ClassNorms",
    "GpsReference",
    "ReferenceTrial",
    "StrideGps",
    "build_norms",
    "load_norms",
    "norms_to_json",
    "reference_trial",
    "weighted_mean_sd",
]

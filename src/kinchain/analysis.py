"""Gait analysis of one processed trial: events, strides, spatiotemporal parameters, normative
comparison and kinetic-chain findings, in one result that the report, the JSON output and the
clinical engine read.

``analysis.json`` (schema ``kinchain-analysis/1``) is :meth:`GaitAnalysis.to_dict` serialised;
its fields are documented in ``docs/analysis-schema.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from kinchain import DISCLAIMER, __version__
from kinchain.chain.detect import (
    ChainData,
    NormalRanges,
    SideData,
    Thresholds,
    detect_findings,
)
from kinchain.chain.features import (
    CurveFeatures,
    StanceLoading,
    curve_features,
    normal_sd,
    stance_loading,
)
from kinchain.chain.finding import Finding
from kinchain.gait.cycles import segment_cycles
from kinchain.gait.cycles_types import CycleSet, Side
from kinchain.gait.events import Fallback, GaitEvents, contact_vertical_force, detect_events
from kinchain.gait.normative import (
    NormativeChoice,
    NormativeComparison,
    NormativeSet,
    compare,
    load_normative_classes,
    load_schwartz2008,
    normative_for_speed,
    schwartz_for_speed,
)
from kinchain.gait.spatiotemporal import Spatiotemporal, spatiotemporal
from kinchain.process import TrialResult

SCHEMA = "kinchain-analysis/1"
SIDES: tuple[Side, Side] = ("left", "right")
_PREFIX = {"left": "L", "right": "R"}


@dataclass(frozen=True)
class StrideRecord:
    """One usable stride's features, as reported."""

    side: str
    index: int
    start_frame: float
    end_frame: float
    kinetics: bool
    features: dict[str, float]
    loading: dict[str, float] | None


@dataclass(frozen=True)
class GaitAnalysis:
    """Everything :func:`analyze` computed.

    Attributes
    ----------
    result
        The processed trial.
    events, cycles, spatiotemporal
        Gait events, strides per side and spatiotemporal parameters.
    normative, comparison
        The normative set used (speed-matched) and the comparison with it (None if no normative
        data could be found).
    strides
        Per usable stride, its chain features.
    findings
        Kinetic-chain findings, both sides.
    thresholds
        The detector thresholds used.
    """

    result: TrialResult
    events: GaitEvents
    cycles: dict[Side, CycleSet]
    spatiotemporal: Spatiotemporal
    normative: NormativeSet | None
    comparison: NormativeComparison | None
    strides: tuple[StrideRecord, ...]
    findings: tuple[Finding, ...]
    thresholds: Thresholds
    normal_features: dict[str, dict[str, float]] = field(default_factory=dict)

    def fired(self) -> list[Finding]:
        """The findings that fired."""
        return [f for f in self.findings if f.fired]

    def kinetics_status(self) -> dict[str, Any]:
        """Whether kinetics were computed, why not (``problem``), and each force plate that
        could not be read, by 1-based plate number."""
        recorded = self.result.provenance.get("kinetics")
        if isinstance(recorded, dict) and "computed" in recorded:
            computed = bool(recorded["computed"])
        else:
            computed = self.result.kinetics_problem is None
        return {
            "computed": computed,
            "problem": self.result.kinetics_problem,
            "plates": {str(k): v for k, v in self.result.plate_problems.items()},
        }

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable analysis (schema ``kinchain-analysis/1``), JSON-ready."""
        trial = self.result.trial
        st = self.spatiotemporal
        comp = self.comparison
        payload: dict[str, Any] = {
            "schema": SCHEMA,
            "disclaimer": DISCLAIMER,
            "provenance": {
                "input": trial.path,
                "input_sha256": trial.sha256,
                "kinchain_version": __version__,
                "process_parameters": self.result.provenance.get("parameters", {}),
                "subject": asdict(self.result.model.subject),
                "thresholds": self.thresholds.as_dict(),
            },
            "trial": {
                "frames": trial.n_frames,
                "point_rate_hz": trial.point_rate,
                "first_frame": trial.first_frame,
            },
            "events": [
                {
                    "kind": e.kind,
                    "side": e.side,
                    "frame": e.frame,
                    "time_s": e.time_s,
                    "method": e.method,
                }
                for e in self.events.events
            ],
            "event_agreement": [asdict(a) for a in self.events.summary],
            "event_notes": list(self.events.notes),
            "event_warnings": list(self.events.warnings),
            "kinetics": self.kinetics_status(),
            "spatiotemporal": {
                "left": st.left.as_dict(),
                "right": st.right.as_dict(),
                "symmetry_index_pct": dict(st.symmetry_pct),
                "units": dict(st.units),
                "strides": {"left": st.left.n_strides, "right": st.right.n_strides},
                "per_stride": [asdict(s) for s in st.strides],
            },
            "normative": None,
            "strides": [asdict(s) for s in self.strides],
            "normal_features": self.normal_features,
            "findings": [asdict(f) for f in self.findings],
        }
        if comp is not None:
            payload["normative"] = {
                "name": comp.normative_name,
                "source": comp.normative_source,
                "population": comp.population,
                "speed_class": comp.speed_class,
                "dimensionless_speed_range": comp.dimensionless_speed_range,
                "gvs_deg": comp.gvs,
                "gps_deg": comp.gps,
                "gps_overall_deg": comp.gps_overall,
                "n_cycles": comp.n_cycles,
            }
        return _jsonable(payload)


def _jsonable(obj: Any) -> Any:
    """NaN and inf -> None; numpy scalars -> Python; tuples -> lists (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _family_curves(cset: CycleSet, i: int) -> dict[str, np.ndarray]:
    return {label[1:]: curves[i] for label, curves in cset.curves.items()}


def _normative_set(normative: NormativeChoice, spatio: Spatiotemporal) -> NormativeSet | None:
    """The reference for this analysis: the given set, or the class of the given classes (or of
    the packaged Schwartz 2008 sets) that matches the mean walking speed of the two sides."""
    if isinstance(normative, NormativeSet):
        return normative
    if normative is None:
        sets: Mapping[str, NormativeSet] = load_schwartz2008()  # packaged; missing: InputError
    elif isinstance(normative, Mapping):
        sets = normative
    else:
        sets = load_normative_classes(normative)
    speeds = [s.speed_m_s for s in (spatio.left, spatio.right) if np.isfinite(s.speed_m_s)]
    legs = [s.leg_length_m for s in (spatio.left, spatio.right) if np.isfinite(s.leg_length_m)]
    if normative is not None:
        return normative_for_speed(
            sets,
            float(np.mean(speeds)) if speeds else math.nan,
            float(np.mean(legs)) if legs else math.nan,
        )
    if not speeds or not legs:
        return sets["Free"]
    return schwartz_for_speed(sets, float(np.mean(speeds)), float(np.mean(legs)))


def normal_ranges(
    norm: NormativeSet | None,
) -> tuple[NormalRanges | None, dict[str, dict[str, float]]]:
    """The chain features of a normative set's mean curves and their SDs, as the detectors'
    normal ranges and as reported (``{"mean": ..., "sd": ...}``; ``(None, {})`` without a set).

    Shared by :func:`analyze` and the session analysis (:mod:`kinchain.session`)."""
    if norm is None:
        return None, {}
    fo = norm.spatiotemporal.get("foot_off_pct")
    fo_pct = fo.mean if fo is not None else 60.0
    mean_curves = {k: v for k, v in norm.mean.items()}
    sd_curves = {k: v for k, v in norm.sd.items()}
    mean_f = curve_features(mean_curves, fo_pct).as_dict()
    sd_f = normal_sd(sd_curves, mean_curves, fo_pct)
    return NormalRanges(mean_f, sd_f, f"{norm.name} ({norm.source})"), {"mean": mean_f, "sd": sd_f}


def analyze(
    result: TrialResult,
    *,
    normative: NormativeChoice = None,
    thresholds: Thresholds | None = None,
    event_method: Literal["auto", "force_plate", "zeni", "foot_velocity", "c3d"] = "auto",
    event_fallback: Fallback = "checked",
    events: GaitEvents | None = None,
) -> GaitAnalysis:
    """Analyse a processed trial.

    Parameters
    ----------
    result
        From :func:`kinchain.process.process` or :func:`kinchain.process.process_trial`.
    normative
        A :class:`NormativeSet`; several speed classes (class -> set) or a path to a kinchain
        normative JSON file (a ``kinchain norms build`` file holds one set per speed class),
        from which the class matching the walking speed is used
        (:func:`~kinchain.gait.normative.normative_for_speed`); or None for Schwartz et al.
        2008 matched to the walking speed (packaged with kinchain; mostly children and
        teenagers).
    thresholds
        Detector thresholds (:class:`kinchain.chain.detect.Thresholds`).
    event_method, event_fallback
        Passed to :func:`kinchain.gait.events.detect_events` as ``method`` and ``fallback``.
    events
        Use these events instead of detecting them (e.g. events checked by hand).

    Returns
    -------
    GaitAnalysis
    """
    thresholds = thresholds or Thresholds()
    if events is None:
        events = detect_events(result, method=event_method, fallback=event_fallback)
    cycles = segment_cycles(result, events)
    spatio = spatiotemporal(result, events, cycles)
    norm = _normative_set(normative, spatio)
    comparison = compare({str(k): v for k, v in cycles.items()}, norm) if norm is not None else None

    mass = result.model.subject.mass_kg
    records: list[StrideRecord] = []
    sides: dict[str, SideData] = {}
    for side in SIDES:
        cset = cycles[side]
        feats: list[CurveFeatures] = []
        kin: list[bool] = []
        loads: list[StanceLoading | None] = []
        grf = result.grf.get(side)
        heel = result.model.joints.get(f"{side}_heel", result.model.joints[f"{side}_ankle"])
        toe = result.model.joints[f"{side}_toe"]
        for i, cyc in enumerate(cset.cycles):
            if not cyc.valid or cyc.outlier:
                continue
            span = cyc.end - cyc.start
            fo_pct = (cyc.foot_off - cyc.start) / span * 100.0 if span > 0 else float("nan")
            f = curve_features(_family_curves(cset, i), fo_pct, span / result.trial.point_rate)
            load: StanceLoading | None = None
            if cyc.kinetics_valid and grf is not None and np.isfinite(cyc.foot_off):
                start = int(np.ceil(cyc.start))
                stop = int(np.floor(cyc.foot_off)) + 1
                analog = contact_vertical_force(result, side, cyc.start)
                load = stance_loading(
                    grf.force,
                    grf.cop,
                    heel,
                    toe,
                    start,
                    stop,
                    result.trial.point_rate,
                    mass,
                    side,
                    fz_analog_n=analog[0] if analog is not None else None,
                    analog_rate_hz=analog[1] if analog is not None else None,
                )
            feats.append(f)
            kin.append(bool(cyc.kinetics_valid))
            loads.append(load)
            records.append(
                StrideRecord(
                    side,
                    i,
                    cyc.start,
                    cyc.end,
                    bool(cyc.kinetics_valid),
                    f.as_dict(),
                    asdict(load) if load is not None else None,
                )
            )
        sides[side] = SideData(tuple(feats), tuple(kin), tuple(loads), spatio.side(side).as_dict())

    normal, normal_features = normal_ranges(norm)
    data = ChainData(sides, normal, dict(spatio.symmetry_pct))
    findings = detect_findings(data, thresholds)
    return GaitAnalysis(
        result=result,
        events=events,
        cycles=cycles,
        spatiotemporal=spatio,
        normative=norm,
        comparison=comparison,
        strides=tuple(records),
        findings=tuple(findings),
        thresholds=thresholds,
        normal_features=normal_features,
    )

"""The typed finding every kinetic-chain detector returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["none", "mild", "moderate", "severe"]
FindingSide = Literal["left", "right", "both"]


@dataclass(frozen=True)
class Evidence:
    """One measured quantity behind a finding.

    Attributes
    ----------
    quantity
        What was measured, e.g. ``"stance phase, % of stride"``.
    value
        The patient's value (mean over the usable strides), in ``unit``.
    unit
        Unit of ``value`` and the range.
    normal_low, normal_high
        The normal range used (NaN when one-sided).
    source
        Where the normal range comes from (citation or normative set name).
    per_cycle
        The value in each usable stride, in stride order (empty when not per stride).
    """

    quantity: str
    value: float
    unit: str
    normal_low: float
    normal_high: float
    source: str
    per_cycle: tuple[float, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A named kinetic-chain finding for one side.

    Attributes
    ----------
    name
        Stable identifier: ``"antalgic_gait"``, ``"altered_foot_strike_timing"``,
        ``"stiff_knee"``, ``"leg_rotation"``, ``"overpronation"``, ``"supination"``,
        ``"ankle_overload"``, ``"knee_to_ankle_propagation"``.
    side
        ``"left"``, ``"right"`` or ``"both"``.
    fired
        True when the evidence crosses the thresholds.
    severity
        ``"none"`` when not fired, else ``"mild"``, ``"moderate"`` or ``"severe"``.
    evidence
        The measured quantities with their normal ranges and sources.
    cycles
        Indices (into the side's usable strides) in which the finding fired.
    sentence
        One plain-language sentence for the report.
    applicable
        False when the trial cannot support the finding (e.g. no force plate under that foot);
        ``why_not`` then says why.
    why_not
        Reason the finding could not be evaluated ("" when applicable).
    thresholds
        The threshold parameters used, by name.
    n_strides
        Usable strides behind the finding (for side-to-side findings the smaller of the two
        sides; for kinetic findings the strides with a clean force-plate stance); -1 when not
        counted.
    insufficient_strides
        True when the finding fired on fewer strides than a graded finding needs
        (:attr:`kinchain.chain.detect.Thresholds.min_strides_graded`): its severity is then held
        at ``"mild"`` and its sentence says so; the values are in ``evidence``.
    """

    name: str
    side: FindingSide
    fired: bool
    severity: Severity
    evidence: tuple[Evidence, ...]
    cycles: tuple[int, ...]
    sentence: str
    applicable: bool = True
    why_not: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    n_strides: int = -1
    insufficient_strides: bool = False

"""Shared result types of the gait package (events, cycles), the contract between its modules,
:mod:`kinchain.chain` and the report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Side = Literal["left", "right"]
EventKind = Literal["foot_strike", "foot_off"]

#: Points of a time-normalised cycle: 0, 1, ..., 100 % of the stride.
N_POINTS = 101


@dataclass(frozen=True)
class GaitEvent:
    """One foot strike or foot off.

    Attributes
    ----------
    kind
        ``"foot_strike"`` or ``"foot_off"``.
    side
        ``"left"`` or ``"right"``.
    frame
        Zero-based marker-frame index into the processed trial (may be fractional when the
        method interpolates between frames).
    time_s
        Time from the trial's first frame, s.
    method
        ``"force_plate"``, ``"zeni"``, ``"foot_velocity"``, ``"kinematic_midpoint"`` (midway
        between the last two, for strikes of a foot without a heel marker) or ``"c3d"`` (stored
        in the file).
    """

    kind: EventKind
    side: Side
    frame: float
    time_s: float
    method: str


@dataclass(frozen=True)
class Cycle:
    """One stride of one side: foot strike to the next foot strike of the same foot.

    Attributes
    ----------
    side
        The side whose stride it is.
    start, end
        Frames (zero-based, may be fractional) of the two foot strikes.
    foot_off
        Frame of this foot's toe off within the stride (NaN if not detected).
    opposite_foot_off, opposite_foot_strike
        Frames of the other foot's events within the stride (NaN if not detected).
    valid
        True when every *kinematic* output used is valid over the whole stride.
    outlier
        True when the stride's curves lie far from the other strides' (see the segmenting
        function for the rule).
    note
        Why a stride is invalid or an outlier, in plain words ("" otherwise).
    kinetics_valid
        True when every kinetic output used (moments, powers) is valid over the stride's stance
        (foot strike to this foot's foot off), e.g. a stance on a clean force-plate contact.
    """

    side: Side
    start: float
    end: float
    foot_off: float = float("nan")
    opposite_foot_off: float = float("nan")
    opposite_foot_strike: float = float("nan")
    valid: bool = True
    outlier: bool = False
    note: str = ""
    kinetics_valid: bool = False


@dataclass(frozen=True)
class CycleSet:
    """The time-normalised strides of one side.

    Attributes
    ----------
    side
        ``"left"`` or ``"right"``.
    cycles
        The strides, in time order.
    curves
        Plug-in Gait label (``"LKneeAngles"``, ``"LKneeMoment"``, ...) -> ``(n_cycles, 101, 3)``
        values at 0..100 % of each stride (NaN where the output was invalid).
    """

    side: Side
    cycles: tuple[Cycle, ...]
    curves: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def usable(self) -> NDArray[np.bool_]:
        """``(n_cycles,)`` mask of strides that are valid and not outliers."""
        return np.array([c.valid and not c.outlier for c in self.cycles], dtype=bool)

    def mean(self, label: str) -> NDArray[np.float64]:
        """``(101, 3)`` mean over usable strides (NaN if none)."""
        data = self.curves[label][self.usable()]
        if data.shape[0] == 0:
            return np.full((N_POINTS, 3), np.nan)
        # Points where no stride is valid (e.g. moments off the plate) are NaN, by design.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(np.nanmean(data, axis=0))

    def sd(self, label: str) -> NDArray[np.float64]:
        """``(101, 3)`` standard deviation over usable strides (ddof=1; NaN if fewer than 2)."""
        data = self.curves[label][self.usable()]
        if data.shape[0] < 2:
            return np.full((N_POINTS, 3), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(np.nanstd(data, axis=0, ddof=1))

"""Marker gap handling: short interior gaps are interpolated, longer ones stay NaN."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from kinchain.model.vectors import FloatArray

#: Default longest gap filled, seconds. Short gaps of this order are routinely spline-filled in
#: clinical pipelines (Vicon Nexus' default "fill gaps" of up to 10 frames at 100 Hz); longer gaps
#: are left missing and flagged invalid rather than invented.
DEFAULT_MAX_GAP_S = 0.10


def fill_gaps(points: FloatArray, max_gap_frames: int) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Fill interior NaN gaps of at most ``max_gap_frames`` frames with a cubic spline.

    Parameters
    ----------
    points
        ``(n, 3)`` marker trajectory (any unit), NaN in gaps.
    max_gap_frames
        Longest gap filled, frames. Gaps at the start or end of the trial are never filled.

    Returns
    -------
    filled, was_filled
        The trajectory with short gaps filled (``(n, 3)``) and a ``(n,)`` mask of filled frames.
    """
    out = np.array(points, dtype=np.float64, copy=True)
    missing = np.isnan(out).any(axis=1)
    filled = np.zeros(len(out), dtype=bool)
    good = np.flatnonzero(~missing)
    if len(good) < 4 or not missing.any() or max_gap_frames <= 0:
        return out, filled
    # Interior runs of missing frames.
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    fill_idx = [
        np.arange(s, e)
        for s, e in zip(starts, ends, strict=True)
        if s > 0 and e < len(out) and (e - s) <= max_gap_frames
    ]
    if not fill_idx:
        return out, filled
    idx = np.concatenate(fill_idx)
    spline = CubicSpline(good, out[good], axis=0)
    out[idx] = spline(idx)
    filled[idx] = True
    return out, filled

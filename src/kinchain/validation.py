"""Agreement of kinchain's outputs with reference outputs stored in a C3D file (e.g. Vicon
Plug-in Gait's ``LKneeAngles``), as root-mean-square differences per quantity and component.

Vicon stores moments with the unit "Nmm" and powers with "W", but the values are already divided
by body mass: moments are N·mm/kg (divided by 1000 here to compare with N·m/kg) and powers W/kg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kinchain.io.trial import Trial
from kinchain.process import TrialResult


@dataclass(frozen=True)
class Agreement:
    """RMS difference of one output against its reference.

    Attributes
    ----------
    label
        Plug-in Gait label, e.g. ``"LKneeAngles"``.
    rms
        ``(3,)`` RMS difference per component (X, Y, Z) in the output's unit.
    bias
        ``(3,)`` mean difference (ours minus reference).
    n_frames
        Frames compared.
    """

    label: str
    rms: NDArray[np.float64]
    bias: NDArray[np.float64]
    n_frames: int


def reference_values(reference: Trial, label: str) -> NDArray[np.float64] | None:
    """A stored reference output in kinchain's units, or None if the file does not hold it."""
    values = reference.other_points.get(label)
    if values is None:
        return None
    out = np.asarray(values, dtype=np.float64)
    if label.endswith("Moment"):
        out = out / 1000.0  # N·mm/kg -> N·m/kg
    return out


def agreement(
    result: TrialResult,
    reference: Trial,
    labels: list[str] | None = None,
    *,
    stance_only: bool = True,
) -> dict[str, Agreement]:
    """RMS differences between ``result`` and the outputs stored in ``reference``.

    Parameters
    ----------
    result
        kinchain's result for the raw trial.
    reference
        The trial holding the reference outputs (same frames as ``result``).
    labels
        Labels to compare; default every output the reference also holds. A label named here
        that either side does not hold, or holds with another shape, is an error, not a skip:
        a test asking for ``"LKneeMoment"`` must not pass because the column is missing.
    stance_only
        Compare kinetics only on frames where that foot is on a force plate (angles always over
        all valid frames).

    Returns
    -------
    dict
        Label -> :class:`Agreement` (labels with no common valid frame are left out).

    Raises
    ------
    KeyError
        A label given in ``labels`` is missing from ``result.outputs`` or from the reference.
    ValueError
        A label given in ``labels`` has another shape in the reference than in the result.
    """
    explicit = labels is not None
    labels = (
        labels if labels is not None else [k for k in result.outputs if k in reference.other_points]
    )
    on_plate: dict[str, NDArray[np.bool_]] = {}
    n = result.trial.n_frames
    for side, p in (("left", "L"), ("right", "R")):
        mask = np.zeros(n, dtype=bool)
        for c in result.contacts:
            if c.used and c.side == side:
                mask[c.start : c.end + 1] = True
        on_plate[p] = mask
    out: dict[str, Agreement] = {}
    for label in labels:
        ref = reference_values(reference, label)
        ours = result.outputs.get(label)
        if explicit and ours is None:
            raise KeyError(f"{label}: kinchain computed no such output")
        if explicit and ref is None:
            raise KeyError(f"{label}: the reference {reference.path} does not store it")
        if ref is None or ours is None:
            continue
        if ref.shape != ours.shape:
            if explicit:
                raise ValueError(f"{label}: reference shape {ref.shape}, ours {ours.shape}")
            continue
        ok = result.valid[label] & np.isfinite(ref).all(axis=1) & np.isfinite(ours).all(axis=1)
        if stance_only and not label.endswith("Angles"):
            ok &= on_plate[label[0]]
        if not ok.any():
            continue
        d = ours[ok] - ref[ok]
        if label.endswith("Angles"):
            d = (d + 180.0) % 360.0 - 180.0
        out[label] = Agreement(label, np.sqrt(np.mean(d**2, axis=0)), d.mean(axis=0), int(ok.sum()))
    return out

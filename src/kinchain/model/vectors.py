"""Small vectorised geometry helpers over frames: arrays ``(n, 3)`` and rotations ``(n, 3, 3)``.

A rotation ``R`` has the segment's x, y, z axes as its columns, expressed in the laboratory frame,
so that ``R @ v_local + origin`` maps a segment-frame point into the lab. NaN propagates: a frame
with any missing input is NaN, never a guess.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def normalize(v: FloatArray) -> FloatArray:
    """Unit vectors along the last axis; zero-length vectors become NaN."""
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = v / np.where(n > 0, n, np.nan)
    return np.asarray(out, dtype=np.float64)


def frame_from_axes(a1: FloatArray, a2: FloatArray, sequence: str) -> FloatArray:
    """Right-handed orthonormal frames from a primary and a secondary direction.

    Parameters
    ----------
    a1
        Primary axis direction, ``(n, 3)``; kept exactly (normalised).
    a2
        Secondary direction, ``(n, 3)``; made orthogonal to ``a1``.
    sequence
        Which segment axes ``a1`` and ``a2`` give, e.g. ``"ZX"`` (``a1`` is z, ``a2`` is x) or
        ``"YZ"``; the third axis completes a right-handed frame, and the second is recomputed
        from the first and third so the frame is orthonormal.

    Returns
    -------
    numpy.ndarray
        ``(n, 3, 3)`` rotations whose columns are the x, y, z axes in the lab frame.
    """
    order = {"XY": (0, 1), "YZ": (1, 2), "ZX": (2, 0), "XZ": (0, 2), "ZY": (2, 1), "YX": (1, 0)}
    if sequence not in order:
        raise ValueError(f"unknown axis sequence {sequence!r}")
    i, j = order[sequence]
    k = 3 - i - j
    e1 = normalize(a1)
    # Third axis: cyclic order (x, y, z) decides the sign of the cross product.
    cyclic = (j - i) % 3 == 1
    e3 = normalize(np.cross(e1, a2) if cyclic else np.cross(a2, e1))
    e2 = np.cross(e3, e1) if cyclic else np.cross(e1, e3)
    axes: list[FloatArray] = [np.empty(0)] * 3
    axes[i], axes[j], axes[k] = e1, e2, e3
    return np.stack(axes, axis=-1)


def to_local(R: FloatArray, origin: FloatArray, p: FloatArray) -> FloatArray:
    """Coordinates of lab points ``p`` ``(n, 3)`` in the frames ``(R, origin)``."""
    return np.einsum("nji,nj->ni", R, p - origin)


def to_lab(R: FloatArray, origin: FloatArray, local: FloatArray) -> FloatArray:
    """Lab coordinates of segment-frame points ``local`` (``(3,)`` or ``(n, 3)``)."""
    if local.ndim == 1:
        return np.einsum("nij,j->ni", R, local) + origin
    return np.einsum("nij,nj->ni", R, local) + origin


def rotation_about_axis(axis: FloatArray, angle_rad: FloatArray | float) -> FloatArray:
    """Rodrigues rotation matrices ``(n, 3, 3)`` about unit ``axis`` ``(n, 3)`` by ``angle_rad``."""
    u = normalize(axis)
    a = np.broadcast_to(np.asarray(angle_rad, dtype=np.float64), u.shape[:1])
    c, s = np.cos(a)[:, None, None], np.sin(a)[:, None, None]
    ux = np.zeros((*u.shape[:1], 3, 3))
    ux[:, 0, 1], ux[:, 0, 2] = -u[:, 2], u[:, 1]
    ux[:, 1, 0], ux[:, 1, 2] = u[:, 2], -u[:, 0]
    ux[:, 2, 0], ux[:, 2, 1] = -u[:, 1], u[:, 0]
    outer = np.einsum("ni,nj->nij", u, u)
    return np.asarray(c * np.eye(3) + s * ux + (1 - c) * outer, dtype=np.float64)


def elementary(axis: str, angle_rad: float) -> FloatArray:
    """A single ``(3, 3)`` rotation about the frame's own x, y or z axis."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    if axis == "z":
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    raise ValueError(f"unknown axis {axis!r}")

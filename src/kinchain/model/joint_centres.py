"""Joint-centre estimation of the Conventional Gait Model 1 / Plug-in Gait, vectorised over frames.

References
----------
- Davis RB, Õunpuu S, Tyburski D, Gage JR (1991). A gait analysis data collection and reduction
  technique. Human Movement Science 10:575-587 (hip joint centre regression).
- Kadaba MP, Ramakrishnan HK, Wootten ME (1990). Measurement of lower extremity kinematics during
  level walking. J Orthop Res 8:383-392 (the chord function).
- Baker R, Leboeuf F, Reay J, Sangeux M (2018). The Conventional Gait Model: success and
  limitations. Handbook of Human Motion (CGM1 as implemented by Vicon Plug-in Gait and pyCGM2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kinchain.model.vectors import FloatArray, normalize, to_lab

#: Convergence tolerance of the chord rotation offset, rad.
_CHORD_TOL = 1e-10

# Davis et al. (1991) constants, radians, as Plug-in Gait uses them.
_DAVIS_THETA = 0.5
_DAVIS_BETA = 0.314


def davis_hip_centres_local(
    mean_leg_length_m: float,
    inter_asis_m: float,
    asis_trochanter_m: dict[str, float],
    marker_radius_m: float,
) -> dict[str, FloatArray]:
    """Hip joint centres in the pelvis frame (origin mid-ASIS; x forward, y left, z up), m.

    Parameters
    ----------
    mean_leg_length_m
        Mean of left and right leg lengths (ASIS to medial malleolus), m.
    inter_asis_m
        Distance between the ASIS markers, m.
    asis_trochanter_m
        ``{"left": ..., "right": ...}`` ASIS-trochanter distance, m; Plug-in Gait estimates it as
        ``0.1288 * leg_length - 0.04856`` m when it is not measured (see :func:`asis_trochanter`).
    marker_radius_m
        Marker radius, m.

    Returns
    -------
    dict
        ``{"left": (3,), "right": (3,)}`` positions in the pelvis frame, m.
    """
    c = mean_leg_length_m * 0.115 - 0.0153
    out: dict[str, FloatArray] = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        at = asis_trochanter_m[side] + marker_radius_m
        x = c * np.cos(_DAVIS_THETA) * np.sin(_DAVIS_BETA) - at * np.cos(_DAVIS_BETA)
        y = sign * -(c * np.sin(_DAVIS_THETA) - inter_asis_m / 2.0)
        z = -c * np.cos(_DAVIS_THETA) * np.cos(_DAVIS_BETA) - at * np.sin(_DAVIS_BETA)
        out[side] = np.array([x, y, z])
    return out


def asis_trochanter(leg_length_m: float) -> float:
    """Plug-in Gait's regression of the ASIS-trochanter distance on leg length, both in m."""
    return 0.1288 * leg_length_m - 0.04856


def hip_centres(
    pelvis_R: FloatArray, pelvis_origin: FloatArray, local: dict[str, FloatArray]
) -> dict[str, FloatArray]:
    """Lab positions ``(n, 3)`` of the hip centres given in the pelvis frame, m."""
    return {side: to_lab(pelvis_R, pelvis_origin, p) for side, p in local.items()}


def _chord_zero(offset: float, i: FloatArray, j: FloatArray, k: FloatArray) -> FloatArray:
    """The chord solution with no rotation offset (see :func:`chord`)."""
    y = normalize(j - i)
    x = normalize(np.cross(y, k - i))
    z = np.cross(x, y)
    d = np.linalg.norm(i - j, axis=1)
    with np.errstate(invalid="ignore"):
        theta = 2.0 * np.arcsin(offset / d)
    # v_r = (0, -d/2, 0) rotated by theta about the frame's x axis.
    local_y = -d / 2.0 * np.cos(theta)
    local_z = -d / 2.0 * np.sin(theta)
    return np.asarray((j + i) / 2.0 + y * local_y[:, None] + z * local_z[:, None])


def plane_angle(a: FloatArray, p: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Signed angle (rad) about the bone axis ``a - p`` between the planes through c and b."""
    n = a - p
    proj_c = np.cross(n, np.cross(c - p, n))
    proj_b = np.cross(n, np.cross(b - p, n))
    sens = np.einsum("ni,ni->n", np.cross(proj_c, proj_b), n)
    cos = np.einsum("ni,ni->n", proj_c, proj_b) / (
        np.linalg.norm(proj_c, axis=1) * np.linalg.norm(proj_b, axis=1)
    )
    return np.asarray(np.sign(sens) * np.arccos(np.clip(cos, -1.0, 1.0)))


def chord(
    offset_m: float,
    base: FloatArray,
    top: FloatArray,
    lateral: FloatArray,
    beta_deg: float = 0.0,
) -> FloatArray:
    """Plug-in Gait's chord function: the joint centre ``offset_m`` medial to a lateral marker.

    The joint centre ``J`` lies at distance ``offset_m`` from ``base`` (the lateral knee or ankle
    marker) such that the angle ``top - J - base`` is a right angle, in the plane of ``base``,
    ``top`` (the proximal joint centre) and ``lateral`` (the thigh or tibia marker). A non-zero
    ``beta_deg`` (the thigh or shank rotation offset of a static calibration) turns that plane
    about the line ``top - J`` by ``beta_deg``; the solution is found by bisection, vectorised
    over frames.

    Parameters
    ----------
    offset_m
        Half the knee (or ankle) width plus the marker radius, m.
    base, top, lateral
        ``(n, 3)`` lab positions, m: e.g. KNE, HJC, THI for the knee; ANK, KJC, TIB for the ankle.
    beta_deg
        Rotation offset, degrees, in pyCGM2's sign convention (see
        :func:`kinchain.model.cgm1.build_model` for the mapping from Vicon's parameters).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` joint centres, m (NaN where any input is missing).
    """
    p0 = _chord_zero(offset_m, base, top, lateral)
    if beta_deg == 0.0:
        return p0
    a, b, c = top, base, lateral
    ab = np.linalg.norm(a - b, axis=1)
    with np.errstate(invalid="ignore"):
        alpha = np.arcsin(offset_m / ab)
        ao = np.sqrt(ab * ab - offset_m**2 * (1.0 + np.cos(alpha) ** 2))
    n = normalize(a - b)
    o = a - n * ao[:, None]
    r = offset_m * np.cos(alpha)
    ey = normalize(np.cross(n, p0 - o))
    ex = np.cross(ey, n)
    target = np.deg2rad(beta_deg)

    def point(s: FloatArray) -> FloatArray:
        return np.asarray(o + r[:, None] * (np.cos(s)[:, None] * ex + np.sin(s)[:, None] * ey))

    def residual(s: FloatArray, rows: slice | NDArray[np.bool_] = slice(None)) -> FloatArray:
        p = o[rows] + r[rows][:, None] * (
            np.cos(s)[:, None] * ex[rows] + np.sin(s)[:, None] * ey[rows]
        )
        return plane_angle(a[rows], p, b[rows], c[rows]) - target

    # Secant iterations from s = 0 (the plane of the markers) and s = beta; the plane angle is a
    # smooth, monotonic function of the position on the circle, so a few steps converge.
    s0 = np.zeros(len(a))
    f0 = residual(s0)
    s1 = np.full(len(a), target)
    f1 = residual(s1)
    for _ in range(30):
        denom = f1 - f0
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(np.abs(denom) > 1e-15, f1 * (s1 - s0) / denom, 0.0)
        s0, f0 = s1, f1
        s1 = s1 - step
        f1 = residual(s1)
        if not (np.abs(f1) > _CHORD_TOL).any():
            break
    # Any frame the secant did not settle (NaN input aside) is solved by bisection.
    todo = np.isfinite(f1) & (np.abs(f1) > _CHORD_TOL)
    if todo.any():
        span = abs(target) * 3.0 + np.deg2rad(10.0)
        lo = np.full(int(todo.sum()), -span)
        hi = np.full(int(todo.sum()), span)
        f_lo = residual(lo, todo)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            f_mid = residual(mid, todo)
            same = np.sign(f_mid) == np.sign(f_lo)
            lo = np.where(same, mid, lo)
            f_lo = np.where(same, f_mid, f_lo)
            hi = np.where(same, hi, mid)
        s1[todo] = 0.5 * (lo + hi)
    return point(s1)

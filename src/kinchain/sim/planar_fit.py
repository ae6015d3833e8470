"""Planar inverse kinematics: the model's coordinates that best place its joints and feet where
the trial measured them (pure NumPy).

The planar model has rigid thighs and shanks of fixed length and both hips at the pelvis's
origin. Kinchain's 3-D joint centres, seen in the sagittal plane, are not that rigid: over
a stride of the demo trial the projected thigh and shank lengths vary by 2-3 cm (soft tissue,
out-of-plane motion). Driven by the measured (Plug-in Gait) angles, the chain then puts the
leading foot up to 17 mm too low at loading and the trailing one up to 14 mm too high at push
off; one pelvis height cannot put both on the floor in double support, and the simulation
tracking that reference loaded the wrong foot. Fitting the chain to the measured points instead
spreads those length changes over the angles (about 2-3 degrees RMS on the demo) and keeps
both feet near the floor where the trial had them there.

Conventions: sagittal positions ``(x forward, y up)`` in m; angles in radians about +z (the
model's): a segment at absolute angle ``a`` points along ``(sin a, -cos a)``; the foot's
points are given in its own frame at absolute angle 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["FIT_POINTS", "PlanarFit", "fit_planar_legs"]

FloatArray = NDArray[np.float64]

#: The measured points of each leg the fit places, in the order of its residuals.
FIT_POINTS = ("hip", "knee", "ankle", "heel", "toe")
_SIDES = ("left", "right")
_SX = {"left": "l", "right": "r"}


@dataclass(frozen=True)
class PlanarFit:
    """Result of :func:`fit_planar_legs`.

    Attributes
    ----------
    coordinates
        ``pelvis_tx``, ``pelvis_ty`` (m, the hips' position in the plane) and per side
        ``hip_flexion_{l,r}``, ``knee_flexion_{l,r}``, ``ankle_dorsiflexion_{l,r}`` (rad),
        each ``(n,)``. ``pelvis_tilt`` is not fitted (the hips alone do not fix it).
    residual_rms_m
        RMS distance over all frames and points between the fitted and the measured points, m.
    """

    coordinates: dict[str, FloatArray]
    residual_rms_m: float


def _rot(a: FloatArray, p: tuple[float, float]) -> tuple[FloatArray, FloatArray]:
    c, s = np.cos(a), np.sin(a)
    return c * p[0] - s * p[1], s * p[0] + c * p[1]


def fit_planar_legs(
    points: Mapping[str, FloatArray],
    pelvis_tilt: FloatArray,
    start: Mapping[str, FloatArray],
    thigh_length_m: Mapping[str, float],
    shank_length_m: Mapping[str, float],
    foot_points: Mapping[str, Mapping[str, tuple[float, float]]],
    *,
    iterations: int = 30,
) -> PlanarFit:
    """Least-squares planar inverse kinematics of both legs, frame by frame.

    Per frame the unknowns are the hips' position and the absolute angles of each thigh,
    shank and foot; the residuals are the distances (x and y, each weighted 1) between the
    model's hip, knee, ankle and foot points and the measured ones. Gauss-Newton from
    ``start`` with the analytic Jacobian, all frames at once.

    Parameters
    ----------
    points
        ``"{side}_{point}"`` for every side and :data:`FIT_POINTS` -> ``(n, 2)`` measured
        sagittal positions, m.
    pelvis_tilt
        ``(n,)`` the model's pelvis tilt, rad (kept as it is).
    start
        Initial coordinates: ``hip_flexion_{l,r}``, ``knee_flexion_{l,r}``,
        ``ankle_dorsiflexion_{l,r}``, rad, ``(n,)``.
    thigh_length_m, shank_length_m
        Side -> segment length, m.
    foot_points
        Side -> ``{"heel": (x, y), "toe": (x, y)}``: the measured foot points in the foot's
        frame (origin at the ankle), m.
    iterations
        Most Gauss-Newton steps (it stops when the largest step is below 1e-10 rad or m).

    Returns
    -------
    PlanarFit
    """
    n = len(pelvis_tilt)
    hips = 0.5 * (points["left_hip"] + points["right_hip"])
    x = [hips[:, 0].astype(float), hips[:, 1].astype(float)]
    for side in _SIDES:
        sx = _SX[side]
        a1 = pelvis_tilt + start[f"hip_flexion_{sx}"]
        a2 = a1 - start[f"knee_flexion_{sx}"]
        x += [a1, a2, a2 + start[f"ankle_dorsiflexion_{sx}"]]
    q = np.stack(x, axis=1)  # (n, 8)

    def residuals_and_jacobian(q: FloatArray) -> tuple[FloatArray, FloatArray]:
        res = np.zeros((n, 2 * len(FIT_POINTS) * 2))
        jac = np.zeros((n, res.shape[1], 8))
        row = 0
        for i, side in enumerate(_SIDES):
            a1, a2, a3 = q[:, 2 + 3 * i], q[:, 3 + 3 * i], q[:, 4 + 3 * i]
            # point positions and their derivatives along the chain
            d1 = thigh_length_m[side] * np.stack([np.cos(a1), np.sin(a1)], axis=1)
            d2 = shank_length_m[side] * np.stack([np.cos(a2), np.sin(a2)], axis=1)
            knee = q[:, :2] + thigh_length_m[side] * np.stack([np.sin(a1), -np.cos(a1)], axis=1)
            ankle = knee + shank_length_m[side] * np.stack([np.sin(a2), -np.cos(a2)], axis=1)
            model = {"hip": q[:, :2], "knee": knee, "ankle": ankle}
            d3: dict[str, FloatArray] = {}
            for name in ("heel", "toe"):
                px, py = _rot(a3, foot_points[side][name])
                model[name] = ankle + np.stack([px, py], axis=1)
                d3[name] = np.stack([-py, px], axis=1)  # d/da3 of the rotated point
            for name in FIT_POINTS:
                res[:, row : row + 2] = model[name] - points[f"{side}_{name}"]
                jac[:, row : row + 2, 0] = [1.0, 0.0]
                jac[:, row : row + 2, 1] = [0.0, 1.0]
                if name != "hip":
                    jac[:, row : row + 2, 2 + 3 * i] = d1
                if name not in ("hip", "knee"):
                    jac[:, row : row + 2, 3 + 3 * i] = d2
                if name in d3:
                    jac[:, row : row + 2, 4 + 3 * i] = d3[name]
                row += 2
        return res, jac

    for _ in range(iterations):
        res, jac = residuals_and_jacobian(q)
        jtj = np.einsum("nri,nrj->nij", jac, jac)
        jtr = np.einsum("nri,nr->ni", jac, res)
        step = np.linalg.solve(jtj, -jtr[..., None])[..., 0]
        q = q + step
        if np.abs(step).max() < 1e-10:
            break
    res, _ = residuals_and_jacobian(q)
    coords: dict[str, FloatArray] = {"pelvis_tx": q[:, 0], "pelvis_ty": q[:, 1]}
    for i, side in enumerate(_SIDES):
        sx = _SX[side]
        a1, a2, a3 = q[:, 2 + 3 * i], q[:, 3 + 3 * i], q[:, 4 + 3 * i]
        coords[f"hip_flexion_{sx}"] = a1 - pelvis_tilt
        coords[f"knee_flexion_{sx}"] = a1 - a2
        coords[f"ankle_dorsiflexion_{sx}"] = a3 - a2
    distances = np.hypot(res[:, 0::2], res[:, 1::2])
    return PlanarFit(coords, float(np.sqrt(np.mean(distances**2))))

"""Newton-Euler inverse dynamics of the lower limb, vectorised over frames.

Conventions
-----------
* Lab frame, Z up, SI units: positions m, forces N, moments N·m, rates Hz.
* ``R`` is ``(n, 3, 3)``, segment-to-lab: its columns are the segment's x, y, z axes in the lab
  frame, so ``v_lab = R @ v_seg`` and ``v_seg = R.T @ v_lab``.
* Every force and moment is the one acting **on** the segment named. The proximal result of a
  segment is what the proximal neighbour exerts on it at the proximal joint centre: the joint
  reaction force and the net joint moment in the *internal* convention (the moment the muscles
  and other tissues crossing the joint apply to the distal segment). The external moment
  convention is its negative.
* Gravity is ``(0, 0, -9.81)`` m/s² unless given.
* NaN in any input of a frame gives NaN in that frame's result (plus neighbours through the
  central differences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kinchain.kinetics.bsip import SegmentInertia
from kinchain.kinetics.derivatives import (
    angular_acceleration,
    angular_velocity,
    linear_acceleration,
)

__all__ = [
    "JointLoad",
    "LegLoads",
    "SegmentState",
    "bottom_up",
    "express_in_frame",
    "solve_segment",
]

GRAVITY = (0.0, 0.0, -9.81)


def express_in_frame(v_lab: NDArray, R: NDArray) -> NDArray:
    """Express lab-frame vectors in a segment frame: ``v_seg[i] = R[i].T @ v_lab[i]``.

    Parameters
    ----------
    v_lab
        Vectors, ``(n, 3)``, lab frame (any unit).
    R
        Segment-to-lab rotations, ``(n, 3, 3)`` (columns = segment axes in the lab).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: components along the segment's x, y, z axes.
    """
    return np.einsum("nji,nj->ni", np.asarray(R, dtype=np.float64), np.asarray(v_lab, float))


# Private kernels work component-major: vectors (3, n) and rotations (3, 3, n), contiguous
# along time, which is several times faster than (n, 3) for 3-element rows.


def _to_local(Rt: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """``R^T v`` per sample; ``Rt`` (3, 3, n), ``v`` (3, n)."""
    out = np.empty_like(v)
    for k in range(3):
        out[k] = Rt[0, k] * v[0] + Rt[1, k] * v[1] + Rt[2, k] * v[2]
    return out


def _to_lab(Rt: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """``R v`` per sample; ``Rt`` (3, 3, n), ``v`` (3, n)."""
    out = np.empty_like(v)
    for i in range(3):
        out[i] = Rt[i, 0] * v[0] + Rt[i, 1] * v[1] + Rt[i, 2] * v[2]
    return out


def _cross(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cross product of (3, n) vector stacks."""
    out = np.empty_like(a)
    out[0] = a[1] * b[2] - a[2] * b[1]
    out[1] = a[2] * b[0] - a[0] * b[2]
    out[2] = a[0] * b[1] - a[1] * b[0]
    return out


def _cm(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """(n, 3) -> contiguous (3, n)."""
    return np.ascontiguousarray(x.T)


def _check_n3(name: str, a: NDArray, n: int) -> NDArray[np.float64]:
    arr = np.asarray(a, dtype=np.float64)
    if arr.shape != (n, 3):
        raise ValueError(f"{name} must have shape ({n}, 3), got {arr.shape}")
    return arr


def _solve(
    mass_kg: float,
    com: NDArray[np.float64],
    inertia_local: NDArray[np.float64],
    R: NDArray[np.float64],
    omega: NDArray[np.float64],
    alpha: NDArray[np.float64],
    acc: NDArray[np.float64],
    distal_force: NDArray[np.float64],
    distal_moment: NDArray[np.float64],
    distal_point: NDArray[np.float64],
    proximal_point: NDArray[np.float64],
    gravity: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    Rt = np.ascontiguousarray(R.transpose(1, 2, 0))
    c, fd = _cm(com), _cm(distal_force)
    w = _cm(omega)
    # Newton: F_p + F_d + m g = m a
    force = mass_kg * (_cm(acc) - gravity[:, None]) - fd
    # Euler about the CoM, lab frame: M_p + M_d + r_p x F_p + r_d x F_d = I a + w x (I w)
    # I_lab v = R (I_local (R^T v)), without forming I_lab per frame.
    i_alpha = _to_lab(Rt, inertia_local @ _to_local(Rt, _cm(alpha)))
    i_omega = _to_lab(Rt, inertia_local @ _to_local(Rt, w))
    moment = (
        i_alpha
        + _cross(w, i_omega)
        - _cm(distal_moment)
        - _cross(_cm(proximal_point) - c, force)
        - _cross(_cm(distal_point) - c, fd)
    )
    return np.ascontiguousarray(force.T), np.ascontiguousarray(moment.T)


def solve_segment(
    mass_kg: float,
    com: NDArray,
    inertia_local: NDArray,
    R: NDArray,
    distal_force: NDArray,
    distal_moment: NDArray,
    distal_point: NDArray,
    proximal_point: NDArray,
    rate_hz: float,
    gravity: Sequence[float] | NDArray = GRAVITY,
) -> tuple[NDArray, NDArray]:
    """Force and moment at the proximal joint of one rigid segment (Newton-Euler).

    Solves, per frame and in the lab frame,

    * Newton: ``F_p + F_d + m g = m a_com``
    * Euler about the centre of mass:
      ``M_p + M_d + (P - c) x F_p + (D - c) x F_d = I α + ω x (I ω)``,
      with ``I = R I_local R^T``,

    for the proximal force ``F_p`` and moment ``M_p``. ``a_com`` comes from
    :func:`~kinchain.kinetics.derivatives.linear_acceleration` of ``com``; ``ω`` and ``α`` from
    :func:`~kinchain.kinetics.derivatives.angular_velocity` and
    :func:`~kinchain.kinetics.derivatives.angular_acceleration` of ``R``.

    Parameters
    ----------
    mass_kg
        Segment mass, kg.
    com
        Centre of mass, m, ``(n, 3)``, lab.
    inertia_local
        Inertia about the CoM, kg·m², ``(3, 3)``, segment frame.
    R
        Segment-to-lab rotations, ``(n, 3, 3)`` (columns = segment x, y, z axes in the lab).
    distal_force
        Force acting ON the segment at ``distal_point``, N, ``(n, 3)``, lab.
    distal_moment
        Free couple acting ON the segment, N·m, ``(n, 3)``, lab.
    distal_point
        Where ``distal_force`` acts, m, ``(n, 3)``, lab.
    proximal_point
        Proximal joint centre, m, ``(n, 3)``, lab.
    rate_hz
        Sampling rate, Hz.
    gravity
        Gravitational acceleration, m/s², lab frame (default ``(0, 0, -9.81)``).

    Returns
    -------
    proximal_force, proximal_moment : numpy.ndarray
        ``(n, 3)`` each, lab frame, N and N·m: what the proximal segment exerts ON this segment
        at the proximal joint centre (joint reaction force; net internal joint moment).
    """
    Rm = np.asarray(R, dtype=np.float64)
    n = Rm.shape[0]
    if Rm.shape != (n, 3, 3):
        raise ValueError(f"solve_segment: R must have shape (n, 3, 3), got {Rm.shape}")
    c = _check_n3("com", com, n)
    fd = _check_n3("distal_force", distal_force, n)
    md = _check_n3("distal_moment", distal_moment, n)
    pd = _check_n3("distal_point", distal_point, n)
    pp = _check_n3("proximal_point", proximal_point, n)
    inertia = np.asarray(inertia_local, dtype=np.float64)
    if inertia.shape != (3, 3):
        raise ValueError(f"solve_segment: inertia_local must be (3, 3), got {inertia.shape}")
    g = np.asarray(gravity, dtype=np.float64).reshape(3)
    omega = angular_velocity(Rm, rate_hz)
    alpha = angular_acceleration(omega, rate_hz)
    acc = linear_acceleration(c, rate_hz)
    return _solve(mass_kg, c, inertia, Rm, omega, alpha, acc, fd, md, pd, pp, g)


@dataclass(frozen=True)
class SegmentState:
    """One segment's inertia and pose over a trial.

    Attributes
    ----------
    inertia
        From :func:`~kinchain.kinetics.bsip.segment_parameters`.
    R
        Segment-to-lab rotations, ``(n, 3, 3)`` (columns = segment axes in the lab).
    proximal
        Proximal joint centre, m, ``(n, 3)``, lab (ankle for the foot, knee for the shank, hip
        for the thigh).
    """

    inertia: SegmentInertia
    R: NDArray[np.float64]
    proximal: NDArray[np.float64]


@dataclass(frozen=True)
class JointLoad:
    """Loads at one joint, acting ON the distal segment, lab frame.

    Attributes
    ----------
    force
        Joint reaction force, N, ``(n, 3)``.
    moment
        Net internal joint moment, N·m, ``(n, 3)`` (about the joint centre).
    """

    force: NDArray[np.float64]
    moment: NDArray[np.float64]


@dataclass(frozen=True)
class LegLoads:
    """Bottom-up inverse dynamics of one leg.

    Attributes
    ----------
    ankle, knee, hip
        Loads on the foot, shank and thigh at their proximal joints, lab frame.
    omega
        ``{"foot", "shank", "thigh"}`` -> angular velocity, rad/s, ``(n, 3)``, lab frame (for
        joint powers).
    """

    ankle: JointLoad
    knee: JointLoad
    hip: JointLoad
    omega: dict[str, NDArray[np.float64]]


def bottom_up(
    grf_force: NDArray,
    cop: NDArray,
    free_moment: NDArray,
    foot: SegmentState,
    shank: SegmentState,
    thigh: SegmentState,
    rate_hz: float,
    swing: NDArray | None = None,
    gravity: Sequence[float] | NDArray = GRAVITY,
) -> LegLoads:
    """Chain Newton-Euler from the foot up: ankle, knee and hip loads of one leg.

    The foot is loaded by the ground reaction (``grf_force`` at ``cop`` plus the couple
    ``free_moment``); the shank is loaded at the ankle joint centre by minus the ankle result, the
    thigh at the knee joint centre by minus the knee result.

    Missing ground reaction: frames where ``swing`` is True are solved with **zero** external
    force and moment on the foot (foot in the air), whatever the GRF arrays hold there. Frames
    not marked as swing whose GRF, COP or free moment is NaN give NaN results (a foot on the
    floor off the plates is unknown, not unloaded). With ``swing=None`` no frame is treated as
    swing.

    Parameters
    ----------
    grf_force
        Ground reaction force on the foot, N, ``(n, 3)``, lab.
    cop
        Centre of pressure, m, ``(n, 3)``, lab.
    free_moment
        Free moment vector on the foot, N·m, ``(n, 3)``, lab.
    foot, shank, thigh
        Segment states; proximal points are the ankle, knee and hip joint centres.
    rate_hz
        Marker (point) rate, Hz; all arrays share it.
    swing
        ``(n,)`` bool: True where the foot is known to be off the ground.
    gravity
        m/s², lab frame.

    Returns
    -------
    LegLoads
        Joint reaction force and net internal joint moment on the distal segment at each joint,
        lab frame, plus the segments' angular velocities. Use :func:`express_in_frame` to get
        them in a segment frame.
    """
    n = foot.R.shape[0]
    f = _check_n3("grf_force", grf_force, n).copy()
    p = _check_n3("cop", cop, n).copy()
    m = _check_n3("free_moment", free_moment, n).copy()
    if swing is not None:
        sw = np.asarray(swing, dtype=bool)
        if sw.shape != (n,):
            raise ValueError(f"bottom_up: swing must have shape ({n},), got {sw.shape}")
        f[sw] = 0.0
        m[sw] = 0.0
        # The application point of a zero force is irrelevant; use the ankle to keep it finite.
        p[sw] = np.asarray(foot.proximal, dtype=np.float64)[sw]
    g = np.asarray(gravity, dtype=np.float64).reshape(3)

    omegas: dict[str, NDArray[np.float64]] = {}
    results: list[JointLoad] = []
    dist_f, dist_m, dist_p = f, m, p
    for name, seg in (("foot", foot), ("shank", shank), ("thigh", thigh)):
        Rm = np.asarray(seg.R, dtype=np.float64)
        if Rm.shape != (n, 3, 3):
            raise ValueError(f"bottom_up: {name}.R must have shape ({n}, 3, 3), got {Rm.shape}")
        prox = _check_n3(f"{name}.proximal", seg.proximal, n)
        com = _check_n3(f"{name}.inertia.com", seg.inertia.com, n)
        omega = angular_velocity(Rm, rate_hz)
        alpha = angular_acceleration(omega, rate_hz)
        acc = linear_acceleration(com, rate_hz)
        force, moment = _solve(
            seg.inertia.mass_kg,
            com,
            np.asarray(seg.inertia.inertia_local, dtype=np.float64),
            Rm,
            omega,
            alpha,
            acc,
            dist_f,
            dist_m,
            dist_p,
            prox,
            g,
        )
        omegas[name] = omega
        results.append(JointLoad(force=force, moment=moment))
        dist_f, dist_m, dist_p = -force, -moment, prox
    return LegLoads(ankle=results[0], knee=results[1], hip=results[2], omega=omegas)

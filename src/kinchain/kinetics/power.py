"""Joint power from net joint moments and segment angular velocities.

Conventions
-----------
Moments are net internal joint moments acting on the distal segment (as returned by
:func:`kinchain.kinetics.newton_euler.bottom_up`), N·m; angular velocities are rad/s; all in the
lab frame unless a rotation is given. Power is in W (divide by body mass for W/kg). Positive power
is generation (concentric work by the structures crossing the joint), negative is absorption.

Plug-in Gait layout
-------------------
Vicon's Plug-in Gait stores a joint power (e.g. ``LAnklePower``) as a 3-component point whose
**X and Y components are 0 and whose Z component holds the total (scalar) power**, normalised to
body mass (W/kg, though the C3D unit reads ``"W"``). This was checked on
``c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d`` (LAnklePower, LKneePower, LHipPower,
RAnklePower: X and Y identically 0 over the trial, Z from about -2.8 to 4.0) and matches pyCGM2's
``JointPowerFilter`` (``pyCGM2/Model/modelFilters.py``), which writes
``power[:, 2] = -(1/bodymass) * M · (ω_proximal - ω_distal)`` with M the proximal moment of the
distal segment, X and Y left at 0. :func:`pig_power_vector` builds that layout.
:func:`component_powers` splits the power by axis of a chosen frame for analysis; that split is
**not** what Plug-in Gait stores.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kinchain.kinetics.newton_euler import express_in_frame

__all__ = ["component_powers", "joint_power", "pig_power_vector"]


def joint_power(moment_lab: NDArray, omega_proximal: NDArray, omega_distal: NDArray) -> NDArray:
    """Total joint power ``P = M · (ω_distal - ω_proximal)``, W.

    Parameters
    ----------
    moment_lab
        Net internal joint moment on the distal segment, N·m, ``(n, 3)``, lab frame.
    omega_proximal, omega_distal
        Angular velocities of the proximal and distal segments, rad/s, ``(n, 3)``, lab frame.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` power, W (NaN where any input is NaN).
    """
    m = np.asarray(moment_lab, dtype=np.float64)
    rel = np.asarray(omega_distal, dtype=np.float64) - np.asarray(omega_proximal, np.float64)
    return np.einsum("ni,ni->n", m, rel)


def component_powers(
    moment_lab: NDArray, omega_proximal: NDArray, omega_distal: NDArray, R: NDArray
) -> NDArray:
    """Per-axis contributions to joint power in a given frame, W.

    ``P_k = M_k * (ω_distal - ω_proximal)_k`` with both vectors expressed in the frame ``R``
    (e.g. the distal segment's). The three components sum to :func:`joint_power`; the split
    depends on the frame chosen. Plug-in Gait does not store this split (see module docstring).

    Parameters
    ----------
    moment_lab
        Net internal joint moment, N·m, ``(n, 3)``, lab frame.
    omega_proximal, omega_distal
        rad/s, ``(n, 3)``, lab frame.
    R
        ``(n, 3, 3)`` frame-to-lab rotations (columns = frame axes in the lab).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` power about the frame's x, y, z axes, W.
    """
    rel = np.asarray(omega_distal, dtype=np.float64) - np.asarray(omega_proximal, np.float64)
    return express_in_frame(moment_lab, R) * express_in_frame(rel, R)


def pig_power_vector(power_w: NDArray, body_mass_kg: float | None = None) -> NDArray:
    """Arrange a scalar power the way Plug-in Gait stores it: ``(0, 0, P)`` per frame.

    Parameters
    ----------
    power_w
        Total joint power, W, ``(n,)``.
    body_mass_kg
        If given, the power is divided by it (W/kg, as Plug-in Gait stores it).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: X = Y = 0, Z = power (NaN frames keep NaN in all three components).
    """
    p = np.asarray(power_w, dtype=np.float64)
    if body_mass_kg is not None:
        if not body_mass_kg > 0:
            raise ValueError(f"pig_power_vector: body mass must be positive, got {body_mass_kg}")
        p = p / body_mass_kg
    out = np.zeros((p.shape[0], 3))
    out[:, 2] = p
    out[~np.isfinite(p)] = np.nan
    return out

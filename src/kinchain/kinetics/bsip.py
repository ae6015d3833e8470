"""Body-segment inertial parameters (BSIP) of the Plug-in Gait lower limb.

Plug-in Gait (Vicon; Conventional Gait Model 1) takes its segment parameters from Dempster (1955)
as tabulated by Winter (Biomechanics and Motor Control of Human Movement). Vicon's Plug-in Gait
documentation ("Kinetic modeling" in the Plug-in Gait kinematic and kinetic calculations; Nexus
help, vicon-help.atlassian.net) gives, per segment:

============  ==========  ==============  ==========================
segment       mass / BM   CoM from distal radius of gyration / L
============  ==========  ==============  ==========================
femur         0.100       0.567           0.540
tibia         0.0465      0.567           0.528
foot          0.0145      0.5             0.690
============  ==========  ==============  ==========================

* The centre of mass lies "at a given proportion along a line from the distal joint centre
  (normally the origin of the segment) towards the proximal joint centre" (Vicon). 0.567 from the
  distal end is Winter's 0.433 from the proximal end.
* The principal moments of inertia come from the radii of gyration, ``I = m (k L)^2``, about the
  two transverse axes; "the moment is considered to be zero around the longitudinal axis"
  (Vicon). In the Plug-in Gait femur, tibia and foot frames the longitudinal axis is **Z**
  (femur, tibia: from the distal joint centre towards the proximal one; foot: along the foot
  from the toe point towards the ankle joint centre), so ``I_local = diag(Ixx, Iyy, 0)`` with
  ``Ixx = Iyy``.
* The radii Vicon lists (0.540, 0.528, 0.690) are Winter's radii of gyration **about the
  proximal end**, yet they are applied about the centre of mass. pyCGM2 does the same
  (``pyCGM2/Model/bodySegmentParameters.py``, class ``Bsp``: Thigh mass 10.0 %, com 43.3 % from
  proximal, inertia 54.0; Shank 4.65 %, 43.3 %, 52.8; Foot 1.45 %, 50 %, 69.0; Izz = 0). To
  reproduce Plug-in Gait we do the same by default; ``radii="winter_com"`` uses Winter's radii
  about the centre of mass instead (femur 0.323, tibia 0.302, foot 0.475), which is the
  physically consistent choice for a parallel-axis-free Euler equation about the CoM.

The segment "length" is the distance between the two points given: hip and knee joint centres
(thigh), knee and ankle joint centres (shank), ankle joint centre and the toe point Plug-in Gait
uses (foot). pyCGM2's CGM2.x feet instead use heel-to-toe length with the CoM midway; pass those
points if you want that variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["BSIP_TABLE", "SegmentInertia", "SegmentName", "segment_parameters"]

SegmentName = Literal["thigh", "shank", "foot"]
RadiiSet = Literal["plug_in_gait", "winter_com"]


@dataclass(frozen=True)
class _Bsip:
    mass_fraction: float
    com_from_distal: float
    radius_pig: float
    radius_com: float


#: Dempster (1955) via Winter, as used by Plug-in Gait (see the module docstring for sources).
BSIP_TABLE: dict[str, _Bsip] = {
    "thigh": _Bsip(mass_fraction=0.100, com_from_distal=0.567, radius_pig=0.540, radius_com=0.323),
    "shank": _Bsip(mass_fraction=0.0465, com_from_distal=0.567, radius_pig=0.528, radius_com=0.302),
    "foot": _Bsip(mass_fraction=0.0145, com_from_distal=0.5, radius_pig=0.690, radius_com=0.475),
}


@dataclass(frozen=True)
class SegmentInertia:
    """Inertial parameters of one segment over a trial.

    Attributes
    ----------
    mass_kg
        Segment mass, kg.
    com
        Centre of mass, m, ``(n, 3)``, lab frame (NaN where either end point is missing).
    length_m
        Distance between the proximal and distal points, m, ``(n,)``.
    inertia_local
        Inertia tensor about the centre of mass, kg·m², ``(3, 3)``, in the segment frame
        (Plug-in Gait axes, Z longitudinal): ``diag(I, I, 0)`` with ``I = m (k L)^2`` and ``L``
        the median length over valid frames.
    """

    mass_kg: float
    com: NDArray[np.float64]
    length_m: NDArray[np.float64]
    inertia_local: NDArray[np.float64]


def segment_parameters(
    segment: SegmentName,
    mass_kg: float,
    proximal: NDArray,
    distal: NDArray,
    *,
    radii: RadiiSet = "plug_in_gait",
) -> SegmentInertia:
    """Plug-in Gait inertial parameters of a thigh, shank or foot.

    Parameters
    ----------
    segment
        ``"thigh"``, ``"shank"`` or ``"foot"``.
    mass_kg
        **Body** mass of the subject, kg (> 0).
    proximal, distal
        End points, m, ``(n, 3)``, lab frame: hip/knee joint centres (thigh), knee/ankle joint
        centres (shank), ankle joint centre/toe point (foot).
    radii
        ``"plug_in_gait"`` (default; Vicon's radii, applied about the CoM as Plug-in Gait and
        pyCGM2 do) or ``"winter_com"`` (Winter's radii about the CoM).

    Returns
    -------
    SegmentInertia
        Mass = fraction x body mass; CoM = ``distal + c (proximal - distal)``; inertia about the
        CoM in the segment frame with zero longitudinal (Z) moment.

    Raises
    ------
    ValueError
        For an unknown segment, a non-positive mass, mismatched shapes, or no frame where both
        points are present.
    """
    if segment not in BSIP_TABLE:
        raise ValueError(f"segment_parameters: unknown segment {segment!r}")
    if not mass_kg > 0:
        raise ValueError(f"segment_parameters: body mass must be positive, got {mass_kg} kg")
    p = np.asarray(proximal, dtype=np.float64)
    d = np.asarray(distal, dtype=np.float64)
    if p.shape != d.shape or p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(
            f"segment_parameters: proximal {p.shape} and distal {d.shape} must both be (n, 3)"
        )
    if radii not in ("plug_in_gait", "winter_com"):
        raise ValueError(f"segment_parameters: unknown radii set {radii!r}")
    row = BSIP_TABLE[segment]
    mass = row.mass_fraction * mass_kg
    com = d + row.com_from_distal * (p - d)
    length = np.linalg.norm(p - d, axis=1)
    valid = np.isfinite(length)
    if not valid.any():
        raise ValueError(f"segment_parameters: no frame with both {segment} end points present")
    k = row.radius_pig if radii == "plug_in_gait" else row.radius_com
    transverse = mass * (k * float(np.median(length[valid]))) ** 2
    inertia = np.diag([transverse, transverse, 0.0])
    return SegmentInertia(mass_kg=mass, com=com, length_m=length, inertia_local=inertia)

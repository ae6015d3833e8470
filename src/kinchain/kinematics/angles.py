"""Joint and segment angles in Plug-in Gait's rotation sequences and sign conventions.

All angles are in degrees. Every joint angle is a Cardan decomposition of the distal segment's
orientation relative to the proximal one, ``R_rel = R_proximalᵀ · R_distal``, with rotating axes.
Pelvis, hip and knee use the sequence **Y-X-Z**: first about the proximal segment's y axis (the
flexion axis, pointing to the subject's left), then about the floating x axis, last about the
distal segment's z axis. This is equivalent to the Grood & Suntay (1983) joint coordinate system
Plug-in Gait uses.

The ankle uses Plug-in Gait's own order, **Y-Z-X** in anatomical axes (x forward, y left, z up
for both shank and foot): dorsi/plantar flexion about the shank's flexion axis y first, then
rotation about the floating axis (the foot's vertical axis after the flexion), last inversion/
eversion about the foot's long axis x. Plug-in Gait writes this as a Y-X-Z decomposition in its
own foot frame (z backward along the foot, x up), the same sequence as the foot progression below;
:func:`ankle_angles` does it in anatomical axes, which avoids the 90° offset of the raw foot frame.
The two orders differ by terms of second order in the angles and grow with the foot's rotation
(on c3d.org ``sample_00`` the Y-X-Z order was 1.5° RMS off Plug-in Gait's left ankle flexion;
Y-Z-X is 0.05°).

Output components, as Plug-in Gait labels them (``_X``, ``_Y``, ``_Z``), with clinical signs
(both sides share the convention, which is why the left side's frontal and transverse components
are negated before reporting):

=================  ==========================  =========================  ======================
angle              X (sagittal)                Y (frontal)                Z (transverse)
=================  ==========================  =========================  ======================
PelvisAngles       anterior tilt +             obliquity: up +            rotation: forward +
HipAngles          flexion +                   adduction +                internal rotation +
KneeAngles         flexion +                   varus (adduction) +        internal rotation +
AnkleAngles        dorsiflexion +              inversion +                internal rotation +
FootProgress       (foot pitch)                (foot roll)                internal (in-toeing) +
=================  ==========================  =========================  ======================

Pelvis and foot-progression angles are segment angles relative to the progression frame (x the
walking direction, z up). The ankle uses the shank frame whose y axis is the ankle flexion axis and
the foot frame re-ordered so that its x axis points along the foot; the knee uses the proximal
shank frame (turned by the tibial torsion).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from kinchain.model.cgm1 import LowerBody
from kinchain.model.vectors import FloatArray

#: Re-orders Plug-in Gait's foot frame (z backward along the foot, x up) so that x points along the
#: foot, y to the left and z up, as the ankle and foot-progression decompositions expect.
FOOT_TO_ANATOMICAL = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])

# Sign applied to the angles about (Y, X, Z) per joint and side to get the clinical convention
# (for the ankle: the Y-Z-X decomposition's angles, taken in the order about Y, X, Z).
_SIGNS: dict[tuple[str, str], tuple[float, float, float]] = {
    ("pelvis", "left"): (1.0, 1.0, -1.0),
    ("pelvis", "right"): (1.0, -1.0, 1.0),
    ("hip", "left"): (-1.0, -1.0, -1.0),
    ("hip", "right"): (-1.0, 1.0, 1.0),
    ("knee", "left"): (1.0, -1.0, -1.0),
    ("knee", "right"): (1.0, 1.0, 1.0),
    ("ankle", "left"): (-1.0, 1.0, -1.0),
    ("ankle", "right"): (-1.0, -1.0, 1.0),
    # Applied after re-ordering to (Y, Z, X): see joint_angles.
    ("foot_progress", "left"): (1.0, 1.0, -1.0),
    ("foot_progress", "right"): (1.0, -1.0, 1.0),
}


def cardan(R_proximal: FloatArray, R_distal: FloatArray, sequence: str) -> FloatArray:
    """Cardan angles (rotating axes) of ``R_distal`` relative to ``R_proximal``, degrees.

    ``R_proximalᵀ · R_distal = R_a(θ1) · R_b(θ2) · R_c(θ3)`` for ``sequence = "abc"``: θ1 about the
    proximal segment's axis ``a``, θ2 about the floating axis ``b``, θ3 about the distal
    segment's axis ``c``.

    Parameters
    ----------
    R_proximal
        ``(n, 3, 3)`` or ``(3, 3)`` rotations (columns = axes in the lab).
    R_distal
        ``(n, 3, 3)`` rotations.
    sequence
        Three distinct upper-case axes, e.g. ``"YXZ"`` or ``"YZX"`` (scipy's intrinsic form).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: θ1, θ2, θ3 in degrees, in the order of ``sequence``; NaN rows where either
        frame is missing.
    """
    rel = np.einsum("...ji,...jk->...ik", R_proximal, R_distal)
    out = np.full((rel.shape[0], 3), np.nan)
    ok = np.isfinite(rel).all(axis=(1, 2))
    if ok.any():
        out[ok] = Rotation.from_matrix(rel[ok]).as_euler(sequence, degrees=True)
    return out


def cardan_yxz(R_proximal: FloatArray, R_distal: FloatArray) -> FloatArray:
    """Y-X-Z (rotating axes) angles of ``R_distal`` relative to ``R_proximal``, degrees.

    Parameters
    ----------
    R_proximal
        ``(n, 3, 3)`` or ``(3, 3)`` rotations (columns = axes in the lab).
    R_distal
        ``(n, 3, 3)`` rotations.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: angle about y, about the floating x, about the distal z, degrees; NaN rows
        where either frame is missing.
    """
    return cardan(R_proximal, R_distal, "YXZ")


def ankle_angles(R_shank: FloatArray, R_foot: FloatArray, side: str) -> FloatArray:
    """Plug-in Gait ankle angles of one side, degrees, clinical signs.

    Parameters
    ----------
    R_shank
        ``(n, 3, 3)`` shank (tibia) frames: x forward, y the ankle flexion axis to the left, z up
        (columns = axes in the lab).
    R_foot
        ``(n, 3, 3)`` Plug-in Gait foot frames as the model builds them (z backward along the
        foot, x up; static offsets applied).
    side
        ``"left"`` or ``"right"``.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: dorsiflexion +, inversion + (the sign of Plug-in Gait's ``AnkleAngles_Y``),
        internal rotation +, from the Y-Z-X decomposition of the module notes (flexion about the
        shank y, rotation about the floating vertical axis, inversion about the foot's long x);
        NaN rows where either frame is missing.
    """
    yzx = cardan(R_shank, R_foot @ FOOT_TO_ANATOMICAL, "YZX")
    # (about y, about x, about z): the component order of the sign table and of the output.
    return _clinical(yzx[:, [0, 2, 1]], "ankle", side)


def _clinical(angles_yxz: FloatArray, joint: str, side: str) -> FloatArray:
    return angles_yxz * np.array(_SIGNS[(joint, side)])


def joint_angles(model: LowerBody) -> dict[str, FloatArray]:
    """Plug-in Gait's angle outputs of a modelled trial.

    Returns
    -------
    dict
        ``"LPelvisAngles"``, ``"LHipAngles"``, ``"LKneeAngles"``, ``"LAnkleAngles"``,
        ``"LFootProgressAngles"`` and the ``R`` counterparts -> ``(n, 3)`` degrees in the component
        order and signs of the module table.
    """
    seg = model.segments
    prog = np.broadcast_to(model.progression, seg["pelvis"].R.shape)
    out: dict[str, FloatArray] = {}
    for side, p in (("left", "L"), ("right", "R")):
        pairs = {
            "pelvis": (prog, seg["pelvis"].R, "PelvisAngles"),
            "hip": (seg["pelvis"].R, seg[f"{side}_thigh"].R, "HipAngles"),
            "knee": (seg[f"{side}_thigh"].R, seg[f"{side}_shank_proximal"].R, "KneeAngles"),
        }
        for joint, (rp, rd, label) in pairs.items():
            out[p + label] = _clinical(cardan_yxz(rp, rd), joint, side)
        out[p + "AnkleAngles"] = ankle_angles(seg[f"{side}_shank"].R, seg[f"{side}_foot"].R, side)
        # Plug-in Gait decomposes the foot in its own frame (z along the foot) and reports the
        # (Y, X, Z) angles in the order (Y, Z, X): the transverse
        # component is the angle about the foot's x axis, which is vertical in standing.
        progress = cardan_yxz(prog, seg[f"{side}_foot"].R)[:, [0, 2, 1]]
        out[p + "FootProgressAngles"] = _clinical(progress, "foot_progress", side)
    return out

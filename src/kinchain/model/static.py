"""Static-trial calibration of the Plug-in Gait foot offsets (and inter-ASIS distance).

In a static (standing) trial Plug-in Gait compares the "uncorrected" foot (toe marker to ankle
joint centre, with the shank's ankle flexion axis) with the anatomical foot defined by the heel
and toe markers, and stores the difference as two offsets applied to every dynamic trial:
``StaticPlantFlex`` (about the foot's y axis) and ``StaticRotOff`` (about its x axis), in Vicon's
sign convention (positive = dorsiflexion; rotation offset mirrored between sides). With the
"flat foot" option the heel is taken at the toe marker's height, for subjects who stand with the
sole flat on a level floor.

With medial knee and ankle markers in the static trial (``LMEPI``/``RMEPI`` and ``LMED``/``RMED``;
aliases below), the knee and ankle joint centres are the midpoints of the lateral and medial
markers, as in the CGM's medial-marker static, and the offsets that make the dynamic chord
function land there are measured: the thigh rotation offset (the turn, about the thigh's bone
axis, from the plane of the thigh marker to the plane of the knee marker), the shank rotation
offset (the same for the tibia marker) and the tibial torsion (the angle between the knee and
ankle flexion axes about the tibia). Without medial markers these come from the subject
measurements (Vicon ``.mp``/``.vsk`` or the C3D PROCESSING group), where Nexus stores them; a
knee alignment device (KAD) static is not supported.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.spatial.transform import Rotation

from kinchain.errors import InputError
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.cgm1 import SIDES, build_model
from kinchain.model.joint_centres import plane_angle
from kinchain.model.vectors import frame_from_axes

_PREFIX = {"left": "L", "right": "R"}

#: Accepted labels (after the L/R prefix) of the medial knee and medial ankle markers.
MEDIAL_KNEE = ("MEPI", "KNM", "MKNE")
MEDIAL_ANKLE = ("MED", "MMA", "ANM", "MANK")


def _find(trial: Trial, prefix: str, names: tuple[str, ...]) -> str | None:
    return next((prefix + n for n in names if prefix + n in trial.markers), None)


def _rotation_offsets(static: Trial, subject: SubjectMeasurements) -> SubjectMeasurements:
    """Thigh/shank rotation offsets and tibial torsion from medial markers, where present."""
    zero = {"left": 0.0, "right": 0.0}
    base = replace(
        subject,
        thigh_rotation_deg=zero,
        shank_rotation_deg=zero,
        tibial_torsion_deg=zero,
        ankle_abadd_deg=zero,
    )
    model = build_model(static, base)
    thigh = dict(subject.thigh_rotation_deg)
    shank = dict(subject.shank_rotation_deg)
    torsion = dict(subject.tibial_torsion_deg)
    abadd = dict(subject.ankle_abadd_deg)
    for side in SIDES:
        p = _PREFIX[side]
        sgn = -1.0 if side == "left" else 1.0
        mk = _find(static, p, MEDIAL_KNEE)
        if mk is None:
            continue
        hjc = model.joints[f"{side}_hip"]
        kne, thi = static.markers[p + "KNE"], static.markers[p + "THI"]
        kjc = (kne + static.markers[mk]) / 2.0
        beta = np.rad2deg(np.nanmedian(plane_angle(hjc, kjc, kne, thi)))
        thigh[side] = float(sgn * beta)
        ma = _find(static, p, MEDIAL_ANKLE)
        if ma is None:
            continue
        ank, tib = static.markers[p + "ANK"], static.markers[p + "TIB"]
        ajc = (ank + static.markers[ma]) / 2.0
        beta = np.rad2deg(np.nanmedian(plane_angle(kjc, ajc, ank, tib)))
        shank[side] = float(sgn * beta)
        abadd[side] = 0.0
        # Tibial torsion: the knee flexion axis (thigh y) seen in the ankle-axis shank frame.
        thigh_R = frame_from_axes(hjc - kjc, np.cross(hjc - kjc, kne - kjc) * sgn, "ZX")
        shank_R = frame_from_axes(kjc - ajc, np.cross(kjc - ajc, ank - ajc) * sgn, "ZX")
        k = np.einsum("nji,nj->ni", shank_R, thigh_R[:, :, 1])
        phi = np.rad2deg(np.nanmedian(np.arctan2(-k[:, 0], k[:, 1])))
        torsion[side] = float(-sgn * phi)
    return replace(
        subject,
        thigh_rotation_deg=thigh,
        shank_rotation_deg=shank,
        tibial_torsion_deg=torsion,
        ankle_abadd_deg=abadd,
    )


def calibrate_static(
    static: Trial,
    subject: SubjectMeasurements | None = None,
    *,
    flat_foot: bool = False,
) -> SubjectMeasurements:
    """Foot offsets (and the inter-ASIS distance if not measured) from a static trial.

    Parameters
    ----------
    static
        The static trial: the dynamic marker set plus LHEE and RHEE.
    subject
        Measurements to start from (default ``static.subject``); thigh/shank rotation offsets and
        tibial torsion are kept as given.
    flat_foot
        Take the heel at the toe marker's height (sole flat on a level floor).

    Returns
    -------
    SubjectMeasurements
        A copy with ``static_plantar_flexion_deg`` and ``static_rotation_offset_deg`` measured,
        and (with medial markers) ``thigh_rotation_deg``, ``shank_rotation_deg`` and
        ``tibial_torsion_deg``; all
        (median over the valid static frames, degrees), ``inter_asis_m`` measured if it was not
        given, and ``source`` noting the calibration.

    Raises
    ------
    InputError
        Missing measurements, a missing heel marker or no valid frame.
    """
    subject = subject if subject is not None else static.subject
    if subject is None:
        raise InputError(static.path, "no subject measurements for the static calibration")
    for side in SIDES:
        if _PREFIX[side] + "HEE" not in static.markers:
            raise InputError(static.path, f"static calibration needs the {_PREFIX[side]}HEE marker")
    subject = _rotation_offsets(static, subject)
    zero = {"left": 0.0, "right": 0.0}
    model = build_model(
        static,
        replace(subject, static_plantar_flexion_deg=zero, static_rotation_offset_deg=zero),
    )
    spf: dict[str, float] = {}
    sro: dict[str, float] = {}
    for side in SIDES:
        sgn = -1.0 if side == "left" else 1.0
        tech = model.segments[f"{side}_foot"].R
        shank_y = model.segments[f"{side}_shank"].R[:, :, 1]
        toe = model.joints[f"{side}_toe"]
        heel = model.markers[_PREFIX[side] + "HEE"].copy()
        if flat_foot:
            heel[:, 2] = toe[:, 2]
        z = heel - toe
        anat = frame_from_axes(z, -np.cross(z, shank_y), "ZX")
        rel = np.einsum("nji,njk->nik", tech, anat)
        ok = np.isfinite(rel).all(axis=(1, 2))
        if not ok.any():
            raise InputError(static.path, f"no frame with the {side} foot markers present")
        y_deg, x_deg, _ = np.median(
            Rotation.from_matrix(rel[ok]).as_euler("YXZ", degrees=True), axis=0
        )
        spf[side] = float(-y_deg)
        sro[side] = float(sgn * x_deg)
    inter_asis = subject.inter_asis_m
    if inter_asis is None or inter_asis <= 0:
        d = np.linalg.norm(static.markers["LASI"] - static.markers["RASI"], axis=1)
        inter_asis = float(np.nanmedian(d))
    return replace(
        subject,
        static_plantar_flexion_deg=spf,
        static_rotation_offset_deg=sro,
        inter_asis_m=inter_asis,
        source=f"{subject.source}; foot offsets from static trial {static.path}"
        + (" (flat foot)" if flat_foot else ""),
    )

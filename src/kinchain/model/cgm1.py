"""The Conventional Gait Model 1 / Vicon Plug-in Gait lower body, vectorised over frames.

Segment frames (all right-handed, columns of ``R`` are the segment's x, y, z axes in the lab):

========================  =====================================================================
segment                   definition (Plug-in Gait; Davis et al. 1991; pyCGM2's CGM1)
========================  =====================================================================
pelvis                    origin mid-ASIS; y from RASI to LASI; z normal to the plane of the
                          ASIS markers and the sacrum (SACR, or mid-PSIS), pointing up; x = y × z
                          (forward).
thigh (femur)             origin the knee joint centre (KJC); z from KJC to the hip joint centre
                          (HJC); x perpendicular to the plane HJC-KJC-KNE, forward; y = z × x
                          (to the left on both sides).
shank (tibia)             origin the ankle joint centre (AJC); z from AJC to KJC; x perpendicular
                          to the plane KJC-AJC-ANK, forward; y = z × x: the ankle flexion axis.
shank_proximal            the shank turned about its z axis by the tibial torsion, so that its y
                          axis is the knee flexion axis (used for knee angles).
foot                      origin the AJC; z from the toe marker to the AJC (backward along the
                          foot), x = -(z × shank y) (up), y = z × x; then turned by the static
                          plantar-flexion and rotation offsets (the "corrected" foot).
========================  =====================================================================

Joint centres: hip by the Davis regression in the pelvis frame; knee by the chord function with
KNE, HJC and THI (offset: half the knee width plus the marker radius, thigh rotation offset);
ankle by the chord function with ANK, KJC and TIB (half the ankle width plus the marker radius,
shank rotation offset), then turned about the anterior axis through ANK by the ankle
abduction/adduction offset where one is given (Nexus ``AnkleAbAdd``).

Positions are in metres. Frames with any missing input are NaN and flagged invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kinchain.errors import InputError
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.gaps import DEFAULT_MAX_GAP_S, fill_gaps
from kinchain.model.joint_centres import (
    asis_trochanter,
    chord,
    davis_hip_centres_local,
    hip_centres,
)
from kinchain.model.vectors import FloatArray, elementary, frame_from_axes, rotation_about_axis

SIDES: tuple[str, str] = ("left", "right")
_PREFIX = {"left": "L", "right": "R"}

#: Markers the dynamic CGM1 lower body needs (per side, with the L/R prefix), besides the pelvis.
LEG_MARKERS: tuple[str, ...] = ("THI", "KNE", "TIB", "ANK", "TOE")


@dataclass(frozen=True)
class Segment:
    """One rigid segment's pose over time.

    Attributes
    ----------
    name
        ``"pelvis"``, ``"left_thigh"``, ``"left_shank"``, ``"left_shank_proximal"``,
        ``"left_foot"``, ... .
    R
        ``(n, 3, 3)`` rotation, columns = segment x, y, z axes in the lab frame.
    origin
        ``(n, 3)`` segment origin in the lab frame, m.
    valid
        ``(n,)`` True where every input of the frame was present (measured or gap-filled).
    """

    name: str
    R: FloatArray
    origin: FloatArray
    valid: NDArray[np.bool_]


@dataclass(frozen=True)
class LowerBody:
    """The modelled lower body of one trial.

    Attributes
    ----------
    segments
        Segment name -> :class:`Segment`.
    joints
        ``"left_hip"``, ``"left_knee"``, ``"left_ankle"``, ``"left_toe"`` (and right) ->
        ``(n, 3)`` lab positions, m.
    markers
        The gap-filled markers the model used, m.
    filled
        Marker label -> ``(n,)`` mask of frames filled by interpolation.
    point_rate
        Hz.
    progression
        ``(3, 3)`` progression frame: x the walking direction in the horizontal plane, z up.
    subject
        The measurements used.
    """

    segments: dict[str, Segment]
    joints: dict[str, FloatArray]
    markers: dict[str, FloatArray]
    filled: dict[str, NDArray[np.bool_]]
    point_rate: float
    progression: FloatArray
    subject: SubjectMeasurements
    hip_local: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.segments["pelvis"].R.shape[0])

    def foot_points(self) -> dict[str, dict[str, FloatArray]]:
        """``{side: {"heel", "toe", "ankle"}}`` lab positions, m, as force-plate assignment
        wants them (the ankle joint centre stands in for a missing heel marker)."""
        j = self.joints
        return {
            s: {
                "heel": j.get(f"{s}_heel", j[f"{s}_ankle"]),
                "toe": j[f"{s}_toe"],
                "ankle": j[f"{s}_ankle"],
            }
            for s in SIDES
        }


def _valid(*arrays: FloatArray) -> NDArray[np.bool_]:
    ok = np.ones(arrays[0].shape[0], dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a.reshape(a.shape[0], -1)).all(axis=1)
    return ok


def required_markers(trial: Trial) -> list[str]:
    """Labels the dynamic model needs, with the sacrum as SACR or both PSIS, whichever exists."""
    names = ["LASI", "RASI"]
    if "SACR" in trial.markers:
        names.append("SACR")
    else:
        names += ["LPSI", "RPSI"]
    for side in SIDES:
        names += [_PREFIX[side] + m for m in LEG_MARKERS]
    return names


def check_markers(trial: Trial) -> list[str]:
    """The labels the dynamic model needs (:func:`required_markers`), checked to be present and
    to have at least one frame with all three coordinates finite.

    Cheap (no gap filling, no geometry): the web app runs it on an upload before accepting it,
    and :func:`build_model` runs it first.

    Returns
    -------
    list of str
        The required labels.

    Raises
    ------
    InputError
        Naming the trial file and every missing marker, or every marker without a valid frame.
    """
    names = required_markers(trial)
    missing = [m for m in names if m not in trial.markers]
    if missing:
        raise InputError(trial.path, f"missing required marker(s): {', '.join(missing)}")
    empty = [m for m in names if not np.isfinite(trial.markers[m]).all(axis=1).any()]
    if empty:
        raise InputError(
            trial.path,
            f"marker(s) {', '.join(empty)} have no valid frame (every sample missing or not a "
            "number)",
        )
    return names


def progression_frame(pelvis_origin: FloatArray, pelvis_R: FloatArray) -> FloatArray:
    """The progression frame as Plug-in Gait chooses it.

    The walking direction is the lab horizontal axis (±X or ±Y) along which the pelvis moved most
    over the trial; when the pelvis barely moves (< 0.3 m, e.g. on a treadmill) the direction is the
    lab axis closest to the mean pelvis x axis. z is the lab vertical.

    Returns
    -------
    numpy.ndarray
        ``(3, 3)`` rotation, columns = progression x, y, z in the lab frame.
    """
    ok = np.isfinite(pelvis_origin).all(axis=1)
    if not ok.any():
        raise InputError("trial", "no frame with all pelvis markers present")
    pts = pelvis_origin[ok]
    d = pts[-1] - pts[0]
    if np.linalg.norm(d[:2]) < 0.3:
        d = np.nanmean(pelvis_R[ok][:, :, 0], axis=0)
    axis = int(np.argmax(np.abs(d[:2])))
    x = np.zeros(3)
    x[axis] = np.sign(d[axis]) or 1.0
    z = np.array([0.0, 0.0, 1.0])
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1)


def build_model(
    trial: Trial,
    subject: SubjectMeasurements | None = None,
    *,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> LowerBody:
    """Build the CGM1 / Plug-in Gait lower body of a trial.

    Parameters
    ----------
    trial
        The trial (markers in m, Z up).
    subject
        Measurements; defaults to ``trial.subject``. Leg lengths and knee and ankle widths are
        required; mass is needed only by kinetics.
    max_gap_s
        Longest marker gap interpolated, s; longer gaps leave the frames invalid.

    Returns
    -------
    LowerBody

    Raises
    ------
    InputError
        A required marker or measurement is missing.

    Notes
    -----
    Static-calibration offsets are taken from ``subject`` in Vicon's sign convention (positive =
    internal rotation / dorsiflexion) and mapped to the model as pyCGM2 does: thigh and shank
    rotation offsets turn the chord planes (left side negated), tibial torsion turns the proximal
    shank about its z axis by ``-torsion``, and the foot is turned by ``Ry(-plantar_flexion) ·
    Rx(∓rotation_offset)`` (minus on the left).
    """
    subject = subject if subject is not None else trial.subject
    if subject is None:
        raise InputError(
            trial.path,
            "no subject measurements (leg lengths, knee and ankle widths): give --subject FILE "
            "or a C3D with a PROCESSING group",
        )
    for side in SIDES:
        for what, table in (
            ("leg_length_m", subject.leg_length_m),
            ("knee_width_m", subject.knee_width_m),
            ("ankle_width_m", subject.ankle_width_m),
        ):
            value = table.get(side)
            if value is None or not np.isfinite(value) or value <= 0:
                raise InputError(
                    subject.source, f"subject.{what}[{side}] is missing or not positive"
                )

    names = check_markers(trial)
    max_gap = max(round(max_gap_s * trial.point_rate), 0)
    markers: dict[str, FloatArray] = {}
    filled: dict[str, NDArray[np.bool_]] = {}
    for name in {*names, "LHEE", "RHEE", "LPSI", "RPSI", "SACR"}:
        if name in trial.markers:
            markers[name], filled[name] = fill_gaps(trial.markers[name], max_gap)

    radius = subject.marker_diameter_m / 2.0
    lasi, rasi = markers["LASI"], markers["RASI"]
    if "LPSI" in markers and "RPSI" in markers:
        sacr = (markers["LPSI"] + markers["RPSI"]) / 2.0
    else:
        sacr = markers["SACR"]
    mid_asis = (lasi + rasi) / 2.0
    y = lasi - rasi
    z = np.cross(y, sacr - rasi)
    pelvis_R = frame_from_axes(y, z, "YZ")
    pelvis_ok = _valid(lasi, rasi, sacr)
    segments: dict[str, Segment] = {"pelvis": Segment("pelvis", pelvis_R, mid_asis, pelvis_ok)}

    inter_asis = subject.inter_asis_m
    if inter_asis is None or inter_asis <= 0:
        inter_asis = float(np.nanmean(np.linalg.norm(lasi - rasi, axis=1)))
    mean_leg = (subject.leg_length_m["left"] + subject.leg_length_m["right"]) / 2.0
    asis_troc = {
        s: (
            subject.asis_trochanter_m[s]
            if subject.asis_trochanter_m and subject.asis_trochanter_m.get(s, 0) > 0
            else asis_trochanter(subject.leg_length_m[s])
        )
        for s in SIDES
    }
    hip_local = davis_hip_centres_local(mean_leg, inter_asis, asis_troc, radius)
    hjc = hip_centres(pelvis_R, mid_asis, hip_local)

    joints: dict[str, FloatArray] = {}
    for side in SIDES:
        p = _PREFIX[side]
        sgn = -1.0 if side == "left" else 1.0
        thi, kne, tib, ank, toe = (markers[p + m] for m in LEG_MARKERS)
        kjc = chord(
            subject.knee_width_m[side] / 2.0 + radius,
            kne,
            hjc[side],
            thi,
            beta_deg=sgn * subject.thigh_rotation_deg[side],
        )
        ajc = chord(
            subject.ankle_width_m[side] / 2.0 + radius,
            ank,
            kjc,
            tib,
            beta_deg=sgn * subject.shank_rotation_deg[side],
        )
        ajc_chord = ajc
        abadd = np.deg2rad(subject.ankle_abadd_deg[side])
        if abadd != 0.0:
            axis = np.cross(kjc - ank, ajc - ank)
            ajc = ank + np.einsum("nij,nj->ni", rotation_about_axis(axis, sgn * abadd), ajc - ank)
        # Thigh: z up the femur, x forward (normal of the HJC-KJC-KNE plane).
        zt = hjc[side] - kjc
        xt = np.cross(zt, kne - kjc) * sgn
        thigh_R = frame_from_axes(zt, xt, "ZX")
        # Shank (ankle flexion axis): z up the tibia, x normal of the KJC-AJC-ANK plane.
        zs = kjc - ajc
        xs = np.cross(kjc - ajc_chord, ank - ajc_chord) * sgn
        shank_R = frame_from_axes(zs, xs, "ZX")
        torsion = np.deg2rad(subject.tibial_torsion_deg[side])
        shank_prox_R = shank_R @ elementary("z", -sgn * torsion)
        # Foot: z from the toe to the AJC, x = -(z × shank y), then the static offsets.
        zf = ajc - toe
        xf = -np.cross(zf, shank_R[:, :, 1])
        foot_tech = frame_from_axes(zf, xf, "ZX")
        spf = np.deg2rad(subject.static_plantar_flexion_deg[side])
        sro = np.deg2rad(subject.static_rotation_offset_deg[side])
        foot_R = foot_tech @ elementary("y", -spf) @ elementary("x", sgn * sro)

        thigh_ok = pelvis_ok & _valid(thi, kne)
        shank_ok = thigh_ok & _valid(tib, ank)
        foot_ok = shank_ok & _valid(toe)
        segments[f"{side}_thigh"] = Segment(f"{side}_thigh", thigh_R, kjc, thigh_ok)
        segments[f"{side}_shank"] = Segment(f"{side}_shank", shank_R, ajc, shank_ok)
        segments[f"{side}_shank_proximal"] = Segment(
            f"{side}_shank_proximal", shank_prox_R, ajc, shank_ok
        )
        segments[f"{side}_foot"] = Segment(f"{side}_foot", foot_R, ajc, foot_ok)
        joints[f"{side}_hip"] = hjc[side]
        joints[f"{side}_knee"] = kjc
        joints[f"{side}_ankle"] = ajc
        joints[f"{side}_toe"] = toe
        if p + "HEE" in markers:
            joints[f"{side}_heel"] = markers[p + "HEE"]

    progression = progression_frame(mid_asis, pelvis_R)
    return LowerBody(
        segments=segments,
        joints=joints,
        markers=markers,
        filled=filled,
        point_rate=trial.point_rate,
        progression=progression,
        subject=subject,
        hip_local=hip_local,
    )

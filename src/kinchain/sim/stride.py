"""The one stride a simulation tracks, taken from kinchain's processed trial (pure NumPy).

Coordinates of the planar model and their relation to Plug-in Gait
-------------------------------------------------------------------
The model works in OpenSim's ground frame: x forward (kinchain's progression direction), y up,
z to the right. All angles are in radians. Plug-in Gait (PiG) angles are in degrees.

==========================  ===================================================================
model coordinate            from kinchain (PiG signs: flexion, dorsiflexion, anterior tilt +)
==========================  ===================================================================
``pelvis_tilt``             ``-`` mean of ``LPelvisAngles`` and ``RPelvisAngles`` X (the model's
                            rotation about +z is positive with the front of the pelvis *up*,
                            i.e. posterior tilt)
``pelvis_tx``, ``pelvis_ty``  the stride side's hip joint centre, m: forward along the
                            progression direction (from the hips' midpoint at the stride's
                            start) and height above the lab floor (z = 0)
``hip_flexion_{l,r}``       ``{L,R}HipAngles`` X (flexion +)
``knee_flexion_{l,r}``      ``{L,R}KneeAngles`` X (flexion +)
``ankle_dorsiflexion_{l,r}``  ``{L,R}AnkleAngles`` X (dorsiflexion +)
==========================  ===================================================================

The angles and the pelvis position are then fitted, frame by frame, to the measured joint
centres and foot points in the sagittal plane (:mod:`kinchain.sim.planar_fit`), the pelvis at
the stride side's hip, and the feet placed on the floor (:func:`place_feet`).

Only the sagittal components are used: a planar model cannot follow hip ab/adduction, pelvic
obliquity or rotations, and the 3-D joint centres are projected on the sagittal plane of
progression. Net joint moments from kinchain's inverse dynamics (``{L,R}{Hip,Knee,Ankle}Moment``
X, internal, N·m/kg, extensor/plantarflexor positive) are kept for comparison with the
simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from kinchain.errors import InputError
from kinchain.gait.cycles import time_normalise
from kinchain.gait.cycles_types import N_POINTS, Cycle, Side
from kinchain.sim.planar_fit import FIT_POINTS, fit_planar_legs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from kinchain.analysis import GaitAnalysis
    from kinchain.process import TrialResult
    from kinchain.sim.restrictions import Restriction

__all__ = [
    "COORDINATES",
    "JOINTS",
    "SUPPORT_PENETRATION_M",
    "SWING_CLEARANCE_M",
    "FootGeometry",
    "StrideData",
    "choose_stride",
    "contact_heights",
    "coordinate_name",
    "default_stride_side",
    "forefoot_share",
    "lift_swing_feet",
    "place_feet",
    "stride_data",
    "swing_clearance",
]

FloatArray = NDArray[np.float64]
Joint = Literal["hip", "knee", "ankle"]
JOINTS: tuple[Joint, ...] = ("hip", "knee", "ankle")
_SUFFIX = {"left": "l", "right": "r"}
_PREFIX = {"left": "L", "right": "R"}
_COORD = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}
_PIG = {"hip": "HipAngles", "knee": "KneeAngles", "ankle": "AnkleAngles"}
#: Sign that turns a moment on the distal segment about the model's +z axis into Plug-in Gait's
#: sagittal sign (extensor / plantarflexor positive): hip and ankle flexion rotate the distal
#: segment about +z, knee flexion about -z.
_Z_SIGN = {"hip": -1.0, "knee": 1.0, "ankle": -1.0}

#: The model's nine coordinates, in model order.
COORDINATES: tuple[str, ...] = (
    "pelvis_tilt",
    "pelvis_tx",
    "pelvis_ty",
    "hip_flexion_r",
    "knee_flexion_r",
    "ankle_dorsiflexion_r",
    "hip_flexion_l",
    "knee_flexion_l",
    "ankle_dorsiflexion_l",
)


def coordinate_name(joint: Joint, side: Side) -> str:
    """Model coordinate of a joint and side, e.g. ``("knee", "left") -> "knee_flexion_l"``."""
    return f"{_COORD[joint]}_{_SUFFIX[side]}"


@dataclass(frozen=True)
class FootGeometry:
    """Where one foot's contact spheres sit, in the model's foot frame.

    The foot frame has its origin at the ankle joint centre and is aligned with the shank at
    zero ankle angle (x forward, y up when standing). Positions in m.

    Attributes
    ----------
    heel, forefoot
        ``(x, y)`` centres of the heel and forefoot contact spheres.
    heel_radius_m, forefoot_radius_m
        Sphere radii, m.
    length_m
        Horizontal ankle-to-toe-point distance on a flat foot, m (scales the foot's muscle
        attachments).
    markers
        ``{"heel": (x, y), "toe": (x, y)}``: kinchain's heel and toe points in the foot's
        frame, m, on the frame the spheres were placed from (what the planar fit of
        :mod:`kinchain.sim.planar_fit` places); empty when not known.
    """

    heel: tuple[float, float]
    forefoot: tuple[float, float]
    heel_radius_m: float
    forefoot_radius_m: float
    length_m: float
    markers: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class StrideData:
    """Everything the simulation needs from one measured stride (pure data, picklable).

    Attributes
    ----------
    side
        Whose stride it is (foot strike to the next foot strike of that foot).
    stride_index
        Index of the stride in kinchain's cycles of that side.
    start_frame, end_frame
        Zero-based, possibly fractional marker frames of the two foot strikes.
    duration_s
        Stride time, s.
    time_s
        ``(101,)`` times from 0 to ``duration_s``, s.
    coordinates
        Model coordinate -> ``(101,)`` measured value (rad; m for ``pelvis_tx``/``_ty``).
    foot_off_pct
        Side -> this foot's toe off, % of the stride (NaN if unknown).
    mass_kg, height_m
        Body mass, kg, and standing height, m (from the subject's measurements; the height
        falls back to leg length / 0.53 when missing, Winter's proportions).
    thigh_length_m, shank_length_m
        Side -> median hip-knee and knee-ankle joint-centre distance over the trial, m.
    feet
        Side -> :class:`FootGeometry`.
    grf
        ``(101, 2)`` measured ground reaction on the stride side's foot, N, ground frame (x
        forward, y up); zero in its swing. None when the stance was not on a clean force-plate
        contact (nothing to track then).
    cop_m
        ``(101,)`` measured centre of pressure under the stride side's foot, m, along the
        progression direction from that foot's ankle joint centre (forward positive); NaN
        where the foot is not on the plate. None with ``grf``.
    moments
        ``"{side}_{joint}"`` -> ``(101,)`` kinchain's inverse-dynamics net moment about the
        model's z axis (horizontal, perpendicular to the progression), N·m/kg,
        extensor/plantarflexor positive, NaN where not valid (off the plates): the 3-D moment
        vector projected on the axis the planar model turns about. Plug-in Gait's sagittal
        component (``{L,R}{Hip,Knee,Ankle}Moment`` X) is about the distal segment's own flexion
        axis, which hip rotation and ab/adduction tilt: on the demo stride the two differ by
        up to 0.23 N·m/kg at the hip in late stance and 0.14 at the knee at loading.
    normal_knee_flexion
        Side -> ``(101,)`` normal knee flexion over this stride, rad: the normative set's mean
        ``KneeAngles`` X of :func:`kinchain.analyze` (speed-matched), shifted for the opposite
        side by its foot strike in the stride; empty without a normative set.
    source
        Trial path and selection notes, for provenance.
    """

    side: Side
    stride_index: int
    start_frame: float
    end_frame: float
    duration_s: float
    time_s: FloatArray
    coordinates: dict[str, FloatArray]
    foot_off_pct: dict[str, float]
    mass_kg: float
    height_m: float
    thigh_length_m: dict[str, float]
    shank_length_m: dict[str, float]
    feet: dict[str, FootGeometry]
    grf: FloatArray | None
    cop_m: FloatArray | None = None
    moments: dict[str, FloatArray] = field(default_factory=dict)
    normal_knee_flexion: dict[str, FloatArray] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)

    @property
    def stance_pct(self) -> float:
        """The stride side's stance, % of the stride (its foot off)."""
        return self.foot_off_pct[self.side]


#: Floor penetration of the lowest contact sphere in the corrected pelvis height, m (about
#: what one sphere of :mod:`kinchain.sim.model` needs to carry half the body weight).
SUPPORT_PENETRATION_M = 0.006
#: Least height of a swinging foot's contact spheres above the floor in the tracked
#: reference, m (see :func:`swing_clearance`).
SWING_CLEARANCE_M = 0.005
#: How fast the least height of a swinging foot rises after its foot off and falls before its
#: foot strike, m/s (see :func:`swing_clearance`; a foot leaves and reaches the floor at
#: least this fast).
SWING_CLEARANCE_RATE_M_S = 0.25


def swing_clearance(
    time_s: FloatArray, swing: tuple[float, float], duration_s: float
) -> FloatArray:
    """The least height of a foot's contact spheres over the stride, m above the floor.

    Parameters
    ----------
    time_s
        ``(n,)`` times from 0 to ``duration_s``, s.
    swing
        ``(foot off, foot strike)`` of the foot, % of the stride; a swing that wraps past the
        stride's end (foot off after foot strike) is the foot's swing across the stride's
        boundary.
    duration_s
        Stride time, s.

    Returns
    -------
    ndarray
        ``(n,)`` heights, m: ``-inf`` in stance (no bound); in swing ``-SUPPORT_PENETRATION_M``
        at the foot off and the foot strike, rising from there at
        :data:`SWING_CLEARANCE_RATE_M_S` to :data:`SWING_CLEARANCE_M`.
    """
    off, strike = (v / 100.0 * duration_s for v in swing)
    if strike >= off:
        inside = (time_s > off) & (time_s < strike)
    else:  # the swing crosses the stride's end
        inside = (time_s > off) | (time_s < strike)
    since_off = (time_s - off) % duration_s
    to_strike = (strike - time_s) % duration_s
    ramp = -SUPPORT_PENETRATION_M + SWING_CLEARANCE_RATE_M_S * np.minimum(since_off, to_strike)
    return np.where(inside, np.minimum(SWING_CLEARANCE_M, ramp), -np.inf)


def lift_swing_feet(
    coordinates: dict[str, FloatArray],
    thigh_length_m: dict[str, float],
    shank_length_m: dict[str, float],
    feet: dict[str, FootGeometry],
    least_m: Mapping[str, FloatArray],
) -> tuple[dict[str, FloatArray], dict[str, float]]:
    """Change a swinging leg's angles by the least amount that keeps its foot off the floor.

    The planar chain driven by the measured sagittal angles (the 3-D leg seen in one plane,
    with the pelvis height set by the supporting foot) can put a swinging foot a few
    millimetres into the floor, most often the heel in terminal swing, when the real foot
    passes a few millimetres above it. Tracked as it is, that reference asks the simulation
    for a foot strike before the measured one (on the demo trial at 88 % of the stride
    instead of 100 %), which the measured ground reaction contradicts; the simulation then
    landed early, rose, and walked the measured stance on its forefoot. Where a sphere of a
    foot is below ``least_m`` (see :func:`swing_clearance`), the hip, knee and ankle angles
    of that leg change, frame by frame, by Gauss-Newton steps on the planar forward
    kinematics: each the minimum-norm change (radians, the three joints alike) that puts the
    spheres at or within 0.1 mm of the least height exactly at it, until none is below it
    (0.01 mm).

    Returns
    -------
    coordinates, changed
        The new coordinates (the input is not changed) and, per side, the largest change of
        any of the leg's three angles, degrees (0 where nothing was needed).
    """
    out = {k: v.copy() for k, v in coordinates.items()}
    changed: dict[str, float] = {"left": 0.0, "right": 0.0}
    tol = 1e-5
    for side, least in least_m.items():
        names = [coordinate_name(j, side) for j in JOINTS]  # type: ignore[arg-type]

        def spheres(
            k: int, q: FloatArray, side: str = side, names: list[str] = names
        ) -> FloatArray:
            frame = {c: v[k : k + 1] for c, v in out.items()}
            frame.update({c: np.array([q[i]]) for i, c in enumerate(names)})
            h = contact_heights(frame, thigh_length_m, shank_length_m, feet)
            return np.array([h[f"{side}_heel"][0], h[f"{side}_forefoot"][0]])

        for k in map(int, np.flatnonzero(np.isfinite(least))):
            q0 = np.array([out[c][k] for c in names])
            q = q0.copy()
            for _ in range(20):
                h = spheres(k, q)
                if not (h < least[k] - tol).any():
                    break
                step = 1e-6
                jac = np.column_stack(
                    [(spheres(k, q + step * np.eye(3)[i]) - h) / step for i in range(3)]
                )
                active = h < least[k] + 10 * tol  # the spheres held at the least height
                q = q + np.linalg.pinv(jac[active]) @ (least[k] - h[active])
            for i, c in enumerate(names):
                out[c][k] = q[i]
            changed[side] = max(changed[side], float(np.degrees(np.abs(q - q0).max())))
    return out, changed


def place_feet(
    coordinates: dict[str, FloatArray],
    thigh_length_m: dict[str, float],
    shank_length_m: dict[str, float],
    feet: dict[str, FootGeometry],
    swings: Mapping[str, tuple[float, float]],
    time_s: FloatArray,
) -> tuple[dict[str, FloatArray], dict[str, float], FloatArray]:
    """Put the planar model's feet on the floor where the trial says they were.

    The planar chain with the measured (3-D, projected) angles does not put the feet exactly
    on the floor: the pelvis height is corrected, frame by frame, so that the lowest contact
    sphere sinks :data:`SUPPORT_PENETRATION_M` into the floor (some foot is always on the
    ground in walking); then a swinging foot that the correction leaves in the floor is
    lifted out of it by its leg's angles (:func:`lift_swing_feet`, with
    :func:`swing_clearance`).

    Parameters
    ----------
    swings
        Side -> ``(foot off, foot strike)``, % of the stride; a side whose events are not
        finite is not lifted.
    time_s
        ``(n,)`` times over the stride, s (the last one is its duration).

    Returns
    -------
    coordinates, lifted, correction
        The new coordinates (the input is not changed); per side, the largest change of a
        leg angle, degrees; the pelvis height correction, ``(n,)`` m.
    """
    out = dict(coordinates)
    heights = contact_heights(out, thigh_length_m, shank_length_m, feet)
    lowest = np.min(np.stack(list(heights.values())), axis=0)
    correction = -(lowest + SUPPORT_PENETRATION_M)
    out["pelvis_ty"] = out["pelvis_ty"] + correction
    duration = float(time_s[-1])
    least = {
        s: swing_clearance(time_s, sw, duration) for s, sw in swings.items() if all(np.isfinite(sw))
    }
    out, lifted = lift_swing_feet(out, thigh_length_m, shank_length_m, feet, least)
    return out, lifted, correction


def _segment_angles(
    coordinates: Mapping[str, FloatArray], side: Side
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Absolute angles of one leg's thigh, shank and foot in the model, rad about +z."""
    thigh = coordinates["pelvis_tilt"] + coordinates[coordinate_name("hip", side)]
    shank = thigh - coordinates[coordinate_name("knee", side)]
    return thigh, shank, shank + coordinates[coordinate_name("ankle", side)]


def contact_heights(
    coordinates: dict[str, FloatArray],
    thigh_length_m: dict[str, float],
    shank_length_m: dict[str, float],
    feet: dict[str, FootGeometry],
) -> dict[str, FloatArray]:
    """Height of the bottom of each contact sphere above the floor, m (planar forward
    kinematics of the model).

    Returns
    -------
    dict
        ``"{side}_heel"``, ``"{side}_forefoot"`` -> ``(n,)`` heights, m (negative: in the floor).
    """

    def down(angle: FloatArray, length: float) -> FloatArray:
        # Height change along the body's -y axis (length L) rotated by ``angle`` about +z.
        return np.asarray(-length * np.cos(angle))

    out: dict[str, FloatArray] = {}
    y0 = coordinates["pelvis_ty"]
    sides: tuple[Side, Side] = ("left", "right")
    for side in sides:
        a1, a2, a3 = _segment_angles(coordinates, side)
        ay = y0 + down(a1, thigh_length_m[side]) + down(a2, shank_length_m[side])
        foot = feet[side]
        for where, (cx, cy), r in (
            ("heel", foot.heel, foot.heel_radius_m),
            ("forefoot", foot.forefoot, foot.forefoot_radius_m),
        ):
            out[f"{side}_{where}"] = ay + np.sin(a3) * cx + np.cos(a3) * cy - r
    return out


def forefoot_share(stride: StrideData) -> FloatArray:
    """The part of the measured ground reaction that the forefoot sphere carries, by the lever
    rule: the share that puts the centre of pressure of the heel and forefoot spheres' forces
    where the force plate measured it.

    The spheres' contact points are taken under their centres, with the foot at the angle of
    the tracked reference (``stride.coordinates``); a centre of pressure behind the heel
    sphere (ahead of the forefoot sphere) gives 0 (1). Where the foot is off the plate (no
    measured centre of pressure) the share is 0.5; the force tracked there is zero.

    Returns
    -------
    numpy.ndarray
        ``(101,)`` share of the force on the forefoot sphere, 0..1 (the heel's is 1 minus it).
    """
    n = len(stride.time_s)
    if stride.cop_m is None:
        return np.full(n, 0.5)
    foot_angle = _segment_angles(stride.coordinates, stride.side)[2]
    foot = stride.feet[stride.side]

    def ahead(point: tuple[float, float]) -> FloatArray:
        # Horizontal offset from the ankle of a point of the foot, m (rotation about +z).
        return np.asarray(np.cos(foot_angle) * point[0] - np.sin(foot_angle) * point[1])

    heel, fore = ahead(foot.heel), ahead(foot.forefoot)
    with np.errstate(invalid="ignore"):
        share = np.clip((stride.cop_m - heel) / (fore - heel), 0.0, 1.0)
    return np.where(np.isfinite(share), share, 0.5)


def default_stride_side(analysis: GaitAnalysis, restrictions: Iterable[Restriction]) -> Side:
    """Whose stride to simulate when none is named: the restricted side when the restrictions
    name one side only; else the first side (left, then right) with a stride whose kinetics are
    valid (a force-plate stance, so that the baseline can be checked against the measured
    moments); else the left. The rule of ``kinchain whatif``, the web app and batch runs."""
    sides = {s for r in restrictions for s in r.sides()}
    if len(sides) == 1:
        only: Side = sides.pop()
        return only
    both: tuple[Side, Side] = ("left", "right")
    for side in both:
        if any(c.kinetics_valid for c in analysis.cycles[side].cycles):
            return side
    return "left"


def choose_stride(analysis: GaitAnalysis, side: Side, *, prefer_kinetics: bool = True) -> int:
    """Index of the representative stride of ``side``.

    The stride whose sagittal hip, knee and ankle angles lie nearest (RMS over the stride,
    degrees) to the median curve of the side's usable strides. With ``prefer_kinetics`` the
    choice is made among strides with valid kinetics when there is any (so that the ground
    reaction can be tracked and the moments compared).

    Raises
    ------
    InputError
        When the side has no usable stride.
    """
    cset = analysis.cycles[side]
    usable = [i for i, c in enumerate(cset.cycles) if c.valid and not c.outlier]
    if not usable:
        raise InputError(f"{side} strides", "no usable stride to simulate")
    kinetic = [i for i in usable if cset.cycles[i].kinetics_valid]
    pool = kinetic if prefer_kinetics and kinetic else usable
    p = _PREFIX[side]
    curves = np.stack([cset.curves[f"{p}{_PIG[j]}"][:, :, 0] for j in JOINTS], axis=-1)
    median = np.nanmedian(curves[usable], axis=0)
    err = [float(np.sqrt(np.nanmean((curves[i] - median) ** 2))) for i in pool]
    return pool[int(np.argmin(err))]


def _sagittal(progression: FloatArray, points: FloatArray) -> FloatArray:
    """Lab points ``(n, 3)`` -> ``(n, 2)`` (forward, up) in the progression frame."""
    return np.stack([points @ progression[:, 0], points @ progression[:, 2]], axis=-1)


def _median_distance(a: FloatArray, b: FloatArray, what: str) -> float:
    d = np.linalg.norm(a - b, axis=1)
    d = d[np.isfinite(d)]
    if d.size == 0:
        raise InputError(what, "no frame with both joint centres to measure its length")
    return float(np.median(d))


def _foot_geometry(
    result: TrialResult, side: Side, coords_deg: dict[str, FloatArray]
) -> FootGeometry:
    """Contact spheres from the heel and toe points on the flattest, lowest frame of the foot."""
    j = result.model.joints
    prog = result.model.progression
    heel = _sagittal(prog, j.get(f"{side}_heel", j[f"{side}_ankle"]))
    toe = _sagittal(prog, j[f"{side}_toe"])
    ankle = _sagittal(prog, j[f"{side}_ankle"])
    score = heel[:, 1] + toe[:, 1] + np.abs(heel[:, 1] - toe[:, 1])
    angles = np.column_stack([v for v in coords_deg.values()])
    score = np.where(np.isfinite(angles).all(axis=1), score, np.nan)
    if not np.isfinite(score).any():
        raise InputError(f"{side} foot", "no frame with heel, toe and angles to place the foot")
    k = int(np.nanargmin(score))
    # Foot orientation in the model, frame by frame, from the angles (rad, about +z).
    every = np.deg2rad(
        -coords_deg["pelvis_tilt"] + coords_deg["hip"] - coords_deg["knee"] + coords_deg["ankle"]
    )
    phi = every[k]
    c, s = np.cos(-phi), np.sin(-phi)
    rot = np.array([[c, -s], [s, c]])
    heel_r, fore_r = 0.035, 0.015
    heel_c = np.array([heel[k, 0] + 0.01, heel_r]) - ankle[k]
    fore_c = np.array([toe[k, 0], fore_r]) - ankle[k]
    h, f = rot @ heel_c, rot @ fore_c
    # The points in the foot's frame: their median over the trial (they move with the foot).
    cos, sin = np.cos(every)[:, None], np.sin(every)[:, None]
    markers = {}
    for name, p in (("heel", heel), ("toe", toe)):
        d = p - ankle
        local = np.hstack([cos * d[:, :1] + sin * d[:, 1:], -sin * d[:, :1] + cos * d[:, 1:]])
        markers[name] = np.nanmedian(local, axis=0)
    return FootGeometry(
        heel=(float(h[0]), float(h[1])),
        forefoot=(float(f[0]), float(f[1])),
        heel_radius_m=heel_r,
        forefoot_radius_m=fore_r,
        length_m=float(abs(toe[k, 0] - ankle[k, 0])),
        markers={name: (float(v[0]), float(v[1])) for name, v in markers.items()},
    )


def _fit_to_points(
    coords: dict[str, FloatArray],
    result: TrialResult,
    norm: Callable[[FloatArray], FloatArray],
    thigh: dict[str, float],
    shank: dict[str, float],
    feet: dict[str, FootGeometry],
    side: Side,
    start_x: float,
) -> tuple[dict[str, FloatArray], float]:
    """The stride's coordinates fitted to the measured points (:func:`fit_planar_legs`),
    started from the Plug-in Gait angles; frames with a missing point keep those angles.

    The planar model has both hips at one point, where pelvic rotation moves them apart
    fore and aft (on the demo stride by up to 1.4 cm each from their midpoint). The pelvis is
    placed at the stride side's hip: that leg keeps its measured lever arms about the hip
    (on the demo, the planar model's own inverse dynamics then agrees with kinchain's 3-D hip
    moment within 0.15 N·m/kg RMS over the stance instead of 0.26), and the other leg's
    angles take up its hip's offset.

    ``start_x`` is where ``pelvis_tx`` counts from: the hips' midpoint along the progression at
    the stride's start, m.

    Returns the new coordinates and the fit's RMS residual, m (NaN when nothing was fitted)."""
    j = result.model.joints
    prog = result.model.progression
    points: dict[str, FloatArray] = {}
    for s in ("left", "right"):
        for name in FIT_POINTS:
            key = f"{s}_{name}"
            if name == "hip":
                where = j[f"{side}_hip"]
            elif name == "heel":
                where = j.get(key, j[f"{s}_ankle"])
            else:
                where = j[key]
            points[key] = norm(_sagittal(prog, where))
    ok = np.all([np.isfinite(v).all(axis=1) for v in points.values()], axis=0)
    out = dict(coords)
    if not ok.any() or any(not feet[s].markers for s in ("left", "right")):
        return out, math.nan
    fit = fit_planar_legs(
        {k: v[ok] for k, v in points.items()},
        coords["pelvis_tilt"][ok],
        {k: v[ok] for k, v in coords.items()},
        thigh,
        shank,
        {s: feet[s].markers for s in ("left", "right")},
    )
    for name, values in fit.coordinates.items():
        merged = out[name].copy()
        merged[ok] = values - start_x if name == "pelvis_tx" else values
        out[name] = merged
    return out, fit.residual_rms_m


def stride_data(
    analysis: GaitAnalysis,
    side: Side = "left",
    *,
    stride_index: int | None = None,
    prefer_kinetics: bool = True,
) -> StrideData:
    """Extract the stride to simulate from an analysed trial.

    Parameters
    ----------
    analysis
        From :func:`kinchain.analyze` (its processed trial, events and cycles are used).
    side
        The stride's side: foot strike to next foot strike of this foot.
    stride_index
        A given stride of that side; None chooses one with :func:`choose_stride`.
    prefer_kinetics
        Passed to :func:`choose_stride`.

    Returns
    -------
    StrideData

    Raises
    ------
    InputError
        Without a body mass, without usable strides, or when a needed output is missing.
    """
    result = analysis.result
    subject = result.model.subject
    if not (subject.mass_kg and subject.mass_kg > 0):
        raise InputError("subject.mass_kg", "a body mass is needed to simulate")
    idx = (
        stride_index
        if stride_index is not None
        else choose_stride(analysis, side, prefer_kinetics=prefer_kinetics)
    )
    cycles = analysis.cycles[side].cycles
    if not 0 <= idx < len(cycles):
        raise InputError("stride_index", f"{side} has {len(cycles)} strides, got {idx}")
    cyc: Cycle = cycles[idx]
    rate = result.trial.point_rate
    out = result.outputs

    def norm(values: FloatArray) -> FloatArray:
        return time_normalise(values, cyc.start, cyc.end, N_POINTS)

    def pig(label: str) -> FloatArray:
        if label not in out:
            raise InputError(label, "kinchain output missing: cannot simulate")
        return out[label][:, 0]

    tilts = np.stack([pig("LPelvisAngles"), pig("RPelvisAngles")])
    seen = np.isfinite(tilts)
    count = seen.sum(axis=0)
    # The mean of the sides that have a value; NaN (not a warning) where neither has one.
    tilt_deg = np.where(
        count > 0, np.where(seen, tilts, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan
    )
    coords: dict[str, FloatArray] = {"pelvis_tilt": -np.deg2rad(norm(tilt_deg))}
    j = result.model.joints
    prog = result.model.progression
    hips = _sagittal(prog, 0.5 * (j["left_hip"] + j["right_hip"]))
    hips_n = norm(hips)
    coords["pelvis_tx"] = hips_n[:, 0] - hips_n[0, 0]
    coords["pelvis_ty"] = hips_n[:, 1]
    for s in ("right", "left"):
        for joint in JOINTS:
            coords[coordinate_name(joint, s)] = np.deg2rad(norm(pig(f"{_PREFIX[s]}{_PIG[joint]}")))
    coords = {name: coords[name] for name in COORDINATES}
    for name, values in coords.items():
        if not np.isfinite(values).all():
            raise InputError(f"{side} stride {idx}", f"{name} has missing values in the stride")

    feet: dict[str, FootGeometry] = {}  # filled below; the pelvis height is corrected after
    thigh: dict[str, float] = {}
    shank: dict[str, float] = {}
    for s in ("left", "right"):
        p = _PREFIX[s]
        thigh[s] = _median_distance(j[f"{s}_hip"], j[f"{s}_knee"], f"{s} thigh")
        shank[s] = _median_distance(j[f"{s}_knee"], j[f"{s}_ankle"], f"{s} shank")
        feet[s] = _foot_geometry(
            result,
            s,  # type: ignore[arg-type]
            {
                "pelvis_tilt": tilt_deg,
                "hip": pig(f"{p}HipAngles"),
                "knee": pig(f"{p}KneeAngles"),
                "ankle": pig(f"{p}AnkleAngles"),
            },
        )

    measured = coords
    coords, fit_rms = _fit_to_points(
        coords, result, norm, thigh, shank, feet, side, float(hips_n[0, 0])
    )

    span = cyc.end - cyc.start
    other: Side = "right" if side == "left" else "left"
    foot_off: dict[str, float] = {
        side: (cyc.foot_off - cyc.start) / span * 100.0,
        other: (cyc.opposite_foot_off - cyc.start) / span * 100.0,
    }
    opposite_strike = (cyc.opposite_foot_strike - cyc.start) / span * 100.0
    duration = span / rate
    time_s = np.linspace(0.0, duration, N_POINTS)
    swings: dict[str, tuple[float, float]] = {
        side: (foot_off[side], 100.0),
        other: (foot_off[other], opposite_strike),
    }

    coords, lifted, correction = place_feet(coords, thigh, shank, feet, swings, time_s)
    legs = [c for c in COORDINATES if not c.startswith("pelvis")]
    change = np.degrees(np.concatenate([coords[c] - measured[c] for c in legs]))

    from kinchain.process import lab_joint_moment

    moments: dict[str, FloatArray] = {}
    # The model's z axis in the lab: horizontal, perpendicular to the progression.
    axis = np.cross(prog[:, 0], prog[:, 2])
    for s in ("left", "right"):
        for joint in JOINTS:
            label = f"{_PREFIX[s]}{joint.capitalize()}Moment"
            if label in out:
                about_z = lab_joint_moment(result, s, joint.capitalize()) @ axis
                values = np.where(result.valid[label], _Z_SIGN[joint] * about_z, np.nan)
                moments[f"{s}_{joint}"] = norm(values)

    grf: FloatArray | None = None
    cop: FloatArray | None = None
    reaction = result.grf.get(side)
    if cyc.kinetics_valid and reaction is not None:
        force = np.where(reaction.on_plate[:, None], reaction.force, 0.0)
        force = np.nan_to_num(force)
        grf = norm(np.column_stack([force @ prog[:, 0], force @ prog[:, 2]]))
        ahead = (reaction.cop - j[f"{side}_ankle"]) @ prog[:, 0]
        cop = norm(np.where(reaction.on_plate, ahead, np.nan))

    normal: dict[str, FloatArray] = {}
    if analysis.normative is not None and analysis.normative.has("KneeAngles"):
        curve = np.deg2rad(analysis.normative.mean_of("KneeAngles")[:, 0])
        if np.isfinite(curve).all():
            normal[side] = curve
            shift = opposite_strike / 100.0
            if np.isfinite(shift):
                # The opposite stride starts at its foot strike: phase p of ours is its p - shift.
                phase = (np.linspace(0.0, 1.0, N_POINTS) - shift) % 1.0
                normal[other] = np.interp(phase, np.linspace(0.0, 1.0, N_POINTS), curve)

    height = subject.height_m or float(np.mean(list(subject.leg_length_m.values()))) / 0.53
    return StrideData(
        side=side,
        stride_index=idx,
        start_frame=float(cyc.start),
        end_frame=float(cyc.end),
        duration_s=float(duration),
        time_s=time_s,
        coordinates=coords,
        foot_off_pct=foot_off,
        mass_kg=float(subject.mass_kg),
        height_m=float(height),
        thigh_length_m=thigh,
        shank_length_m=shank,
        feet=feet,
        grf=grf,
        cop_m=cop,
        moments=moments,
        normal_knee_flexion=normal,
        source={
            "trial": result.trial.path,
            "trial_sha256": result.trial.sha256,
            "stride": f"{side} stride {idx} (frames {cyc.start:.1f}-{cyc.end:.1f})",
            "kinetics": "tracked ground reaction" if grf is not None else "no clean contact",
            "pelvis_height_correction_m": (
                f"{correction.min():+.3f} to {correction.max():+.3f} "
                f"(median {np.median(correction):+.3f})"
            ),
            "planar_fit": (
                f"{fit_rms * 1000:.1f} mm RMS from the measured points, pelvis at the {side} hip"
            ),
            "angle_change_deg": (
                f"{np.sqrt(np.mean(change**2)):.1f} RMS, largest {np.abs(change).max():.1f}"
            ),
            "swing_foot_lift_deg": ", ".join(f"{s} {lifted[s]:.1f}" for s in ("left", "right")),
        },
    )

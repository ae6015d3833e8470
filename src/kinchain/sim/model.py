"""The planar musculoskeletal model, built in code from a measured stride.

Ten degrees of freedom in the sagittal plane: the pelvis moves on the ground with a planar joint
(``pelvis_tilt``, ``pelvis_tx``, ``pelvis_ty``); the torso (head, arms and trunk) turns on it at
a lumbar joint (``lumbar_extension``); per leg a hinge at the hip, knee and ankle
(``hip_flexion``, ``knee_flexion``, ``ankle_dorsiflexion``; see :mod:`kinchain.sim.stride` for
the signs). Segment lengths are the subject's (kinchain's joint centres, per side); masses and
inertias are kinchain's body-segment parameters (:func:`kinchain.kinetics.bsip.segment_parameters`,
Winter's radii of gyration about the centre of mass) scaled by body mass, pelvis and torso
together taking the rest of the body mass (see :mod:`kinchain.sim.params`).

Actuators: nine :class:`DeGrooteFregly2016Muscle` per leg (rigid tendon, activation dynamics
with 15/60 ms time constants, the OpenSim defaults), parameters from :mod:`kinchain.sim.params`;
a torque at the lumbar joint (``trunk_torque``, :data:`TRUNK_OPTIMAL_FORCE` N·m) for the
trunk's muscles; a reserve torque on every leg joint coordinate (``reserve_<coordinate>``,
optimal force :data:`RESERVE_OPTIMAL_FORCE` N·m) and pelvis residuals (``residual_<coordinate>``,
:data:`RESIDUAL_OPTIMAL_FORCE` N or N·m). Their controls are in the effort goal like the
muscle excitations, so using them costs (control)²: a reserve delivering 10 N·m costs as
much as one fully excited muscle; a residual force costs 30 times more
(:attr:`kinchain.sim.problem.SolverSettings.residual_weight`), the residual moment 0.6 times
as much (:attr:`~kinchain.sim.problem.SolverSettings.residual_moment_weight`: it stands for
the upper body's motion that the model lacks). Their RMS and peak are reported with every
result, and a baseline whose residuals exceed OpenSim's guidance is not predicted from
(:mod:`kinchain.sim.validity`).

Foot-ground contact: two :class:`SmoothSphereHalfSpaceForce` per foot (heel, radius 35 mm;
forefoot, 15 mm; placed from the subject's heel and toe points, :mod:`kinchain.sim.stride`)
against a floor at height 0, with the parameters of Falisse et al. 2019 (PLOS One
14:e0217730; the contact of OpenSim's 2-D gait example) except the stiffness: dissipation
2 s/m, static and dynamic friction 0.8, viscous friction 0.5, transition velocity 0.2 m/s, and
stiffness 1e7 N/m instead of their 1e6 (they use six spheres per foot; with two, 1e6 needed
about 25 mm of penetration to carry body weight, measured on the demo subject, and the
tracking problem did not converge; with 1e7 about 8 mm).

OpenSim is imported lazily: importing this module works without it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kinchain.kinetics.bsip import SegmentName, segment_parameters
from kinchain.sim import params as P
from kinchain.sim.stride import StrideData

__all__ = [
    "CONTACT_PARAMETERS",
    "LUMBAR",
    "RESERVE_OPTIMAL_FORCE",
    "RESIDUAL_OPTIMAL_FORCE",
    "TRUNK_OPTIMAL_FORCE",
    "build_model",
    "muscle_path_length",
    "require_opensim",
    "segment_masses",
]

#: Optimal force of the joint reserve torques, N·m (control 1 = this torque).
RESERVE_OPTIMAL_FORCE = 10.0
#: Optimal force of the pelvis residuals, N (tx, ty) or N·m (tilt).
RESIDUAL_OPTIMAL_FORCE = 100.0
#: The lumbar joint's coordinate (trunk on pelvis; extension positive, about +z).
LUMBAR = "lumbar_extension"
#: Optimal torque of the trunk's actuator at the lumbar joint, N·m (control 1 = this torque). It
#: stands for the back and abdominal muscles, which the model does not have; its control is in
#: the effort goal like a muscle's excitation (at 50 N·m it costs a quarter of a fully excited
#: muscle).
TRUNK_OPTIMAL_FORCE = 100.0
#: Smooth sphere-half-space contact parameters (Falisse et al. 2019).
CONTACT_PARAMETERS: dict[str, float] = {
    "stiffness": 1.0e7,
    "dissipation": 2.0,
    "static_friction": 0.8,
    "dynamic_friction": 0.8,
    "viscous_friction": 0.5,
    "transition_velocity": 0.2,
    "hertz_smoothing": 300.0,
    "hunt_crossley_smoothing": 50.0,
}
#: Range of each leg joint's coordinate, degrees (flexion and dorsiflexion positive): the
#: solver's bounds unless a restriction narrows them.
JOINT_RANGES_DEG: dict[str, tuple[float, float]] = {
    "hip_flexion": (-60.0, 120.0),
    "knee_flexion": (-15.0, 140.0),
    "ankle_dorsiflexion": (-60.0, 45.0),
}
_SUFFIX = {"left": "l", "right": "r"}
INSTALL_HINT = 'the simulation needs OpenSim: pip install "kinchain[sim]"'


def require_opensim() -> Any:
    """Import and return the ``opensim`` module, or raise a clear error saying how to install it.

    Raises
    ------
    kinchain.errors.ProcessingError
        When OpenSim (with Moco) is not installed.
    """
    from kinchain.errors import ProcessingError

    try:
        import opensim
    except ImportError:
        raise ProcessingError(INSTALL_HINT) from None
    if not hasattr(opensim, "MocoStudy"):
        raise ProcessingError(INSTALL_HINT + " (this opensim has no Moco)")
    opensim.Logger.setLevelString("error")
    return opensim


def segment_masses(mass_kg: float) -> dict[str, float]:
    """Segment masses, kg: ``thigh``, ``shank``, ``foot`` (each leg) from kinchain's BSIP and
    ``hat`` the rest, so that ``hat + 2 (thigh + shank + foot) == mass_kg``."""
    names: tuple[SegmentName, ...] = ("thigh", "shank", "foot")
    legs: dict[str, float] = {
        name: segment_parameters(name, mass_kg, np.zeros((1, 3)), np.ones((1, 3))).mass_kg
        for name in names
    }
    return {**legs, "hat": mass_kg - 2.0 * sum(legs.values())}


def _inertia_z(name: str, mass_kg: float, length_m: float) -> float:
    """Sagittal moment of inertia about the centre of mass, kg·m² (BSIP, Winter's radii)."""
    seg = segment_parameters(
        name,  # type: ignore[arg-type]
        mass_kg,
        np.array([[0.0, 0.0, length_m]]),
        np.zeros((1, 3)),
        radii="winter_com",
    )
    return float(seg.inertia_local[0, 0])


def _scales(stride: StrideData, side: str) -> dict[str, float]:
    thigh = stride.thigh_length_m[side] / P.REF_THIGH_LENGTH_M
    shank = stride.shank_length_m[side] / P.REF_SHANK_LENGTH_M
    foot = stride.feet[side].length_m / P.REF_FOOT_LENGTH_M
    legs = [
        (stride.thigh_length_m[s] + stride.shank_length_m[s])
        / (P.REF_THIGH_LENGTH_M + P.REF_SHANK_LENGTH_M)
        for s in ("left", "right")
    ]
    return {"pelvis": float(np.mean(legs)), "femur": thigh, "tibia": shank, "calcn": foot}


def _local_point(
    segment: str, loc: tuple[float, float, float], scale: float, mirror: bool
) -> tuple[float, float, float]:
    """A reference-model via point -> the kinchain model body frame (origin at the joint)."""
    x, y, z = loc
    if segment == "pelvis":
        x, y = x - P.REF_HIP_IN_PELVIS[0], y - P.REF_HIP_IN_PELVIS[1]
    elif segment == "calcn":
        x, y, z = (
            x + P.REF_CALCN_IN_TALUS[0],
            y + P.REF_CALCN_IN_TALUS[1],
            z + P.REF_CALCN_IN_TALUS[2],
        )
    return (x * scale, y * scale, (-z if mirror else z) * scale)


def _default_pose_position(
    segment: str, point: tuple[float, float, float], thigh: float, shank: float
) -> np.ndarray:
    """Position at the default pose (all angles 0) relative to the hip, m."""
    p = np.array(point, dtype=float)
    if segment == "tibia":
        p[1] -= thigh
    elif segment == "calcn":
        p[1] -= thigh + shank
    return p


def muscle_path_length(
    muscle: str,
    scales: Mapping[str, float] | None = None,
    thigh_m: float | None = None,
    shank_m: float | None = None,
) -> float:
    """Musculotendon length at the default pose (all joint angles 0), m, for the reference
    model (no arguments) or a scaled one (segment scales and the thigh, shank lengths)."""
    scales = scales or {"pelvis": 1.0, "femur": 1.0, "tibia": 1.0, "calcn": 1.0}
    thigh = thigh_m if thigh_m is not None else P.REF_THIGH_LENGTH_M
    shank = shank_m if shank_m is not None else P.REF_SHANK_LENGTH_M
    pts = [
        _default_pose_position(seg, _local_point(seg, loc, scales[seg], False), thigh, shank)
        for seg, loc in P.MUSCLES[muscle].path
    ]
    return float(sum(np.linalg.norm(b - a) for a, b in itertools.pairwise(pts)))


def build_model(
    stride: StrideData,
    *,
    strength: Mapping[str, float] | None = None,
) -> Any:
    """Build the planar model of one subject (an ``opensim.Model``, systems not initialised).

    Parameters
    ----------
    stride
        The measured stride (segment lengths, foot geometry, mass, height).
    strength
        Muscle name with side suffix (``"soleus_l"``) -> factor on its maximum isometric force
        (1 when absent); used for plantarflexor weakness.

    Returns
    -------
    opensim.Model
    """
    osim = require_opensim()
    strength = strength or {}
    m = stride.mass_kg
    masses = segment_masses(m)
    model = osim.Model()
    model.setName("kinchain_planar_10dof_18musc")
    model.setGravity(osim.Vec3(0.0, -9.80665, 0.0))
    ground = model.getGround()

    hat_len = P.HAT_LENGTH_PER_HEIGHT * stride.height_m
    scale = _scales(stride, "left")["pelvis"]
    pelvis_m = P.PELVIS_SHARE_OF_HAT * masses["hat"]
    torso_m = masses["hat"] - pelvis_m
    pelvis_com = P.REF_PELVIS_COM_ABOVE_HIP * scale
    lumbar = np.array(P.REF_LUMBAR_FROM_HIP) * scale
    # The torso's centre of mass keeps Winter's HAT centre of mass at lumbar_extension = 0.
    hat_com = np.array([0.0, P.HAT_COM_ABOVE_HIP * hat_len])
    torso_com = (masses["hat"] * hat_com - pelvis_m * np.array([0.0, pelvis_com])) / torso_m
    pelvis_i = pelvis_m * (P.REF_PELVIS_GYRATION_M * scale) ** 2
    torso_i = torso_m * (P.REF_TORSO_GYRATION_M * scale) ** 2
    pelvis = osim.Body(
        "pelvis",
        pelvis_m,
        osim.Vec3(0.0, pelvis_com, 0.0),
        osim.Inertia(pelvis_i, pelvis_i, pelvis_i),
    )
    model.addBody(pelvis)
    torso = osim.Body(
        "torso",
        torso_m,
        osim.Vec3(*(torso_com - lumbar), 0.0),
        osim.Inertia(torso_i, torso_i, torso_i),
    )
    model.addBody(torso)
    root = osim.PlanarJoint(
        "ground_pelvis", ground, osim.Vec3(0), osim.Vec3(0), pelvis, osim.Vec3(0), osim.Vec3(0)
    )
    for k, name in enumerate(("pelvis_tilt", "pelvis_tx", "pelvis_ty")):
        c = root.upd_coordinates(k)
        c.setName(name)
    root.upd_coordinates(0).setRangeMin(-math.pi / 2)
    root.upd_coordinates(0).setRangeMax(math.pi / 2)
    root.upd_coordinates(1).setRangeMin(-5.0)
    root.upd_coordinates(1).setRangeMax(10.0)
    root.upd_coordinates(2).setRangeMin(0.0)
    root.upd_coordinates(2).setRangeMax(2.0)
    model.addJoint(root)
    back = osim.PinJoint(
        "back", pelvis, osim.Vec3(*lumbar, 0.0), osim.Vec3(0), torso, osim.Vec3(0), osim.Vec3(0)
    )
    back.upd_coordinates(0).setName(LUMBAR)
    back.upd_coordinates(0).setRangeMin(-math.pi / 2)
    back.upd_coordinates(0).setRangeMax(math.pi / 2)
    model.addJoint(back)

    flip = osim.Vec3(math.pi, 0.0, 0.0)  # knee frames: z reversed so that flexion is positive
    half_width = abs(P.REF_HIP_IN_PELVIS[2]) * scale
    bodies: dict[str, Any] = {"pelvis": pelvis}
    floor = osim.ContactHalfSpace(osim.Vec3(0), osim.Vec3(0, 0, -math.pi / 2), ground, "floor")
    model.addContactGeometry(floor)
    for side in ("right", "left"):
        sx = _SUFFIX[side]
        zsign = 1.0 if side == "right" else -1.0
        thigh_l = stride.thigh_length_m[side]
        shank_l = stride.shank_length_m[side]
        foot = stride.feet[side]
        thigh = osim.Body(
            f"thigh_{sx}",
            masses["thigh"],
            osim.Vec3(0.0, -(1.0 - 0.567) * thigh_l, 0.0),
            osim.Inertia(*(3 * [_inertia_z("thigh", m, thigh_l)])),
        )
        shank = osim.Body(
            f"shank_{sx}",
            masses["shank"],
            osim.Vec3(0.0, -(1.0 - 0.567) * shank_l, 0.0),
            osim.Inertia(*(3 * [_inertia_z("shank", m, shank_l)])),
        )
        toe = np.array(foot.forefoot) + np.array([0.0, foot.forefoot_radius_m])
        foot_body = osim.Body(
            f"foot_{sx}",
            masses["foot"],
            osim.Vec3(0.5 * toe[0], 0.5 * toe[1], 0.0),
            osim.Inertia(*(3 * [_inertia_z("foot", m, float(np.hypot(*toe)))])),
        )
        for b in (thigh, shank, foot_body):
            model.addBody(b)
        hip = osim.PinJoint(
            f"hip_{sx}",
            pelvis,
            osim.Vec3(0, 0, zsign * half_width),
            osim.Vec3(0),
            thigh,
            osim.Vec3(0),
            osim.Vec3(0),
        )
        knee = osim.PinJoint(
            f"knee_{sx}", thigh, osim.Vec3(0, -thigh_l, 0), flip, shank, osim.Vec3(0), flip
        )
        ankle = osim.PinJoint(
            f"ankle_{sx}",
            shank,
            osim.Vec3(0, -shank_l, 0),
            osim.Vec3(0),
            foot_body,
            osim.Vec3(0),
            osim.Vec3(0),
        )
        for joint, kind in (
            (hip, "hip_flexion"),
            (knee, "knee_flexion"),
            (ankle, "ankle_dorsiflexion"),
        ):
            lo, hi = JOINT_RANGES_DEG[kind]
            c = joint.upd_coordinates(0)
            c.setName(f"{kind}_{sx}")
            c.setRangeMin(math.radians(lo))
            c.setRangeMax(math.radians(hi))
            model.addJoint(joint)
        bodies.update({f"femur_{sx}": thigh, f"tibia_{sx}": shank, f"calcn_{sx}": foot_body})

        for where, centre, radius in (
            ("heel", foot.heel, foot.heel_radius_m),
            ("forefoot", foot.forefoot, foot.forefoot_radius_m),
        ):
            sphere = osim.ContactSphere(
                radius, osim.Vec3(centre[0], centre[1], 0.0), foot_body, f"{where}_{sx}"
            )
            model.addContactGeometry(sphere)
            force = osim.SmoothSphereHalfSpaceForce(f"contact_{where}_{sx}", sphere, floor)
            force.set_stiffness(CONTACT_PARAMETERS["stiffness"])
            force.set_dissipation(CONTACT_PARAMETERS["dissipation"])
            force.set_static_friction(CONTACT_PARAMETERS["static_friction"])
            force.set_dynamic_friction(CONTACT_PARAMETERS["dynamic_friction"])
            force.set_viscous_friction(CONTACT_PARAMETERS["viscous_friction"])
            force.set_transition_velocity(CONTACT_PARAMETERS["transition_velocity"])
            force.set_hertz_smoothing(CONTACT_PARAMETERS["hertz_smoothing"])
            force.set_hunt_crossley_smoothing(CONTACT_PARAMETERS["hunt_crossley_smoothing"])
            model.addForce(force)

        scales = _scales(stride, side)
        f_scale = (m / P.REF_MASS_KG) ** (2.0 / 3.0)
        for name, prm in P.MUSCLES.items():
            ratio = muscle_path_length(name, scales, thigh_l, shank_l) / muscle_path_length(name)
            muscle = osim.DeGrooteFregly2016Muscle()
            mname = f"{name}_{sx}"
            muscle.setName(mname)
            muscle.set_max_isometric_force(
                prm.max_isometric_force_n * f_scale * strength.get(mname, 1.0)
            )
            muscle.set_optimal_fiber_length(prm.optimal_fiber_length_m * ratio)
            muscle.set_tendon_slack_length(prm.tendon_slack_length_m * ratio)
            muscle.set_pennation_angle_at_optimal(prm.pennation_rad)
            muscle.set_ignore_tendon_compliance(True)
            muscle.set_fiber_damping(0.01)
            for k, (seg, loc) in enumerate(prm.path):
                body = bodies["pelvis"] if seg == "pelvis" else bodies[f"{seg}_{sx}"]
                muscle.addNewPathPoint(
                    f"{mname}_p{k}",
                    body,
                    osim.Vec3(*_local_point(seg, loc, scales[seg], side == "left")),
                )
            model.addForce(muscle)

    for cname in ("pelvis_tilt", "pelvis_tx", "pelvis_ty"):
        _coordinate_actuator(osim, model, cname, f"residual_{cname}", RESIDUAL_OPTIMAL_FORCE)
    _coordinate_actuator(osim, model, LUMBAR, "trunk_torque", TRUNK_OPTIMAL_FORCE)
    for side in ("r", "l"):
        for joint in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"):
            cname = f"{joint}_{side}"
            _coordinate_actuator(osim, model, cname, f"reserve_{cname}", RESERVE_OPTIMAL_FORCE)
    model.finalizeConnections()
    return model


def _coordinate_actuator(osim: Any, model: Any, coordinate: str, name: str, optimal: float) -> None:
    act = osim.CoordinateActuator(coordinate)
    act.setName(name)
    act.setOptimalForce(optimal)
    act.setMinControl(-math.inf)
    act.setMaxControl(math.inf)
    model.addForce(act)

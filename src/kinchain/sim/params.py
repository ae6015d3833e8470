"""Generic musculoskeletal parameters of the planar model, with their sources and units.

Muscles
-------
The nine muscles per leg and their parameters are those of OpenSim's planar
``gait10dof18musc`` model (Ajay Seth; "a planar reduced gait model with 10 degrees of freedom and
18 muscles ... closely based on" Delp S.L., Loan J.P., Hoy M.G., Zajac F.E., Topp E.L., Rosen
J.M., *An interactive graphics-based model of the lower extremity to study orthopaedic surgical
procedures*, IEEE Trans Biomed Eng 37:757-767, 1990, and Yamaguchi & Zajac 1989 for the knee), as
distributed with OpenSim's example data (``gait10dof/subject01.osim``, a 72.6 kg subject; the
file's ``<credits>`` and ``<publications>`` name these sources). The values below were read from
that file once and are tabulated here, so no model file ships with kinchain.

* ``max_isometric_force_n``: N (the generic model's values, unscaled in that file).
* ``optimal_fiber_length_m``, ``tendon_slack_length_m``: m, for the reference subject.
* ``pennation_rad``: pennation angle at optimal fibre length, rad.
* ``path``: via points as ``(segment, (x, y, z))`` in the reference model's segment frames, m
  (OpenSim axes: x anterior, y up/proximal, z right; right leg given, z mirrored for the left).
  Frames: ``pelvis`` (origin between the ASIS, the hip joint centre at
  :data:`REF_HIP_IN_PELVIS`), ``femur`` (origin at the hip joint centre), ``tibia`` (origin at
  the knee, :data:`REF_KNEE_IN_FEMUR` at full extension), ``calcn`` (origin at
  :data:`REF_CALCN_IN_TALUS` from the ankle joint centre).

Simplifications of that model, made here: the knee is a pin joint (the reference model moves the
tibia along the femur with knee angle, and moves the patellar insertion of rectus femoris and
vasti; we keep the insertion where it is at full extension), and its conditional via points
(wrapping over the femoral condyles and the pelvic brim) are dropped; talus, calcaneus and toes
are one rigid foot.

Scaling to the subject (done in :mod:`kinchain.sim.model`): via points by the ratio of the
subject's segment length to the reference one (pelvis by the leg-length ratio), optimal fibre
and tendon slack lengths so that their ratio to the musculotendon length at the default pose is
kept (as OpenSim's ScaleTool does), maximum isometric force by ``(mass / 72.6 kg) ** (2/3)``
(geometric similarity: force ~ cross-section ~ mass^(2/3)).

Segment inertia
---------------
Thigh, shank and foot masses and inertias come from kinchain's own Plug-in Gait body-segment
parameters (:mod:`kinchain.kinetics.bsip`: Dempster via Winter). Everything above the hips (head,
arms, trunk, pelvis: "HAT") is one body with the rest of the body mass, so the masses sum to the
body mass exactly; its centre of mass and radius of gyration are Winter's (Biomechanics and Motor
Control of Human Movement, 4th ed. 2009, Table 4.1: HAT "greater trochanter/glenohumeral joint",
mass 0.678 body mass, centre of mass 0.626 of that length from its proximal end, the greater
trochanter; radius of gyration about the centre of mass 0.496 of that length), with that length
taken as 0.288 of standing height (Winter's Fig. 4.1 segment proportions: shoulder 0.818 H,
greater trochanter 0.530 H).

The proximal end of the HAT is the greater trochanter, the first landmark of its definition as
for every segment of that table (the head and neck's centre of mass, 1.000 of the C7-T1-to-ear-
canal length from its proximal end, is at the ear canal), and as the table's second HAT row
requires: 1.142 of the greater-trochanter-to-mid-rib length, a distance that can only be
measured from the trochanter. Until December 2026 kinchain read it from the shoulder (0.374
above the hip): that put the whole body's centre of mass at the hips (0.53 of height standing,
on the demo subject) instead of above them (0.58 with 0.626).

The HAT is split at a lumbar joint into a pelvis and a torso (head, arms and trunk), as in
``gait10dof18musc`` (its ``back`` joint, coordinate ``lumbar_extension``): the pelvis takes
:data:`PELVIS_SHARE_OF_HAT` of the HAT's mass (11.375 of 44.44 kg in that file), with its
centre of mass :data:`REF_PELVIS_COM_ABOVE_HIP` above the hip and its radius of gyration
:data:`REF_PELVIS_GYRATION_M`; the lumbar joint sits at :data:`REF_LUMBAR_FROM_HIP` from the
hip; the torso's radius of gyration is that file's :data:`REF_TORSO_GYRATION_M`. These four
are scaled like the pelvis (by the leg-length ratio). The torso's centre of mass is placed so
that pelvis and torso together keep Winter's HAT centre of mass with the lumbar joint at 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "HAT_COM_ABOVE_HIP",
    "HAT_GYRATION",
    "HAT_LENGTH_PER_HEIGHT",
    "MUSCLES",
    "MUSCLE_NAMES",
    "PELVIS_SHARE_OF_HAT",
    "REF_CALCN_IN_TALUS",
    "REF_FOOT_LENGTH_M",
    "REF_HIP_IN_PELVIS",
    "REF_KNEE_IN_FEMUR",
    "REF_LUMBAR_FROM_HIP",
    "REF_MASS_KG",
    "REF_PELVIS_COM_ABOVE_HIP",
    "REF_PELVIS_GYRATION_M",
    "REF_SHANK_LENGTH_M",
    "REF_THIGH_LENGTH_M",
    "REF_TORSO_GYRATION_M",
    "MuscleParameters",
]

RefSegment = Literal["pelvis", "femur", "tibia", "calcn"]


@dataclass(frozen=True)
class MuscleParameters:
    """One muscle of the reference model (right leg), units in the attribute names."""

    max_isometric_force_n: float
    optimal_fiber_length_m: float
    tendon_slack_length_m: float
    pennation_rad: float
    path: tuple[tuple[RefSegment, tuple[float, float, float]], ...]


#: Total mass of the reference subject (gait10dof subject01.osim), kg.
REF_MASS_KG = 72.6
#: Hip joint centre in the reference pelvis frame, m (right side; z mirrored on the left).
REF_HIP_IN_PELVIS = (-0.07244, -0.06772, 0.08555)
#: Knee centre (tibia origin) in the reference femur frame at full extension, m.
REF_KNEE_IN_FEMUR = (-0.00516, -0.45410, 0.0)
#: Ankle joint centre in the reference tibia frame, m.
REF_ANKLE_IN_TIBIA = (0.0, -0.42506, 0.0)
#: Calcaneus origin from the ankle joint centre (talus frame), m.
REF_CALCN_IN_TALUS = (-0.05433, -0.04673, 0.00882)
#: Reference thigh (hip to knee centre) and shank (knee to ankle centre) lengths, m.
REF_THIGH_LENGTH_M = 0.45413
REF_SHANK_LENGTH_M = 0.42506
#: Reference foot length: ankle joint centre to the toes' origin (metatarsal heads) along the
#: foot, horizontal distance, m.
REF_FOOT_LENGTH_M = 0.1293

#: HAT (head, arms, trunk and pelvis): Winter 2009, Table 4.1 and Fig. 4.1 (see module doc).
HAT_LENGTH_PER_HEIGHT = 0.288
HAT_COM_ABOVE_HIP = 0.626
HAT_GYRATION = 0.496
#: The HAT's split at the lumbar joint (gait10dof18musc ``subject01.osim``, see module doc).
PELVIS_SHARE_OF_HAT = 11.3751712907406 / (11.3751712907406 + 33.0684545650479)
#: Pelvis centre of mass above the hip joint centre, m (reference model: (-0.07244, 0) in a
#: pelvis frame with the hip at (-0.07244, -0.06772)).
REF_PELVIS_COM_ABOVE_HIP = 0.0677247
#: Pelvis radius of gyration about its centre of mass, sagittal axis, m (sqrt(0.05871 / 11.375)).
REF_PELVIS_GYRATION_M = 0.0718403
#: Lumbar (``back``) joint from the hip joint centre, m, x forward, y up (reference model: the
#: joint at (-0.103175, 0.0835033) in the pelvis frame).
REF_LUMBAR_FROM_HIP = (-0.0307372, 0.151228)
#: Torso radius of gyration about its centre of mass, sagittal axis, m (sqrt(1.61178 / 33.068)).
REF_TORSO_GYRATION_M = 0.220774

#: gait10dof18musc (Delp et al. 1990) parameters, right leg; see the module docstring.
MUSCLES: dict[str, MuscleParameters] = {
    "hamstrings": MuscleParameters(
        2700.0, 0.12363, 0.36976, 0.0,
        (("pelvis", (-0.12906, -0.10509, 0.07115)), ("tibia", (-0.02975, -0.03559, 0.02909)),
         ("tibia", (-0.02313, -0.05565, 0.03391))),
    ),
    "bifemsh": MuscleParameters(
        804.0, 0.19144, 0.09849, 0.40143,
        (("femur", (0.00574, -0.24218, 0.02685)), ("tibia", (-0.02975, -0.03559, 0.02909)),
         ("tibia", (-0.02313, -0.05565, 0.03391))),
    ),
    "glut_max": MuscleParameters(
        1944.0, 0.17085, 0.07982, 0.0,
        (("pelvis", (-0.13494, 0.00891, 0.04734)), ("pelvis", (-0.1377, -0.0624, 0.0833)),
         ("femur", (-0.05163, -0.067, 0.02891)), ("femur", (-0.0179, -0.11656, 0.04807))),
    ),
    "iliopsoas": MuscleParameters(
        2342.0, 0.10517, 0.16828, 0.13963,
        (("pelvis", (-0.06629, 0.09088, 0.02961)), ("pelvis", (-0.02439, -0.0584, 0.07777)),
         ("femur", (0.00184, -0.05817, 0.00436)), ("femur", (-0.02157, -0.06849, 0.01193))),
    ),
    "rect_fem": MuscleParameters(
        1169.0, 0.13046, 0.35477, 0.08727,
        (("pelvis", (-0.03023, -0.03186, 0.09918)), ("tibia", (0.06105, 0.02074, 0.00138))),
    ),
    "vasti": MuscleParameters(
        5000.0, 0.12468, 0.13517, 0.05236,
        (("femur", (0.03327, -0.22073, 0.03556)), ("femur", (0.03843, -0.23908, 0.0327)),
         ("tibia", (0.05483, 0.025, 0.00178))),
    ),
    "gastroc": MuscleParameters(
        2500.0, 0.09013, 0.36052, 0.29671,
        (("femur", (-0.0218, -0.45075, -0.02696)), ("calcn", (0.0, 0.03184, -0.00544))),
    ),
    "soleus": MuscleParameters(
        5137.0, 0.05029, 0.25144, 0.43633,
        (("tibia", (-0.00237, -0.15154, 0.00702)), ("calcn", (0.0, 0.03184, -0.00544))),
    ),
    "tib_ant": MuscleParameters(
        3000.0, 0.09791, 0.22280, 0.08727,
        (("tibia", (0.01769, -0.16054, 0.01137)), ("tibia", (0.03252, -0.39056, -0.0175)),
         ("calcn", (0.11976, 0.01828, -0.03133))),
    ),
}  # fmt: skip
MUSCLE_NAMES: tuple[str, ...] = tuple(MUSCLES)
#: The plantarflexors, scaled by the ``plantarflexor_strength`` restriction.
PLANTARFLEXORS: tuple[str, ...] = ("gastroc", "soleus")

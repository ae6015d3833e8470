"""The planar model: degrees of freedom, muscles, masses and moment arms (needs OpenSim)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinchain.sim.params import MUSCLE_NAMES
from kinchain.sim.stride import COORDINATES, StrideData

osim = pytest.importorskip(
    "opensim", reason="OpenSim is not installed (pip install 'kinchain[sim]')"
)

from kinchain.sim.model import (  # noqa: E402
    LUMBAR,
    build_model,
    muscle_path_length,
    segment_masses,
)


def test_masses_sum_to_body_mass() -> None:
    masses = segment_masses(70.0)
    # Plug-in Gait BSIP: thigh 10 %, shank 4.65 %, foot 1.45 % of body mass per leg.
    assert masses["thigh"] == pytest.approx(7.0)
    assert masses["shank"] == pytest.approx(3.255)
    assert masses["foot"] == pytest.approx(1.015)
    assert masses["hat"] + 2 * (
        masses["thigh"] + masses["shank"] + masses["foot"]
    ) == pytest.approx(70.0)
    assert masses["hat"] == pytest.approx(0.678 * 70.0)


def test_reference_path_length_is_unscaled_sum() -> None:
    # Soleus: tibia point to calcaneus point at the default pose (reference geometry, m).
    tib = np.array([-0.00237, -0.15154 - 0.45413, 0.00702])
    cal = np.array([0.0 - 0.05433, 0.03184 - 0.04673 - 0.45413 - 0.42506, -0.00544 + 0.00882])
    assert muscle_path_length("soleus") == pytest.approx(float(np.linalg.norm(cal - tib)), abs=1e-9)
    doubled = {"pelvis": 2.0, "femur": 2.0, "tibia": 2.0, "calcn": 2.0}
    assert muscle_path_length("soleus", doubled, 2 * 0.45413, 2 * 0.42506) == pytest.approx(
        2 * muscle_path_length("soleus")
    )


def test_model_structure(demo_stride: StrideData) -> None:
    model = build_model(demo_stride)
    state = model.initSystem()
    coords = [c.getName() for c in model.getCoordinateSet()]
    assert sorted(coords) == sorted((*COORDINATES, LUMBAR)) and len(coords) == 10
    muscles = [m.getName() for m in model.getMuscles()]
    assert sorted(muscles) == sorted(f"{m}_{s}" for m in MUSCLE_NAMES for s in "lr")
    assert all(m.getConcreteClassName() == "DeGrooteFregly2016Muscle" for m in model.getMuscles())
    total = sum(b.getMass() for b in model.getBodySet())
    assert total == pytest.approx(demo_stride.mass_kg, rel=1e-12)
    contacts = [
        f.getName()
        for f in model.getForceSet()
        if f.getConcreteClassName() == "SmoothSphereHalfSpaceForce"
    ]
    assert sorted(contacts) == sorted(
        f"contact_{w}_{s}" for w in ("heel", "forefoot") for s in "lr"
    )
    # Moment arm signs at mid-range: flexion/dorsiflexion coordinates are positive.
    cs = model.getCoordinateSet()
    cs.get("knee_flexion_l").setValue(state, math.radians(30))
    model.realizePosition(state)
    arm = {
        m: model.getMuscles().get(f"{m}_l").computeMomentArm(state, cs.get("knee_flexion_l"))
        for m in MUSCLE_NAMES
    }
    assert arm["vasti"] < -0.02 and arm["rect_fem"] < -0.02  # knee extensors
    assert arm["hamstrings"] > 0.02 and arm["bifemsh"] > 0.02 and arm["gastroc"] > 0.0  # flexors
    ankle = cs.get("ankle_dorsiflexion_l")
    assert model.getMuscles().get("soleus_l").computeMomentArm(state, ankle) < -0.03
    assert model.getMuscles().get("tib_ant_l").computeMomentArm(state, ankle) > 0.03


def test_strength_factor_scales_plantarflexors_only(demo_stride: StrideData) -> None:
    base = build_model(demo_stride)
    weak = build_model(demo_stride, strength={"soleus_l": 0.5, "gastroc_l": 0.5})
    for name in ("soleus_l", "gastroc_l", "soleus_r", "vasti_l"):
        f0 = base.getMuscles().get(name).getMaxIsometricForce()
        f1 = weak.getMuscles().get(name).getMaxIsometricForce()
        assert f1 == pytest.approx(f0 * (0.5 if name.endswith("_l") and name != "vasti_l" else 1.0))


def test_the_upper_body_keeps_winters_hat_centre_of_mass(demo_stride: StrideData) -> None:
    """Pelvis and torso together have the HAT's mass and centre of mass of Winter's Table 4.1
    (0.678 of body mass by construction here; centre of mass 0.626 of the greater-trochanter-to-
    glenohumeral length, 0.288 of height, above the hip) with the lumbar joint at 0, and the
    torso's moves with the lumbar joint. Before the HAT's centre of mass was read from the
    shoulder (0.374 above the hip), and the whole body's centre of mass sat at the hips."""
    model = build_model(demo_stride)
    state = model.initSystem()
    bodies = model.getBodySet()
    hat = ("pelvis", "torso")
    mass = sum(bodies.get(b).getMass() for b in hat)
    assert mass == pytest.approx(segment_masses(demo_stride.mass_kg)["hat"], rel=1e-12)

    def upper_com() -> np.ndarray:
        model.realizePosition(state)
        total = np.zeros(3)
        for b in hat:
            body = bodies.get(b)
            p = body.findStationLocationInGround(state, body.getMassCenter())
            total += body.getMass() * np.array([p.get(i) for i in range(3)])
        return total / mass

    expected = 0.626 * 0.288 * demo_stride.height_m  # above the pelvis origin (the hip)
    assert upper_com()[:2] == pytest.approx([0.0, expected], abs=1e-9)
    whole = model.calcMassCenterPosition(state)
    assert whole.get(1) > 0.05  # the body's centre of mass stands above the hips
    model.getCoordinateSet().get(LUMBAR).setValue(state, math.radians(-20))  # trunk leans forward
    assert upper_com()[0] > 0.02

"""Planar inverse kinematics (kinchain.sim.planar_fit): synthetic legs whose answer is known."""

from __future__ import annotations

import numpy as np

from kinchain.sim.planar_fit import FIT_POINTS, fit_planar_legs

SIDES = ("left", "right")
SX = {"left": "l", "right": "r"}
THIGH = {"left": 0.42, "right": 0.40}
SHANK = {"left": 0.41, "right": 0.39}
FOOT = {
    "left": {"heel": (-0.05, -0.04), "toe": (0.14, -0.06)},
    "right": {"heel": (-0.045, -0.035), "toe": (0.13, -0.055)},
}


def _legs(n: int, seed: int = 3) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Known coordinates and the points of a planar chain posed by them (forward kinematics
    written out here, independently of the fit)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, n)
    coords = {
        "pelvis_tilt": -0.12 + 0.03 * np.sin(t),
        "pelvis_tx": 1.3 * t / (2 * np.pi) + 0.2,
        "pelvis_ty": 0.9 + 0.02 * np.cos(2 * t),
    }
    for side, phase in (("left", 0.0), ("right", np.pi)):
        sx = SX[side]
        coords[f"hip_flexion_{sx}"] = 0.3 * np.sin(t + phase) + 0.15 + 0.01 * rng.standard_normal(n)
        coords[f"knee_flexion_{sx}"] = 0.5 * (1 + np.sin(2 * t + phase)) + 0.05
        coords[f"ankle_dorsiflexion_{sx}"] = 0.2 * np.sin(t + phase + 1.0)
    points = {}
    for side in SIDES:
        sx = SX[side]
        hip = np.column_stack([coords["pelvis_tx"], coords["pelvis_ty"]])
        thigh = coords["pelvis_tilt"] + coords[f"hip_flexion_{sx}"]
        shank = thigh - coords[f"knee_flexion_{sx}"]
        foot = shank + coords[f"ankle_dorsiflexion_{sx}"]
        knee = hip + THIGH[side] * np.column_stack([np.sin(thigh), -np.cos(thigh)])
        ankle = knee + SHANK[side] * np.column_stack([np.sin(shank), -np.cos(shank)])
        points.update({f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle})
        for name, (px, py) in FOOT[side].items():
            c, s = np.cos(foot), np.sin(foot)
            points[f"{side}_{name}"] = ankle + np.column_stack([c * px - s * py, s * px + c * py])
    return coords, points


def _start(coords: dict[str, np.ndarray], offset: float) -> dict[str, np.ndarray]:
    return {k: v + offset for k, v in coords.items() if not k.startswith("pelvis")}


def test_the_fit_recovers_the_pose_of_a_rigid_planar_chain() -> None:
    """Points made by the model's own geometry are fitted exactly, from a start 5 degrees off."""
    coords, points = _legs(40)
    fit = fit_planar_legs(
        points, coords["pelvis_tilt"], _start(coords, np.radians(5)), THIGH, SHANK, FOOT
    )
    assert fit.residual_rms_m < 1e-9
    for name, values in fit.coordinates.items():
        np.testing.assert_allclose(values, coords[name], atol=1e-8, err_msg=name)


def test_a_shorter_model_shank_is_spread_over_the_angles_not_left_at_the_foot() -> None:
    """Points measured on legs 15 mm longer (shank) than the model's: driven by the measured
    angles, the model's ankles would be 15 mm off; fitted, every ankle is closer than that and
    the hips come down (the pelvis takes up most of a length both legs lack)."""
    coords, points = _legs(30)
    shorter = {s: v - 0.015 for s, v in SHANK.items()}
    fit = fit_planar_legs(points, coords["pelvis_tilt"], _start(coords, 0.0), THIGH, shorter, FOOT)
    assert fit.residual_rms_m < 0.015
    for side in SIDES:
        sx = SX[side]
        hip = np.column_stack([fit.coordinates["pelvis_tx"], fit.coordinates["pelvis_ty"]])
        thigh = coords["pelvis_tilt"] + fit.coordinates[f"hip_flexion_{sx}"]
        shank = thigh - fit.coordinates[f"knee_flexion_{sx}"]
        knee = hip + THIGH[side] * np.column_stack([np.sin(thigh), -np.cos(thigh)])
        ankle = knee + shorter[side] * np.column_stack([np.sin(shank), -np.cos(shank)])
        assert np.linalg.norm(ankle - points[f"{side}_ankle"], axis=1).max() < 0.015
    drop = fit.coordinates["pelvis_ty"] - coords["pelvis_ty"]
    assert -0.015 < drop.mean() < -0.005
    assert set(fit.coordinates) == {
        "pelvis_tx",
        "pelvis_ty",
        *(
            f"{j}_{sx}"
            for j in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")
            for sx in "lr"
        ),
    }
    assert FIT_POINTS == ("hip", "knee", "ankle", "heel", "toe")

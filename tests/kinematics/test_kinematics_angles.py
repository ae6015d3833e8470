"""Ankle angles: Plug-in Gait's Y-Z-X sequence on feet turned by known angles (issue 10).

The shank and foot frames are built here with elementary rotation matrices written out by hand,
so the expected angles follow from the construction, not from the code under test:

    foot (anatomical: x toward the toes, y left, z up) = shank · Ry(θy) · Rz(θz) · Rx(θx)

i.e. θy about the shank's flexion axis, then θz about the foot's vertical axis, then θx about the
foot's long axis. With the clinical signs of :mod:`kinchain.kinematics.angles` (dorsiflexion +,
inversion + as Plug-in Gait's ``AnkleAngles_Y``, internal rotation +), a foot dorsiflexed by ``a``,
internally rotated by ``b`` and inverted by ``c`` has θy = -a (a rotation about +y lowers the toes),
θz = +b on the right and -b on the left (about +z the toes turn left, which is medial on the right
foot), θx = -c on the right and +c on the left.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.io.subject import subject_from_values
from kinchain.kinematics.angles import (
    FOOT_TO_ANATOMICAL,
    ankle_angles,
    cardan_yxz,
    joint_angles,
)
from kinchain.model.cgm1 import LowerBody, Segment

SIDES = ("left", "right")


def _rx(t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _ry(t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rz(t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _feet(angles_deg: np.ndarray, side: str, shank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anatomical and Plug-in Gait foot frames for clinical (dorsi, internal rot, inversion)."""
    rot_sign, inv_sign = (1.0, -1.0) if side == "right" else (-1.0, 1.0)
    anat = np.empty((len(angles_deg), 3, 3))
    for i, (a, b, c) in enumerate(np.radians(angles_deg)):
        anat[i] = shank[i] @ _ry(-a) @ _rz(rot_sign * b) @ _rx(inv_sign * c)
    # The model's foot frame: z backward along the foot, x up (FOOT_TO_ANATOMICAL is orthogonal).
    return anat, anat @ FOOT_TO_ANATOMICAL.T


def _shanks(n: int, seed: int) -> np.ndarray:
    """Shanks in arbitrary lab orientations (the ankle angles must not depend on them)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3, 3))
    for i, (u, v, w) in enumerate(rng.uniform(-np.pi, np.pi, size=(n, 3))):
        out[i] = _rz(u) @ _ry(v / 2) @ _rx(w)
    return out


def _known_angles(n: int, seed: int) -> np.ndarray:
    """(dorsiflexion, internal rotation, inversion), deg, within clinical ranges."""
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [rng.uniform(-40, 30, n), rng.uniform(-45, 45, n), rng.uniform(-30, 30, n)]
    )


def _reported(angles_deg: np.ndarray) -> np.ndarray:
    """Known (dorsi, internal rot, inversion) in the output order X, Y, Z (sagittal, frontal,
    transverse)."""
    return angles_deg[:, [0, 2, 1]]


@pytest.mark.parametrize("side", SIDES)
def test_ankle_returns_the_known_yzx_angles(side: str) -> None:
    known = np.vstack([[[20.0, 30.0, 10.0], [-25.0, -30.0, 15.0]], _known_angles(200, 1)])
    shank = _shanks(len(known), 2)
    _, foot = _feet(known, side, shank)
    np.testing.assert_allclose(ankle_angles(shank, foot, side), _reported(known), atol=1e-9)


@pytest.mark.parametrize("side", SIDES)
def test_signs_are_the_clinical_ones(side: str) -> None:
    """Dorsiflexion lifts the toes; internal rotation turns them medially (to the left on the
    right foot), checked on the foot's long axis in the shank frame."""
    shank = np.repeat(np.eye(3)[None], 2, axis=0)
    anat, foot = _feet(np.array([[15.0, 0.0, 0.0], [0.0, 20.0, 0.0]]), side, shank)
    toes = anat[:, :, 0]  # foot x, toward the toes, in shank (= lab) axes
    assert toes[0, 2] > 0.2  # dorsiflexed: toes up
    medial = 1.0 if side == "right" else -1.0  # +y (left) is medial on the right foot
    assert medial * toes[1, 1] > 0.3
    out = ankle_angles(shank, foot, side)
    assert out[0, 0] == pytest.approx(15.0) and out[1, 2] == pytest.approx(20.0)


@pytest.mark.parametrize("side", SIDES)
def test_former_yxz_sequence_is_wrong_when_the_foot_is_rotated(side: str) -> None:
    """The Y-X-Z order agrees only when the rotation b is zero: it is the sequence, not a sign."""
    signs = {"left": (-1.0, 1.0, -1.0), "right": (-1.0, -1.0, 1.0)}[side]
    shank = _shanks(2, 3)
    known = np.array([[20.0, 30.0, 10.0], [20.0, 0.0, 10.0]])
    anat, foot = _feet(known, side, shank)
    old = cardan_yxz(shank, anat) * np.array(signs)
    assert np.abs(old[0] - _reported(known[:1])[0]).max() > 3.0  # b = 30 deg: off by degrees
    np.testing.assert_allclose(old[1], _reported(known[1:])[0], atol=1e-9)  # b = 0: exact
    np.testing.assert_allclose(ankle_angles(shank, foot, side), _reported(known), atol=1e-9)


def _body(shank: dict[str, np.ndarray], foot: dict[str, np.ndarray]) -> LowerBody:
    n = len(shank["left"])
    eye = np.repeat(np.eye(3)[None], n, axis=0)
    zero = np.zeros((n, 3))
    ok = np.ones(n, dtype=bool)
    segments = {"pelvis": Segment("pelvis", eye, zero, ok)}
    for side in SIDES:
        for name, R in (
            ("thigh", eye),
            ("shank_proximal", shank[side]),
            ("shank", shank[side]),
            ("foot", foot[side]),
        ):
            segments[f"{side}_{name}"] = Segment(f"{side}_{name}", R, zero, ok)
    subject = subject_from_values(
        mass_kg=70.0, leg_length_m=0.9, knee_width_m=0.1, ankle_width_m=0.07
    )
    return LowerBody(segments, {}, {}, {}, 100.0, np.eye(3), subject)


def test_joint_angles_uses_the_yzx_ankle_and_keeps_missing_frames_missing() -> None:
    known = _known_angles(50, 4)
    shank = {s: _shanks(len(known), 5 + k) for k, s in enumerate(SIDES)}
    foot = {s: _feet(known, s, shank[s])[1] for s in SIDES}
    foot["left"][7] = np.nan
    out = joint_angles(_body(shank, foot))
    expected = _reported(known)
    np.testing.assert_allclose(out["RAnkleAngles"], expected, atol=1e-9)
    assert np.isnan(out["LAnkleAngles"][7]).all()
    keep = np.arange(len(known)) != 7
    np.testing.assert_allclose(out["LAnkleAngles"][keep], expected[keep], atol=1e-9)

"""Analytic checks of the model's geometry: frames, the chord function, the Davis regression and
gap filling."""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.model.gaps import fill_gaps
from kinchain.model.joint_centres import (
    asis_trochanter,
    chord,
    davis_hip_centres_local,
    plane_angle,
)
from kinchain.model.vectors import frame_from_axes

rng = np.random.default_rng(7)


@pytest.mark.parametrize("sequence", ["ZX", "YZ", "XY", "XZ", "ZY", "YX"])
def test_frames_are_right_handed_and_keep_the_primary_axis(sequence: str) -> None:
    a1, a2 = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    R = frame_from_axes(a1, a2, sequence)
    assert np.allclose(np.einsum("nji,njk->nik", R, R), np.eye(3), atol=1e-12)
    assert np.allclose(np.linalg.det(R), 1.0)
    primary = "XYZ".index(sequence[0])
    assert np.allclose(R[:, :, primary], a1 / np.linalg.norm(a1, axis=1, keepdims=True))
    secondary = "XYZ".index(sequence[1])
    # The secondary axis lies in the plane of a1 and a2, on a2's side.
    assert (np.einsum("ni,ni->n", R[:, :, secondary], a2) > 0).all()


def test_chord_places_the_centre_at_the_offset_with_a_right_angle() -> None:
    n = 40
    hip = rng.normal(scale=0.05, size=(n, 3)) + np.array([0.0, 0.1, 0.9])
    knee_marker = rng.normal(scale=0.05, size=(n, 3)) + np.array([0.0, 0.15, 0.5])
    wand = rng.normal(scale=0.05, size=(n, 3)) + np.array([0.05, 0.2, 0.7])
    offset = 0.057
    kjc = chord(offset, knee_marker, hip, wand)
    assert np.allclose(np.linalg.norm(kjc - knee_marker, axis=1), offset)
    cos = np.einsum("ni,ni->n", hip - kjc, knee_marker - kjc)
    assert np.allclose(cos, 0.0, atol=1e-12)
    # In the plane of the three points.
    normal = np.cross(hip - knee_marker, wand - knee_marker)
    assert np.allclose(np.einsum("ni,ni->n", normal, kjc - knee_marker), 0.0, atol=1e-12)


def test_chord_rotation_offset_turns_the_plane_and_keeps_the_constraints() -> None:
    hip = np.array([[0.0, 0.1, 0.9]] * 3)
    knee_marker = np.array([[0.0, 0.15, 0.5]] * 3)
    wand = np.array([[0.05, 0.2, 0.7]] * 3)
    base = chord(0.05, knee_marker, hip, wand)
    turned = chord(0.05, knee_marker, hip, wand, beta_deg=10.0)
    assert np.allclose(np.linalg.norm(turned - knee_marker, axis=1), 0.05, atol=1e-6)
    assert np.allclose(np.einsum("ni,ni->n", hip - turned, knee_marker - turned), 0, atol=1e-8)
    # The defining property: seen along the bone axis (hip - centre), the plane through the wand
    # is turned by beta from the plane through the lateral marker (0 without the offset).
    assert np.allclose(np.rad2deg(plane_angle(hip, base, knee_marker, wand)), 0.0, atol=1e-6)
    angle = np.rad2deg(plane_angle(hip, turned, knee_marker, wand))
    assert np.allclose(np.abs(angle), 10.0, atol=1e-6)


def test_davis_regression_is_mirror_symmetric() -> None:
    local = davis_hip_centres_local(0.9, 0.24, {"left": 0.07, "right": 0.07}, 0.007)
    assert local["left"][1] == pytest.approx(-local["right"][1])
    assert local["left"][0] == pytest.approx(local["right"][0])
    assert local["left"][0] < 0 and local["left"][2] < 0  # behind and below mid-ASIS
    assert asis_trochanter(1.0) == pytest.approx(0.1288 - 0.04856)


def test_fill_gaps_interpolates_short_gaps_only() -> None:
    t = np.arange(100, dtype=float)
    x = np.stack([t**3 * 1e-4, np.sin(t / 10), t], axis=1)
    holed = x.copy()
    holed[20:25] = np.nan  # 5 frames: filled
    holed[50:70] = np.nan  # 20 frames: left missing
    holed[:3] = np.nan  # edge: left missing
    filled, mask = fill_gaps(holed, max_gap_frames=10)
    assert mask[20:25].all() and not mask[50:70].any() and not mask[:3].any()
    assert np.allclose(filled[20:25, 0], x[20:25, 0], atol=1e-9)
    assert np.isnan(filled[50:70]).all() and np.isnan(filled[:3]).all()

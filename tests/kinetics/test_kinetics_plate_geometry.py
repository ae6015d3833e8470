"""Plates at their own height and orientation (issue 10): a plate raised by ``H`` and tilted by
``THETA`` about the lab X axis (a ramp on a step). The plate surface is the plane of its corners:
the COP, the free moment, the "foot on the plate" test and heights above the plate follow from
that plane analytically.

Geometry: plate plane coordinates (a, b) map to the lab point ``centre + a u + b v`` with
``u = (1, 0, 0)``, ``v = (0, cos THETA, sin THETA)``, and a point ``d`` above the surface is that
plus ``d n`` with ``n = (0, -sin THETA, cos THETA)`` (the upward normal).
"""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.io.forceplates import plate_frame, plate_outputs
from kinchain.kinetics.plates import assign_plates
from kinchain.process import process_trial
from shared_paths import shared_data

THETA = np.deg2rad(30.0)
H = 0.20  # m, height of the plate centre above the lab floor
HALF_A, HALF_B = 0.25, 0.30  # m, half sizes of the plate along u and v
CENTRE = np.array([1.0, 2.0, H])
U = np.array([1.0, 0.0, 0.0])
V = np.array([0.0, np.cos(THETA), np.sin(THETA)])
NORMAL = np.array([0.0, -np.sin(THETA), np.cos(THETA)])
RATE, N = 100.0, 120
LOADED = slice(20, 80)


def _lab(a: float, b: float, d: float = 0.0) -> np.ndarray:
    """Lab point at plate-plane coordinates (a, b), d metres above the surface."""
    return np.asarray(CENTRE + a * U + b * V + d * NORMAL)


# Corner 1 in the plate's +x +y quadrant, then clockwise seen from above the surface (the C3D
# order); plate x = c1 - c2, y = c1 - c4, z = x × y points down into the floor.
CORNERS = np.array(
    [
        _lab(HALF_A, -HALF_B),
        _lab(-HALF_A, -HALF_B),
        _lab(-HALF_A, HALF_B),
        _lab(HALF_A, HALF_B),
    ]
)
COP_AB = (0.05, 0.10)  # plate-plane coordinates of the point load, m
FORCE_LAB = 650.0 * NORMAL + np.array([15.0, -40.0, 10.0])  # N, on the subject
FREE_TZ = 1.5  # N·m about the upward normal


def _tilted_plate() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plate-frame force and moment about the surface centre of the point load, over N frames
    (loaded in LOADED), and the plate rotation."""
    rot = plate_frame(CORNERS)
    cop_lab = _lab(*COP_AB)
    f_p = rot.T @ FORCE_LAB
    r_p = rot.T @ (cop_lab - CORNERS.mean(axis=0))
    m_p = np.cross(r_p, f_p) + rot.T @ (FREE_TZ * NORMAL)
    force = np.zeros((N, 3))
    moment = np.zeros((N, 3))
    force[LOADED] = f_p
    moment[LOADED] = m_p
    return force, moment, rot


def test_plate_frame_of_the_tilted_raised_plate() -> None:
    rot = plate_frame(CORNERS)
    np.testing.assert_allclose(rot[:, 0], U, atol=1e-12)
    np.testing.assert_allclose(rot[:, 1], -V, atol=1e-12)
    np.testing.assert_allclose(rot[:, 2], -NORMAL, atol=1e-12)  # down into the surface


def test_cop_and_free_moment_on_the_tilted_raised_surface() -> None:
    force, moment, _ = _tilted_plate()
    plate = plate_outputs(force, moment, CORNERS, plate_type=2, index=0)
    loaded = np.zeros(N, dtype=bool)
    loaded[LOADED] = True
    np.testing.assert_allclose(plate.force[loaded], np.tile(FORCE_LAB, (60, 1)), atol=1e-9)
    np.testing.assert_allclose(plate.cop[loaded], np.tile(_lab(*COP_AB), (60, 1)), atol=1e-9)
    # On the plate's surface, not at z = 0 nor at the centre's height.
    assert np.allclose((plate.cop[loaded] - CENTRE) @ NORMAL, 0.0, atol=1e-9)
    expected_z = H + COP_AB[1] * np.sin(THETA)
    np.testing.assert_allclose(plate.cop[loaded, 2], expected_z, atol=1e-9)
    np.testing.assert_allclose(
        plate.free_moment[loaded], np.tile(FREE_TZ * NORMAL, (60, 1)), atol=1e-9
    )
    assert np.isnan(plate.cop[~loaded]).all()


def _foot(a: float, b: float, d_heel: float = 0.03, d_ankle: float = 0.08) -> dict:
    """A stationary foot on the plate plane pointing along +v: heel at (a, b), toe 0.2 m ahead,
    ankle 0.05 m ahead of the heel; heights above the surface along its normal."""
    return {
        "heel": np.tile(_lab(a, b, d_heel), (N, 1)),
        "toe": np.tile(_lab(a, b + 0.2, d_heel), (N, 1)),
        "ankle": np.tile(_lab(a, b + 0.05, d_ankle), (N, 1)),
    }


AWAY = {
    "heel": np.tile([3.0, 0.0, 0.03], (N, 1)),
    "toe": np.tile([3.0, 0.2, 0.03], (N, 1)),
    "ankle": np.tile([3.0, 0.05, 0.08], (N, 1)),
}
LEFT_ON = _foot(0.05, -0.05)  # COP (0.05, 0.10) lies between its heel and toe


def _assign(right: dict):  # type: ignore[no-untyped-def]
    force, moment, _ = _tilted_plate()
    plate = plate_outputs(force, moment, CORNERS, plate_type=2, index=0)
    return assign_plates([plate], RATE, N, {"left": LEFT_ON, "right": right}, analog_rate=RATE)


def test_foot_on_the_tilted_surface_is_assigned_and_its_grf_is_the_plate_load() -> None:
    res = _assign(AWAY)
    (contact,) = res.contacts
    assert (contact.side, contact.used, contact.start, contact.end) == ("left", True, 20, 79)
    grf = res.grf["left"]
    np.testing.assert_allclose(grf.cop[LOADED], np.tile(_lab(*COP_AB), (60, 1)), atol=1e-9)
    np.testing.assert_allclose(grf.free_moment[LOADED], np.tile(FREE_TZ * NORMAL, (60, 1)))
    assert not res.grf["right"].on_plate.any()


def test_other_foot_resting_on_the_high_side_of_the_tilted_plate_is_on_it() -> None:
    # The right heel rests 3 cm above the surface near the plate's raised edge, its toe over the
    # edge (not a whole foot on the plate, so the left foot stays the candidate). Its height
    # above the plate is 0.03 m; measured as lab Z above the mean corner height it would be
    # 0.27 sin 30° + 0.03 cos 30° = 0.161 m, above the 0.15 m contact height.
    right = _foot(-0.15, 0.27)
    assert right["heel"][0, 2] - CORNERS[:, 2].mean() > 0.15
    (contact,) = _assign(right).contacts
    assert not contact.used
    assert contact.reason == "right foot on the plate too"


def test_foot_hovering_high_above_the_plate_is_not_on_it() -> None:
    # The right foot is over the plate outline for the whole contact (in the plate plane and
    # in lab XY) but 0.3 m above its surface (e.g. on a step above it): only the left foot is
    # on the plate, not "both feet".
    right = _foot(-0.15, 0.10, d_heel=0.30, d_ankle=0.35)
    res = _assign(right)
    (contact,) = res.contacts
    assert (contact.side, contact.used) == ("left", True), contact.reason


@pytest.mark.parametrize("d_heel", [0.0, 0.03, 0.10])
def test_foot_on_the_surface_counts_at_any_height_of_the_plate(d_heel: float) -> None:
    # Heel and toe at (up to) 0.10 m above the tilted surface: on it, wherever the plate is.
    (contact,) = assign_plates(
        [plate_outputs(*_tilted_plate()[:2], CORNERS, plate_type=2, index=0)],
        RATE,
        N,
        {"left": _foot(0.05, -0.05, d_heel=d_heel, d_ankle=d_heel + 0.05), "right": AWAY},
        analog_rate=RATE,
    ).contacts
    assert (contact.side, contact.used) == ("left", True), contact.reason


def test_foot_overhanging_the_edge_is_partial() -> None:
    # Heel on the plate, toe 0.1 m beyond its high edge (b = 0.4 > 0.30 + 0.02 margin).
    (contact,) = assign_plates(
        [plate_outputs(*_tilted_plate()[:2], CORNERS, plate_type=2, index=0)],
        RATE,
        N,
        {"left": _foot(0.05, 0.20), "right": AWAY},
        analog_rate=RATE,
    ).contacts
    assert not contact.used
    assert contact.reason == "partial: left foot not entirely on the plate"


C3D_ORG = shared_data() / "c3d-org"


@pytest.mark.skipif(not C3D_ORG.exists(), reason="shared data not available")
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d",
            [(0, "left", 211, 275, True)],
        ),
        # The corners of sample_09's plates tilt them by 0.18 degrees and set them 0.7 mm and
        # -1.1 mm from z = 0: read in their own plane, the decisions are those of the level
        # reading (snapshot of the lab-XY reading before issue 10).
        ("sample_09/VER4C3D.c3d", [(0, "right", 67, 113, True), (1, "left", 108, 147, True)]),
    ],
)
def test_level_real_plates_keep_their_contacts(name: str, expected: list) -> None:
    kw = {"subject_file": C3D_ORG / "sample_09/42798.mp"} if "VER4" in name else {}
    result = process_trial(C3D_ORG / name, **kw)
    got = [(c.plate, c.side, c.start, c.end, c.used) for c in result.contacts]
    assert got == expected

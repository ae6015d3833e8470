"""Plug-in Gait body-segment parameters (values from Vicon's Plug-in Gait documentation)."""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.kinetics.bsip import BSIP_TABLE, segment_parameters

# Vicon, Plug-in Gait "Kinetic modeling" table: (mass fraction, CoM from distal, radius of gyration)
VICON = {"thigh": (0.1, 0.567, 0.540), "shank": (0.0465, 0.567, 0.528), "foot": (0.0145, 0.5, 0.69)}


@pytest.mark.parametrize("segment", ["thigh", "shank", "foot"])
def test_table_matches_vicon_documentation(segment: str) -> None:
    row = BSIP_TABLE[segment]
    assert (row.mass_fraction, row.com_from_distal, row.radius_pig) == VICON[segment]


def test_thigh_parameters() -> None:
    n = 5
    hip = np.tile([0.1, 0.2, 0.9], (n, 1))
    knee = np.tile([0.1, 0.2, 0.5], (n, 1))
    seg = segment_parameters("thigh", 80.0, hip, knee)
    assert seg.mass_kg == pytest.approx(8.0)
    np.testing.assert_allclose(seg.com, np.tile([0.1, 0.2, 0.5 + 0.567 * 0.4], (n, 1)))
    np.testing.assert_allclose(seg.length_m, 0.4)
    i_t = 8.0 * (0.540 * 0.4) ** 2
    np.testing.assert_allclose(seg.inertia_local, np.diag([i_t, i_t, 0.0]))


def test_winter_com_radii_option() -> None:
    p = np.array([[0.0, 0.0, 0.5]])
    d = np.array([[0.0, 0.0, 0.1]])
    seg = segment_parameters("shank", 70.0, p, d, radii="winter_com")
    i_t = 70.0 * 0.0465 * (0.302 * 0.4) ** 2
    np.testing.assert_allclose(seg.inertia_local, np.diag([i_t, i_t, 0.0]))


def test_foot_com_midway_and_median_length_with_nan() -> None:
    ajc = np.array([[0.0, 0.0, 0.08], [0.0, 0.0, 0.08], [np.nan] * 3, [0.0, 0.0, 0.08]])
    toe = np.array([[0.2, 0.0, 0.03], [0.3, 0.0, 0.08], [0.2, 0.0, 0.03], [0.25, 0.0, 0.08]])
    seg = segment_parameters("foot", 60.0, ajc, toe)
    np.testing.assert_allclose(seg.com[1], [0.15, 0.0, 0.08])
    assert np.isnan(seg.com[2]).all() and np.isnan(seg.length_m[2])
    length = float(np.median(seg.length_m[[0, 1, 3]]))
    i_t = 60.0 * 0.0145 * (0.69 * length) ** 2
    np.testing.assert_allclose(seg.inertia_local, np.diag([i_t, i_t, 0.0]))


def test_errors() -> None:
    p = np.zeros((3, 3))
    with pytest.raises(ValueError, match="unknown segment"):
        segment_parameters("arm", 70.0, p, p)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        segment_parameters("foot", 0.0, p, p)
    with pytest.raises(ValueError, match="no frame"):
        segment_parameters("foot", 70.0, np.full((3, 3), np.nan), p)
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        segment_parameters("foot", 70.0, p, np.zeros((4, 3)))

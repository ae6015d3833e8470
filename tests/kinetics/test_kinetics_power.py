"""Joint power: known products, frame-independence, and Plug-in Gait's stored layout."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from kinchain.kinetics.power import component_powers, joint_power, pig_power_vector
from shared_paths import shared_data

SAMPLE_00 = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"


def test_joint_power_known_values() -> None:
    m = np.array([[0.0, 0.0, 10.0], [5.0, 0.0, 0.0], [1.0, 2.0, 3.0], [np.nan, 0.0, 0.0]])
    w_p = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    w_d = np.array([[0.0, 0.0, 3.0], [0.0, 4.0, 0.0], [2.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    p = joint_power(m, w_p, w_d)
    np.testing.assert_allclose(p[:3], [20.0, 0.0, 1.0 - 2.0 + 0.0])
    assert np.isnan(p[3])


def test_component_powers_sum_to_total_in_any_frame() -> None:
    rng = np.random.default_rng(3)
    m, w_p, w_d = (rng.normal(size=(9, 3)) for _ in range(3))
    R = Rotation.random(9, random_state=4).as_matrix()
    comp = component_powers(m, w_p, w_d, R)
    np.testing.assert_allclose(comp.sum(axis=1), joint_power(m, w_p, w_d), atol=1e-12)
    # In the lab frame itself the split is the plain element-wise product.
    eye = np.tile(np.eye(3), (9, 1, 1))
    np.testing.assert_allclose(component_powers(m, w_p, w_d, eye), m * (w_d - w_p))


def test_pig_power_vector_layout() -> None:
    v = pig_power_vector(np.array([70.0, -140.0, np.nan]), body_mass_kg=70.0)
    np.testing.assert_allclose(v[:2], [[0.0, 0.0, 1.0], [0.0, 0.0, -2.0]])
    assert np.isnan(v[2]).all()
    with pytest.raises(ValueError):
        pig_power_vector(np.zeros(2), body_mass_kg=0.0)


@pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared sample data not available")
def test_vicon_stores_power_in_z_only() -> None:
    ezc3d = pytest.importorskip("ezc3d")
    c = ezc3d.c3d(str(SAMPLE_00))
    labels = [s.split(":")[-1] for s in c["parameters"]["POINT"]["LABELS"]["value"]]
    points = c["data"]["points"]
    for name in ("LAnklePower", "LKneePower", "LHipPower", "RAnklePower"):
        xyz = points[:3, labels.index(name), :]
        valid = np.all(np.isfinite(xyz), axis=0)  # frames without an output are NaN
        assert valid.sum() > 100, name
        assert np.all(xyz[:2, valid] == 0.0), name
        assert np.abs(xyz[2, valid]).max() > 0.0, name

"""Derivatives against motions with closed-form velocities and accelerations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from kinchain.kinetics.derivatives import (
    angular_acceleration,
    angular_velocity,
    linear_acceleration,
)

RATE = 100.0
T = np.arange(200) / RATE


def _exp(rotvecs: np.ndarray) -> np.ndarray:
    return Rotation.from_rotvec(rotvecs).as_matrix()


def test_constant_lab_angular_velocity_is_exact() -> None:
    w = np.array([0.5, -1.2, 2.0])  # rad/s, lab frame
    R0 = Rotation.from_euler("xyz", [0.3, -0.7, 1.1]).as_matrix()
    R = np.einsum("nij,jk->nik", _exp(np.outer(T, w)), R0)  # R(t) = exp(w t) R0
    omega = angular_velocity(R, RATE)
    np.testing.assert_allclose(omega, np.tile(w, (len(T), 1)), atol=1e-9)


def test_body_fixed_spin_is_reported_in_lab_frame() -> None:
    w_body = np.array([0.0, 0.0, 3.0])  # spin about the segment's own z axis
    R0 = Rotation.from_euler("xyz", [0.4, 0.2, -0.5]).as_matrix()
    R = np.einsum("ij,njk->nik", R0, _exp(np.outer(T, w_body)))  # R(t) = R0 exp(w_b t)
    omega = angular_velocity(R, RATE)
    # The segment's z axis stays R0 @ z, so the lab angular velocity is R0 @ w_body.
    np.testing.assert_allclose(omega, np.tile(R0 @ w_body, (len(T), 1)), atol=1e-9)


def test_varying_rate_about_fixed_axis_matches_derivative() -> None:
    axis = np.array([1.0, 2.0, 2.0]) / 3.0
    amp, f = 0.8, 1.5
    theta = amp * np.sin(2 * np.pi * f * T)
    R = _exp(theta[:, None] * axis)
    omega = angular_velocity(R, RATE)
    exact = (amp * 2 * np.pi * f * np.cos(2 * np.pi * f * T))[:, None] * axis
    # Central difference error ~ theta''' dt^2 / 6.
    bound = amp * (2 * np.pi * f) ** 3 / RATE**2 / 6 * 1.01
    np.testing.assert_allclose(omega[1:-1], exact[1:-1], atol=bound)
    # The central difference of the angle is reproduced exactly by the matrix logarithm.
    central = ((theta[2:] - theta[:-2]) * RATE / 2)[:, None] * axis
    np.testing.assert_allclose(omega[1:-1], central, atol=1e-10)


def test_angular_velocity_nan_stays_local() -> None:
    w = np.array([0.0, 1.0, 0.0])
    R = _exp(np.outer(T, w))
    R[50] = np.nan
    omega = angular_velocity(R, RATE)
    assert np.isnan(omega[50]).all()
    mask = np.ones(len(T), dtype=bool)
    mask[50] = False
    np.testing.assert_allclose(omega[mask], np.tile(w, (mask.sum(), 1)), atol=1e-9)


def test_angular_velocity_rejects_bad_shape() -> None:
    with pytest.raises(ValueError, match="n, 3, 3"):
        angular_velocity(np.zeros((10, 3)), RATE)


def test_angular_acceleration_of_quadratic_rate() -> None:
    omega = np.stack([T**2, -3 * T**2, 2 * T], axis=1)
    alpha = angular_acceleration(omega, RATE)
    exact = np.stack([2 * T, -6 * T, np.full_like(T, 2.0)], axis=1)
    np.testing.assert_allclose(alpha[1:-1], exact[1:-1], atol=1e-9)
    # One-sided ends: error of a first-order difference of t^2 is dt (times the coefficient).
    np.testing.assert_allclose(alpha[[0, -1]], exact[[0, -1]], atol=3 / RATE + 1e-9)


def test_linear_acceleration_of_parabola_is_exact_everywhere() -> None:
    a = np.array([0.3, -9.81, 1.5])
    v0 = np.array([1.0, 2.0, -0.5])
    p = 0.5 * np.outer(T**2, a) + np.outer(T, v0) + np.array([0.1, 0.2, 0.9])
    acc = linear_acceleration(p, RATE)
    np.testing.assert_allclose(acc, np.tile(a, (len(T), 1)), atol=1e-8)


def test_linear_acceleration_nan_stays_local() -> None:
    a = np.array([0.0, 0.0, -9.81])
    p = 0.5 * np.outer(T**2, a)
    p[80:83] = np.nan
    acc = linear_acceleration(p, RATE)
    assert np.isnan(acc[80:83]).all()
    ok = np.ones(len(T), dtype=bool)
    ok[80:83] = False
    np.testing.assert_allclose(acc[ok], np.tile(a, (ok.sum(), 1)), atol=1e-8)


def test_linear_acceleration_isolated_samples_are_nan() -> None:
    p = np.full((10, 3), np.nan)
    p[4:6] = 1.0  # a run of two samples has no second difference
    assert np.isnan(linear_acceleration(p, RATE)).all()

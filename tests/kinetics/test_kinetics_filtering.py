"""Filtering, resampling and gap filling against analytic answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from kinchain.kinetics.filtering import fill_short_gaps, gcv_smooth, lowpass, resample_to_points

RATE = 100.0


def _digital_butter_gain_filtfilt(f: float, fc: float, fs: float, order: int) -> float:
    """|H|^2 of a bilinear-transform Butterworth at f (filtfilt applies |H| twice)."""
    ratio = np.tan(np.pi * f / fs) / np.tan(np.pi * fc / fs)
    return float(1.0 / (1.0 + ratio ** (2 * order)))


def _sine(f: float, n: int = 2000) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.sin(2 * np.pi * f * t)


def _interior_amplitude(y: np.ndarray) -> float:
    mid = y[300:-300]
    return float((mid.max() - mid.min()) / 2)


@pytest.mark.parametrize(("f", "fc"), [(1.0, 10.0), (6.0, 6.0), (30.0, 5.0), (12.0, 8.0)])
def test_lowpass_gain_matches_butterworth_magnitude(f: float, fc: float) -> None:
    y = lowpass(_sine(f), RATE, fc, order=2)
    expected = _digital_butter_gain_filtfilt(f, fc, RATE, 2)
    assert _interior_amplitude(y) == pytest.approx(expected, rel=0.02, abs=2e-4)


def test_lowpass_at_cutoff_halves_amplitude() -> None:
    # A filtfilt of a Butterworth passes its cut-off frequency at |H|^2 = 1/2 exactly.
    y = lowpass(_sine(6.0), RATE, 6.0)
    assert _interior_amplitude(y) == pytest.approx(0.5, rel=0.02)


def test_lowpass_zero_lag_below_cutoff() -> None:
    x = _sine(1.0)
    y = lowpass(x, RATE, 10.0)
    gain = _digital_butter_gain_filtfilt(1.0, 10.0, RATE, 2)
    np.testing.assert_allclose(y[300:-300], gain * x[300:-300], atol=1e-3)


def test_lowpass_nan_runs_filtered_separately() -> None:
    x = _sine(2.0, 600) + 0.1 * _sine(20.0, 600)
    x[200:230] = np.nan
    y = lowpass(x, RATE, 6.0)
    assert np.isnan(y[200:230]).all()
    assert np.isfinite(y[:200]).all() and np.isfinite(y[230:]).all()
    np.testing.assert_allclose(y[:200], lowpass(x[:200], RATE, 6.0))
    np.testing.assert_allclose(y[230:], lowpass(x[230:], RATE, 6.0))


def test_lowpass_short_runs() -> None:
    x = np.full(30, np.nan)
    x[2:5] = [1.0, 5.0, 2.0]  # 3 samples: below MIN_FILTER_RUN, unchanged
    x[10:17] = np.arange(7.0) ** 2  # 7 samples: shorter than the default padding of 9
    y = lowpass(x, RATE, 10.0)
    np.testing.assert_array_equal(y[2:5], x[2:5])
    sos = butter(2, 10.0, fs=RATE, output="sos")
    np.testing.assert_allclose(y[10:17], sosfiltfilt(sos, x[10:17], padlen=6))
    assert np.isnan(y[[0, 1, 5, 9, 17, 29]]).all()


def test_lowpass_2d_equals_columns() -> None:
    x = np.stack([_sine(1.0, 500), _sine(15.0, 500), np.linspace(0, 1, 500)], axis=1)
    x[100:110, 1] = np.nan
    y = lowpass(x, RATE, 6.0)
    for k in range(3):
        np.testing.assert_allclose(y[:, k], lowpass(x[:, k], RATE, 6.0), equal_nan=True)


@pytest.mark.parametrize("fc", [50.0, 80.0, 0.0, -1.0])
def test_lowpass_rejects_bad_cutoff(fc: float) -> None:
    with pytest.raises(ValueError, match="Nyquist"):
        lowpass(_sine(1.0, 100), RATE, fc)


def test_lowpass_does_not_modify_input() -> None:
    x = _sine(1.0, 100)
    x0 = x.copy()
    lowpass(x, RATE, 5.0)
    np.testing.assert_array_equal(x, x0)


def test_resample_means_are_centred_on_the_frame_times() -> None:
    """A ramp sampled at 1000 Hz: the value at frame i's time (sample 10 i) is 10 i; the centred
    10-sample window [10 i - 5, 10 i + 5) has mean 10 i - 0.5 (half an analog sample early); the
    first frame's window holds only samples 0..4."""
    ratio, n = 10, 5
    x = np.arange(ratio * n, dtype=float)
    y = resample_to_points(x, 1000.0, 100.0, n)
    np.testing.assert_allclose(y, [2.0, 9.5, 19.5, 29.5, 39.5])


def test_resample_has_no_phase_lag_on_a_sine() -> None:
    """A slow sine averaged over centred windows keeps its phase at the marker times."""
    t = np.arange(2000) / 1000.0
    x = np.sin(2 * np.pi * 2.0 * t)
    y = resample_to_points(x, 1000.0, 100.0, 200)
    frames_t = np.arange(200) / 100.0
    expected = np.sin(2 * np.pi * 2.0 * (frames_t - 0.0005))  # half-sample offset
    # Averaging 10 samples attenuates a 2 Hz sine by sinc(2 * 0.01) = 0.9993.
    np.testing.assert_allclose(y[1:-1], expected[1:-1] * 0.99934, atol=2e-4)


def test_resample_nan_aware_and_short_record() -> None:
    x = np.ones((40, 2))
    x[0:5, 0] = np.nan  # all of frame 0's samples (window -5..4) missing in column 0
    x[5:15, 1] = np.nan  # all of frame 1's samples (window 5..14) missing in column 1
    x[15:20, 0] = 3.0  # half of frame 2's window (15..24)
    y = resample_to_points(x, 1000.0, 100.0, 5)  # only 4 frames of data
    assert np.isnan(y[0, 0]) and y[0, 1] == 1.0
    assert np.isnan(y[1, 1]) and y[1, 0] == 1.0
    assert y[2, 0] == pytest.approx(2.0)
    assert y[3, 0] == 1.0  # window 25..34, inside the record
    assert y[4, 0] == 1.0  # window 35..44: samples 35..39 exist
    assert np.isnan(resample_to_points(x, 1000.0, 100.0, 6)[5]).all()


def test_resample_rejects_non_integer_ratio() -> None:
    with pytest.raises(ValueError, match="integer multiple"):
        resample_to_points(np.zeros(100), 1000.0, 60.0, 10)


def test_fill_short_gaps_cubic_is_exact() -> None:
    t = np.arange(100, dtype=float)
    x = 0.001 * t**3 - 0.05 * t**2 + 2 * t - 7
    xg = x.copy()
    xg[20:26] = np.nan  # 6 frames: filled
    xg[50:70] = np.nan  # 20 frames: too long
    xg[:3] = np.nan  # leading edge
    xg[-2:] = np.nan  # trailing edge
    filled, mask = fill_short_gaps(xg, max_gap=10)
    np.testing.assert_allclose(filled[20:26], x[20:26], rtol=1e-9, atol=1e-9)
    assert np.isnan(filled[50:70]).all()
    assert np.isnan(filled[:3]).all() and np.isnan(filled[-2:]).all()
    expected_mask = np.zeros(100, dtype=bool)
    expected_mask[20:26] = True
    np.testing.assert_array_equal(mask, expected_mask)


def test_fill_short_gaps_2d_and_gap_length_limit() -> None:
    t = np.arange(60, dtype=float)
    x = np.stack([t**2, 3 * t - 1, np.cos(0.0 * t)], axis=1)
    xg = x.copy()
    xg[10:13, :] = np.nan
    xg[30:35, 1] = np.nan  # 5 > max_gap
    filled, mask = fill_short_gaps(xg, max_gap=4)
    np.testing.assert_allclose(filled[10:13], x[10:13], atol=1e-9)
    assert np.isnan(filled[30:35, 1]).all()
    assert mask[10:13].all() and not mask[30:35].any()


# --- gcv_smooth: the Woltring-like smoothing spline (GCV) -----------------------------------


def test_gcv_smooth_keeps_straight_lines_and_gaps() -> None:
    # The spline's penalty is on the second derivative, so a straight line is fitted exactly
    # whatever smoothing GCV picks; NaN samples stay NaN and no value crosses the gap.
    t = np.arange(200) / RATE
    x = 3.0 + 2.0 * t
    x[80:90] = np.nan
    y = gcv_smooth(x, RATE)
    assert np.isnan(y[80:90]).all()
    np.testing.assert_allclose(y[np.isfinite(x)], x[np.isfinite(x)], atol=1e-9)


def test_gcv_smooth_removes_white_noise_from_a_slow_signal() -> None:
    rng = np.random.default_rng(7)
    truth = _sine(1.0, 500)
    noisy = truth + rng.normal(0.0, 0.01, truth.size)
    err_before = float(np.sqrt(np.mean((noisy - truth) ** 2)))
    err_after = float(np.sqrt(np.mean((gcv_smooth(noisy, RATE) - truth) ** 2)))
    assert err_after < 0.5 * err_before


def test_gcv_smooth_columns_are_independent_and_scale_free() -> None:
    rng = np.random.default_rng(3)
    col = _sine(2.0, 300) + rng.normal(0.0, 0.02, 300)
    y = gcv_smooth(np.column_stack([col, 2.0 * col]), RATE)
    # GCV's choice does not depend on the signal's scale, so the smooth scales with it.
    np.testing.assert_allclose(y[:, 1], 2.0 * y[:, 0], rtol=1e-6, atol=1e-9)
    assert y.shape == (300, 2)


def test_gcv_smooth_short_runs_and_bad_rate() -> None:
    x = np.array([1.0, 5.0, 2.0, np.nan, 4.0, 0.0])
    np.testing.assert_array_equal(np.isnan(gcv_smooth(x, RATE)), np.isnan(x))
    np.testing.assert_array_equal(gcv_smooth(x, RATE)[:3], x[:3])
    with pytest.raises(ValueError, match="sampling rate"):
        gcv_smooth(x, 0.0)

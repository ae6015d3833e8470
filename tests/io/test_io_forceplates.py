"""Force plates: analytic loads, the TYPE-4.xls worked calculation, cross-checks on real trials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pytest

from kinchain.io import read_c3d
from kinchain.io.forceplates import plate_frame, plates_from_c3d, wrench_from_channels
from kinchain.io.subject import read_mp
from shared_paths import shared_data

C3D_DIR = shared_data() / "c3d-org"
SAMPLE_00 = C3D_DIR / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
TYPE2 = C3D_DIR / "sample_10" / "TYPE-2.C3D"
TYPE4 = C3D_DIR / "sample_10" / "TYPE-4.C3D"

pytestmark = pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared data not available")

# An AMTI-like plate in a Z-up lab, corners in mm as C3D stores them: corner 1 in the plate's
# +x +y quadrant; plate x = c1 - c2 = +X lab, plate y = c1 - c4 = -Y lab, so plate z = -Z (down).
CORNERS_MM = np.array([[600.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 400.0, 0.0], [600.0, 400.0, 0.0]])


def _params(ptype: int, origin_mm: list[float], n_ch: int, *, zero: tuple[int, int] = (1, 0),
            cal: np.ndarray | None = None) -> dict[str, Any]:
    fp: dict[str, Any] = {
        "USED": {"value": np.array([1])},
        "TYPE": {"value": np.array([ptype])},
        "CORNERS": {"value": CORNERS_MM.T[:, :, None]},
        "ORIGIN": {"value": np.array(origin_mm, dtype=float)[:, None]},
        "CHANNEL": {"value": np.arange(1, n_ch + 1)[:, None]},
        "ZERO": {"value": np.array(zero)},
    }
    if cal is not None:
        fp["CAL_MATRIX"] = {"value": cal[:, :, None]}
    return {"FORCE_PLATFORM": fp}


def _type2_channels(p_lab_m: np.ndarray, f_lab: np.ndarray, tz_lab: float,
                    origin_m: np.ndarray) -> np.ndarray:
    """Channels (N, N·mm) of a type-2 plate loaded by the reaction ``f_lab`` at ``p_lab_m``."""
    corners = CORNERS_MM / 1000.0
    rot = plate_frame(corners)
    centre = corners.mean(axis=0)
    f_p = rot.T @ f_lab
    r_p = rot.T @ (p_lab_m - centre)
    m_s = np.cross(r_p, f_p) + rot.T @ np.array([0.0, 0.0, tz_lab])
    m_o = m_s - np.cross(f_p, origin_m)  # moment about the transducer origin
    return np.concatenate([f_p, m_o * 1000.0])


def test_plate_frame_points_down_for_amti_corners() -> None:
    rot = plate_frame(CORNERS_MM)
    np.testing.assert_allclose(rot, np.diag([1.0, -1.0, -1.0]), atol=1e-12)


@pytest.mark.parametrize("origin_sign", [-1.0, 1.0], ids=["origin_z_negative", "stored_positive"])
def test_type2_point_load_recovers_cop_force_and_free_moment(origin_sign: float) -> None:
    """A known reaction (150, -40, 700) N with free moment 3 N·m at (0.42, 0.13) m on the surface.

    The ORIGIN (5, -3, -40) mm is the true one; with ``stored_positive`` the file holds its
    negative (Vicon's error) and the reader must negate it back.
    """
    origin_true = np.array([5.0, -3.0, -40.0])
    p = np.array([0.42, 0.13, 0.0])
    f = np.array([150.0, -40.0, 700.0])
    ch = _type2_channels(p, f, 3.0, origin_true / 1000.0)
    analogs = np.tile(ch, (5, 1)).T  # (6 channels, 5 samples)
    params = _params(2, list(origin_sign * -1.0 * -origin_true), 6)
    if origin_sign > 0:
        params["FORCE_PLATFORM"]["ORIGIN"]["value"] = (-origin_true)[:, None]
    (plate,) = plates_from_c3d(params, analogs, "synthetic", point_units="mm", samples_per_frame=1)
    np.testing.assert_allclose(plate.force, np.tile(f, (5, 1)), atol=1e-9)
    np.testing.assert_allclose(plate.cop, np.tile(p, (5, 1)), atol=1e-9)
    np.testing.assert_allclose(plate.free_moment, np.tile([0.0, 0.0, 3.0], (5, 1)), atol=1e-9)
    centre = CORNERS_MM.mean(axis=0) / 1000.0
    expected_m = np.cross(p - centre, f) + np.array([0.0, 0.0, 3.0])
    np.testing.assert_allclose(plate.moment_at_origin, np.tile(expected_m, (5, 1)), atol=1e-9)
    np.testing.assert_allclose(plate.corners, CORNERS_MM / 1000.0)


def test_cop_nan_below_threshold_and_zero_baseline_removed() -> None:
    origin = np.array([0.0, 0.0, -40.0])
    offset = np.array([3.0, -2.0, 10.0, 400.0, -300.0, 50.0])  # amplifier drift, N and N·mm
    loaded = _type2_channels(np.array([0.3, 0.2, 0.0]), np.array([0.0, 0.0, 600.0]), 0.0,
                             origin / 1000.0)
    samples = np.vstack([np.zeros((10, 6)), np.tile(loaded, (10, 1))]) + offset
    params = _params(2, list(origin), 6, zero=(1, 10))
    (plate,) = plates_from_c3d(params, samples.T, "synthetic", point_units="mm",
                               samples_per_frame=1)
    assert np.all(np.isnan(plate.cop[:10])) and np.all(np.isnan(plate.free_moment[:10]))
    np.testing.assert_allclose(plate.force[:10], 0.0, atol=1e-9)
    np.testing.assert_allclose(plate.cop[10:], np.tile([0.3, 0.2, 0.0], (10, 1)), atol=1e-9)
    # ZERO = [1, 0] (Nexus: already zeroed) leaves the offset in
    params = _params(2, list(origin), 6, zero=(1, 0))
    (raw,) = plates_from_c3d(params, samples.T, "synthetic", point_units="mm",
                             samples_per_frame=1)
    np.testing.assert_allclose(raw.force[0], [3.0, 2.0, -10.0], atol=1e-9)  # plate -> lab axes


def test_zero_baseline_skipped_when_plate_loaded_in_window() -> None:
    loaded = _type2_channels(np.array([0.3, 0.2, 0.0]), np.array([0.0, 0.0, 600.0]), 0.0,
                             np.array([0.0, 0.0, -0.04]))
    params = _params(2, [0.0, 0.0, -40.0], 6, zero=(1, 10))
    (plate,) = plates_from_c3d(params, np.tile(loaded, (20, 1)).T, "synthetic",
                               point_units="mm", samples_per_frame=1)
    np.testing.assert_allclose(plate.force[:, 2], 600.0)


def test_type3_kistler_point_load_with_shear() -> None:
    """Kistler sensors at (±a, ±b) = (±120, ±200) mm, sensor plane az0 = 50 mm below the surface.

    A reaction (80, 0, 700) N at (0.06, -0.05) m from the centre; the sensors see a vertical
    load centred at x' = x - az0 Fx / Fz (the shear's lever arm) and shear split by y.
    """
    a, b, az0 = 0.12, 0.2, -0.05
    corners = CORNERS_MM / 1000.0
    rot = plate_frame(corners)
    centre = corners.mean(axis=0)
    p_plate = np.array([0.06, -0.05, 0.0])  # plate coordinates
    f_plate = rot.T @ np.array([80.0, 0.0, 700.0])  # reaction, plate coordinates
    fx, _, fz = f_plate
    x_eq = p_plate[0] - az0 * fx / fz
    y = p_plate[1]
    w = [(1 + x_eq / a) * (1 + y / b), (1 - x_eq / a) * (1 + y / b),
         (1 - x_eq / a) * (1 - y / b), (1 + x_eq / a) * (1 - y / b)]
    fzs = [fz * wi / 4.0 for wi in w]
    fx12, fx34 = fx * (1 + y / b) / 2.0, fx * (1 - y / b) / 2.0
    ch = np.array([fx12, fx34, 0.0, 0.0, *fzs])
    params = _params(3, [120.0, 200.0, -50.0], 8)
    (plate,) = plates_from_c3d(params, np.tile(ch, (3, 1)).T, "synthetic", point_units="mm",
                               samples_per_frame=1)
    np.testing.assert_allclose(plate.force[0], [80.0, 0.0, 700.0], atol=1e-9)
    np.testing.assert_allclose(plate.cop[0], centre + rot @ p_plate, atol=1e-9)
    np.testing.assert_allclose(plate.free_moment[0], 0.0, atol=1e-9)
    # az0 stored positive (as Vicon stores ORIGIN z): only z is negated, a and b are kept.
    params = _params(3, [120.0, 200.0, 50.0], 8)
    (same,) = plates_from_c3d(params, np.tile(ch, (3, 1)).T, "synthetic", point_units="mm",
                              samples_per_frame=1)
    np.testing.assert_allclose(same.cop, plate.cop, atol=1e-12)


# Rows 24, 26, 27, 37 and 39 of sheet "C3D Force plate calculations" of c3d.org's
# sample_10/TYPE-4.xls: unscaled counts (B:G) -> "Scaled Values - TYPE-4" (J:O), with
# ANALOG:OFFSET 2047 and the sheet's TYPE-4 ANALOG:SCALE (cells O6:O11).
XLS_SCALE = np.array([-0.12220625473777029, -0.12220625473777029, -0.12213817246862357,
                      -0.12220625473777029, -0.12220625473777029, -0.12220625473777029])
XLS_ROWS = [
    ([3000, 2047, 2047, 2047, 2047, 2047],
     [-177.79698681312698, -1.628401762840548, -5.3017695252349535, 498.95832424031704,
      639.8697470435801, -332.61982571665044]),
    ([2047, 2047, 3000, 2047, 2047, 2047],
     [-0.010413302463157586, 1.0632543187389183, -697.0083441475147, -1540.2889825550967,
      -1542.2999076388462, 536.5348868708968]),
    ([2047, 2047, 2047, 3000, 2047, 2047],
     [0.0006878876254257038, -0.2667975386176817, 0.002799272810879937, -86400.23045712145,
      62.8195926275499, 69.55595594554231]),
    ([3000, 3000, 3000, 2047, 2047, 2047],
     [-177.26741078627015, -179.7555992905412, -700.1546749011418, -3039.7865182344904,
      -1562.513433277228, 1326.4905421328842]),
    ([0, 2047, 2047, 2047, 2047, 4096],
     [382.34590402778025, 4.710938051340159, 11.974371121591613, -257.8513467523761,
      -1225.7168628931336, -97412.3332695783]),
]


# The sheet's "C3D TYPE-4 Plates (CAL_MATRIX)" block (rows 14-19, columns J:O): row = input
# channel (Fx' ... Mz'), column = output. The sheet computes output_j = sum_i input_i * S[i, j].
XLS_CAL = np.array([
    [1.5266450063015822, 0.013982190947398396, 0.045523380993902574, -4.284280896473809,
     -5.494209837393126, 2.856023631384376],
    [-0.00463659158593573, 1.5386099246767089, -0.018507568075506305, 17.159642092625756,
     5.6677722724416935, -9.638938673543954],
    [8.946314574005854e-05, -0.009134669468463993, 5.988163629657774, 13.232987154235488,
     13.250263487509809, -4.609498182596914],
    [-5.906512967829832e-06, 0.002290843828823343, -2.4035817111441236e-05, 741.8712922807069,
     -0.5393973154536502, -0.5972387648751485],
    [0.002252567400080173, -0.0011475099859239767, 6.895938481584756e-05, -1.682022549947898,
     739.6307731023362, 2.0416397080022737],
    [-0.001781885545658509, -0.004845060957261995, -0.0023419070348028362, -3.250343828837657,
     -0.593823662966123, 391.87916899830503],
])


def test_type4_calibration_matrix_reproduces_the_c3d_org_spreadsheet() -> None:
    counts = np.array([r[0] for r in XLS_ROWS], dtype=float)
    expected = np.array([r[1] for r in XLS_ROWS])
    channels = (counts - 2047.0) * XLS_SCALE
    # The file stores the sheet's matrix (rounded to 3 decimals) with the output first:
    # CAL_MATRIX value (i, j) = S[j, i]. That is the orientation wrench_from_channels uses.
    # One cross-talk term (Fz channel -> Mz) has the opposite sign in TYPE-4.C3D (+4.609)
    # from the sheet (-4.6095): a discrepancy of the sample files themselves.
    stored = ezc3d.c3d(str(TYPE4))["parameters"]["FORCE_PLATFORM"]["CAL_MATRIX"]["value"]
    same = np.ones((6, 6), dtype=bool)
    same[5, 2] = False
    np.testing.assert_allclose(stored[:, :, 0][same], XLS_CAL.T[same], atol=1e-3)
    assert stored[5, 2, 0] == pytest.approx(-XLS_CAL[2, 5], abs=1e-3)
    force, moment = wrench_from_channels(channels, 4, np.zeros(3), XLS_CAL.T)
    np.testing.assert_allclose(np.hstack([force, moment]), expected, rtol=1e-9, atol=1e-9)
    # the other orientation ("rows multiplied by 1000", the documentation error) is far off
    f_t, m_t = wrench_from_channels(channels, 4, np.zeros(3), XLS_CAL)
    assert np.abs(np.hstack([f_t, m_t]) - expected).max() > 1000.0


def test_type2_and_type4_files_of_the_same_data_agree() -> None:
    """Same counts, two descriptions. Forces within 1 % rms of the peak; the moments differ by
    ~19 % because TYPE-2.C3D's own moment scales (-36.8 N·mm/count for Mx) are below what its
    sensitivity matrix gives (0.0611 x 741.9 = 45.3), so the COP differs by up to ~2 cm."""
    c2, c4 = ezc3d.c3d(str(TYPE2)), ezc3d.c3d(str(TYPE4))
    counts2 = c2["data"]["analogs"][0] / c2["parameters"]["ANALOG"]["SCALE"]["value"][:, None]
    counts4 = c4["data"]["analogs"][0] / c4["parameters"]["ANALOG"]["SCALE"]["value"][:, None]
    np.testing.assert_allclose(counts2, counts4, atol=1e-6)
    p2, p4 = read_c3d(TYPE2).plates[0], read_c3d(TYPE4).plates[0]
    stance = p2.force[:, 2] > 100.0
    peak = p2.force[:, 2].max()
    assert 380.0 < peak < 420.0
    rms = np.sqrt(np.mean((p2.force[stance] - p4.force[stance]) ** 2, axis=0))
    assert np.all(rms < 0.012 * peak)
    assert np.nanmax(np.abs(p2.cop[stance] - p4.cop[stance])) < 0.025


WALKING = [
    ("sample_00", "pyCGM2 lower limb CGM24 Walking01.c3d"),
    ("sample_00", "Walk1.c3d"),
    ("sample_00", "Gait with EMG.c3d"),
    ("sample_03", "gait-raw.c3d"),
    ("sample_04", "sub_labels.c3d"),
    ("sample_09", "VER4C3D.c3d"),
    ("sample_10", "TYPE-2.C3D"),
    ("sample_10", "TYPE-4.C3D"),
    ("sample_32", "vicon_zerowire.c3d"),
]


@pytest.mark.parametrize("folder,name", WALKING, ids=[n for _, n in WALKING])
def test_walking_stance_up_and_cop_inside_plate(folder: str, name: str) -> None:
    """During stance (Fz > 100 N) the reaction points up and the COP lies on the plate (5 mm
    tolerance); over one stance the COP travels 0.15-0.3 m (heel to toe), which also checks
    that moment channels are N·mm (N·m would move it by metres or not at all)."""
    trial = read_c3d(C3D_DIR / folder / name)
    used = 0
    for plate in trial.plates:
        fz = plate.force[:, 2]
        stance = fz > 100.0
        if stance.sum() < 0.2 * trial.analog_rate:
            continue
        used += 1
        assert fz.max() > 300.0 and fz.min() > -0.1 * fz.max()
        lo, hi = plate.corners.min(axis=0), plate.corners.max(axis=0)
        cop = plate.cop[stance]
        assert np.all(cop[:, :2] >= lo[:2] - 0.005) and np.all(cop[:, :2] <= hi[:2] + 0.005)
        assert 0.15 < np.ptp(cop[:, :2], axis=0).max() < 0.3
        np.testing.assert_allclose(cop[:, 2], plate.centre[2], atol=0.002)
    assert used >= 1


def test_raw_file_with_zero_baseline_equals_vicon_processed_file() -> None:
    """gait-raw.c3d has ANALOG:OFFSET 2048 and FORCE_PLATFORM:ZERO [0, 10]; gait-pig.c3d, the
    same trial after Plug-in Gait, has Vicon's baseline written into OFFSET. With the ZERO
    baseline applied the plates are identical."""
    raw = read_c3d(C3D_DIR / "sample_03" / "gait-raw.c3d")
    pig = read_c3d(C3D_DIR / "sample_03" / "gait-pig.c3d")
    for a, b in zip(raw.plates, pig.plates, strict=True):
        np.testing.assert_allclose(a.force, b.force, atol=1e-6)
        np.testing.assert_allclose(a.moment_at_origin, b.moment_at_origin, atol=1e-6)


def test_matches_ezc3d_where_ezc3d_is_right() -> None:
    """sample_00: type 2, ORIGIN 0, ZERO [1, 0]: ezc3d's platform output (N, N·mm, mm) equals
    ours exactly. (Where a ZERO window exists ezc3d ignores it, and for type 3 with a positive
    az0 it would also negate a and b.)"""
    trial = read_c3d(SAMPLE_00)
    ez = ezc3d.c3d(str(SAMPLE_00), extract_forceplat_data=True)["data"]["platform"][0]
    plate = trial.plates[0]
    np.testing.assert_allclose(plate.force, ez["force"].T, atol=1e-9)
    np.testing.assert_allclose(plate.moment_at_origin, ez["moment"].T / 1000.0, atol=1e-9)
    stance = plate.force[:, 2] > 20.0
    np.testing.assert_allclose(plate.cop[stance], ez["center_of_pressure"].T[stance] / 1000.0,
                               atol=1e-9)


def _vicon_grf_slope(
    trial_path: Path, grf_label: str, plate_index: int, mass: float, min_corr_y: float
) -> None:
    trial = read_c3d(trial_path)
    vicon = trial.other_points[grf_label]  # N/kg although the file says "N"
    spf = round(trial.analog_rate / trial.point_rate)
    ours = trial.plates[plate_index].force[::spf][: len(vicon)] / mass
    ok = np.all(np.isfinite(vicon), axis=1) & (ours[:, 2] > 1.0)
    assert ok.sum() > 30
    assert np.corrcoef(ours[ok, 2], vicon[ok, 2])[0, 1] > 0.99
    assert np.corrcoef(ours[ok, 1], vicon[ok, 1])[0, 1] > min_corr_y
    assert np.polyfit(ours[ok, 2], vicon[ok, 2], 1)[0] == pytest.approx(1.0, abs=0.01)
    assert vicon[ok, 2].max() == pytest.approx(ours[ok, 2].max(), rel=0.02)


def test_ground_reaction_matches_vicon_normalised_grf_sample_00() -> None:
    """Nexus' LGroundReactionForce is the plate reaction divided by the body mass (77.625 kg)."""
    _vicon_grf_slope(SAMPLE_00, "LGroundReactionForce", 0, 77.625, 0.99)


@pytest.mark.parametrize("label,plate", [("RGroundReactionForce", 0), ("LGroundReactionForce", 1)])
def test_ground_reaction_matches_vicon_sample_09(label: str, plate: int) -> None:
    """Vicon Workstation's GRF in PlugInC3D.c3d / the 42798.mp mass (66.2 kg); ORIGIN stored with
    a positive z in this file. Stored as integers (POINT:SCALE 0.097), the small medio-lateral
    force loses resolution, hence the looser check on Y."""
    mass = read_mp(C3D_DIR / "sample_09" / "42798.mp").mass_kg
    _vicon_grf_slope(C3D_DIR / "sample_09" / "PlugInC3D.c3d", label, plate, mass, 0.95)


# Plates that cannot be read (issue 10): by default an UnusablePlate (all NaN) with the reason,
# so that the trial's kinematics survive; strict=True raises the same reason as InputError.
def _loaded_channels(n: int = 20) -> np.ndarray:
    loaded = _type2_channels(np.array([0.3, 0.2, 0.0]), np.array([0.0, 0.0, 600.0]), 0.0,
                             np.array([0.0, 0.0, -0.04]))
    return np.tile(loaded, (n, 1)).T  # (6, n)


def _bad_type(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["TYPE"] = {"value": np.array([5])}
    return p, a


def _bad_channel(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["CHANNEL"] = {"value": np.array([1, 2, 3, 4, 5, 9])[:, None]}
    return p, a


def _too_few_channels(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["TYPE"] = {"value": np.array([3])}
    return p, a


def _flat_corners(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["CORNERS"] = {"value": np.zeros((3, 4, 1))}
    return p, a


def _nan_corners(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["CORNERS"] = {"value": np.full((3, 4, 1), np.nan)}
    return p, a


def _no_corners(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    del p["FORCE_PLATFORM"]["CORNERS"]
    return p, a


def _nan_channel(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    a = a.copy()
    a[2] = np.nan  # Fz never finite (corrupt floats are read as NaN)
    return p, a


def _singular_cal(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["TYPE"] = {"value": np.array([4])}
    p["FORCE_PLATFORM"]["CAL_MATRIX"] = {"value": np.zeros((6, 6, 1))}
    return p, a


def _no_cal(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    p["FORCE_PLATFORM"]["TYPE"] = {"value": np.array([4])}
    return p, a


def _no_analogs(p: dict[str, Any], a: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    return p, np.zeros((0, 0))


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_bad_type, "FORCE_PLATFORM:TYPE 5; kinchain reads 2, 3, 4"),
        (_bad_channel, "refers to analog channels [1, 2, 3, 4, 5, 9] but the file has 6"),
        (_too_few_channels, "lists 6 channels per plate but plate 1 is type 3 and needs 8"),
        (_flat_corners, "FORCE_PLATFORM:CORNERS for plate 1 do not span a surface"),
        (_nan_corners, "FORCE_PLATFORM:CORNERS for plate 1 do not span a surface"),
        (_no_corners, "FORCE_PLATFORM:CORNERS is missing"),
        (_nan_channel, "force plate 1: analog channel(s) [3] hold no finite sample"),
        (_singular_cal, "FORCE_PLATFORM:CAL_MATRIX of plate 1 is singular"),
        (_no_cal, "type 4 but FORCE_PLATFORM:CAL_MATRIX is missing"),
        (_no_analogs, "FORCE_PLATFORM:USED is 1 but the file has no analog data"),
    ],
)
def test_unreadable_plate_is_unusable_not_an_error(edit: Any, reason: str) -> None:
    from kinchain.errors import InputError
    from kinchain.io.forceplates import UnusablePlate

    params, analogs = edit(_params(2, [0.0, 0.0, -40.0], 6), _loaded_channels())
    (plate,) = plates_from_c3d(params, analogs, "bad.c3d", point_units="mm", samples_per_frame=1)
    assert isinstance(plate, UnusablePlate)
    assert reason in plate.problem, plate.problem
    assert plate.index == 0
    assert plate.force.shape == (analogs.shape[1], 3)
    for values in (plate.force, plate.cop, plate.free_moment, plate.moment_at_origin):
        assert np.isnan(values).all()
    with pytest.raises(InputError) as info:
        plates_from_c3d(params, analogs, "bad.c3d", point_units="mm", samples_per_frame=1,
                        strict=True)
    assert reason in info.value.problem and info.value.source == "bad.c3d"


def test_unusable_plate_keeps_readable_corners_and_the_others() -> None:
    # Two plates: the first has an unsupported type, the second is read as usual.
    from kinchain.io.forceplates import UnusablePlate

    params = _params(2, [0.0, 0.0, -40.0], 6)
    fp = params["FORCE_PLATFORM"]
    fp["USED"] = {"value": np.array([2])}
    fp["TYPE"] = {"value": np.array([7, 2])}
    shifted = CORNERS_MM.T + np.array([1000.0, 0.0, 0.0])[:, None]
    fp["CORNERS"] = {"value": np.stack([CORNERS_MM.T, shifted], -1)}
    fp["ORIGIN"] = {"value": np.array([[0.0, 0.0, -40.0]] * 2).T}
    fp["CHANNEL"] = {"value": np.column_stack([np.arange(1, 7), np.arange(1, 7)])}
    bad, good = plates_from_c3d(params, _loaded_channels(), "two.c3d", point_units="mm",
                                samples_per_frame=1)
    assert isinstance(bad, UnusablePlate) and "TYPE 7" in bad.problem
    np.testing.assert_allclose(bad.corners, CORNERS_MM / 1000.0)
    assert not isinstance(good, UnusablePlate)
    np.testing.assert_allclose(good.force[:, 2], 600.0)

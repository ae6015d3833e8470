"""read_c3d on the real c3d.org files: what is read and how it relates to the stored values."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import ezc3d
import numpy as np
import pytest

from kinchain.errors import InputError
from kinchain.io import read_c3d
from kinchain.io.forceplates import UnusablePlate
from kinchain.io.trial import Trial
from shared_paths import shared_data

C3D_DIR = shared_data() / "c3d-org"
ALL_C3D = sorted(p for p in C3D_DIR.glob("*/*") if p.suffix.lower() == ".c3d")
SAMPLE_00 = C3D_DIR / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
GAIT_PIG = C3D_DIR / "sample_03" / "gait-pig.c3d"
GAIT_RAW = C3D_DIR / "sample_03" / "gait-raw.c3d"

pytestmark = pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared data not available")


@pytest.fixture(scope="module")
def s00() -> Trial:
    return read_c3d(SAMPLE_00)


@pytest.fixture(scope="module")
def s00_ezc3d() -> ezc3d.c3d:
    return ezc3d.c3d(str(SAMPLE_00))


@pytest.mark.parametrize("path", ALL_C3D, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_file_loads_or_raises_input_error(path: Path) -> None:
    try:
        trial = read_c3d(path)
    except InputError as exc:
        assert str(path) in str(exc)
        return
    assert trial.n_frames > 0
    assert trial.point_rate > 0
    for plate in trial.plates:
        assert plate.force.shape == plate.cop.shape == (plate.force.shape[0], 3)
        assert plate.force.shape[0] == next(iter(trial.analogs.values())).shape[0]


def test_all_real_files_found() -> None:
    assert len(ALL_C3D) >= 20


def test_evart_inconsistent_channel_parameter_leaves_its_plates_unusable() -> None:
    # evart.c3d: two Kistler (type 3, 8 channels) plates but FORCE_PLATFORM:CHANNEL has 6 rows.
    # The markers are read; those two plates are unusable, with the reason, and the file's two
    # type-2 plates are read (issue 10).
    trial = read_c3d(C3D_DIR / "sample_11" / "evart.c3d")
    assert trial.markers
    assert [type(p).__name__ for p in trial.plates] == ["UnusablePlate"] * 2 + ["ForcePlate"] * 2
    for plate in trial.plates[:2]:
        assert isinstance(plate, UnusablePlate)
        assert f"plate {plate.index + 1} is type 3 and needs 8" in plate.problem
        assert "CHANNEL lists 6 channels" in plate.problem
    assert all(np.isfinite(p.force).any() for p in trial.plates[2:])


def test_markers_metres_from_millimetres(s00: Trial, s00_ezc3d: ezc3d.c3d) -> None:
    labels = list(s00_ezc3d["parameters"]["POINT"]["LABELS"]["value"])
    assert s00_ezc3d["parameters"]["POINT"]["UNITS"]["value"][0] == "mm"
    raw = s00_ezc3d["data"]["points"][:3, labels.index("LASI"), :].T
    np.testing.assert_allclose(s00.markers["LASI"], raw / 1000.0, equal_nan=True)
    assert s00.point_rate == 100.0
    assert s00.n_frames == 493
    assert s00.first_frame == 63  # header word 4 (ezc3d reports 62, zero-based)


def test_gaps_are_nan_where_residual_negative() -> None:
    trial = read_c3d(GAIT_RAW)
    c = ezc3d.c3d(str(GAIT_RAW))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    res = c["data"]["meta_points"]["residuals"][0]
    checked = 0
    for name, xyz in trial.markers.items():
        i = labels.index(name)
        bad = res[i] < 0
        assert np.all(np.isnan(xyz[bad]))
        assert np.all(np.isfinite(xyz[~bad]))
        checked += int(bad.sum())
    assert checked > 1000


def test_all_zero_points_are_gaps() -> None:
    path = C3D_DIR / "sample_03" / "gait-pig-nz.c3d"
    c = ezc3d.c3d(str(path))
    labels = [lab.split(":")[-1] for lab in c["parameters"]["POINT"]["LABELS"]["value"]]
    zero = np.all(c["data"]["points"][:3] == 0, axis=0)  # (n_points, n_frames), residual 0
    trial = read_c3d(path)
    checked = 0
    for name, xyz in trial.markers.items():
        z = zero[labels.index(name)]
        assert np.all(np.isnan(xyz[z]))
        checked += int(z.sum())
    assert checked > 0


def test_plug_in_gait_and_cgm24_outputs_are_other_points(s00: Trial) -> None:
    for name, unit in [
        ("LKneeAngles", "deg"),
        ("LKneeMoment", "Nmm"),
        ("LAnklePower", "W"),
        ("LGroundReactionForce", "N"),
        ("LKneeAngles_CGM_2.4", "deg"),
        ("LHJC_CGM_2.4", "mm"),
    ]:
        assert name in s00.other_points, name
        assert s00.other_point_units[name] == unit
        assert name not in s00.markers
    for marker in ("LASI", "RASI", "LKNE", "LANK", "LHEE", "LTOE", "RTIB", "LTHI"):
        assert marker in s00.markers


def test_events_frames_from_times(s00: Trial, s00_ezc3d: ezc3d.c3d) -> None:
    ev = s00_ezc3d["parameters"]["EVENT"]
    times = ev["TIMES"]["value"]
    assert len(s00.events) == int(ev["USED"]["value"][0]) == 18
    assert [e.time_s for e in s00.events] == sorted(e.time_s for e in s00.events)
    # first event stored: Left Foot Strike at 2.732 s -> round(273.2) - (63 - 1) = 211
    first = next(e for e in s00.events if math.isclose(e.time_s, float(times[1, 0])))
    assert (first.label, first.context) == ("Foot Strike", "Left")
    assert first.frame == round(float(times[1, 0]) * 100.0) - 62 == 211
    for e in s00.events:
        assert e.frame == round(e.time_s * 100.0) - 62


def test_subject_prefix_is_stripped() -> None:
    trial = read_c3d(GAIT_PIG)
    assert "RKNE" in trial.markers and "A22:RKNE" not in trial.markers
    assert "LKneeAngles" in trial.other_points


def test_subject_from_processing_group(s00: Trial) -> None:
    s = s00.subject
    assert s is not None
    assert s.mass_kg == pytest.approx(77.625)
    assert s.height_m == pytest.approx(1.700)
    assert s.leg_length_m == pytest.approx({"left": 0.860, "right": 0.820})
    assert s.knee_width_m == pytest.approx({"left": 0.102, "right": 0.101})
    assert s.ankle_width_m == pytest.approx({"left": 0.072, "right": 0.072})
    assert s.inter_asis_m == pytest.approx(0.240)
    # Nexus stores the static offsets in radians: LTibialTorsion = -0.22017328 rad.
    assert s.tibial_torsion_deg["left"] == pytest.approx(math.degrees(-0.22017328), rel=1e-6)
    assert s.static_plantar_flexion_deg["right"] == pytest.approx(
        math.degrees(0.30477464), rel=1e-6
    )


def test_no_mass_means_no_subject_not_an_error() -> None:
    assert read_c3d(GAIT_RAW).subject is None


def test_explicit_subject_wins(s00: Trial) -> None:
    assert s00.subject is not None
    other = read_c3d(GAIT_RAW, subject=s00.subject)
    assert other.subject is s00.subject


def test_sha256_of_file_bytes(s00: Trial) -> None:
    assert s00.sha256 == hashlib.sha256(SAMPLE_00.read_bytes()).hexdigest()


def test_analogs_scaled_like_ezc3d(s00_ezc3d: ezc3d.c3d) -> None:
    trial = read_c3d(GAIT_RAW)
    c = ezc3d.c3d(str(GAIT_RAW))
    labels = list(c["parameters"]["ANALOG"]["LABELS"]["value"])
    assert trial.analog_rate == 800.0
    np.testing.assert_allclose(trial.analogs["FZ1"], c["data"]["analogs"][0, labels.index("FZ1")])
    assert trial.analog_units["FZ1"] == "N"


def test_analog_scaling_against_raw_integers() -> None:
    """gait-raw.c3d is a DEC integer file: decode one analog channel from the bytes by hand."""
    data = GAIT_RAW.read_bytes()
    c = ezc3d.c3d(str(GAIT_RAW))
    a = c["parameters"]["ANALOG"]
    labels = list(a["LABELS"]["value"])
    k = labels.index("FZ1")
    n_points = int(c["parameters"]["POINT"]["USED"]["value"][0])
    n_ch = int(a["USED"]["value"][0])
    spf = round(float(a["RATE"]["value"][0]) / float(c["parameters"]["POINT"]["RATE"]["value"][0]))
    data_start = int.from_bytes(data[16:18], "little")  # header word 9
    frame_words = 4 * n_points + n_ch * spf
    n_frames = 142
    words = np.frombuffer(data, dtype="<i2", offset=(data_start - 1) * 512,
                          count=frame_words * n_frames).reshape(n_frames, frame_words)
    raw = words[:, 4 * n_points:].reshape(n_frames, spf, n_ch)[:, :, k].ravel().astype(float)
    expected = (raw - float(a["OFFSET"]["value"][k])) * float(a["SCALE"]["value"][k]) * float(
        a["GEN_SCALE"]["value"][0]
    )
    trial = read_c3d(GAIT_RAW)
    np.testing.assert_allclose(trial.analogs["FZ1"], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "name,unit",
    [("sample_00/Gait with EMG.c3d", "m"), ("sample_00/Walk1.c3d", "mm"),
     ("sample_03/gait-raw.c3d", "mm")],
)
def test_point_units_metres_and_millimetres(name: str, unit: str) -> None:
    """Files stating POINT:UNITS m or mm both give ASIS markers at pelvis height, 0.8-1.1 m."""
    path = C3D_DIR / name
    assert ezc3d.c3d(str(path))["parameters"]["POINT"]["UNITS"]["value"][0] == unit
    trial = read_c3d(path)
    for marker in ("RASI", "LASI"):
        assert 0.8 < float(np.nanmedian(trial.markers[marker][:, 2])) < 1.1


def _frames_in_worker(path: str) -> int:
    return read_c3d(path).n_frames


def test_reads_inside_a_daemonic_pool_worker() -> None:
    """Pool workers may not start children: the reader then parses in-process."""
    import multiprocessing as mp

    with mp.get_context("fork").Pool(1) as pool:
        assert pool.apply(_frames_in_worker, (str(GAIT_RAW),)) == 142

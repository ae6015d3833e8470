"""Bad C3D input: every broken file gives InputError naming the file, never a crash or a hang.

Found while writing these: ezc3d 1.7.2 *hangs* on a file cut inside its parameter section, returns
*fewer frames without complaint* on a file cut inside its data section, and *segfaults* on some
single-byte corruptions of the parameter section. The reader validates the header in Python and
parses in a child process, so each case below is an InputError.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pytest
from test_c3d_fuzz import parameters, point_sample_offset, with_float

from kinchain.errors import InputError
from kinchain.io import read_c3d
from kinchain.io.forceplates import UnusablePlate
from shared_paths import shared_data

C3D_DIR = shared_data() / "c3d-org"
SAMPLE_00 = C3D_DIR / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
TYPE2 = C3D_DIR / "sample_10" / "TYPE-2.C3D"

pytestmark = pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared data not available")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _expect(path: Path, match: str) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        read_c3d(path)
    assert info.value.source == str(path)
    return info.value


def _unusable_plate(path: Path, match: str) -> None:
    """A plate that cannot be read no longer fails the read (issue 10): the markers are read, the
    plate is an UnusablePlate (every sample NaN) with the reason; kinetics decide later."""
    trial = read_c3d(path)
    assert trial.markers
    bad = [p for p in trial.plates if isinstance(p, UnusablePlate)]
    assert bad, trial.plates
    for plate in bad:
        assert re.search(match, plate.problem), plate.problem
        assert np.isnan(plate.force).all() and np.isnan(plate.cop).all()


def test_missing_file(tmp_path: Path) -> None:
    _expect(tmp_path / "nope.c3d", "not found")


def test_directory(tmp_path: Path) -> None:
    d = tmp_path / "dir.c3d"
    d.mkdir()
    _expect(d, "directory")


def test_empty_file(tmp_path: Path) -> None:
    _expect(_write(tmp_path, "empty.c3d", b""), "empty")


@pytest.mark.parametrize("size", [1, 10, 256, 511])
def test_shorter_than_a_header(tmp_path: Path, size: int) -> None:
    _expect(_write(tmp_path, "short.c3d", SAMPLE_00.read_bytes()[:size]), "not a C3D file")


def test_text_file(tmp_path: Path) -> None:
    _expect(_write(tmp_path, "text.c3d", b"time,x,y,z\n" * 100), "not a C3D file")


def test_random_bytes(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    data = bytearray(rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    data[1] = 0x00
    _expect(_write(tmp_path, "random.c3d", bytes(data)), "not a C3D file")


def test_random_bytes_behind_a_valid_key(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    data = bytearray(rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    data[0], data[1] = 2, 0x50
    data[512 + 3] = 200  # no such processor
    _expect(_write(tmp_path, "random_key.c3d", bytes(data)), "processor")


@pytest.mark.parametrize(
    "cut",
    [512, 513, 1024, 5_000, 20_000, 32_768, 100_000, 1_000_000, -1],
    ids=lambda c: f"cut{c}",
)
def test_truncated_real_file(tmp_path: Path, cut: int) -> None:
    """5,000 and 20,000 bytes hang ezc3d; 100,000 and 1,000,000 make it return 22 / 325 frames
    of 493 silently."""
    data = SAMPLE_00.read_bytes()
    _expect(_write(tmp_path, "cut.c3d", data[:cut]), "truncated")


def test_truncated_integer_file(tmp_path: Path) -> None:
    data = TYPE2.read_bytes()
    # the file has 152 bytes of padding after its last frame: cut into the frames themselves
    _expect(_write(tmp_path, "cut2.c3d", data[: len(data) - 2000]), "truncated")


def test_single_byte_that_segfaults_ezc3d(tmp_path: Path) -> None:
    """Byte 26286 of the sample_00 trial set from 4 to 206 (found by fuzzing) kills ezc3d 1.7.2
    with SIGSEGV; the reader survives it."""
    data = bytearray(SAMPLE_00.read_bytes())
    assert data[26286] == 4
    data[26286] = 206
    _expect(_write(tmp_path, "flip.c3d", bytes(data)), "crashed|cannot read|corrupt")


def test_broken_parameter_chain(tmp_path: Path) -> None:
    data = bytearray(TYPE2.read_bytes())
    start = 512 + 4  # first record of the parameter section
    n_chars = abs(int(np.int8(data[start])))
    link = start + 2 + n_chars
    data[link : link + 2] = (30_000).to_bytes(2, "little")
    _expect(_write(tmp_path, "chain.c3d", bytes(data)), "parameter section")


def _modified(tmp_path: Path, name: str, edit: Callable[[Any], None]) -> Path:
    c = ezc3d.c3d(str(TYPE2))
    edit(c)
    out = tmp_path / name
    c.write(str(out))
    return out


def test_plate_channel_beyond_analog_channels(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["FORCE_PLATFORM"]["CHANNEL"]["value"] = np.array(
            [[1], [2], [3], [4], [5], [9]]
        )

    _unusable_plate(_modified(tmp_path, "chan.c3d", edit), "CHANNEL .*analog channels")


def test_plate_corners_missing(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["FORCE_PLATFORM"]["CORNERS"]["value"] = np.zeros((3, 2))

    _unusable_plate(_modified(tmp_path, "corners.c3d", edit), "CORNERS")


def test_plate_corners_degenerate(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["FORCE_PLATFORM"]["CORNERS"]["value"] = np.zeros((3, 4, 1))

    _unusable_plate(_modified(tmp_path, "flat.c3d", edit), "CORNERS")


def test_more_plates_used_than_described(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["FORCE_PLATFORM"]["USED"]["value"] = np.array([2])

    _unusable_plate(_modified(tmp_path, "used.c3d", edit), "FORCE_PLATFORM")


def test_unsupported_plate_type(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["FORCE_PLATFORM"]["TYPE"]["value"] = np.array([5])

    _unusable_plate(_modified(tmp_path, "type5.c3d", edit), "TYPE 5")


def test_unknown_point_units(tmp_path: Path) -> None:
    def edit(c: Any) -> None:
        c["parameters"]["POINT"]["UNITS"]["value"] = ["furlong"]

    _expect(_modified(tmp_path, "units.c3d", edit), "POINT:UNITS")


def test_read_only_destination_untouched_by_failures(tmp_path: Path) -> None:
    """A failed read leaves nothing behind in the folder (no temp files)."""
    bad = _write(tmp_path, "bad.c3d", SAMPLE_00.read_bytes()[:20_000])
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(InputError):
        read_c3d(bad)
    assert sorted(os.listdir(tmp_path)) == before


# --------------------------------------------------------------------------- issue 11
def _demo_labels() -> list[str]:
    return [str(x) for x in ezc3d.c3d(str(SAMPLE_00))["parameters"]["POINT"]["LABELS"]["value"]]


def test_duplicated_model_marker_is_refused_naming_both_points(tmp_path: Path) -> None:
    """Issue 11.1: a second LKNE (here the virtual point LTIO, slot 9, renamed) used to be read
    silently, the first of the two kept: the trial processed with exit 0 and a wrong knee."""
    labels = _demo_labels()
    other, knee = labels.index("LTIO") + 1, labels.index("LKNE") + 1
    assert other < knee
    c = ezc3d.c3d(str(SAMPLE_00))
    new = list(c["parameters"]["POINT"]["LABELS"]["value"])
    new[other - 1] = "LKNE"
    c["parameters"]["POINT"]["LABELS"]["value"] = new
    path = tmp_path / "twoknees.c3d"
    c.write(str(path))
    err = _expect(path, "LKNE")
    assert f"points {other} and {knee}" in err.problem, err.problem


def test_duplicate_label_without_data_keeps_the_slot_with_data() -> None:
    """newwalk.c3d lists its medial knee/ankle markers under LKNE, RKNE, LANK, RANK with no data:
    the lateral slot, the one with samples, is the marker."""
    path = C3D_DIR / "sample_06" / "newwalk.c3d"
    c = ezc3d.c3d(str(path))
    labels = [str(x) for x in c["parameters"]["POINT"]["LABELS"]["value"]]
    slots = [i for i, name in enumerate(labels) if name == "LKNE"]
    assert len(slots) == 2
    trial = read_c3d(path)
    raw = c["data"]["points"][:3, slots[0], :].T / 1000.0
    np.testing.assert_allclose(trial.markers["LKNE"], raw, equal_nan=True)
    assert np.isfinite(trial.markers["LKNE"]).all(axis=1).sum() == 130  # frames it was seen


def test_ambiguous_unused_duplicates_are_no_marker() -> None:
    """Walk1.c3d has three VMID points with different data (mid ASIS, mid hip, mid shoulder): none
    is guessed to be *the* VMID; each stays readable as an other point named by its slot."""
    trial = read_c3d(C3D_DIR / "sample_00" / "Walk1.c3d")
    assert "VMID" not in trial.markers
    assert {"VMID (point 30)", "VMID (point 42)", "VMID (point 43)"} <= set(trial.other_points)
    assert trial.other_point_units["VMID (point 30)"] == "mm"
    assert "LKNE" in trial.markers  # its second LKNE (medial) holds no data


def _with_float(tmp_path: Path, name: str, offsets: list[int], value: float) -> Path:
    data = SAMPLE_00.read_bytes()
    for offset in offsets:
        data = with_float(data, offset, value)
    return _write(tmp_path, name, data)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30, -100.0, 0.0])
def test_absurd_point_rate_is_refused_by_name(tmp_path: Path, value: float) -> None:
    """Issue 11.2: NaN and 1e30 Hz used to end in a ValueError from resample_to_points (or in an
    ezc3d message about std::vector)."""
    offset = parameters(SAMPLE_00.read_bytes())[("POINT", "RATE")].offset
    _expect(_with_float(tmp_path, "rate.c3d", [offset, 20], value), "POINT:RATE is ")


def test_point_rate_that_disagrees_with_the_header(tmp_path: Path) -> None:
    """A one-byte flip turned POINT:RATE into 60.2265625 Hz (the header still says 100 Hz)."""
    offset = parameters(SAMPLE_00.read_bytes())[("POINT", "RATE")].offset
    _expect(_with_float(tmp_path, "flip.c3d", [offset], 60.2265625), "POINT:RATE 60.2265625 Hz")


def test_point_rate_not_matching_the_analog_layout(tmp_path: Path) -> None:
    """Header and POINT:RATE both 60.2265625 Hz: 1000 Hz analog with 10 samples per frame."""
    offset = parameters(SAMPLE_00.read_bytes())[("POINT", "RATE")].offset
    path = _with_float(tmp_path, "both.c3d", [offset, 20], 60.2265625)
    _expect(path, r"ANALOG:RATE 1000 Hz is not 10 x POINT:RATE 60.2265625 Hz")


def test_absurd_analog_rate(tmp_path: Path) -> None:
    offset = parameters(SAMPLE_00.read_bytes())[("ANALOG", "RATE")].offset
    _expect(_with_float(tmp_path, "arate.c3d", [offset], float("nan")), "ANALOG:RATE is nan")


def test_evart_analog_rate_is_its_layout() -> None:
    """evart.c3d states ANALOG:RATE 1000 Hz but stores 17 samples per 60 Hz frame."""
    trial = read_c3d(C3D_DIR / "sample_11" / "evart.c3d")
    assert trial.point_rate == 60.0
    assert trial.analog_rate == 17 * 60.0


def test_every_marker_at_1e30_is_refused(tmp_path: Path) -> None:
    """Issue 11.2: used to end in a ValueError from segment_parameters."""
    c = ezc3d.c3d(str(SAMPLE_00))
    c["data"]["points"][:3] = 1e30
    path = tmp_path / "far.c3d"
    c.write(str(path))
    _expect(path, r"marker \w+: x = 1e\+27 m at frame 63; no marker is farther than 100 m")


def test_one_infinite_sample_of_a_used_marker_is_refused(tmp_path: Path) -> None:
    data = SAMPLE_00.read_bytes()
    slot = _demo_labels().index("RANK")
    path = _write(tmp_path, "inf.c3d", with_float(data, point_sample_offset(data, 100, slot, 2),
                                                   float("inf")))
    _expect(path, "marker RANK: z = inf m at frame 163")


def test_nan_sample_is_a_gap(tmp_path: Path) -> None:
    data = SAMPLE_00.read_bytes()
    slot = _demo_labels().index("RANK")
    path = _write(tmp_path, "nan.c3d", with_float(data, point_sample_offset(data, 100, slot, 0),
                                                   float("nan")))
    rank = read_c3d(path).markers["RANK"]
    assert np.isnan(rank[100]).all() and np.isfinite(rank[99]).all()


def test_model_markers_cover_what_the_model_requires() -> None:
    """MODEL_MARKERS (the labels whose duplicates are refused) holds every marker the CGM1 model
    and the static calibration read: the pelvis with SACR or both PSIS, and the legs with heels."""
    from kinchain.io.c3d import MODEL_MARKERS
    from kinchain.model.cgm1 import LEG_MARKERS, required_markers

    trial = read_c3d(SAMPLE_00)
    assert set(required_markers(trial)) <= MODEL_MARKERS
    no_sacrum = dataclasses.replace(
        trial, markers={k: v for k, v in trial.markers.items() if k != "SACR"}
    )
    assert set(required_markers(no_sacrum)) <= MODEL_MARKERS
    assert {s + m for s in "LR" for m in (*LEG_MARKERS, "HEE")} <= MODEL_MARKERS

"""Bad C3D input: every broken file gives InputError naming the file, never a crash or a hang.

Found while writing these: ezc3d 1.7.2 *hangs* on a file cut inside its parameter section, returns
*fewer frames without complaint* on a file cut inside its data section, and *segfaults* on some
single-byte corruptions of the parameter section. The reader validates the header in Python and
parses in a child process, so each case below is an InputError.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pytest

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
        c["parameters"]["FORCE_PLATFORM"]["CHANNEL"]["value"] = np.array([[1], [2], [3], [4], [5],
                                                                            [9]])

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

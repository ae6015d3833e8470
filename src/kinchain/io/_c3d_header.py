"""Validate a C3D file's structure in pure Python before any C++ reader touches it.

ezc3d 1.7.2 was seen to **hang forever** on a file cut inside its parameter section (e.g. the
first 5,000 or 20,000 bytes of a real trial) and to **silently return fewer frames** on a file cut
inside its data section. Both are caught here, from the header and the parameter-section record
chain alone, so that :func:`kinchain.io.c3d.read_c3d` can turn them into
:class:`~kinchain.errors.InputError` instead.

C3D layout (one block = 512 bytes, words are 16-bit, all numbers 1-based as the standard writes
them):

- header block, word 1: byte 1 = first parameter block, byte 2 = ``0x50``; word 2 = number of 3D
  points; word 3 = analog samples per 3D frame (all channels); words 4, 5 = first and last frame;
  words 7-8 = POINT scale (a float: negative means floating-point data); word 9 = first data block;
  words 11-12 = point rate.
- parameter section, byte 3 = number of parameter blocks, byte 4 = processor (84 Intel, 85 DEC,
  86 MIPS); then records (groups and parameters) chained by a 16-bit offset to the next record.
- data section from the data block: per frame ``4 * points + analog samples`` numbers of 2 bytes
  (integer) or 4 bytes (float).
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kinchain.errors import InputError

FloatArray = NDArray[np.float64]

BLOCK = 512
_PROCESSORS = {84: "Intel", 85: "DEC", 86: "MIPS"}
SCALAR_PARAMETERS = frozenset({"POINT:RATE", "ANALOG:RATE"})
"""Numeric parameters read in Python (before ezc3d) so that absurd values are refused by name."""


@dataclass(frozen=True)
class C3DHeader:
    """The numbers of a C3D header that size a file (all as stored, frames 1-based)."""

    parameter_block: int
    n_parameter_blocks: int
    processor: str
    n_points: int
    analog_per_frame: int
    first_frame: int
    last_frame: int
    point_scale: float
    data_block: int
    point_rate: float
    scalars: dict[str, float] = field(default_factory=dict)
    """First value of the numeric parameters in :data:`SCALAR_PARAMETERS` that the file holds,
    keyed ``"GROUP:NAME"`` (e.g. ``"POINT:RATE"``), decoded for the file's processor type."""

    @property
    def n_frames(self) -> int:
        """Number of frames the header announces."""
        return max(self.last_frame - self.first_frame + 1, 0)

    @property
    def bytes_per_value(self) -> int:
        """2 for integer files, 4 for floating-point files (negative POINT scale)."""
        return 4 if self.point_scale < 0 else 2

    @property
    def data_bytes(self) -> int:
        """Bytes the data section needs for every announced frame."""
        per_frame = 4 * self.n_points + self.analog_per_frame
        return self.n_frames * per_frame * self.bytes_per_value


def _float(raw: bytes, processor: str) -> float:
    if processor == "DEC":
        # DEC F-float: swap the 16-bit words, read as IEEE little-endian, divide by 4.
        return float(struct.unpack("<f", raw[2:4] + raw[0:2])[0] / 4.0)
    endian = ">" if processor == "MIPS" else "<"
    return float(struct.unpack(endian + "f", raw)[0])


def read_header(data: bytes, source: str, size: int | None = None) -> C3DHeader:
    """Check the structure of a C3D file held in memory and return its header.

    Parameters
    ----------
    data
        The whole file's bytes.
    source
        The file name, for messages.
    size
        The file's size in bytes when ``data`` holds only its beginning (at least the header
        and parameter section, e.g. from :func:`read_head`); default ``len(data)``.

    Returns
    -------
    C3DHeader
        The header numbers.

    Raises
    ------
    InputError
        Empty file, not a C3D file, unknown processor type, a truncated or corrupt parameter
        section, or a data section shorter than the header announces.
    """
    size = len(data) if size is None else size
    if len(data) < min(size, BLOCK):
        raise InputError(source, "the header block was not read")
    if size == 0:
        raise InputError(source, "the file is empty")
    if size < BLOCK:
        raise InputError(source, f"not a C3D file: only {size} bytes (a C3D header is 512)")
    if data[1] != 0x50:
        raise InputError(source, "not a C3D file: header byte 2 is not 0x50 (the C3D key)")
    param_block = data[0]
    if param_block < 2:
        raise InputError(source, f"not a C3D file: parameter section starts at block {param_block}")
    p0 = (param_block - 1) * BLOCK
    if size < p0 + 4:
        raise InputError(source, "truncated: the file ends before its parameter section")
    n_blocks = data[p0 + 2]
    proc_code = data[p0 + 3]
    if proc_code not in _PROCESSORS:
        raise InputError(
            source,
            f"not a readable C3D file: unknown processor type {proc_code} "
            "(expected 84 Intel, 85 DEC or 86 MIPS)",
        )
    processor = _PROCESSORS[proc_code]
    if n_blocks < 1:
        raise InputError(source, "corrupt C3D file: the parameter section has 0 blocks")
    p_end = p0 + n_blocks * BLOCK
    if size < p_end:
        raise InputError(
            source,
            f"truncated: the parameter section needs {n_blocks} blocks up to byte {p_end}, "
            f"the file has {size} bytes",
        )
    endian = ">" if processor == "MIPS" else "<"
    n_points, analog_per_frame, first, last = struct.unpack(endian + "4H", data[2:10])
    scale = _float(data[12:16], processor)
    (data_block,) = struct.unpack(endian + "H", data[16:18])
    rate = _float(data[20:24], processor)
    scalars = _walk_parameters(data, p0 + 4, p_end, processor, source)
    header = C3DHeader(
        parameter_block=param_block,
        n_parameter_blocks=n_blocks,
        processor=processor,
        n_points=n_points,
        analog_per_frame=analog_per_frame,
        first_frame=first,
        last_frame=last,
        point_scale=scale,
        data_block=data_block,
        point_rate=rate,
        scalars=scalars,
    )
    if data_block < param_block + n_blocks:
        raise InputError(
            source,
            f"corrupt C3D file: the data section (block {data_block}) starts inside the "
            f"parameter section (blocks {param_block}-{param_block + n_blocks - 1})",
        )
    # A header frame count of 65535 may be clipped (long trials store the true count in
    # POINT:FRAMES); the size check is then left to the reader's frame-count check.
    if last != 0xFFFF and header.n_frames > 0:
        need = (data_block - 1) * BLOCK + header.data_bytes
        if size < need:
            per_frame = header.data_bytes // header.n_frames
            have = max(size - (data_block - 1) * BLOCK, 0) // max(per_frame, 1)
            raise InputError(
                source,
                f"truncated: the header announces {header.n_frames} frames ({need} bytes), "
                f"the file has {size} bytes (about {have} complete frames)",
            )
    return header


def read_head(path: str | Path) -> tuple[bytes, int, str]:
    """The header block and parameter section of the C3D file at ``path`` (what
    :func:`read_header` reads), the file's size, and the sha256 of all its bytes, read in 1 MB
    pieces so that the whole file is never held in memory.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    digest = hashlib.sha256()
    head = bytearray()
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        while piece := f.read(1 << 20):
            digest.update(piece)
            if len(head) < _HEAD_MAX:
                head += piece[: _HEAD_MAX - len(head)]
    if len(head) > BLOCK and head[0] >= 2 and len(head) > (head[0] - 1) * BLOCK + 2:
        p0 = (head[0] - 1) * BLOCK
        head = head[: max(p0 + head[p0 + 2] * BLOCK, BLOCK)]
    return bytes(head), size, digest.hexdigest()


_HEAD_MAX = 256 * BLOCK * 2
"""The header and parameter section lie within the first 255 + 255 blocks (one byte each)."""


def _scalar(data: bytes, pos: int, end: int, processor: str) -> float | None:
    """The first value of the parameter whose type byte is at ``pos`` (None if not numeric)."""
    if pos + 2 > end:
        return None
    kind = struct.unpack("b", data[pos : pos + 1])[0]
    n_dims = data[pos + 1]
    start = pos + 2 + n_dims
    size = abs(kind)
    if kind not in (1, 2, 4) or start + size > end:
        return None
    raw = data[start : start + size]
    if kind == 4:
        return _float(raw, processor)
    if kind == 2:
        return float(struct.unpack((">" if processor == "MIPS" else "<") + "h", raw)[0])
    return float(struct.unpack("b", raw)[0])


def _walk_parameters(
    data: bytes, start: int, end: int, processor: str, source: str
) -> dict[str, float]:
    """Follow the chain of group/parameter records and check every link stays in the section.

    Returns the first value of the parameters named in :data:`SCALAR_PARAMETERS`.
    """
    endian = ">" if processor == "MIPS" else "<"
    pos = start
    n_records = 0
    groups: dict[int, str] = {}
    found: list[tuple[int, str, float]] = []
    while pos < end:
        if pos + 2 > end:
            raise InputError(source, "corrupt C3D parameter section: a record crosses its end")
        n_chars = abs(struct.unpack("b", data[pos : pos + 1])[0])
        if n_chars == 0:
            break
        offset_pos = pos + 2 + n_chars
        if offset_pos + 2 > end:
            raise InputError(source, "corrupt C3D parameter section: a record crosses its end")
        group_id = struct.unpack("b", data[pos + 1 : pos + 2])[0]
        name = data[pos + 2 : offset_pos].decode("latin-1").strip().upper()
        if group_id < 0:
            groups[-group_id] = name
        elif group_id > 0:
            value = _scalar(data, offset_pos + 2, end, processor)
            if value is not None:
                found.append((group_id, name, value))
        (link,) = struct.unpack(endian + "h", data[offset_pos : offset_pos + 2])
        n_records += 1
        if link == 0:
            break
        nxt = offset_pos + link
        if link < 0 or nxt > end:
            raise InputError(
                source,
                f"corrupt C3D parameter section: record {n_records} points to byte {nxt}, "
                f"outside the section (bytes {start}-{end})",
            )
        pos = nxt
        if n_records > 100_000:
            raise InputError(source, "corrupt C3D parameter section: too many records")
    scalars: dict[str, float] = {}
    for group_id, name, value in found:
        key = f"{groups.get(group_id, '?')}:{name}"
        if key in SCALAR_PARAMETERS and key not in scalars:
            scalars[key] = value
    return scalars


@dataclass(frozen=True)
class FloatLayout:
    """How an Intel floating-point C3D stores its frames, and how ezc3d 1.7.2 scales them.

    Each frame holds ``4 * n_points`` float32 (x, y, z and a fourth word per point), then
    ``samples_per_frame`` sub-frames of ``n_channels`` float32 analog samples. The fourth word
    is a float whose integer value is ``residual_byte * 256 + camera_mask``; a negative word
    marks an invalid sample (ezc3d: residual -1, x y z NaN, no camera).
    """

    start: int
    """Byte offset of the first frame."""
    n_frames: int
    n_points: int
    n_channels: int
    samples_per_frame: int
    point_scale: float
    """``POINT:SCALE`` (negative): each residual byte is worth ``|point_scale|``."""
    analog_offsets: tuple[int, ...]
    """``|ANALOG:OFFSET|`` per channel."""
    analog_scales: tuple[float, ...]
    """``ANALOG:SCALE`` per channel."""
    gen_scale: float
    """``ANALOG:GEN_SCALE``."""

    @property
    def frame_words(self) -> int:
        """float32 words per frame."""
        return 4 * self.n_points + self.n_channels * self.samples_per_frame

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame."""
        return 4 * self.frame_words


def frame_words(buffer: bytes | bytearray | memoryview, layout: FloatLayout) -> NDArray[np.float32]:
    """The data section of ``buffer`` (the whole file) as a ``(n_frames, frame_words)`` float32
    view, without copying."""
    return np.frombuffer(
        buffer, dtype="<f4", count=layout.n_frames * layout.frame_words, offset=layout.start
    ).reshape(layout.n_frames, layout.frame_words)


def usual_fourth_words(words: NDArray[np.float32], n_points: int) -> bool:
    """Whether every fourth point word of ``words`` (frames x frame words) is -1 or an integer
    in [0, 65535]: the only values whose meaning :func:`decode_frames` states exactly."""
    w = words[:, 3 : 4 * n_points : 4]
    with np.errstate(invalid="ignore"):
        ok = (w == -1.0) | ((w >= 0.0) & (w <= 65535.0) & (np.floor(w) == w))
    return bool(ok.all()) and not bool(np.signbit(w[w == 0.0]).any())


def point_xyz(words: NDArray[np.float32], i: int) -> FloatArray:
    """Point ``i`` of ``words`` (frames x frame words) as ``(n_frames, 3)`` float64, NaN where
    the sample is invalid (negative fourth word), as ezc3d reads it."""
    xyz = words[:, 4 * i : 4 * i + 3].astype(np.float64)
    xyz[words[:, 4 * i + 3] < 0] = np.nan
    return xyz


def analog_samples(words: NDArray[np.float32], layout: FloatLayout) -> FloatArray:
    """The analog channels of ``words`` as ezc3d scales them, ``(n_channels, n_frames *
    samples_per_frame)`` float64: ``(value - |offset|) * scale * gen_scale`` (the subtraction
    in float32, as ezc3d does it)."""
    n, ch = layout.n_points, layout.n_channels
    raw = words[:, 4 * n :].reshape(-1, ch)  # (frames * samples_per_frame, channels)
    offsets = np.asarray(layout.analog_offsets, dtype=np.float32)
    scales = np.asarray(layout.analog_scales, dtype=np.float64)
    out = (raw - offsets).astype(np.float64)
    out *= scales
    out *= layout.gen_scale
    return np.ascontiguousarray(out.T)


def decode_frames(words: NDArray[np.float32], layout: FloatLayout) -> dict[str, FloatArray]:
    """Frames ``words`` (frames x frame words) as ezc3d's Python reader returns them:
    ``points`` (4, n_points, n_frames) with a row of ones, ``residuals`` (1, n_points,
    n_frames), ``camera_masks`` (7, n_points, n_frames) bool and ``analogs``
    (1, n_channels, n_frames * samples_per_frame)."""
    n = layout.n_points
    k = words.shape[0]
    pw = words[:, : 4 * n].reshape(k, n, 4)
    points = np.ones((4, n, k))
    points[:3] = np.moveaxis(pw[:, :, :3], (0, 1, 2), (2, 1, 0))
    fourth = pw[:, :, 3].T  # (n, k)
    invalid = fourth < 0
    points[:3, invalid] = np.nan
    code = np.where(invalid, 0, fourth).astype(np.int64)
    residuals = ((code >> 8) & 0xFF).astype(np.float64) * abs(layout.point_scale)
    residuals[invalid] = -1.0
    masks = ((code[None] >> np.arange(7)[:, None, None]) & 1).astype(bool)
    return {
        "points": points,
        "residuals": residuals[None],
        "camera_masks": masks,
        "analogs": analog_samples(words, layout)[None],
    }


def find_parameter(data: bytes | bytearray, group: str, name: str) -> tuple[int, int, int] | None:
    """Locate parameter ``group:name`` of a well-formed Intel C3D held in ``data``.

    Returns
    -------
    tuple of int or None
        ``(value_offset, type, n_values)``: the byte offset of its first value, its type code
        (-1 char, 1 byte, 2 int16, 4 float) and its number of values; None when absent.
    """
    p0 = (data[0] - 1) * BLOCK
    end = p0 + data[p0 + 2] * BLOCK
    pos = p0 + 4
    groups: dict[int, str] = {}
    params: list[tuple[int, str, int]] = []
    while pos + 2 <= end:
        n_chars = abs(struct.unpack("b", data[pos : pos + 1])[0])
        if n_chars == 0:
            break
        group_id = struct.unpack("b", data[pos + 1 : pos + 2])[0]
        label = bytes(data[pos + 2 : pos + 2 + n_chars]).decode("latin-1").strip().upper()
        offset_pos = pos + 2 + n_chars
        if group_id < 0:
            groups[-group_id] = label
        elif group_id > 0:
            params.append((group_id, label, offset_pos + 2))
        (link,) = struct.unpack("<h", data[offset_pos : offset_pos + 2])
        if link <= 0:
            break
        pos = offset_pos + link
    for group_id, label, at in params:
        if groups.get(group_id) == group.upper() and label == name.upper():
            kind = struct.unpack("b", data[at : at + 1])[0]
            n_dims = data[at + 1]
            dims = [data[at + 2 + k] for k in range(n_dims)]
            count = 1
            for d in dims:
                count *= d
            return at + 2 + n_dims, kind, count
    return None

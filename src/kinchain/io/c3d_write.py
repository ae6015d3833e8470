"""Write computed outputs into a copy of a C3D file, as Plug-in Gait does, for Mokka/Nexus users.

The copy keeps every parameter, point, analog channel and event of the source; the outputs are
added as extra points (or replace points of the same label). ezc3d 1.7.2 writes the copy in the
Intel floating-point format whatever the source's format, so angles and moments keep full
precision (c3d.org's ``sample_09`` readme explains why an integer C3D cannot hold them).
The C3D specification ties the float format to a negative scale stated twice, in header words
7-8 and in ``POINT:SCALE``, and readers check that the two agree (the ``c3d`` package refuses a
file where they differ). ezc3d writes -1.0 in the header whatever ``POINT:SCALE`` says, so the
copy states ``-|POINT:SCALE|`` of the source in both places (-1.0 if the source states none):
the magnitude keeps the residuals' resolution (a float file stores each residual as a byte
times ``|POINT:SCALE|``), the sign says the data are floats.

Units are the caller's: pass arrays already in the units to store (Plug-in Gait stores angles in
deg, moments in N·mm/kg under the unit text ``"Nmm"``, powers in W/kg under ``"W"``, forces in
N/kg under ``"N"``). C3D keeps one unit per POINT type group (``POINT:ANGLE_UNITS``...), so all
points of one group must share a unit, and it must agree with a unit the file already states.

The file is written to a temporary file in the destination folder and moved into place with
:func:`os.replace`, so the destination is never seen half-written.
"""

from __future__ import annotations

import copy
import os
import struct
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kinchain.errors import InputError
from kinchain.io._c3d_header import (
    FloatLayout,
    decode_frames,
    find_parameter,
    read_head,
    read_header,
)
from kinchain.io.trial import FloatArray

GROUP_UNIT_PARAMETER = {
    "ANGLES": "ANGLE_UNITS",
    "FORCES": "FORCE_UNITS",
    "MOMENTS": "MOMENT_UNITS",
    "POWERS": "POWER_UNITS",
    "SCALARS": "SCALAR_UNITS",
    "REACTIONS": "REACTION_UNITS",
    "MODELED_MARKERS": "MODELED_MARKER_UNITS",
}
"""Vicon POINT type groups and the parameter holding their unit."""


def _values(group: Mapping[str, Any], name: str) -> list[str]:
    if name not in group:
        return []
    v = group[name]["value"]
    if isinstance(v, str):
        return [v]
    return [str(x) for x in np.asarray(v, dtype=object).ravel()]


def write_c3d_with_outputs(
    src_path: str | Path,
    dst_path: str | Path,
    points: Mapping[str, FloatArray],
    units: Mapping[str, str],
    type_groups: Mapping[str, Sequence[str]] | None = None,
    *,
    description: str = "kinchain",
    source_sha256: str | None = None,
) -> None:
    """Copy ``src_path`` to ``dst_path`` with ``points`` added as C3D points.

    Parameters
    ----------
    src_path
        The source C3D file (left untouched).
    dst_path
        The destination; may equal ``src_path`` only if you mean to replace it.
    points
        Label -> ``(n_frames, 3)`` values in the units to store, one row per frame of the source;
        NaN rows are written as invalid points (residual -1).
    units
        Label -> unit text (``"deg"``, ``"Nmm"``, ``"W"``, ``"mm"``...), one per point.
    type_groups
        Group name (``"ANGLES"``, ``"MOMENTS"``...) -> labels, added to ``POINT:<group>`` and to
        ``POINT:TYPE_GROUPS``; the group's unit parameter (``POINT:ANGLE_UNITS``...) is set from
        ``units``. Labels in no group are plain points.
    description
        Written to ``POINT:DESCRIPTIONS`` for each new point.
    source_sha256
        The sha256 of the source as :func:`~kinchain.io.c3d.read_c3d` read it
        (``Trial.sha256``): when the file still has these bytes, ezc3d is known to survive it
        and the check in a child process is skipped.

    Raises
    ------
    InputError
        The source cannot be read, an array does not have the source's frame count, a point has
        no unit, a group mixes units or contradicts the unit the file states, or the
        destination cannot be written.
    """

    source = str(src_path)
    try:
        head, size, digest = read_head(src_path)  # the file is hashed, never held whole
    except OSError as exc:
        raise InputError(source, f"cannot be read: {exc.strerror or exc}") from None
    header = read_header(head, source, size)
    from kinchain.io.c3d import (
        _ezc3d_payload,
        _ezc3d_read,
        _may_decode,
        _remember_safe,
        parsed_safely,
        take_parsed,
    )

    parsed = take_parsed(digest)  # the parse read_c3d made of these bytes, if its trial is alive
    if parsed is None:
        # An Intel float file is parsed only up to its first frame, its frames streamed below.
        decodable = header if _may_decode(header, head, source) else None
        if digest != source_sha256 and not parsed_safely(digest):
            # Make sure ezc3d survives this file before loading it in this process: the
            # child's parse is then the one the copy is written from.
            parsed = _ezc3d_read(source, size, decodable=decodable)
            _remember_safe(digest)
        else:  # ezc3d is known to survive these bytes: parse them in this process
            try:
                parsed = _ezc3d_payload(source, decodable)
            except Exception as exc:
                raise InputError(source, f"ezc3d cannot read the file: {exc}".strip()) from None
    layout: FloatLayout | None = parsed.get("layout")
    rotations_shape = parsed.get("rotations_shape")
    c = _c3d_from_parse(parsed)
    bad_name = _repair_text(c["parameters"])
    if bad_name is not None:
        raise InputError(
            source,
            f"{bad_name} holds bytes that are not text (a corrupt parameter section); "
            "the annotated C3D copy cannot be written",
        )
    if layout is not None:
        n_source, n_frames = layout.n_points, layout.n_frames
    else:
        whole = c["data"]
        n_source, n_frames = np.asarray(whole["points"]).shape[1:]
    point_group = c["parameters"]["POINT"]
    labels = _values(point_group, "LABELS")[:n_source]
    labels += [f"POINT{i + 1}" for i in range(len(labels), n_source)]
    descriptions = _values(point_group, "DESCRIPTIONS")[:n_source]
    descriptions += [""] * (n_source - len(descriptions))

    # Each point goes to the slot of its label, or to a new slot after the source's points; the
    # arrays are built once at their final size (the source's parse is never changed in place).
    slots: list[tuple[int, FloatArray]] = []
    index = {lab: k for k, lab in reversed(list(enumerate(labels)))}  # first slot of a label
    for label, arr in points.items():
        values = np.asarray(arr, dtype=np.float64)
        if values.shape != (n_frames, 3):
            raise InputError(
                f"points[{label}]", f"shape {values.shape}; the source has ({n_frames}, 3)"
            )
        if label not in units or not str(units[label]).strip():
            raise InputError(f"units[{label}]", "no unit given for this point")
        k = index.get(label)
        if k is None:
            k = index[label] = len(labels)
            labels.append(label)
            descriptions.append(description)
        else:
            descriptions[k] = description
        slots.append((k, values))
    n_total = len(labels)

    point_group["LABELS"]["value"] = labels
    if "DESCRIPTIONS" in point_group:
        point_group["DESCRIPTIONS"]["value"] = descriptions
    else:
        c.add_parameter("POINT", "DESCRIPTIONS", descriptions)
    for extra in ("LABELS2", "DESCRIPTIONS2"):
        if extra in point_group:
            raise InputError(source, f"POINT:{extra} (more than 255 points) is not supported")

    if type_groups:
        _set_groups(c, point_group, type_groups, units)

    scale = _float_point_scale(point_group)
    if "SCALE" in point_group:
        point_group["SCALE"]["value"] = [scale]
    else:
        c.add_parameter("POINT", "SCALE", [scale])

    def frames(a: int, b: int) -> dict[str, Any]:
        """The copy's data for source frames ``a`` to ``b`` (ezc3d's array layout)."""
        if layout is not None:
            out = _with_outputs(_read_frames(source, layout, a, b), a, slots, n_total, a, b)
            if rotations_shape is not None:
                out["rotations"] = np.zeros(rotations_shape)
            return out
        meta = whole["meta_points"]
        src = {
            "points": np.asarray(whole["points"], dtype=np.float64),
            "residuals": np.asarray(meta["residuals"], dtype=np.float64),
            "camera_masks": np.asarray(meta["camera_masks"], dtype=bool),
            "analogs": whole["analogs"],
        }
        return _with_outputs(src, 0, slots, n_total, a, b)

    from kinchain.io.c3d import release_freed_memory

    try:
        if layout is not None and _streamable(c, layout):
            _atomic_write_frames(c, dst_path, scale, frames, n_frames, n_total, layout)
        else:
            _set_data(c, frames(0, n_frames))
            _atomic_write(c, dst_path, scale)
    except InputError:
        raise
    except Exception as exc:  # ezc3d's own, often multi-line C++ messages
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            source, f"the annotated C3D copy cannot be written from this file ({first[:200]})"
        ) from None
    finally:
        release_freed_memory()


def _with_outputs(
    src: Mapping[str, Any],
    src_first: int,
    slots: Sequence[tuple[int, FloatArray]],
    n_total: int,
    a: int,
    b: int,
) -> dict[str, Any]:
    """Source frames ``a`` to ``b`` with the outputs in their slots: points, residuals, camera
    masks of ``n_total`` points, and the analogs. ``src`` holds the source's frames from
    ``src_first`` on (ezc3d's array layout)."""
    pts = np.asarray(src["points"], dtype=np.float64)
    k_all = pts.shape[2]
    sl = slice(a - src_first, b - src_first)
    pts = pts[:, :, sl]
    n_frames = b - a
    n_source = pts.shape[1]
    residuals = np.asarray(src["residuals"], dtype=np.float64)
    masks = np.asarray(src["camera_masks"], dtype=bool)
    if residuals.shape[:2] == (1, n_source) and residuals.ndim == 3:
        residuals = residuals[:, :, sl]
    if masks.ndim == 3 and masks.shape[1] == n_source:
        masks = masks[:, :, sl]
    if residuals.shape != (1, n_source, n_frames):
        residuals = np.where(np.all(np.isfinite(pts[:3]), axis=0), 0.0, -1.0)[None]
    if masks.ndim != 3 or masks.shape[1:] != (n_source, n_frames):
        masks = np.zeros((7, n_source, n_frames), dtype=bool)
    new_pts = np.empty((pts.shape[0], n_total, n_frames))
    new_pts[:, :n_source] = pts
    new_res = np.empty((1, n_total, n_frames))
    new_res[:, :n_source] = residuals
    new_masks = np.zeros((masks.shape[0], n_total, n_frames), dtype=bool)
    new_masks[:, :n_source] = masks
    for k, values in slots:
        part = values[a:b]
        valid = np.all(np.isfinite(part), axis=1)
        new_pts[:3, k, :] = np.where(valid[None, :], part.T, np.nan)
        new_pts[3:, k, :] = 1.0
        new_res[0, k, :] = np.where(valid, 0.0, -1.0)
        new_masks[:, k, :] = False
    analogs = np.asarray(src["analogs"])
    if analogs.ndim == 3 and analogs.shape[2] and k_all != n_frames:
        spf = analogs.shape[2] // k_all
        analogs = analogs[:, :, sl.start * spf : sl.stop * spf]
    return {
        "points": new_pts,
        "residuals": new_res,
        "camera_masks": new_masks,
        "analogs": analogs,
    }


def _set_data(c: Any, frames: Mapping[str, Any]) -> None:
    c["data"]["points"] = frames["points"]
    if "meta_points" not in c["data"]:
        c["data"]["meta_points"] = {}
    c["data"]["meta_points"]["residuals"] = frames["residuals"]
    c["data"]["meta_points"]["camera_masks"] = frames["camera_masks"]
    c["data"]["analogs"] = frames["analogs"]
    if "rotations" in frames:
        c["data"]["rotations"] = frames["rotations"]


def _read_frames(source: str, layout: FloatLayout, a: int, b: int) -> dict[str, Any]:
    """Frames ``a`` to ``b`` of the source's data section, decoded as ezc3d reads them."""
    with open(source, "rb") as f:
        f.seek(layout.start + a * layout.frame_bytes)
        raw = f.read((b - a) * layout.frame_bytes)
    if len(raw) != (b - a) * layout.frame_bytes:
        raise InputError(source, "the file changed while its annotated copy was written")
    words = np.frombuffer(raw, dtype="<f4").reshape(b - a, layout.frame_words)
    return decode_frames(words, layout)


CHUNK_BYTES = 262_144
"""Data bytes of the copy written per ezc3d call when the copy is streamed."""


def _streamable(c: Any, layout: FloatLayout) -> bool:
    """Whether the copy can be written in blocks of frames: ezc3d's header frame count and
    ``POINT:FRAMES`` (16-bit) hold the frame count, and no parameter ezc3d extends in place."""
    first = int(c["header"]["points"]["first_frame"]) + 1
    analog = c["parameters"].get("ANALOG", {})
    return first + layout.n_frames - 1 <= 0xFFFF and "LABELS2" not in analog


def _atomic_write_frames(
    c: Any,
    dst_path: str | Path,
    scale: float,
    frames: Any,
    n_frames: int,
    n_total: int,
    layout: FloatLayout,
) -> None:
    """Write the copy as ezc3d would in one call, block of frames by block of frames.

    ezc3d writes the first block: its header and parameter section, with the frame counts set
    to the trial's (:func:`_set_frame_counts`), and its frames. The other blocks are encoded
    here (:func:`encode_frames`) when that encoding gives exactly ezc3d's bytes of the first
    block, else ezc3d writes them too (its Python writer keeps the objects of every call
    alive, about 3x the frames' bytes, so it writes as little as possible). The data section
    ends with 1 to 512 zero bytes (ezc3d pads a whole block when the frames fill their last
    one)."""
    frame_bytes = 4 * (4 * n_total + layout.n_channels * layout.samples_per_frame)
    step = max(1, CHUNK_BYTES // frame_bytes)
    dst = Path(dst_path)
    tmp = _temp_beside(dst)
    part = tmp + ".part.c3d"
    params = copy.deepcopy(dict(c["parameters"]._storage))
    try:
        with open(tmp, "wb") as out:
            first_block_frames = 0
            data_block = 0
            encode = False
            for a in range(0, n_frames, step):
                b = min(a + step, n_frames)
                chunk = frames(a, b)
                if encode:
                    out.write(encode_frames(chunk, scale, layout))
                    continue
                mine = encode_frames(chunk, scale, layout) if abs(layout.gen_scale) == 1 else None
                c["parameters"]._storage.clear()
                c["parameters"]._storage.update(copy.deepcopy(params))
                _set_data(c, chunk)
                del chunk
                c.write(part)
                written = Path(part).read_bytes()
                data_block = struct.unpack("<H", written[16:18])[0]
                start = (data_block - 1) * 512
                if a == 0:
                    out.write(written[:start])
                    first_block_frames = b
                body = written[start : start + (b - a) * frame_bytes]
                if len(body) != (b - a) * frame_bytes:
                    raise InputError(str(dst), "ezc3d wrote an incomplete block of frames")
                out.write(body)
                encode = mine == body
            out.write(bytes(512 - n_frames * frame_bytes % 512))  # ezc3d: always some padding
        _set_frame_counts(tmp, n_frames, first_block_frames, frame_bytes, data_block)
        _set_header_scale(tmp, scale)
        os.replace(tmp, dst)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(str(dst), f"cannot write the C3D file: {exc.strerror or exc}") from None
    finally:
        for leftover in (tmp, part):
            if os.path.exists(leftover):
                os.unlink(leftover)


def encode_frames(frames: Mapping[str, Any], point_scale: float, layout: FloatLayout) -> bytes:
    """Frames in ezc3d's array layout (points, residuals, camera masks, analogs) as the bytes
    ezc3d 1.7.2 writes for them in an Intel floating-point file.

    A sample with a residual >= 0 is x, y, z as float32 and a fourth float32 holding
    ``camera_mask_byte + 256 * int(residual / |point_scale|)``; any other is three zeros and
    -1.0. Analog samples are float32 of ``value / ANALOG:SCALE / ANALOG:GEN_SCALE + 0``
    (the copy's offset, which turns -0.0 into 0.0).

    Parameters
    ----------
    frames
        ``points`` (4, n_points, k), ``residuals`` (1, n_points, k), ``camera_masks``
        (7, n_points, k) bool, ``analogs`` (1, n_channels, k * samples_per_frame).
    point_scale
        ``POINT:SCALE`` of the copy (negative).
    layout
        The source's layout: its analog channels, scales and samples per frame.
    """
    pts = np.asarray(frames["points"], dtype=np.float64)
    n_points, k = pts.shape[1], pts.shape[2]
    residuals = np.asarray(frames["residuals"], dtype=np.float64)[0].T  # (k, n_points)
    masks = np.asarray(frames["camera_masks"], dtype=bool)
    valid = residuals >= 0
    mask_byte = np.zeros((n_points, k), dtype=np.int64)
    for bit in range(min(masks.shape[0], 7)):
        mask_byte |= masks[bit].astype(np.int64) << bit
    with np.errstate(invalid="ignore"):
        steps = np.where(valid, residuals / abs(point_scale), 0.0).astype(np.int64)
    words = np.empty((k, n_points, 4), dtype="<f4")
    words[:, :, :3] = np.where(valid[:, :, None], np.moveaxis(pts[:3], (0, 1, 2), (2, 1, 0)), 0.0)
    words[:, :, 3] = np.where(valid, mask_byte.T + 256 * steps, -1.0)
    out = [words.reshape(k, 4 * n_points)]
    if layout.n_channels:
        analogs = np.asarray(frames["analogs"], dtype=np.float64)[0]  # (n_channels, k * spf)
        scales = np.asarray(layout.analog_scales, dtype=np.float64)[:, None]
        # + 0.0: the copy's ANALOG:OFFSET is 0 and ezc3d adds it (-0.0 is written as 0.0)
        values = (analogs / scales / layout.gen_scale + 0.0).astype("<f4")
        out.append(values.T.reshape(k, -1))
    return np.concatenate(out, axis=1).tobytes()


def _set_frame_counts(
    path: str, n_frames: int, written: int, frame_bytes: int, data_block: int
) -> None:
    """Set the counts ezc3d derived from the first block of ``written`` frames to those of
    ``n_frames``: header word 5 (last frame), ``POINT:FRAMES`` and ``ROTATION:DATA_START``
    (16-bit: the data block, plus the frames' bytes // 512, plus 1)."""
    if written == n_frames:
        return
    with open(path, "r+b") as f:
        head = bytearray(f.read(data_block * 512))
        (last,) = struct.unpack("<H", head[8:10])
        head[8:10] = struct.pack("<H", last + n_frames - written)
        frames_at = find_parameter(head, "POINT", "FRAMES")
        if frames_at is None or frames_at[1] != 2:
            raise InputError(path, "ezc3d wrote POINT:FRAMES in an unexpected form")
        at = frames_at[0]
        if struct.unpack("<H", head[at : at + 2])[0] != written:
            raise InputError(path, "ezc3d wrote POINT:FRAMES in an unexpected form")
        head[at : at + 2] = struct.pack("<H", n_frames)
        rot = find_parameter(head, "ROTATION", "DATA_START")
        if rot is not None:
            at = rot[0]
            expect = (data_block + written * frame_bytes // 512 + 1) % 65536
            if rot[1] != 2 or struct.unpack("<H", head[at : at + 2])[0] != expect:
                raise InputError(path, "ezc3d wrote ROTATION:DATA_START in an unexpected form")
            value = (data_block + n_frames * frame_bytes // 512 + 1) % 65536
            head[at : at + 2] = struct.pack("<H", value)
        f.seek(0)
        f.write(head)


def _c3d_from_parse(parsed: Mapping[str, Any]) -> Any:
    """An ezc3d ``c3d`` object holding ``parsed`` (:func:`kinchain.io.c3d._ezc3d_payload` of the
    source) without parsing the file again: what ezc3d's writer reads is the header, the
    parameters and the data, as its own reader would have filled them."""
    import ezc3d

    c = ezc3d.c3d()
    header = c["header"]._storage
    header.clear()
    header.update(parsed["header"])
    params = c["parameters"]._storage
    params.clear()
    params.update(parsed["parameters"])
    data = c["data"]._storage
    data.clear()
    data.update(parsed.get("data", {}))
    return c


def _float_point_scale(point_group: Mapping[str, Any]) -> float:
    """The ``POINT:SCALE`` of a floating-point copy of a file with this ``POINT`` group.

    Parameters
    ----------
    point_group
        The source's ``POINT`` parameters as ezc3d reads them.

    Returns
    -------
    float
        ``-|POINT:SCALE|`` of the source (mm per integer unit, used for the residuals of a float
        file), or -1.0 when the source states no usable scale (missing, zero, not finite).
    """
    values = point_group.get("SCALE", {}).get("value") if "SCALE" in point_group else None
    try:
        s = abs(float(np.asarray(values, dtype=np.float64).ravel()[0]))
    except (TypeError, ValueError, IndexError):
        return -1.0
    if not np.isfinite(s) or s == 0.0:
        return -1.0
    return -float(np.float32(s))


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _latin1(text: str) -> str:
    """Text whose undecodable bytes (ezc3d's lone surrogates) are read as Latin-1 characters."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _repair_text(parameters: Mapping[str, Any]) -> str | None:
    """Make every string value of ``parameters`` writable, in place; return the first group or
    parameter *name* that is not text (those cannot be repaired), else None.

    ezc3d decodes bytes that are not UTF-8 to lone surrogates (``"\\udcaa"``) when reading, and
    its writer then fails with a multi-line C++ prototype dump. Such bytes in a value (a label,
    a description written in an old code page) are kept as the Latin-1 characters they were; a
    group or parameter name may only hold letters, digits and ``_`` in C3D, so one that is not
    text is a corrupt file.
    """
    for group_name, group in parameters.items():
        if not _is_text(str(group_name)):
            return f"a group name ({_latin1(str(group_name))!r})"
        if not isinstance(group, Mapping):
            continue
        for name, param in group.items():
            if not _is_text(str(name)):
                return f"the parameter name {group_name}:{_latin1(str(name))}"
            value = param.get("value") if isinstance(param, Mapping) else None
            if isinstance(value, list) and any(
                isinstance(v, str) and not _is_text(v) for v in value
            ):
                param["value"] = [_latin1(v) if isinstance(v, str) else v for v in value]
    return None


def _set_groups(
    c: Any,
    point_group: Mapping[str, Any],
    type_groups: Mapping[str, Sequence[str]],
    units: Mapping[str, str],
) -> None:
    existing_tg = _values(point_group, "TYPE_GROUPS")
    for group, members in type_groups.items():
        g = group.strip().upper()
        member_units = {str(units[m]).strip() for m in members if m in units}
        missing = [m for m in members if m not in units]
        if missing:
            raise InputError(f"type_groups[{g}]", f"no unit given for {missing}")
        if len(member_units) > 1:
            raise InputError(
                f"type_groups[{g}]", f"mixes units {sorted(member_units)}; C3D keeps one per group"
            )
        unit_param = GROUP_UNIT_PARAMETER.get(g, f"{g.rstrip('S')}_UNITS")
        if member_units:
            unit = member_units.pop()
            stated = [u.strip() for u in _values(point_group, unit_param)]
            if stated and stated[0] and stated[0] != unit:
                raise InputError(
                    f"type_groups[{g}]",
                    f"unit {unit!r} contradicts POINT:{unit_param} = {stated[0]!r} in the source",
                )
            if unit_param in point_group:
                point_group[unit_param]["value"] = [unit]
            else:
                c.add_parameter("POINT", unit_param, [unit])
        current = [m for m in _values(point_group, g) if m.strip()]
        merged = current + [m for m in members if m not in current]
        if g in point_group:
            point_group[g]["value"] = merged
        else:
            c.add_parameter("POINT", g, merged)
        if g not in existing_tg:
            singular = g[:-1] if g.endswith("S") else g
            existing_tg += [g, singular]
    if "TYPE_GROUPS" in point_group:
        point_group["TYPE_GROUPS"]["value"] = existing_tg
    else:
        c.add_parameter("POINT", "TYPE_GROUPS", existing_tg)


def _set_header_scale(path: str, scale: float) -> None:
    """Write ``scale`` into header words 7-8 of the Intel float file ezc3d wrote at ``path``."""
    with open(path, "r+b") as f:
        head = f.read(512)
        param_block = head[0]
        f.seek((param_block - 1) * 512 + 3)
        processor = f.read(1)
        if len(head) < 16 or processor != bytes([84]):  # 84: Intel, what ezc3d writes
            raise InputError(path, "ezc3d wrote a C3D file that is not in the Intel format")
        f.seek(12)
        f.write(struct.pack("<f", scale))


def _temp_beside(dst: Path) -> str:
    """A new empty temporary file in ``dst``'s folder (so that the finished copy is moved into
    place atomically); :class:`InputError` when that folder does not exist."""
    folder = dst.parent if str(dst.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(str(dst), f"the destination folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=".tmp.c3d", dir=folder)
    os.close(fd)
    return tmp


def _atomic_write(c: Any, dst_path: str | Path, scale: float = -1.0) -> None:
    dst = Path(dst_path)
    tmp = _temp_beside(dst)
    try:
        c.write(tmp)
        _set_header_scale(tmp, scale)
        if os.path.getsize(tmp) < 512:
            raise InputError(str(dst), "ezc3d wrote an incomplete file")
        os.replace(tmp, dst)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(str(dst), f"cannot write the C3D file: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

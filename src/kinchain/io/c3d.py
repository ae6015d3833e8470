"""Read a C3D gait trial into a :class:`~kinchain.io.trial.Trial` through ezc3d.

What the reader does, in order:

1. Reads the bytes, hashes them (sha256) and checks the header and parameter section in Python
   (:mod:`kinchain.io._c3d_header`): ezc3d 1.7.2 hangs on a file cut inside its parameter
   section and silently drops the missing frames of a file cut inside its data section.
   ``POINT:RATE`` and ``ANALOG:RATE`` must be finite, positive and at most
   :data:`MAX_POINT_RATE_HZ` / :data:`MAX_ANALOG_RATE_HZ`; after parsing, the analog rate must
   round to the analog samples the file stores per frame (a flipped byte gave a point rate of
   60.2265625 Hz beside 1000 Hz and 10 samples per frame), and ``POINT:RATE`` must agree with
   the header's point rate (all 21 c3d.org sample files do). The trial's analog rate is the
   layout's, samples per frame x point rate: EVaRT's ``sample_11/evart.c3d`` states 1000 Hz but
   stores 17 samples per 60 Hz frame, so its analog rate is 1020 Hz.
2. Parses the file with ezc3d in a child process (``extract_forceplat_data`` off: plates are
   computed by :mod:`kinchain.io.forceplates`): single flipped bytes in the parameter section
   of real files were found to make ezc3d 1.7.2 segfault or spin, which must not take the
   caller down. An ezc3d exception, a crash or a timeout of the child becomes an
   :class:`InputError`; so does a parameter of unexpected shape or type.
3. Points: ``POINT:UNITS`` (mm, cm or m) -> metres; a sample is NaN where ezc3d's residual is
   negative or all three coordinates are exactly 0 (how C3D writers mark a gap). Labels lose a
   ``Subject:`` prefix. A marker label held by several POINT slots (old Vicon files list medial
   knee and ankle markers under the lateral labels, with no data) is resolved by a stated rule:
   slots without any sample are ignored, slots with identical samples count once; if slots with
   different data remain, a label the model uses (:data:`MODEL_MARKERS`) is refused with both
   slots named, and any other label is kept only as *other points* named ``"LABEL (point N)"``
   (never as a marker: no slot is guessed). Repeated labels of model outputs keep the first.
   A valid marker sample more than :data:`MAX_MARKER_DISTANCE_M` from the lab origin (or
   infinite) is refused: it is a corrupt number, not a position.
4. A point is an *other point* (model output, kept in the file's units with its unit string)
   when it is listed in a POINT group named by ``POINT:TYPE_GROUPS`` or one of ANGLES, FORCES,
   MOMENTS, POWERS, SCALARS, REACTIONS, MODELED_MARKERS, or when its name ends like a Plug-in
   Gait output (``...Angles``, ``...Force``, ``...Moment``, ``...Power``, ``...GRF``), or
   carries a pyCGM2 suffix (``_CGM_2.4`` ...). Everything else, virtual markers included, is a
   marker.
5. Events from the EVENT group: ``time = 60 * TIMES[0] + TIMES[1]`` s and
   ``frame = round(time * point_rate) - (first_frame - 1)`` (zero-based index into the point
   arrays; -1 when outside the trial).
6. Subject measurements: the ``subject`` argument, else the PROCESSING group when it holds all
   required values (see :func:`kinchain.io.subject.subject_from_processing`), else None.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import os
import re
import signal
import struct
import sys
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np

from kinchain.errors import InputError
from kinchain.io._c3d_header import (
    BLOCK,
    C3DHeader,
    FloatLayout,
    analog_samples,
    decode_frames,
    find_parameter,
    frame_words,
    point_xyz,
    read_head,
    read_header,
    usual_fourth_words,
)
from kinchain.io.forceplates import DEFAULT_COP_THRESHOLD_N, length_factor, plates_from_c3d
from kinchain.io.subject import subject_from_processing
from kinchain.io.trial import Event, FloatArray, ForcePlate, SubjectMeasurements, Trial

OUTPUT_GROUPS: dict[str, str] = {
    "ANGLES": "ANGLE_UNITS",
    "FORCES": "FORCE_UNITS",
    "MOMENTS": "MOMENT_UNITS",
    "POWERS": "POWER_UNITS",
    "SCALARS": "SCALAR_UNITS",
    "REACTIONS": "REACTION_UNITS",
    "MODELED_MARKERS": "MODELED_MARKER_UNITS",
}
"""POINT groups that list model outputs, and the POINT parameter holding their unit."""

_OUTPUT_SUFFIX = re.compile(
    r"(Angles?|Force|Moment|Power|GRF|GroundReactionForce|GroundReactionMoment)$"
)
_CGM_SUFFIX = re.compile(r"_CGM_?\d")

MODEL_MARKERS: frozenset[str] = frozenset(
    {"LASI", "RASI", "LPSI", "RPSI", "SACR"}
    | {side + m for side in "LR" for m in ("THI", "KNE", "TIB", "ANK", "TOE", "HEE")}
)
"""Plug-in Gait lower-body labels the model reads (:mod:`kinchain.model.cgm1`, static
calibration included): a duplicated one with different data in its slots is refused."""

MAX_POINT_RATE_HZ = 20_000.0
"""Highest credible ``POINT:RATE``: optical motion capture of gait runs at 50-2,000 Hz."""

MAX_ANALOG_RATE_HZ = 1_000_000.0
"""Highest credible ``ANALOG:RATE`` (force-plate and EMG boards sample at 1-20 kHz)."""

MAX_MARKER_DISTANCE_M = 100.0
"""A valid marker coordinate beyond this distance from the lab origin (m) is a corrupt number."""
_SUFFIX_UNIT = {
    "Angle": "ANGLE_UNITS",
    "Force": "FORCE_UNITS",
    "GRF": "FORCE_UNITS",
    "Moment": "MOMENT_UNITS",
    "Power": "POWER_UNITS",
}


def strip_subject(label: str) -> str:
    """``"A22:RKNE"`` -> ``"RKNE"``; labels without a prefix come back stripped of blanks."""
    return label.split(":", 1)[1].strip() if ":" in label else label.strip()


def _value(params: Mapping[str, Any], group: str, name: str) -> Any:
    grp = params.get(group)
    if grp is None or name not in grp:
        return None
    return grp[name]["value"]


def _first_float(value: Any) -> float | None:
    if value is None:
        return None
    arr = np.asarray(value).ravel()
    if arr.size == 0:
        return None
    try:
        return float(arr[0])
    except (TypeError, ValueError):
        return None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in np.asarray(value, dtype=object).ravel()]


def _labels(params: Mapping[str, Any], group: str, base: str, n: int) -> list[str]:
    labels = _strings(_value(params, group, base))
    k = 2
    while len(labels) < n and _value(params, group, f"{base}{k}") is not None:
        labels += _strings(_value(params, group, f"{base}{k}"))
        k += 1
    return labels[:n] + [""] * max(n - len(labels), 0)


def read_c3d(
    path: str | Path,
    *,
    subject: SubjectMeasurements | None = None,
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
    isolate: bool = True,
) -> Trial:
    """Read a C3D file.

    Parameters
    ----------
    path
        The C3D file.
    subject
        Measurements to attach; when None they are taken from the file's PROCESSING group if it
        holds them all.
    cop_threshold_n
        Vertical force (N) below which force-plate centres of pressure are NaN.
    isolate
        Parse with ezc3d in a child process (default), so that a file that crashes or hangs
        ezc3d gives an :class:`InputError` instead of killing or blocking the caller.

    Returns
    -------
    Trial
        Markers in m, lab frame as stored (C3D gait labs are Z up), NaN in gaps; plates at the
        analog rate (see :mod:`kinchain.io.forceplates`); events; other points in the file's
        units; scaled analog channels; the sha256 of the file's bytes.

    Raises
    ------
    InputError
        The file cannot be read, is not a C3D file, is truncated or internally inconsistent.
    """
    p = Path(path)
    source = str(p)
    try:
        head, size, digest = read_head(p)  # hashed piece by piece, never held whole
    except FileNotFoundError:
        raise InputError(source, "file not found") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a C3D file") from None
    except OSError as exc:
        raise InputError(source, f"cannot be read: {exc.strerror or exc}") from None
    header = read_header(head, source, size)
    _check_rates(header, source)
    decodable = header if _may_decode(header, head, source) else None
    c = _ezc3d_read(source, size, isolate=isolate, decodable=decodable)
    _remember_safe(digest)
    try:
        trial = _build_trial(c, header, source, digest, subject, cop_threshold_n)
    except InputError:
        raise
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        # A parameter of an unexpected shape or type (seen when fuzzing real files).
        problem = f"malformed C3D parameters ({type(exc).__name__}: {exc})"
        raise InputError(source, problem) from None
    _keep_parsed(trial, digest, c)
    release_freed_memory()  # the decoding's temporaries: the trial stays what is held
    return trial


def release_freed_memory() -> None:
    """Give the pages the C heap holds free back to the system (glibc's ``malloc_trim``).

    numpy arrays of a few hundred kB to 32 MB come from the heap once glibc has raised its
    mmap threshold, and freeing them leaves the process at its peak size; trimming after
    a trial is read or written keeps the process at the size of what it still holds. A no-op
    where the C library has no ``malloc_trim`` (not glibc).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _check_rate(rate: float, field: str, limit_hz: float, source: str) -> None:
    if not math.isfinite(rate) or rate <= 0 or rate > limit_hz:
        raise InputError(
            source, f"{field} is {rate:g} Hz; a rate above 0 and at most {limit_hz:g} Hz is needed"
        )


def _check_rates(header: C3DHeader, source: str) -> None:
    """Refuse absurd rates before ezc3d sizes its arrays from them."""
    if "POINT:RATE" in header.scalars:
        rate = header.scalars["POINT:RATE"]
        _check_rate(rate, "POINT:RATE", MAX_POINT_RATE_HZ, source)
        if not abs(header.point_rate - rate) <= 1e-4 * rate:  # NaN fails too
            raise InputError(
                source,
                f"POINT:RATE {rate:.10g} Hz disagrees with the header's point rate "
                f"{header.point_rate:.10g} Hz (words 11-12): a corrupt rate",
            )
    elif header.n_points:
        _check_rate(header.point_rate, "the header's point rate", MAX_POINT_RATE_HZ, source)
    if "ANALOG:RATE" in header.scalars and header.analog_per_frame:
        _check_rate(header.scalars["ANALOG:RATE"], "ANALOG:RATE", MAX_ANALOG_RATE_HZ, source)


def _samples_per_frame(header: C3DHeader, n_channels: int, parsed: int) -> int:
    """Analog samples per point frame as the data section stores them: header word 3 (samples of
    all channels per frame) over the channel count, else what ezc3d parsed."""
    if n_channels > 0 and header.analog_per_frame and header.analog_per_frame % n_channels == 0:
        return header.analog_per_frame // n_channels
    return max(parsed, 1)


def _build_trial(
    c: Mapping[str, Any],
    header: C3DHeader,
    source: str,
    digest: str,
    subject: SubjectMeasurements | None,
    cop_threshold_n: float,
) -> Trial:
    params: Mapping[str, Any] = c["parameters"]
    layout: FloatLayout | None = c.get("layout")
    xyz_of: Callable[[int], FloatArray]
    if layout is not None:
        # The child checked that the first frame decoded here is ezc3d's to the bit.
        n_points, n_frames = layout.n_points, layout.n_frames
        decoded, analogs = _decode_file(source, layout)

        def xyz_of(i: int) -> FloatArray:
            return decoded[i]

    else:
        points = np.asarray(c["data"]["points"], dtype=np.float64)  # (4, n_points, n_frames)
        n_points = points.shape[1] if points.ndim == 3 else 0
        n_frames = points.shape[2] if points.ndim == 3 else 0
        analogs = np.asarray(c["data"]["analogs"], dtype=np.float64)
        analogs = analogs[0] if analogs.ndim == 3 else np.zeros((0, 0))
        residuals = np.asarray(c["data"]["meta_points"]["residuals"])
        invalid = None
        if residuals.ndim == 3 and residuals.shape[1:] == points.shape[1:]:
            invalid = residuals[0] < 0  # (n_points, n_frames)

        def xyz_of(i: int) -> FloatArray:
            xyz = np.array(points[:3, i, :].T, dtype=np.float64)  # (n_frames, 3)
            if invalid is not None:
                xyz[invalid[i]] = np.nan
            return xyz

    # corrupt floats: NaN, not inf (in place when the array is this reader's own)
    if layout is not None:
        analogs[~np.isfinite(analogs)] = np.nan
    else:
        analogs = np.where(np.isfinite(analogs), analogs, np.nan)
    if n_frames == 0:
        raise InputError(source, "the file holds no frames")
    hdr = c["header"]
    expected = int(hdr["points"]["last_frame"]) - int(hdr["points"]["first_frame"]) + 1
    if header.last_frame != 0xFFFF and n_frames != expected and not (n_points == 0):
        raise InputError(source, f"the header announces {expected} frames but {n_frames} were read")

    point_rate = _first_float(_value(params, "POINT", "RATE")) or float(hdr["points"]["frame_rate"])
    _check_rate(point_rate, "POINT:RATE", MAX_POINT_RATE_HZ, source)
    first_frame = int(hdr["points"]["first_frame"]) + 1  # ezc3d reports it zero-based

    units = _strings(_value(params, "POINT", "UNITS"))
    if units and units[0].strip():
        unit = units[0].strip()
    else:
        unit = _guess_units([xyz_of(i) for i in range(n_points)])
    factor = length_factor(unit, source)
    markers, others, other_units = _split_points(params, xyz_of, n_points, factor, unit, source)
    _check_distances(markers, first_frame, source)

    analog_rate = 0.0
    analog_dict: dict[str, FloatArray] = {}
    analog_units: dict[str, str] = {}
    plates: tuple[ForcePlate, ...] = ()
    if analogs.size:
        analog_rate = _first_float(_value(params, "ANALOG", "RATE")) or float(
            hdr["analogs"]["frame_rate"]
        )
        _check_rate(analog_rate, "ANALOG:RATE", MAX_ANALOG_RATE_HZ, source)
        spf = _samples_per_frame(header, analogs.shape[0], analogs.shape[1] // n_frames)
        if round(analog_rate / point_rate) != spf:
            raise InputError(
                source,
                f"ANALOG:RATE {analog_rate:.10g} Hz is not {spf} x POINT:RATE "
                f"{point_rate:.10g} Hz (the file stores {spf} analog samples per frame): "
                "a corrupt rate",
            )
        # The samples are laid out spf per frame: that layout is their timing (EVaRT files state
        # 1000 Hz beside 60 Hz frames and store 17 samples per frame).
        analog_rate = spf * point_rate
        n_ch = analogs.shape[0]
        labels = _labels(params, "ANALOG", "LABELS", n_ch)
        a_units = _labels(params, "ANALOG", "UNITS", n_ch)
        for i in range(n_ch):
            name = labels[i].strip() or f"channel_{i + 1}"
            if name in analog_dict:
                name = f"{name} ({i + 1})"
            analog_dict[name] = np.asarray(analogs[i], dtype=np.float64)
            analog_units[name] = a_units[i].strip()
        plates = plates_from_c3d(
            params,
            analogs,
            source,
            point_units=unit,
            samples_per_frame=spf,
            cop_threshold_n=cop_threshold_n,
        )
    elif _first_float(_value(params, "FORCE_PLATFORM", "USED")):
        plates = plates_from_c3d(
            params,
            analogs,
            source,
            point_units=unit,
            samples_per_frame=1,
            cop_threshold_n=cop_threshold_n,
        )

    events = _events(params, point_rate, first_frame, n_frames)
    if subject is None:
        subject = subject_from_processing(params, source)
    return Trial(
        path=source,
        markers=markers,
        point_rate=float(point_rate),
        first_frame=first_frame,
        plates=plates,
        analog_rate=float(analog_rate),
        events=events,
        subject=subject,
        other_points=others,
        other_point_units=other_units,
        analogs=analog_dict,
        analog_units=analog_units,
        sha256=digest,
    )


def _plain(obj: Any) -> Any:
    """ezc3d's nested parameter mapping as plain dicts (picklable across processes)."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj


def _decode_file(source: str, layout: FloatLayout) -> tuple[list[FloatArray], FloatArray]:
    """Every point's ``(n_frames, 3)`` samples (m or the file's units, NaN where invalid) and
    the analog channels ``(n_channels, n_samples)`` of ``source``, as ezc3d reads them,
    decoded 1 MB of frames at a time into arrays of their final size."""
    n, spf = layout.n_frames, layout.samples_per_frame
    points = [np.empty((n, 3)) for _ in range(layout.n_points)]
    analogs = np.empty((layout.n_channels, n * spf)) if layout.n_channels else np.zeros((0, 0))
    step = max(1, (1 << 20) // layout.frame_bytes)
    with open(source, "rb") as f:
        f.seek(layout.start)
        for a in range(0, n, step):
            b = min(a + step, n)
            raw = f.read((b - a) * layout.frame_bytes)
            if len(raw) != (b - a) * layout.frame_bytes:
                raise InputError(source, "the file became shorter while it was read")
            words = np.frombuffer(raw, dtype="<f4").reshape(b - a, layout.frame_words)
            for i, xyz in enumerate(points):
                xyz[a:b] = point_xyz(words, i)
            if layout.n_channels:
                analogs[:, a * spf : b * spf] = analog_samples(words, layout)
    return points, analogs


def _may_decode(header: C3DHeader, data: bytes, source: str) -> bool:
    """Whether the data section may be decoded in Python (:class:`FloatLayout`) rather than
    parsed by ezc3d: an Intel floating-point file with points, a header frame count that is
    not clipped and equals ``POINT:FRAMES``, no rotations, and fourth point words whose
    meaning is exactly known (:func:`kinchain.io._c3d_header.usual_fourth_words`).

    ``data`` holds the file's header and parameter section (:func:`read_head`); the frames
    are read from ``source`` 1 MB at a time."""
    if not (
        header.processor == "Intel"
        and header.point_scale < 0
        and header.n_points > 0
        and header.n_frames > 0
        and header.last_frame != 0xFFFF
    ):
        return False
    frames = find_parameter(data, "POINT", "FRAMES")
    if frames is None or frames[1] != 2 or frames[2] != 1:
        return False
    if struct.unpack("<H", data[frames[0] : frames[0] + 2])[0] != header.n_frames:
        return False
    used = find_parameter(data, "ROTATION", "USED")
    if used is not None and (used[1] != 2 or data[used[0] : used[0] + 2] != b"\0\0"):
        return False
    n_words = 4 * header.n_points + header.analog_per_frame
    step = max(1, (1 << 18) // n_words)
    with open(source, "rb") as f:
        f.seek((header.data_block - 1) * BLOCK)
        for a in range(0, header.n_frames, step):
            k = min(step, header.n_frames - a)
            words = np.fromfile(f, dtype="<f4", count=k * n_words)
            if words.size != k * n_words:
                return False
            if not usual_fourth_words(words.reshape(k, n_words), header.n_points):
                return False
    return True


def _params_payload(source: str, header: C3DHeader) -> dict[str, Any] | None:
    """ezc3d's header and parameters of ``source`` (a file :func:`_may_decode` accepted) and
    its :class:`FloatLayout`, parsed from a copy cut after the first frame (the header and
    ``POINT:FRAMES`` set to one frame, then set back in the result), so that ezc3d never
    holds the trial's frames (its objects take ~10x the file). None when the first frame as
    decoded in Python differs in any number from ezc3d's, or the layout is not one
    :func:`kinchain.io._c3d_header.decode_frames` covers.
    """
    import ezc3d

    start = (header.data_block - 1) * BLOCK
    n_words = 4 * header.n_points + header.analog_per_frame
    with open(source, "rb") as f:
        cut = bytearray(f.read(start + 4 * n_words))
    n = header.n_frames
    cut[8:10] = struct.pack("<H", header.first_frame)
    frames_at = find_parameter(cut, "POINT", "FRAMES")
    if frames_at is None or len(cut) != start + 4 * n_words:
        return None
    cut[frames_at[0] : frames_at[0] + 2] = struct.pack("<H", 1)
    fd, tmp = tempfile.mkstemp(prefix=".kinchain-params-", suffix=".c3d")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(cut)
        c = ezc3d.c3d(tmp)
    finally:
        os.unlink(tmp)
    data = c["data"]
    params = c["parameters"]
    rotations = np.asarray(data["rotations"]) if "rotations" in data else None
    if rotations is not None and rotations.shape != (4, 4, 0, 0):
        return None
    pts = np.asarray(data["points"])
    analogs = np.asarray(data["analogs"])
    if pts.shape[1:] != (header.n_points, 1) or analogs.ndim != 3:
        return None
    n_ch, spf = analogs.shape[1], analogs.shape[2]
    if n_ch * spf != header.analog_per_frame:
        return None
    scales = np.asarray(_value(params, "POINT", "SCALE"), dtype=np.float64).ravel()
    if scales.size != 1 or not scales[0] < 0:
        return None
    offsets: tuple[int, ...] = ()
    a_scales: tuple[float, ...] = ()
    gen = 1.0
    if n_ch:
        analog = params["ANALOG"]
        if "SHADOW" in params or any(k in analog for k in ("SCALE2", "OFFSET2")):
            return None
        try:
            raw_off = np.asarray(analog["OFFSET"]["value"]).ravel()
            raw_scale = np.asarray(analog["SCALE"]["value"], dtype=np.float64).ravel()
            gen = float(np.asarray(analog["GEN_SCALE"]["value"], dtype=np.float64).ravel()[0])
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        if raw_off.size < n_ch or raw_scale.size < n_ch or raw_off.dtype.kind not in "iu":
            return None
        offsets = tuple(abs(int(v)) for v in raw_off[:n_ch])
        a_scales = tuple(float(v) for v in raw_scale[:n_ch])
    layout = FloatLayout(
        start=start,
        n_frames=n,
        n_points=header.n_points,
        n_channels=n_ch,
        samples_per_frame=spf if n_ch else 0,
        point_scale=float(scales[0]),
        analog_offsets=offsets,
        analog_scales=a_scales,
        gen_scale=gen,
    )
    first = frame_words(cut, dataclasses.replace(layout, n_frames=1))
    got = decode_frames(first, layout)
    meta = data["meta_points"]
    same = (
        np.array_equal(got["points"], pts, equal_nan=True)
        and np.array_equal(got["residuals"], np.asarray(meta["residuals"]))
        and np.array_equal(got["camera_masks"], np.asarray(meta["camera_masks"]))
        and (not n_ch or np.array_equal(got["analogs"], analogs, equal_nan=True))
    )
    if not same:
        return None
    plain_params = _plain(params)
    plain_header = _plain(c["header"])
    count = plain_params["POINT"]["FRAMES"]
    count["value"] = np.array([n], dtype=np.asarray(count["value"]).dtype)
    plain_header["points"]["last_frame"] += n - 1
    plain_header["analogs"]["last_frame"] += (n - 1) * spf
    payload: dict[str, Any] = {
        "parameters": plain_params,
        "header": plain_header,
        "layout": layout,
    }
    if rotations is not None:  # empty: ezc3d's writer then adds the ROTATION group
        payload["rotations_shape"] = rotations.shape
    return payload


def _ezc3d_payload(source: str, decodable: C3DHeader | None = None) -> dict[str, Any]:
    import ezc3d

    if decodable is not None:
        try:
            params_only = _params_payload(source, decodable)
        except Exception:  # the whole file's parse below decides what is wrong with it
            params_only = None
        if params_only is not None:
            # The caller decodes the frames itself (kinchain.io._c3d_header): ezc3d never held
            # them, and only the parameters cross the process boundary.
            return params_only
    c = ezc3d.c3d(source)
    payload: dict[str, Any] = {
        "parameters": _plain(c["parameters"]),
        "header": _plain(c["header"]),
    }
    data = c["data"]
    meta = data.get("meta_points", {}) if isinstance(data, Mapping) else {}
    payload["data"] = {
        "points": np.asarray(data["points"]),
        "analogs": np.asarray(data["analogs"]),
        "meta_points": {"residuals": np.asarray(meta.get("residuals", np.empty(0)))},
    }
    # What ezc3d's writer also reads (kinchain.io.c3d_write): the annotated copy is then written
    # from this parse instead of parsing the file again.
    if "camera_masks" in meta:
        payload["data"]["meta_points"]["camera_masks"] = np.asarray(meta["camera_masks"])
    if "rotations" in data:
        payload["data"]["rotations"] = np.asarray(data["rotations"])
    return payload


_SAFE_DIGESTS: OrderedDict[str, None] = OrderedDict()
"""sha256 of files ezc3d parsed without crashing (most recent last, at most
:data:`_SAFE_DIGESTS_KEPT`): ezc3d is deterministic, so the same bytes need no second check in a
child process."""
_SAFE_DIGESTS_KEPT = 1024
_PARSED: dict[str, dict[str, Any]] = {}
"""sha256 -> the parse of that file, kept while the :class:`Trial` read from it is alive, for
:func:`take_parsed` (the annotated copy is written from it, without parsing again)."""
_CACHE_LOCK = threading.Lock()


def _remember_safe(digest: str) -> None:
    with _CACHE_LOCK:
        _SAFE_DIGESTS[digest] = None
        _SAFE_DIGESTS.move_to_end(digest)
        while len(_SAFE_DIGESTS) > _SAFE_DIGESTS_KEPT:
            _SAFE_DIGESTS.popitem(last=False)


def parsed_safely(digest: str) -> bool:
    """Whether ezc3d already parsed a file with this sha256 in this process without crashing.

    Parameters
    ----------
    digest
        sha256 (hex) of the file's bytes.

    Returns
    -------
    bool
        True when this process parsed those bytes with ezc3d (in a child, or in-process) and
        ezc3d survived: parsing them again in this process is safe.
    """
    with _CACHE_LOCK:
        return digest in _SAFE_DIGESTS


def _keep_parsed(trial: Trial, digest: str, payload: dict[str, Any]) -> None:
    """Keep ``payload`` for :func:`take_parsed` as long as ``trial`` is alive."""
    with _CACHE_LOCK:
        _PARSED[digest] = payload
    weakref.finalize(trial, _forget_parsed, digest, payload)


def _forget_parsed(digest: str, payload: dict[str, Any]) -> None:
    with _CACHE_LOCK:
        if _PARSED.get(digest) is payload:
            del _PARSED[digest]


def take_parsed(digest: str) -> dict[str, Any] | None:
    """The parse of the file with sha256 ``digest`` that :func:`read_c3d` made, handed over
    once (the caller may change it), or None when there is none.

    It is kept only while the :class:`Trial` read from the file is alive, so the C3D writer
    (:func:`kinchain.io.c3d_write.write_c3d_with_outputs`) of a trial just read writes the
    copy without parsing the source a second time.
    """
    with _CACHE_LOCK:
        return _PARSED.pop(digest, None)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child
    """Have the kernel kill this child when its parent dies (Linux; a no-op elsewhere).

    A forked child inherits the parent's sockets: if the parent is killed while ezc3d parses
    (a Dask worker, a web server), an orphaned child would keep those connections open, and
    e.g. a Dask scheduler would never learn that its worker died.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _ezc3d_child(
    source: str, conn: Any, parent_pid: int, decodable: C3DHeader | None = None
) -> None:  # pragma: no cover
    import faulthandler

    _die_with_parent(parent_pid)
    faulthandler.disable()  # a crash here is expected and reported by the parent
    try:
        conn.send(("ok", _ezc3d_payload(source, decodable)))
    except Exception as exc:
        conn.send(("error", f"{exc}".strip() or type(exc).__name__))
    finally:
        conn.close()


def _ezc3d_read(
    source: str, size_bytes: int, *, isolate: bool = True, decodable: C3DHeader | None = None
) -> dict[str, Any]:
    """Parse with ezc3d, in a child process unless ``isolate`` is False.

    ezc3d 1.7.2 segfaults (SIGSEGV) or loops forever on some corrupt parameter sections that
    pass the structural checks of :mod:`kinchain.io._c3d_header` (found by flipping bytes of
    real files). A crash or a hang of the child becomes an :class:`InputError`; the parent is
    never at risk. Inside a daemonic process (e.g. a ``multiprocessing.Pool`` worker), which
    may not start children, the file is parsed in-process.

    With ``decodable`` (the header of a file :func:`_may_decode` accepted), ezc3d parses only
    the header, parameters and first frame (:func:`_params_payload`) and the payload holds a
    :class:`FloatLayout` for the caller to decode the frames; otherwise (or when the first
    frame decoded in Python differs from ezc3d's) it holds ezc3d's arrays of the whole file.
    """
    import multiprocessing as mp

    if not isolate or mp.current_process().daemon:
        try:
            return _ezc3d_payload(source, decodable)
        except Exception as exc:
            raise InputError(source, f"ezc3d cannot read the file: {exc}".strip()) from None
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(  # type: ignore[attr-defined]
        target=_ezc3d_child, args=(source, child_conn, os.getpid(), decodable)
    )
    proc.start()
    child_conn.close()
    timeout = 10.0 + 2.0 * size_bytes / 1e6  # ezc3d reads ~30 MB/s; a hang never ends
    try:
        if not parent_conn.poll(timeout):
            proc.kill()
            proc.join(5)
            raise InputError(
                source, f"the C3D parser did not finish in {timeout:.0f} s: corrupt file"
            )
        try:
            status, payload = parent_conn.recv()
        except (EOFError, OSError):
            proc.join(5)
            code = proc.exitcode
            what = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            raise InputError(
                source, f"the C3D parser crashed ({what}): corrupt parameter or data section"
            ) from None
    finally:
        parent_conn.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    if status != "ok":
        raise InputError(source, f"ezc3d cannot read the file: {payload}")
    return cast(dict[str, Any], payload)


def _guess_units(points: list[FloatArray]) -> str:
    """Without POINT:UNITS: mm when coordinates look like a gait lab in mm (median |x| > 10).

    ``points`` holds each point's ``(n_frames, 3)`` samples as ezc3d reads them."""
    if not points:
        return "m"
    everything = np.concatenate([p.ravel() for p in points])
    finite = np.abs(everything[np.isfinite(everything)])
    return "mm" if finite.size and float(np.median(finite)) > 10.0 else "m"


def _is_output(label: str) -> bool:
    return bool(_OUTPUT_SUFFIX.search(label) or _CGM_SUFFIX.search(label))


def _split_points(
    params: Mapping[str, Any],
    xyz_of: Callable[[int], FloatArray],
    n_points: int,
    factor: float,
    unit: str,
    source: str,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, str]]:
    labels = _labels(params, "POINT", "LABELS", n_points)
    groups = set(OUTPUT_GROUPS)
    groups |= {g.strip().upper() for g in _strings(_value(params, "POINT", "TYPE_GROUPS"))}
    grouped: dict[str, str] = {}
    for group in groups:
        members = _value(params, "POINT", group)
        if members is None or isinstance(members, (int, float)):
            continue
        unit_param = OUTPUT_GROUPS.get(group) or f"{group.rstrip('S')}_UNITS"
        u = _strings(_value(params, "POINT", unit_param))
        for m in _strings(members):
            grouped[strip_subject(m)] = u[0].strip() if u else ""
    slots: dict[str, list[int]] = {}  # marker label -> its POINT slots (0-based)
    raw: dict[int, FloatArray] = {}  # slot -> (n_frames, 3) in the file's units, NaN in gaps
    others: dict[str, FloatArray] = {}
    other_units: dict[str, str] = {}
    for i in range(n_points):
        raw_label = labels[i]
        name = strip_subject(raw_label) or f"POINT{i + 1}"
        xyz = xyz_of(i)  # (n_frames, 3), a fresh array; NaN where ezc3d's residual < 0
        if name in grouped or _is_output(name):
            if name in others or name in slots:
                continue
            xyz[~np.all(np.isfinite(xyz), axis=1)] = np.nan
            others[name] = xyz
            other_units[name] = grouped.get(name) or _unit_by_suffix(params, name, unit)
            continue
        if name in others:
            continue
        gap = np.all(xyz == 0.0, axis=1) | np.any(np.isnan(xyz), axis=1)
        xyz[gap] = np.nan
        raw[i] = xyz
        slots.setdefault(name, []).append(i)
    markers: dict[str, FloatArray] = {}
    for name, where in slots.items():
        chosen = _resolve_duplicates(name, where, raw, source)
        if chosen is not None:
            chosen_xyz = raw[chosen]
            chosen_xyz *= factor  # in place: the slot's samples are not used again
            markers[name] = chosen_xyz
            continue
        for i in where:  # an ambiguous label the model does not use: no slot is the marker
            if not np.isnan(raw[i]).all():
                others[f"{name} (point {i + 1})"] = raw[i]
                other_units[f"{name} (point {i + 1})"] = unit
    return markers, others, other_units


def _resolve_duplicates(
    name: str, where: list[int], raw: Mapping[int, FloatArray], source: str
) -> int | None:
    """The slot that is marker ``name``, or None when its slots disagree and the model does not
    use it (see the module docstring for the rule)."""
    with_data = [i for i in where if not np.isnan(raw[i]).all()]
    if not with_data:
        return where[0]
    distinct = [with_data[0]]
    for i in with_data[1:]:
        if not any(np.array_equal(raw[i], raw[j], equal_nan=True) for j in distinct):
            distinct.append(i)
    if len(distinct) == 1:
        return distinct[0]
    if name in MODEL_MARKERS:
        numbers = ", ".join(str(i + 1) for i in distinct[:-1]) + f" and {distinct[-1] + 1}"
        raise InputError(
            source,
            f"POINT:LABELS names {len(distinct)} points {name!r} (points {numbers}) with "
            f"different data; the model uses {name}: rename or delete the wrong one",
        )
    return None


def _check_distances(markers: Mapping[str, FloatArray], first_frame: int, source: str) -> None:
    """Refuse a marker sample that is infinite or farther than MAX_MARKER_DISTANCE_M."""
    for name, xyz in markers.items():
        far = np.abs(np.nan_to_num(xyz, nan=0.0)) > MAX_MARKER_DISTANCE_M
        if far.any():
            frame, axis = np.argwhere(far)[0]
            raise InputError(
                source,
                f"marker {name}: {'xyz'[axis]} = {xyz[frame, axis]:g} m at frame "
                f"{int(frame) + first_frame}; no marker is farther than "
                f"{MAX_MARKER_DISTANCE_M:g} m from the lab origin (corrupt point data or "
                "POINT:SCALE/UNITS)",
            )


def _unit_by_suffix(params: Mapping[str, Any], name: str, point_unit: str) -> str:
    for suffix, unit_param in _SUFFIX_UNIT.items():
        if suffix in name:
            u = _strings(_value(params, "POINT", unit_param))
            if u:
                return u[0].strip()
    return point_unit if "_CGM" in name else ""


def _events(
    params: Mapping[str, Any], point_rate: float, first_frame: int, n_frames: int
) -> tuple[Event, ...]:
    used = _first_float(_value(params, "EVENT", "USED"))
    n = int(used) if used else 0
    if n <= 0:
        return ()
    times = np.atleast_1d(np.asarray(_value(params, "EVENT", "TIMES"), dtype=np.float64))
    if times.ndim == 1:
        times = times.reshape(2, -1, order="F") if times.size >= 2 * n else times.reshape(1, -1)
    if times.ndim != 2 or times.size == 0:
        return ()
    if times.shape[0] == 2:
        seconds = 60.0 * times[0] + times[1]
    else:
        seconds = times[0]
    n = min(n, seconds.size)
    labels = _labels(params, "EVENT", "LABELS", n)
    contexts = _labels(params, "EVENT", "CONTEXTS", n)
    events = []
    for i in range(n):
        t = float(seconds[i])
        if not math.isfinite(t):
            continue
        frame = round(t * point_rate) - (first_frame - 1)
        if frame < 0 or frame >= n_frames:
            frame = -1
        events.append(
            Event(label=labels[i].strip(), context=contexts[i].strip(), time_s=t, frame=int(frame))
        )
    events.sort(key=lambda e: e.time_s)
    return tuple(events)

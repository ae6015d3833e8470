"""OpenSim files: TRC markers, MOT/STO tables and GRF ``.mot`` files.

Frames
------
OpenSim's ground frame is **Y up** (X forward, Z to the right); kinchain's lab frame is **Z up**.
Readers rotate once by +90 deg about X, writers rotate back::

    kinchain (x, y, z) = (x_os, -z_os, y_os)        # OPENSIM_TO_KINCHAIN @ p_os
    OpenSim  (x, y, z) = (x_k,   z_k, -y_k)         # OPENSIM_TO_KINCHAIN.T @ p_k

so X stays forward, kinchain +Y is OpenSim -Z (left) and kinchain +Z is OpenSim +Y (up). The
rotation is proper (determinant +1), so moments and cross products keep their meaning.

Units
-----
TRC: the ``Units`` header (mm or m) -> metres. MOT/STO tables are returned as stored (angles as
the ``inDegrees`` header says, moments N·m). GRF ``.mot``: forces N, torques N·m, points m, unless
``length_unit`` says mm (``"auto"``: mm when the loaded points are farther than 5 units from the
origin on median, which no walkway in metres is).
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from kinchain.errors import InputError
from kinchain.io.forceplates import DEFAULT_COP_THRESHOLD_N
from kinchain.io.trial import FloatArray, ForcePlate, SubjectMeasurements, Trial

OPENSIM_TO_KINCHAIN: FloatArray = np.array(
    [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]], dtype=np.float64
)
"""Rotation taking OpenSim (Y up) coordinates to kinchain (Z up): ``p_k = R @ p_os``."""

OPENSIM_GRF_PLATE_TYPE = 0
"""``ForcePlate.plate_type`` of a plate read from an OpenSim GRF file (no C3D plate type)."""

_TRC_LENGTH = {"mm": 1e-3, "m": 1.0, "cm": 1e-2}


def to_kinchain(points_os: FloatArray) -> FloatArray:
    """OpenSim Y-up coordinates ``(..., 3)`` -> kinchain Z-up coordinates."""
    return np.asarray(points_os @ OPENSIM_TO_KINCHAIN.T, dtype=np.float64)


def to_opensim(points_k: FloatArray) -> FloatArray:
    """kinchain Z-up coordinates ``(..., 3)`` -> OpenSim Y-up coordinates."""
    return np.asarray(points_k @ OPENSIM_TO_KINCHAIN, dtype=np.float64)


def _read_lines(path: str | Path) -> list[str]:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(source, "file not found") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(source, f"cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(source, "the file is empty")
    if b"\x00" in data[:4096]:
        raise InputError(source, "binary content: not a text OpenSim file")
    return data.decode("utf-8", errors="replace").splitlines()


def _number(text: str) -> float:
    text = text.strip()
    if not text:
        return math.nan
    return float(text)


# --------------------------------------------------------------------------------------- TRC


def read_trc(path: str | Path) -> tuple[dict[str, FloatArray], float, int, FloatArray]:
    """Read an OpenSim TRC marker file.

    Parameters
    ----------
    path
        The ``.trc`` file.

    Returns
    -------
    markers
        Label -> ``(n_frames, 3)`` positions in m, kinchain lab frame (Z up), NaN for blanks.
    rate
        DataRate, Hz.
    first_frame
        The first ``Frame#`` value.
    time
        ``(n_frames,)`` the Time column, s.

    Raises
    ------
    InputError
        Missing or malformed header, unknown units, rows of the wrong width, a frame count
        different from NumFrames.
    """
    source = str(path)
    lines = _read_lines(path)
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise InputError(source, "not a TRC file: the first line must start with 'PathFileType'")
    keys = lines[1].split("\t")
    values = lines[2].split("\t")
    keys = [k.strip() for k in keys if k.strip()]
    values = [v.strip() for v in values if v.strip()]
    if len(keys) != len(values):
        raise InputError(source, "TRC header: line 2 and line 3 have different numbers of fields")
    head = dict(zip(keys, values, strict=True))
    try:
        rate = float(head["DataRate"])
        n_frames = int(float(head["NumFrames"]))
        n_markers = int(float(head["NumMarkers"]))
        units = head["Units"].strip().lower()
    except (KeyError, ValueError) as exc:
        raise InputError(source, f"TRC header: missing or bad {exc}") from None
    if units not in _TRC_LENGTH:
        raise InputError(source, f"TRC Units is {head['Units']!r}; expected mm or m")
    if not rate > 0:
        raise InputError(source, f"TRC DataRate is {rate}; a positive rate is needed")
    names = [n.strip() for n in lines[3].split("\t")[2:] if n.strip()]
    if len(names) != n_markers:
        raise InputError(
            source, f"TRC header says {n_markers} markers, the label line has {len(names)}"
        )
    width = 2 + 3 * n_markers
    rows: list[list[float]] = []
    for lineno, line in enumerate(lines[5:], start=6):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) > width and all(not f.strip() for f in fields[width:]):
            fields = fields[:width]
        if len(fields) > width:
            raise InputError(source, f"line {lineno} has {len(fields)} fields, expected {width}")
        fields += [""] * (width - len(fields))
        try:
            rows.append([_number(f) for f in fields])
        except ValueError:
            raise InputError(source, f"line {lineno} holds a value that is not a number") from None
    if len(rows) != n_frames:
        raise InputError(
            source, f"TRC header says NumFrames {n_frames}, the file has {len(rows)} data rows"
        )
    table = np.asarray(rows, dtype=np.float64).reshape(n_frames, width)
    factor = _TRC_LENGTH[units]
    markers: dict[str, FloatArray] = {}
    for i, name in enumerate(names):
        xyz = table[:, 2 + 3 * i : 5 + 3 * i] * factor
        markers[name] = to_kinchain(xyz)
    first = int(table[0, 0]) if n_frames and math.isfinite(table[0, 0]) else 1
    return markers, rate, first, table[:, 1].copy()


def write_trc(
    path: str | Path,
    markers: Mapping[str, FloatArray],
    rate: float,
    *,
    units: Literal["mm", "m"] = "mm",
    first_frame: int = 1,
) -> None:
    """Write markers (m, kinchain Z-up lab frame) to a TRC file in OpenSim's Y-up frame.

    Parameters
    ----------
    path
        Destination ``.trc`` (written atomically).
    markers
        Label -> ``(n_frames, 3)`` in m; NaN becomes an empty field (OpenSim's gap).
    rate
        Hz.
    units
        Length unit written to the file.
    first_frame
        Number of the first frame.
    """
    names = list(markers)
    if not names:
        raise InputError(str(path), "no markers to write")
    n = next(iter(markers.values())).shape[0]
    factor = 1.0 / _TRC_LENGTH[units]
    out = [
        f"PathFileType\t4\t(X/Y/Z)\t{Path(path).name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
        "OrigDataStartFrame\tOrigNumFrames",
        f"{rate:.6g}\t{rate:.6g}\t{n}\t{len(names)}\t{units}\t{rate:.6g}\t{first_frame}\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{m}\t\t" for m in names).rstrip("\t"),
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names))),
        "",
    ]
    data = np.column_stack(
        [to_opensim(np.asarray(markers[m], dtype=np.float64)) * factor for m in names]
    )
    for k in range(n):
        vals = "\t".join("" if not math.isfinite(v) else f"{v:.6f}" for v in data[k])
        out.append(f"{first_frame + k}\t{k / rate:.6f}\t{vals}")
    _atomic_write_text(path, "\n".join(out) + "\n")


# ------------------------------------------------------------------------------------ MOT/STO


def read_mot(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read an OpenSim ``.mot`` or ``.sto`` table.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    table
        One column per stored column, ``time`` first, values as stored.
    header
        ``key=value`` header lines (e.g. ``inDegrees``, ``version``), plus ``"name"`` for the
        first line.

    Raises
    ------
    InputError
        No ``endheader`` line, no ``time`` column, ragged or non-numeric rows, or a row count
        different from ``nRows``.
    """
    source = str(path)
    lines = _read_lines(path)
    try:
        end = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader")
    except StopIteration:
        raise InputError(source, "no 'endheader' line: not an OpenSim .mot/.sto file") from None
    header: dict[str, str] = {"name": lines[0].strip()}
    for line in lines[1:end]:
        if "=" in line:
            k, v = line.split("=", 1)
            header[k.strip()] = v.strip()
    rest = [line for line in lines[end + 1 :] if line.strip()]
    if not rest:
        raise InputError(source, "no column names after 'endheader'")
    columns = rest[0].split("\t") if "\t" in rest[0] else rest[0].split()
    columns = [c.strip() for c in columns if c.strip()]
    if not columns or columns[0].lower() != "time":
        raise InputError(source, f"the first column is {columns[:1]}, expected 'time'")
    rows = []
    for lineno, line in enumerate(rest[1:], start=1):
        fields = line.split()
        if len(fields) != len(columns):
            raise InputError(
                source, f"data row {lineno} has {len(fields)} values, expected {len(columns)}"
            )
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            raise InputError(
                source, f"data row {lineno} holds a value that is not a number"
            ) from None
    if "nRows" in header:
        try:
            n_rows = int(header["nRows"])
        except ValueError:
            raise InputError(source, f"nRows is {header['nRows']!r}") from None
        if n_rows != len(rows):
            raise InputError(source, f"header says nRows={n_rows}, the file has {len(rows)} rows")
    table = pd.DataFrame(
        np.asarray(rows, dtype=np.float64).reshape(len(rows), len(columns)), columns=columns
    )
    table = table.rename(columns={columns[0]: "time"})
    return table, header


def write_mot(
    path: str | Path,
    table: pd.DataFrame,
    *,
    name: str | None = None,
    in_degrees: bool = True,
    extra_header: Mapping[str, str] | None = None,
) -> None:
    """Write a table as an OpenSim ``.mot``/``.sto`` file (atomically).

    Parameters
    ----------
    path
        Destination.
    table
        Must have a ``time`` column; it is written first.
    name
        First header line (default: the file name).
    in_degrees
        Value of the ``inDegrees`` header.
    extra_header
        More ``key=value`` lines.
    """
    if "time" not in table.columns:
        raise InputError(str(path), "the table has no 'time' column")
    cols = ["time"] + [c for c in table.columns if c != "time"]
    out = [
        name or Path(path).name,
        "version=1",
        f"nRows={len(table)}",
        f"nColumns={len(cols)}",
        f"inDegrees={'yes' if in_degrees else 'no'}",
    ]
    out += [f"{k}={v}" for k, v in (extra_header or {}).items()]
    out += ["endheader", "\t".join(str(c) for c in cols)]
    values = table[cols].to_numpy(dtype=np.float64)
    out += ["\t".join(f"{v:.10g}" for v in row) for row in values]
    _atomic_write_text(path, "\n".join(out) + "\n")


# ---------------------------------------------------------------------------------------- GRF


def _grf_identifiers(columns: list[str]) -> list[str]:
    """Force identifiers (``"ground_force_v"``, ``"1_ground_force_v"``, ``"ground_force_r_v"``)
    in column order."""
    ids = []
    for c in columns:
        stem = c[:-1]
        if c.endswith("vx") and "force" in c and f"{stem}y" in columns and f"{stem}z" in columns:
            ids.append(c[:-1])
    return ids


def plates_from_grf(
    table: pd.DataFrame,
    source: str,
    *,
    length_unit: Literal["auto", "m", "mm"] = "auto",
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
) -> tuple[ForcePlate, ...]:
    """Force plates from an OpenSim GRF table (``ground_force_vx`` ... ``ground_torque_z``).

    Each ``<prefix>force<suffix>_v{x,y,z}`` triple is one plate, with its point
    ``<...>_p{x,y,z}`` and torque ``<prefix>torque<suffix>_{x,y,z}`` (absent torque reads 0).
    OpenSim applies the force at the point, plus the torque: the torque is the free moment.

    Returns
    -------
    tuple of ForcePlate
        Lab frame Z up (see the module notes), at the table's rate. There is no plate geometry:
        ``corners`` are NaN, ``plate_type`` is :data:`OPENSIM_GRF_PLATE_TYPE` (0) and
        ``moment_at_origin`` is the moment about the **lab origin** ``p × F + T``. ``cop`` and
        ``free_moment`` are NaN where the vertical force is below ``cop_threshold_n``.

    Raises
    ------
    InputError
        No force columns, or point columns missing.
    """
    cols = list(table.columns)
    ids = _grf_identifiers(cols)
    if not ids:
        raise InputError(source, "no '<...>force_vx/vy/vz' columns: not an OpenSim GRF table")
    plates = []
    for i, fid in enumerate(ids):
        pid = fid[:-1] + "p"
        tid = fid[:-1].replace("force", "torque", 1)
        try:
            f_os = table[[f"{fid}x", f"{fid}y", f"{fid}z"]].to_numpy(dtype=np.float64)
            p_os = table[[f"{pid}x", f"{pid}y", f"{pid}z"]].to_numpy(dtype=np.float64)
        except KeyError:
            raise InputError(source, f"GRF columns {pid}x/y/z missing for {fid}x/y/z") from None
        if all(f"{tid}{a}" in cols for a in "xyz"):
            t_os = table[[f"{tid}{a}" for a in "xyz"]].to_numpy(dtype=np.float64)
        else:
            t_os = np.zeros_like(f_os)
        force = to_kinchain(f_os)
        loaded = np.abs(force[:, 2]) >= cop_threshold_n
        unit = length_unit
        if unit == "auto":
            ref = p_os[loaded] if loaded.any() else p_os
            med = float(np.nanmedian(np.linalg.norm(ref, axis=1))) if ref.size else 0.0
            unit = "mm" if med > 5.0 else "m"
        point = to_kinchain(p_os) * (1e-3 if unit == "mm" else 1.0)
        torque = to_kinchain(t_os)
        moment = np.cross(point, force) + torque
        cop = point.copy()
        cop[~loaded] = np.nan
        free = torque.copy()
        free[~loaded] = np.nan
        plates.append(
            ForcePlate(
                force=force,
                moment_at_origin=moment,
                cop=cop,
                free_moment=free,
                corners=np.full((4, 3), np.nan),
                plate_type=OPENSIM_GRF_PLATE_TYPE,
                index=i,
                cop_threshold_n=cop_threshold_n,
            )
        )
    return tuple(plates)


def read_grf_mot(
    path: str | Path,
    *,
    length_unit: Literal["auto", "m", "mm"] = "auto",
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
) -> tuple[tuple[ForcePlate, ...], float]:
    """Read an OpenSim GRF ``.mot`` file into plates (see :func:`plates_from_grf`).

    Returns
    -------
    plates, rate
        The plates and the sampling rate, Hz (rows - 1 over the time span).
    """
    table, _ = read_mot(path)
    plates = plates_from_grf(
        table, str(path), length_unit=length_unit, cop_threshold_n=cop_threshold_n
    )
    return plates, _rate(table["time"].to_numpy(), str(path))


def grf_table(plates: Iterable[ForcePlate], time: FloatArray) -> pd.DataFrame:
    """An OpenSim GRF table (Y up, m, N, N·m) from plates; inverse of :func:`plates_from_grf`.

    Plate ``k`` uses the prefix ``""`` for the first and ``"{k}_"`` after, as OpenSim's
    example files do. The point is the centre of pressure (0 where undefined, with 0 force and
    torque there, as OpenSim expects), the torque is the free moment.
    """
    data: dict[str, FloatArray] = {"time": np.asarray(time, dtype=np.float64)}
    for k, plate in enumerate(plates):
        prefix = "" if k == 0 else f"{k}_"
        valid = np.all(np.isfinite(plate.cop), axis=1)
        f = np.where(valid[:, None], plate.force, 0.0)
        p = np.where(valid[:, None], plate.cop, 0.0)
        t = np.where(valid[:, None], plate.free_moment, 0.0)
        for name, arr in (("ground_force_v", f), ("ground_force_p", p), ("ground_torque_", t)):
            os_arr = to_opensim(arr)
            for j, a in enumerate("xyz"):
                data[f"{prefix}{name}{a}"] = os_arr[:, j]
    return pd.DataFrame(data)


def read_external_loads(path: str | Path) -> dict[str, str]:
    """Which body each GRF force is applied to, from an OpenSim ExternalLoads ``.xml``.

    Returns
    -------
    dict
        Force identifier -> body, e.g. ``{"ground_force_v": "calcn_r",
        "1_ground_force_v": "calcn_l"}`` for the gait2354 tutorial. The plates of
        :func:`plates_from_grf` come in the order of their force identifiers in the table, so
        this tells which foot each one already belongs to (an OpenSim GRF has no plate corners).

    Raises
    ------
    InputError
        Unreadable or malformed XML, or no ExternalForce entries.
    """
    import xml.etree.ElementTree as ET

    source = str(path)
    text = "\n".join(_read_lines(path))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(source, f"not well-formed XML: {exc}") from None
    out: dict[str, str] = {}
    for force in root.iter("ExternalForce"):
        ident = (force.findtext("force_identifier") or "").strip()
        body = (force.findtext("applied_to_body") or "").strip()
        if ident and body:
            out[ident] = body
    if not out:
        raise InputError(source, "no <ExternalForce> with force_identifier and applied_to_body")
    return out


def grf_identifiers(table: pd.DataFrame) -> list[str]:
    """Force identifiers of a GRF table in plate order (see :func:`plates_from_grf`)."""
    return _grf_identifiers(list(table.columns))


def _rate(time: FloatArray, source: str) -> float:
    if time.size < 2:
        raise InputError(source, "fewer than two rows: no sampling rate")
    if not np.all(np.diff(time) > 0):
        raise InputError(source, "time does not increase from row to row")
    # Mean step over the whole table: files round their times (0.0017 s for 600 Hz).
    return float((time.size - 1) / (time[-1] - time[0]))


def read_trc_trial(
    path: str | Path,
    *,
    grf_path: str | Path | None = None,
    subject: SubjectMeasurements | None = None,
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
) -> Trial:
    """A :class:`Trial` from a TRC file, with plates from an optional GRF ``.mot``.

    The trial has no events and no analog channels; ``analog_rate`` is the GRF rate. The
    sha256 covers the TRC bytes followed by the GRF bytes.
    """
    markers, rate, first, _ = read_trc(path)
    digest = hashlib.sha256(Path(path).read_bytes())
    plates: tuple[ForcePlate, ...] = ()
    analog_rate = 0.0
    if grf_path is not None:
        plates, analog_rate = read_grf_mot(grf_path, cop_threshold_n=cop_threshold_n)
        digest.update(Path(grf_path).read_bytes())
    return Trial(
        path=str(path),
        markers=markers,
        point_rate=rate,
        first_frame=first,
        plates=plates,
        analog_rate=analog_rate,
        subject=subject,
        sha256=digest.hexdigest(),
    )


def _atomic_write_text(path: str | Path, text: str) -> None:
    """Write to a temporary file in the destination folder, then move it into place.

    The file gets the permissions any new file gets here (0666 less the umask), not the 0600 of
    :func:`tempfile.mkstemp`: an exported file is for other tools and people to read.
    """
    dst = Path(path)
    tmp = str(dst.parent / f".{dst.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise InputError(str(dst), f"cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, dst)
    except OSError as exc:
        raise InputError(str(dst), f"cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ----------------------------------------------------------------------- export per foot

FOOT_SIDES = ("left", "right")
"""The feet, in the column order of :func:`grf_per_foot_table`."""

DEFAULT_FOOT_BODIES: dict[str, str] = {"left": "calcn_l", "right": "calcn_r"}
"""OpenSim body each foot's ground reaction is applied to (gait2354, gait2392, Rajagopal)."""

FOOT_PREFIXES: dict[str, str] = {"left": "l_", "right": "r_"}
"""Column prefix of each foot in a per-foot GRF table: ``l_ground_force_vx`` ..."""


def contact_samples(
    start_frame: int, end_frame: int, analog_rate: float, point_rate: float, n_samples: int
) -> tuple[int, int]:
    """The analog samples ``[lo, hi)`` behind marker frames ``start_frame`` ... ``end_frame``.

    Marker frame ``i`` stands for the ``r = analog_rate / point_rate`` analog samples centred
    on its time, ``[i * r - r // 2, i * r - r // 2 + r)``, as
    :func:`kinchain.kinetics.filtering.resample_to_points` averages them; a contact of frames
    ``start_frame`` to ``end_frame`` (inclusive, zero-based) therefore covers
    ``[start_frame * r - r // 2, (end_frame + 1) * r - r // 2)``, clipped to the record.

    Raises
    ------
    ValueError
        The rates are not positive or their ratio is not an integer, or the frames are reversed.
    """
    if not (analog_rate > 0 and point_rate > 0):
        raise ValueError(f"rates must be positive (analog {analog_rate}, point {point_rate} Hz)")
    ratio_f = analog_rate / point_rate
    r = round(ratio_f)
    if r < 1 or abs(ratio_f - r) > 1e-6 * ratio_f:
        raise ValueError(
            f"analog rate {analog_rate:g} Hz is not an integer multiple of the point rate "
            f"{point_rate:g} Hz"
        )
    if end_frame < start_frame:
        raise ValueError(f"contact frames {start_frame}-{end_frame} are reversed")
    lo = max(start_frame * r - r // 2, 0)
    hi = min((end_frame + 1) * r - r // 2, n_samples)
    return lo, max(hi, lo)


def grf_per_foot_table(
    plates: Iterable[ForcePlate],
    windows: Mapping[str, Iterable[tuple[int, int, int]]],
    rate_hz: float,
    *,
    prefixes: Mapping[str, str] = FOOT_PREFIXES,
) -> pd.DataFrame:
    """An OpenSim GRF table with one force per foot, from plates and the samples each foot used.

    Parameters
    ----------
    plates
        Force plates at ``rate_hz`` (lab frame Z up, force on the subject; every plate the same
        length). Plates are found by :attr:`ForcePlate.index`.
    windows
        ``{"left": [(plate_index, lo, hi), ...], "right": [...]}``: the foot stands on plate
        ``plate_index`` for the samples ``[lo, hi)`` (see :func:`contact_samples`). A side may
        be absent or empty (that foot is never on a plate).
    rate_hz
        Sampling rate of the plates, Hz; row ``k`` is at time ``k / rate_hz`` s (the first
        marker frame's time is 0, as :func:`write_trc` writes it).
    prefixes
        Column prefix per side.

    Returns
    -------
    pandas.DataFrame
        ``time`` (s), then per side ``{p}ground_force_v{x,y,z}`` (N),
        ``{p}ground_force_p{x,y,z}`` (centre of pressure, m) and ``{p}ground_torque_{x,y,z}``
        (free moment, N·m), all in OpenSim's ground frame (Y up; see the module notes). The
        force, point and torque are 0 wherever the foot is on no plate or the plate's centre of
        pressure is undefined (below its threshold), which is what OpenSim's ExternalForce
        expects for "no load".

    Raises
    ------
    ValueError
        Plates of different lengths, an unknown plate index, a window outside the record or
        two windows of one foot that overlap (one foot on two plates at once is not a clean
        contact and never assigned).
    """
    by_index = {p.index: p for p in plates}
    lengths = {p.force.shape[0] for p in by_index.values()}
    if len(lengths) > 1:
        raise ValueError(f"plates have different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    data: dict[str, FloatArray] = {"time": np.arange(n, dtype=np.float64) / rate_hz}
    for side in FOOT_SIDES:
        force = np.zeros((n, 3))
        point = np.zeros((n, 3))
        torque = np.zeros((n, 3))
        taken = np.zeros(n, dtype=bool)
        for plate_index, lo, hi in windows.get(side, ()):
            if plate_index not in by_index:
                raise ValueError(f"{side}: no plate with index {plate_index}")
            if not 0 <= lo <= hi <= n:
                raise ValueError(f"{side}: samples [{lo}, {hi}) outside the record of {n}")
            if taken[lo:hi].any():
                raise ValueError(f"{side}: plate {plate_index} overlaps another contact")
            taken[lo:hi] = True
            plate = by_index[plate_index]
            sl = slice(lo, hi)
            ok = np.all(
                np.isfinite(np.hstack([plate.force[sl], plate.cop[sl], plate.free_moment[sl]])),
                axis=1,
            )
            force[sl] = np.where(ok[:, None], plate.force[sl], 0.0)
            point[sl] = np.where(ok[:, None], plate.cop[sl], 0.0)
            torque[sl] = np.where(ok[:, None], plate.free_moment[sl], 0.0)
        p = prefixes[side]
        for name, arr in (
            ("ground_force_v", force),
            ("ground_force_p", point),
            ("ground_torque_", torque),
        ):
            os_arr = to_opensim(arr)
            for j, a in enumerate("xyz"):
                data[f"{p}{name}{a}"] = os_arr[:, j]
    return pd.DataFrame(data)


def write_external_loads_xml(
    path: str | Path,
    datafile: str,
    bodies: Mapping[str, str] = DEFAULT_FOOT_BODIES,
    *,
    prefixes: Mapping[str, str] = FOOT_PREFIXES,
    name: str = "externalloads",
) -> None:
    """Write an OpenSim ExternalLoads ``.xml`` applying each foot's GRF to a body (atomically).

    One ``ExternalForce`` per side of ``bodies`` (named ``"left"``/``"right"``), force and point
    expressed in ``ground``, identifiers ``{prefix}ground_force_v``, ``{prefix}ground_force_p``
    and ``{prefix}ground_torque_`` as :func:`grf_per_foot_table` names its columns. The layout
    is what OpenSim 4.6's ``ExternalLoads.printToXML`` writes (document version 40600).

    Parameters
    ----------
    path
        Destination ``.xml``.
    datafile
        The GRF ``.mot``, as written into ``<datafile>``: give the bare file name to keep the
        pair movable (OpenSim looks for a relative data file beside the XML).
    bodies
        Side -> OpenSim body name (default ``calcn_l`` / ``calcn_r``).
    prefixes
        Side -> column prefix in the data file.
    name
        Name of the ExternalLoads object.

    Raises
    ------
    InputError
        An empty body name or one with white space, or an empty data file name.
    """
    import xml.etree.ElementTree as ET

    if not datafile.strip():
        raise InputError(str(path), "the GRF data file name is empty")
    doc = ET.Element("OpenSimDocument", Version="40600")
    loads = ET.SubElement(doc, "ExternalLoads", name=name)
    objects = ET.SubElement(loads, "objects")
    for side, body in bodies.items():
        if not body or any(c.isspace() for c in body):
            raise InputError(f"{side} body", f"{body!r} is not an OpenSim body name")
        p = prefixes[side]
        force = ET.SubElement(objects, "ExternalForce", name=side)
        for tag, text in (
            ("applied_to_body", body),
            ("force_expressed_in_body", "ground"),
            ("point_expressed_in_body", "ground"),
            ("force_identifier", f"{p}ground_force_v"),
            ("point_identifier", f"{p}ground_force_p"),
            ("torque_identifier", f"{p}ground_torque_"),
        ):
            ET.SubElement(force, tag).text = text
    ET.SubElement(loads, "groups")
    ET.SubElement(loads, "datafile").text = datafile
    ET.indent(doc, space="\t")
    text = '<?xml version="1.0" encoding="UTF-8" ?>\n' + ET.tostring(doc, encoding="unicode")
    _atomic_write_text(path, text + "\n")

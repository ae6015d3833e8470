"""Force platforms of C3D types 2, 3 and 4 -> :class:`~kinchain.io.trial.ForcePlate`.

Everything is computed here with NumPy from the scaled analog channels; ezc3d's own platform
extraction is only used by the tests as a cross-check (see the report in ``tests/io``).

Conventions (C3D user guide; Kistler and AMTI manuals)
-------------------------------------------------------
Plate frame
    From the four surface corners as FORCE_PLATFORM:CORNERS gives them (corner 1 in the plate's
    +x +y quadrant, then clockwise seen along +z): ``x = c1 - c2``, ``y = c1 - c4``,
    ``z = x × y`` (then ``y = z × x``), normalised. For the usual AMTI/Kistler plate, +z points
    *down* into the floor. The surface centre is the mean of the corners.
Plate outputs
    The stored channels are read as the ground reaction *on the subject*, expressed in the plate
    frame, moments about the transducer origin: with the plate's +z down, Fz is negative during
    stance in every walking file of c3d.org checked (Vicon, Motion Analysis, AMTI and Kistler),
    so that ``R @ F`` points up. This is the reading BTK, ezc3d and pyCGM2 share; the tests check
    +Z up during stance on each walking file. Type 2: six channels Fx, Fy, Fz, Mx, My, Mz.
    Type 4: the six channels multiplied by FORCE_PLATFORM:CAL_MATRIX, ``out = C @ channels``
    where ``C[i, j]`` is the stored value at index ``(i, j, plate)`` (the first stored
    dimension is the output); this orientation reproduces the worked calculation in
    c3d.org's ``sample_10/TYPE-4.xls`` exactly (see the tests). Type 3 (Kistler, 8 channels
    fx12, fx34, fy14, fy23, fz1..fz4):
    ``Fx = fx12 + fx34``, ``Fy = fy14 + fy23``, ``Fz = Σ fz``,
    ``Mx = b (fz1 + fz2 - fz3 - fz4)``, ``My = a (-fz1 + fz2 + fz3 - fz4)``,
    ``Mz = b (-fx12 + fx34) + a (fy14 - fy23)`` with ORIGIN = ``(a, b, az0)``.
Units
    Force channels in N. Moment channels in N × POINT:UNITS (N·mm when the points are in mm),
    the unit ezc3d and BTK also assume: the ANALOG:UNITS text of moment channels is *not* trusted,
    because old Vicon files (c3d.org ``sample_03``) label moment channels ``Nm`` while their
    values are N·mm (read as N·m the centre of pressure would move metres during one stance).
    ORIGIN and CORNERS are in POINT:UNITS.
ORIGIN
    Used as ``r`` in ``M_s = M_o + F × r`` (moment about the surface centre from the moment about
    the transducer origin), i.e. as the position of the surface centre relative to the
    transducer origin in the plate frame: with +z down and the transducer below the surface, its
    z is **negative**, the sign the C3D documentation asks for. Written descriptions of the
    vector's direction vary; this formula with a negative z is the one that reproduces Kistler's
    published COP ``ax = (-My + Fx az0) / Fz`` (az0 < 0), and the one ezc3d and BTK use. Vicon
    Workstation and 370 files (c3d.org ``sample_03``, ``sample_09``, ``sample_11``) store it
    with a positive z; like pyCGM2, BTK and ezc3d, a positive z is taken as that error and the
    whole vector is negated for types 2 and 4. For type 3, x and y are the sensor offsets
    ``a, b`` (positive by definition) and only a positive ``az0`` is negated (ezc3d 1.7.2 would
    negate a and b too, flipping Mx, My and Mz).
Baseline
    FORCE_PLATFORM:ZERO = ``[first, last]`` (1-based frame numbers of the stored data, a 0 read
    as 1): the mean of each plate channel over those frames is subtracted, unless ``last <
    first`` (Nexus writes ``[1, 0]`` for "already zeroed") or the plate is loaded then (mean
    |Fz| in the window above a quarter of the trial's peak |Fz|, which would remove body weight).
Output (lab frame, SI)
    ``force`` = ``R @ F``, the reaction on the subject (+Z up during stance in a Z-up lab).
    ``moment_at_origin`` = ``R @ M_s``, about the surface centre.
    ``cop`` = surface centre + ``R @ (-M_s,y / Fz, M_s,x / Fz, 0)``, NaN where
    ``|Fz| < cop_threshold_n``. ``free_moment`` = ``R @ (0, 0, M_s,z - (cx Fy - cy Fx))``,
    NaN where the COP is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kinchain.errors import InputError
from kinchain.io.trial import FloatArray, ForcePlate

SUPPORTED_TYPES = (2, 3, 4)
DEFAULT_COP_THRESHOLD_N = 20.0

_LENGTH_TO_M = {"mm": 1e-3, "cm": 1e-2, "m": 1.0, "dm": 0.1}


def length_factor(unit: str, source: str, field: str = "POINT:UNITS") -> float:
    """Metres per unit of a C3D length unit string (``"mm"``, ``"cm"``, ``"m"``).

    Raises
    ------
    InputError
        For an unknown unit.
    """
    key = unit.strip().lower()
    if key not in _LENGTH_TO_M:
        raise InputError(source, f"{field} is {unit!r}; expected mm, cm or m")
    return _LENGTH_TO_M[key]


def plate_frame(corners: FloatArray) -> FloatArray:
    """Rotation from plate to lab coordinates from the four surface corners.

    Parameters
    ----------
    corners
        ``(4, 3)`` corners in the lab frame, in the file's order (any length unit).

    Returns
    -------
    ndarray
        ``(3, 3)`` matrix whose columns are the plate x, y, z axes in the lab frame.
    """
    x = corners[0] - corners[1]
    y = corners[0] - corners[3]
    z = np.cross(x, y)
    y = np.cross(z, x)
    rot = np.column_stack([x, y, z])
    norms = np.linalg.norm(rot, axis=0)
    return np.asarray(rot / norms, dtype=np.float64)


def wrench_from_channels(
    channels: FloatArray,
    plate_type: int,
    origin: FloatArray,
    cal_matrix: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Ground reaction force and moment about the plate's surface centre, in plate coordinates.

    Parameters
    ----------
    channels
        ``(n, 6)`` for types 2 and 4 (Fx, Fy, Fz, Mx, My, Mz; for type 4 the uncalibrated
        channels), ``(n, 8)`` for type 3; forces in N, moments in N·m (type 4: the calibration
        matrix output must come out in N and N·m, see :func:`plate_from_channels`).
    plate_type
        2, 3 or 4.
    origin
        ORIGIN in m, plate frame, sign already corrected (negative z).
    cal_matrix
        ``(6, 6)`` matrix for type 4 (``out = cal_matrix @ channels``).

    Returns
    -------
    force, moment
        ``(n, 3)`` each, N and N·m, plate frame; the moment is about the surface centre.
    """
    if plate_type == 3:
        fx12, fx34, fy14, fy23, fz1, fz2, fz3, fz4 = channels.T
        a, b, az0 = origin
        force = np.column_stack([fx12 + fx34, fy14 + fy23, fz1 + fz2 + fz3 + fz4])
        moment = np.column_stack(
            [
                b * (fz1 + fz2 - fz3 - fz4),
                a * (-fz1 + fz2 + fz3 - fz4),
                b * (-fx12 + fx34) + a * (fy14 - fy23),
            ]
        )
        moment = moment + np.cross(force, np.array([0.0, 0.0, az0]))
        return force, moment
    data = channels
    if plate_type == 4:
        if cal_matrix is None:
            raise ValueError("type 4 needs a calibration matrix")
        data = channels @ cal_matrix.T
    force = np.asarray(data[:, :3], dtype=np.float64)
    moment = np.asarray(data[:, 3:6], dtype=np.float64) + np.cross(force, origin)
    return force, moment


def plate_outputs(
    force_plate: FloatArray,
    moment_surface: FloatArray,
    corners_m: FloatArray,
    *,
    plate_type: int,
    index: int,
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
) -> ForcePlate:
    """Rotate the plate-frame reaction wrench to the lab; centre of pressure and free moment.

    Parameters
    ----------
    force_plate, moment_surface
        ``(n, 3)`` reaction force (N) and moment about the surface centre (N·m), plate frame
        (from :func:`wrench_from_channels`).
    corners_m
        ``(4, 3)`` surface corners, m, lab frame.
    plate_type, index
        Stored on the result.
    cop_threshold_n
        Vertical force below which the centre of pressure is undefined (NaN), N.

    Returns
    -------
    ForcePlate
        Reaction force (N), moment about the surface centre (N·m), centre of pressure (m) and
        free moment (N·m), all lab frame, ``(n, 3)``.
    """
    rot = plate_frame(corners_m)
    centre = corners_m.mean(axis=0)
    fz = force_plate[:, 2]
    loaded = np.abs(fz) >= cop_threshold_n
    safe_fz = np.where(loaded, fz, np.nan)
    cx = -moment_surface[:, 1] / safe_fz
    cy = moment_surface[:, 0] / safe_fz
    cop_plate = np.column_stack([cx, cy, np.where(loaded, 0.0, np.nan)])
    tz = moment_surface[:, 2] - (cx * force_plate[:, 1] - cy * force_plate[:, 0])
    free_plate = np.column_stack([np.zeros_like(tz), np.zeros_like(tz), tz])
    free_plate[~loaded] = np.nan
    return ForcePlate(
        force=np.asarray(force_plate @ rot.T, dtype=np.float64),
        moment_at_origin=np.asarray(moment_surface @ rot.T, dtype=np.float64),
        cop=np.asarray(centre + cop_plate @ rot.T, dtype=np.float64),
        free_moment=np.asarray(free_plate @ rot.T, dtype=np.float64),
        corners=np.asarray(corners_m, dtype=np.float64),
        plate_type=plate_type,
        index=index,
        cop_threshold_n=cop_threshold_n,
    )


def _param(params: Mapping[str, Any], group: str, name: str) -> Any:
    grp = params.get(group)
    if grp is None or name not in grp:
        return None
    return grp[name]["value"]


@dataclass(frozen=True)
class UnusablePlate(ForcePlate):
    """A force platform the file describes but whose forces cannot be read.

    Every sample of ``force``, ``moment_at_origin``, ``cop`` and ``free_moment`` is NaN (so no
    contact is ever found on it); ``corners`` are the file's corners when they could be read,
    else NaN; ``problem`` says why, in one line naming the C3D field (e.g. ``"FORCE_PLATFORM:
    CHANNEL lists 6 channels per plate but plate 1 is type 3 and needs 8"``).
    """

    problem: str = ""


def _unusable(
    index: int,
    n_samples: int,
    problem: str,
    corners: FloatArray | None,
    plate_type: int,
    cop_threshold_n: float,
) -> UnusablePlate:
    nan = np.full((n_samples, 3), np.nan)
    ok_corners = corners is not None and corners.shape == (4, 3) and np.isfinite(corners).all()
    return UnusablePlate(
        force=nan,
        moment_at_origin=nan.copy(),
        cop=nan.copy(),
        free_moment=nan.copy(),
        corners=np.asarray(corners if ok_corners else np.full((4, 3), np.nan), dtype=np.float64),
        plate_type=plate_type,
        index=index,
        cop_threshold_n=cop_threshold_n,
        problem=problem,
    )


def plates_from_c3d(
    params: Mapping[str, Any],
    analogs: FloatArray,
    source: str,
    *,
    point_units: str,
    samples_per_frame: int,
    cop_threshold_n: float = DEFAULT_COP_THRESHOLD_N,
    apply_zero: bool = True,
    strict: bool = False,
) -> tuple[ForcePlate, ...]:
    """Build every force platform described by a C3D FORCE_PLATFORM group.

    Parameters
    ----------
    params
        ezc3d's ``c["parameters"]`` mapping.
    analogs
        ``(n_channels, n_samples)`` analog data, scaled (offset, SCALE and GEN_SCALE applied).
    source
        The file name, for messages.
    point_units
        POINT:UNITS (the length unit of ORIGIN, CORNERS and of moment channels).
    samples_per_frame
        Analog samples per point frame (for FORCE_PLATFORM:ZERO, given in frames).
    cop_threshold_n
        See :func:`plate_outputs`.
    apply_zero
        Subtract the FORCE_PLATFORM:ZERO baseline (see the module notes).
    strict
        Raise on the first plate that cannot be read. By default such a plate is returned as an
        :class:`UnusablePlate` (all samples NaN, with the reason), so that a trial's kinematics
        can still be computed: kinetics decide later whether the remaining plates suffice.

    Returns
    -------
    tuple of ForcePlate
        One per used plate, in file order; empty when the file has no FORCE_PLATFORM group or
        ``USED`` is 0.

    Raises
    ------
    InputError
        Only with ``strict``: inconsistent or missing plate parameters (TYPE, CORNERS, ORIGIN,
        CHANNEL, CAL_MATRIX), unsupported plate types, channels beyond the analog data, corners
        that do not span a surface, channels without a single finite sample.
    """
    if "FORCE_PLATFORM" not in params:
        return ()
    used_raw = _param(params, "FORCE_PLATFORM", "USED")
    used = int(np.asarray(used_raw).ravel()[0]) if used_raw is not None and np.size(used_raw) else 0
    if used <= 0:
        return ()
    n_samples = analogs.shape[1] if analogs.ndim == 2 else 0
    try:
        group = _group(params, analogs, source, used, point_units)
    except InputError as exc:
        if strict:
            raise
        return tuple(
            _unusable(i, n_samples, exc.problem, None, 0, cop_threshold_n) for i in range(used)
        )
    plates: list[ForcePlate] = []
    for i in range(used):
        try:
            plates.append(
                _plate(
                    group,
                    analogs,
                    source,
                    i,
                    samples_per_frame=samples_per_frame,
                    cop_threshold_n=cop_threshold_n,
                    apply_zero=apply_zero,
                )
            )
        except InputError as exc:
            if strict:
                raise
            ptype = int(group.types[i]) if np.isfinite(group.types[i]) else 0
            corners = group.corners[:, :, i].T * group.length
            plates.append(_unusable(i, n_samples, exc.problem, corners, ptype, cop_threshold_n))
    return tuple(plates)


@dataclass(frozen=True)
class _Group:
    """The FORCE_PLATFORM parameters shared by all plates, checked and shaped."""

    types: FloatArray
    length: float
    corners: FloatArray  # (3, 4, used), file units
    origin: FloatArray  # (3, used), file units
    chan: FloatArray  # (n_per_plate, >= used)
    zero: Any
    cal: Any


def _group(
    params: Mapping[str, Any], analogs: FloatArray, source: str, used: int, point_units: str
) -> _Group:
    n_channels = analogs.shape[0]
    if n_channels == 0 or analogs.shape[1] == 0:
        raise InputError(source, f"FORCE_PLATFORM:USED is {used} but the file has no analog data")
    types_raw = _param(params, "FORCE_PLATFORM", "TYPE")
    if types_raw is None:
        raise InputError(source, "FORCE_PLATFORM:TYPE is missing")
    types = np.asarray(types_raw, dtype=float).ravel()
    if types.size < used:
        raise InputError(source, f"FORCE_PLATFORM:TYPE lists {types.size} plates, USED is {used}")
    length = length_factor(point_units, source)
    corners_all = _shaped(params, "CORNERS", source, (3, 4), used)
    origin_all = _shaped(params, "ORIGIN", source, (3,), used)
    chan_param = _param(params, "FORCE_PLATFORM", "CHANNEL")
    if chan_param is None:
        raise InputError(source, "FORCE_PLATFORM:CHANNEL is missing")
    chan = np.asarray(chan_param, dtype=float)
    if chan.ndim == 1:
        chan = chan.reshape(-1, 1)
    if chan.ndim != 2 or chan.shape[1] < used:
        raise InputError(
            source, f"FORCE_PLATFORM:CHANNEL has shape {chan.shape}, expected (6 or 8, {used})"
        )
    return _Group(
        types=types,
        length=length,
        corners=corners_all,
        origin=origin_all,
        chan=chan,
        zero=_param(params, "FORCE_PLATFORM", "ZERO"),
        cal=_param(params, "FORCE_PLATFORM", "CAL_MATRIX"),
    )


def _plate(
    group: _Group,
    analogs: FloatArray,
    source: str,
    i: int,
    *,
    samples_per_frame: int,
    cop_threshold_n: float,
    apply_zero: bool,
) -> ForcePlate:
    """Plate ``i`` (zero-based) of a checked group; :class:`InputError` when it cannot be read."""
    n_channels = analogs.shape[0]
    chan, length = group.chan, group.length
    if not np.isfinite(group.types[i]):
        raise InputError(source, f"FORCE_PLATFORM:TYPE of force plate {i + 1} is not a number")
    ptype = int(group.types[i])
    if ptype not in SUPPORTED_TYPES:
        raise InputError(
            source,
            f"force plate {i + 1} has FORCE_PLATFORM:TYPE {ptype}; kinchain reads 2, 3, 4",
        )
    n_needed = 8 if ptype == 3 else 6
    if chan.shape[0] < n_needed:
        raise InputError(
            source,
            f"FORCE_PLATFORM:CHANNEL lists {chan.shape[0]} channels per plate but plate "
            f"{i + 1} is type {ptype} and needs {n_needed}",
        )
    col = chan[:n_needed, i]
    if not np.all(np.isfinite(col)):
        raise InputError(source, f"FORCE_PLATFORM:CHANNEL for plate {i + 1} is not a number")
    idx = col.astype(int)
    if np.any(idx < 1) or np.any(idx > n_channels):
        raise InputError(
            source,
            f"FORCE_PLATFORM:CHANNEL for plate {i + 1} refers to analog channels "
            f"{idx.tolist()} but the file has {n_channels}",
        )
    raw = np.asarray(analogs[idx - 1].T, dtype=np.float64)
    corners = group.corners[:, :, i].T * length
    if not np.all(np.isfinite(corners)) or np.linalg.matrix_rank(corners[1:] - corners[0]) < 2:
        raise InputError(source, f"FORCE_PLATFORM:CORNERS for plate {i + 1} do not span a surface")
    if not np.isfinite(raw).any(axis=0).all():
        raise InputError(
            source,
            f"force plate {i + 1}: analog channel(s) {idx[~np.isfinite(raw).any(axis=0)].tolist()}"
            " hold no finite sample",
        )
    origin = group.origin[:, i] * length
    if not np.all(np.isfinite(origin)):
        raise InputError(source, f"FORCE_PLATFORM:ORIGIN of plate {i + 1} is not a number")
    if ptype == 3:
        if origin[2] > 0:
            origin = np.array([origin[0], origin[1], -origin[2]])
    elif origin[2] > 0:
        origin = -origin
    cal = None
    if ptype == 4:
        cal = _cal_matrix(group.cal, i, source)
    # Channel units: force channels N, moment channels N x length (see module notes).
    to_si = np.ones(n_needed)
    if ptype in (2, 4):
        to_si[3:] = length
    with np.errstate(invalid="ignore", over="ignore"):  # NaN samples stay NaN
        if apply_zero:
            raw = _zeroed(raw, group.zero, samples_per_frame, ptype, cal)
        if ptype == 4 and cal is not None:
            # Calibrate in the file's units first, then convert the outputs to SI.
            calibrated = raw @ cal.T
            force, moment = wrench_from_channels(calibrated * to_si, 2, origin)
        else:
            force, moment = wrench_from_channels(raw * to_si, ptype, origin)
        return plate_outputs(
            force, moment, corners, plate_type=ptype, index=i, cop_threshold_n=cop_threshold_n
        )


def _shaped(
    params: Mapping[str, Any], name: str, source: str, inner: tuple[int, ...], used: int
) -> FloatArray:
    value = _param(params, "FORCE_PLATFORM", name)
    if value is None:
        raise InputError(source, f"FORCE_PLATFORM:{name} is missing")
    arr = np.asarray(value, dtype=np.float64)
    need = int(np.prod(inner)) * used
    if arr.size < need:
        raise InputError(
            source, f"FORCE_PLATFORM:{name} holds {arr.size} numbers, {used} plates need {need}"
        )
    if arr.shape[: len(inner)] != inner:
        flat = arr.ravel(order="F")[:need]
        arr = flat.reshape((*inner, used), order="F")
    return arr


def _cal_matrix(cal_all: Any, i: int, source: str) -> FloatArray:
    if cal_all is None:
        raise InputError(
            source, f"force plate {i + 1} is type 4 but FORCE_PLATFORM:CAL_MATRIX is missing"
        )
    cal = np.asarray(cal_all, dtype=np.float64)
    if cal.ndim == 2 and cal.shape == (6, 6):
        cal = cal[:, :, None]
    if cal.ndim != 3 or cal.shape[:2] != (6, 6) or cal.shape[2] <= i:
        raise InputError(
            source,
            f"force plate {i + 1} is type 4 but FORCE_PLATFORM:CAL_MATRIX has shape {cal.shape}",
        )
    mat = cal[:, :, i]
    if not np.all(np.isfinite(mat)) or abs(np.linalg.det(mat)) == 0.0:
        raise InputError(source, f"FORCE_PLATFORM:CAL_MATRIX of plate {i + 1} is singular")
    return np.asarray(mat, dtype=np.float64)


def _zeroed(
    raw: FloatArray,
    zero: Sequence[int] | None,
    samples_per_frame: int,
    ptype: int,
    cal: FloatArray | None,
) -> FloatArray:
    if zero is None:
        return raw
    z = np.asarray(zero, dtype=float).ravel()
    if z.size < 2:
        return raw
    first, last = int(z[0]), int(z[1])
    first = max(first, 1)
    if last < first:
        return raw
    start = (first - 1) * samples_per_frame
    stop = min(last * samples_per_frame, raw.shape[0])
    if stop <= start:
        return raw
    window = raw[start:stop]
    if ptype == 3:
        fz = raw[:, 4:8].sum(axis=1)
    elif ptype == 4 and cal is not None:
        fz = raw @ cal[2]
    else:
        fz = raw[:, 2]
    fz_win = fz[start:stop]
    peak = np.nanmax(np.abs(fz)) if fz.size else 0.0
    if peak > 0 and np.nanmean(np.abs(fz_win)) > 0.25 * peak:
        return raw
    return np.asarray(raw - np.nanmean(window, axis=0), dtype=np.float64)

"""What to run: a folder tree of trials or a manifest (CSV or YAML), as :class:`TrialSpec`.

Folder tree
    Every ``*.c3d`` and ``*.trc`` file below SOURCE (any case), sorted by path. A ``.trc`` trial
    takes its GRF from ``<stem>.mot`` or ``<stem>_grf.mot`` beside it. Subject measurements come
    from ``<stem>.mp``/``.vsk`` beside the trial, else from the only ``.mp``/``.vsk`` file in the
    trial's folder (Vicon's one-subject-per-session-folder layout), else from the C3D itself.
    The trial id is the path relative to SOURCE; the subject id is the subject file's stem, else
    the trial's folder name; group ``all``; no visit.

Manifest
    One row per trial with the columns (CSV header or YAML keys; a YAML file is a list of
    mappings or a mapping with a ``trials`` list):

    ``trial`` (required; relative paths are relative to the manifest's folder), ``trial_id``,
    ``subject_file``, ``grf``, ``static`` (the session's static trial, to calibrate the foot
    offsets from), ``marker_diameter_mm``, ``subject_id``, ``visit``, ``group``, and subject
    measurements
    in SI units: ``mass_kg``, ``height_m``, ``leg_length_left_m``, ``leg_length_right_m``,
    ``knee_width_left_m``, ``knee_width_right_m``, ``ankle_width_left_m``,
    ``ankle_width_right_m`` (YAML may also nest them under ``measurements``). Measurements given
    in the manifest win over a subject file and the C3D.

Static trials
    :func:`static_reason` tells a static (standing, calibration) trial from a walking one: by
    its name (``static`` or ``calib`` anywhere in the stem, or ``cal`` as a word), by the C3D's
    ``TRIAL:TYPE``/``TRIAL:DESCRIPTION`` parameter, or by markers that hardly move (the marker
    centroid travels less than :data:`STATIC_TRAVEL_M` over the trial). ``kinchain batch``
    skips them with the reason instead of processing them as walking.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from kinchain.errors import InputError

TRIAL_SUFFIXES = (".c3d", ".trc")
SUBJECT_SUFFIXES = (".mp", ".vsk")
DEFAULT_GROUP = "all"
MEASUREMENT_KEYS = (
    "mass_kg",
    "height_m",
    "leg_length_left_m",
    "leg_length_right_m",
    "knee_width_left_m",
    "knee_width_right_m",
    "ankle_width_left_m",
    "ankle_width_right_m",
)
_MANIFEST_KEYS = {
    "trial",
    "trial_id",
    "subject_file",
    "grf",
    "static",
    "marker_diameter_mm",
    "subject_id",
    "visit",
    "group",
    "measurements",
    *MEASUREMENT_KEYS,
}
_GROUP_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,63}$")


@dataclass(frozen=True)
class TrialSpec:
    """One trial to run, and the hashes that decide whether it must run again.

    Attributes
    ----------
    trial_id
        Unique in the batch (relative path, or the manifest's ``trial_id``).
    path, subject_file, grf, static_file
        Files the worker reads (absolute paths); ``static_file`` is the session's static trial.
    marker_diameter_mm
        The trial's marker diameter, mm (wins over ``--marker-diameter``), or None.
    measurements
        Subject measurements from the manifest (SI keys of :data:`MEASUREMENT_KEYS`), or None.
    subject_id, visit, group
        Labels copied to every output row (``group`` is the partition folder).
    input_sha256, subject_sha256
        Hashes of the trial file and of the subject/GRF/static files ("" until
        :func:`with_hashes`; "" for a file that cannot be read).
    """

    trial_id: str
    path: str
    subject_file: str | None = None
    grf: str | None = None
    static_file: str | None = None
    marker_diameter_mm: float | None = None
    measurements: dict[str, float] | None = None
    subject_id: str = ""
    visit: str = ""
    group: str = DEFAULT_GROUP
    input_sha256: str = ""
    subject_sha256: str = ""

    def spec_hash(self) -> str:
        """Hash of everything besides the trial file that changes the rows."""
        text = repr(
            (
                self.path,
                self.subject_sha256,
                sorted((self.measurements or {}).items()),
                self.subject_id,
                self.visit,
                self.group,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks; "" if it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def with_hashes(spec: TrialSpec) -> TrialSpec:
    """The spec with its input and subject hashes filled in (reads the files)."""
    sub = hashlib.sha256()
    for p in (spec.subject_file, spec.grf):
        sub.update((file_sha256(p) if p else "-").encode())
    if spec.static_file:  # only then, so that earlier outputs without a static still resume
        sub.update(("static:" + file_sha256(spec.static_file)).encode())
    if spec.marker_diameter_mm is not None:
        sub.update(f"marker_diameter_mm:{spec.marker_diameter_mm!r}".encode())
    return replace(spec, input_sha256=file_sha256(spec.path), subject_sha256=sub.hexdigest())


def check_group(label: str, where: str) -> str:
    """A group label is a folder name: letters, digits, space, ``_ . + -``, up to 64."""
    if not _GROUP_OK.match(label):
        raise InputError(
            where, f"group {label!r} must be 1-64 letters, digits, spaces or _ . + - characters"
        )
    return label


def discover_folder(root: Path) -> list[TrialSpec]:
    """Trials below ``root`` (see the module docstring for the pairing rules)."""
    files = sorted(
        (p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TRIAL_SUFFIXES),
        key=lambda p: str(p.relative_to(root)),
    )
    specs = []
    for p in files:
        siblings = [q for q in p.parent.iterdir() if q.is_file()]
        subject = _subject_beside(p, siblings)
        grf = None
        if p.suffix.lower() == ".trc":
            for name in (f"{p.stem}.mot", f"{p.stem}_grf.mot"):
                if (p.parent / name).is_file():
                    grf = str((p.parent / name).resolve())
                    break
        specs.append(
            TrialSpec(
                trial_id=p.relative_to(root).as_posix(),
                path=str(p.resolve()),
                subject_file=str(subject.resolve()) if subject else None,
                grf=grf,
                subject_id=subject.stem if subject else p.parent.name,
            )
        )
    return specs


def _subject_beside(trial: Path, siblings: list[Path]) -> Path | None:
    subjects = [q for q in siblings if q.suffix.lower() in SUBJECT_SUFFIXES]
    same = [q for q in subjects if q.stem == trial.stem]
    if same:
        return same[0]
    return subjects[0] if len(subjects) == 1 else None


def read_manifest(path: Path) -> list[TrialSpec]:
    """Trials listed in a CSV or YAML manifest (see the module docstring)."""
    suffix = path.suffix.lower()
    rows: list[dict[str, Any]]
    if suffix in TRIAL_SUFFIXES:
        raise InputError(
            str(path), "a trial, not a manifest: give its folder, or a .csv/.yaml manifest"
        )
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(str(path), f"unknown manifest type {suffix!r}; expected .csv or .yaml")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the manifest ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "the manifest is not UTF-8 text") from None
    if suffix == ".csv":
        rows = [dict(r) for r in csv.DictReader(text.splitlines())]
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(str(path), f"not valid YAML ({exc})") from None
        if isinstance(data, dict):
            data = data.get("trials")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError(str(path), "a YAML manifest is a list of trials (mappings)")
        rows = data
    base = path.parent
    specs = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        where = f"{path}: row {i}"
        row = {str(k).strip(): v for k, v in row.items() if k is not None}
        unknown = sorted(set(row) - _MANIFEST_KEYS)
        if unknown:
            raise InputError(where, f"unknown column(s) {', '.join(unknown)}")
        trial = _text(row.get("trial"))
        if not trial:
            raise InputError(where, "the 'trial' path is missing")
        trial_path = _resolve(base, trial)
        trial_id = _text(row.get("trial_id")) or trial
        if trial_id in seen:
            raise InputError(where, f"trial id {trial_id!r} appears twice")
        seen.add(trial_id)
        subject_file = _text(row.get("subject_file"))
        grf = _text(row.get("grf"))
        static = _text(row.get("static"))
        specs.append(
            TrialSpec(
                trial_id=trial_id,
                path=trial_path,
                subject_file=_resolve(base, subject_file) if subject_file else None,
                grf=_resolve(base, grf) if grf else None,
                static_file=_resolve(base, static) if static else None,
                marker_diameter_mm=_diameter(row.get("marker_diameter_mm"), where),
                measurements=_measurements(row, where),
                subject_id=_text(row.get("subject_id")),
                visit=_text(row.get("visit")),
                group=check_group(_text(row.get("group")) or DEFAULT_GROUP, where),
            )
        )
    return specs


def _diameter(value: Any, where: str) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        mm = float(text)
    except ValueError:
        raise InputError(where, f"marker_diameter_mm {text!r} is not a number") from None
    if not (math.isfinite(mm) and 1.0 <= mm <= 50.0):
        raise InputError(where, f"marker_diameter_mm {text} mm is not plausible (1 to 50)")
    return mm


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _resolve(base: Path, name: str) -> str:
    p = Path(name).expanduser()
    return str((p if p.is_absolute() else base / p).resolve())


def _measurements(row: dict[str, Any], where: str) -> dict[str, float] | None:
    flat: dict[str, Any] = {k: row[k] for k in MEASUREMENT_KEYS if _text(row.get(k))}
    nested = row.get("measurements")
    if isinstance(nested, dict):
        for key, value in nested.items():
            if isinstance(value, dict):
                for side, v in value.items():
                    base = key[:-2] if key.endswith("_m") else key
                    flat[f"{base}_{side}_m"] = v
            else:
                flat[key] = value
    elif nested is not None:
        raise InputError(where, "'measurements' must be a mapping")
    if not flat:
        return None
    out: dict[str, float] = {}
    for key, value in flat.items():
        if key not in MEASUREMENT_KEYS:
            raise InputError(where, f"unknown measurement {key!r}")
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            raise InputError(where, f"{key} = {value!r} is not a number") from None
    return out


def load_source(source: Path) -> list[TrialSpec]:
    """Trials of a folder tree or a manifest file, in a stable order."""
    if source.is_dir():
        specs = discover_folder(source)
    elif source.is_file():
        specs = read_manifest(source)
    else:
        raise InputError(str(source), "no such folder or manifest file")
    if not specs:
        raise InputError(str(source), "no trials found (.c3d or .trc)")
    return specs


def iter_hashed(specs: list[TrialSpec]) -> Iterator[TrialSpec]:
    """Hash lazily, one trial at a time (bounded memory, early start)."""
    for spec in specs:
        yield with_hashes(spec)


#: A trial whose marker centroid travels less than this (m, horizontal) is a standing trial.
STATIC_TRAVEL_M = 0.3
_STATIC_NAME = re.compile(r"static|calib|(?:^|[^a-z])cal(?:[^a-z]|$)", re.IGNORECASE)


def _c3d_static(path: Path) -> str | None:
    from kinchain.io.c3d import _ezc3d_read

    payload = _ezc3d_read(str(path), path.stat().st_size)
    params = payload["parameters"]
    trial_group = params.get("TRIAL", {}) if isinstance(params, dict) else {}
    for name in ("TYPE", "TRIAL_TYPE", "DESCRIPTION"):
        value = trial_group.get(name, {}).get("value") if isinstance(trial_group, dict) else None
        text = " ".join(str(v) for v in np.ravel(value)) if value is not None else ""
        if re.search(r"static|calib", text, re.IGNORECASE):
            return f"the C3D's TRIAL:{name} is {text.strip()!r}"
    points = np.asarray(payload["data"]["points"], dtype=float)  # (4, n_markers, n_frames)
    unit = params.get("POINT", {}).get("UNITS", {}).get("value", ["mm"])
    scale = 0.001 if str(np.ravel(unit)[0] if np.size(unit) else "mm").lower() == "mm" else 1.0
    xyz = np.moveaxis(points[:3], 2, 0) * scale  # (n_frames, n_markers, 3)
    return _travel_reason(xyz)


def _travel_reason(xyz: np.ndarray) -> str | None:
    if xyz.size == 0:
        return None
    xyz = np.where(np.all(xyz == 0.0, axis=-1, keepdims=True), np.nan, xyz)  # C3D blanks
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        centroid = np.nanmean(xyz, axis=1)[:, :2]
    centroid = centroid[np.all(np.isfinite(centroid), axis=1)]
    if len(centroid) < 2:
        return None
    travel = float(np.max(np.linalg.norm(centroid - centroid[0], axis=1)))
    if math.isfinite(travel) and travel < STATIC_TRAVEL_M:
        return f"the markers hardly move ({travel * 1000:.0f} mm in the trial)"
    return None


def static_reason(path: str | Path) -> str | None:
    """Why the trial at ``path`` is a static (standing) trial, or None for a walking trial (or
    a file that cannot be read: the batch then reports its error as for any trial)."""
    p = Path(path)
    if _STATIC_NAME.search(p.stem):
        return f"static trial by its name ({p.name})"
    try:
        if p.suffix.lower() == ".c3d":
            return _c3d_static(p)
        if p.suffix.lower() == ".trc":
            from kinchain.io.opensim import read_trc

            markers = read_trc(p)[0]
            if not markers:
                return None
            return _travel_reason(np.stack(list(markers.values()), axis=1))
    except Exception:
        return None
    return None

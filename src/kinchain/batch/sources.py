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
    ``subject_file``, ``grf``, ``subject_id``, ``visit``, ``group``, and subject measurements
    in SI units: ``mass_kg``, ``height_m``, ``leg_length_left_m``, ``leg_length_right_m``,
    ``knee_width_left_m``, ``knee_width_right_m``, ``ankle_width_left_m``,
    ``ankle_width_right_m`` (YAML may also nest them under ``measurements``). Measurements given
    in the manifest win over a subject file and the C3D.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
    path, subject_file, grf
        Files the worker reads (absolute paths).
    measurements
        Subject measurements from the manifest (SI keys of :data:`MEASUREMENT_KEYS`), or None.
    subject_id, visit, group
        Labels copied to every output row (``group`` is the partition folder).
    input_sha256, subject_sha256
        Hashes of the trial file and of the subject/GRF files and measurements ("" until
        :func:`with_hashes`; "" for a file that cannot be read).
    """

    trial_id: str
    path: str
    subject_file: str | None = None
    grf: str | None = None
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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the manifest ({exc.strerror})") from None
    if suffix == ".csv":
        rows = [dict(r) for r in csv.DictReader(text.splitlines())]
    elif suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(str(path), f"not valid YAML ({exc})") from None
        if isinstance(data, dict):
            data = data.get("trials")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError(str(path), "a YAML manifest is a list of trials (mappings)")
        rows = data
    else:
        raise InputError(str(path), f"unknown manifest type {suffix!r}; expected .csv or .yaml")
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
        specs.append(
            TrialSpec(
                trial_id=trial_id,
                path=trial_path,
                subject_file=_resolve(base, subject_file) if subject_file else None,
                grf=_resolve(base, grf) if grf else None,
                measurements=_measurements(row, where),
                subject_id=_text(row.get("subject_id")),
                visit=_text(row.get("visit")),
                group=check_group(_text(row.get("group")) or DEFAULT_GROUP, where),
            )
        )
    return specs


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

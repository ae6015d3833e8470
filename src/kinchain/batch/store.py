"""The output folder: partitioned Parquet tables written one file per trial, atomically, and the
ledger of committed trials.

Layout::

    OUT/trials/group=<label>/<file key>.parquet   one row per trial
    OUT/curves/group=<label>/<file key>.parquet   one row per trial x side x % of the cycle
    OUT/errors/group=<label>/<file key>.parquet   one row per failed trial
    OUT/ledger.jsonl                              one line per committed trial
    OUT/cohort.html                               the cohort report

A file is written under a hidden temporary name (``.<key>.parquet.<random>.tmp``, which pandas,
pyarrow and DuckDB globs skip) and moved into place with :func:`os.replace`, so a reader never
sees half a file. A trial's files are replaced as a set: the new ones first, then any file of the
same trial left in another table or partition by an earlier run is removed. Only then does the
driver append the trial's ledger line (flushed and fsynced): a crash loses at most the trials
in flight, and those run again, overwriting their own files, on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq

from kinchain.batch.schema import SCHEMAS, TABLES

LEDGER = "ledger.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_key(trial_id: str) -> str:
    """A file name stem for a trial id: readable, and unique through a short hash."""
    slug = _UNSAFE.sub("_", trial_id).strip("._")[:80] or "trial"
    return f"{slug}-{hashlib.sha256(trial_id.encode()).hexdigest()[:12]}"


def partition_dir(out: Path, table: str, group: str) -> Path:
    """``OUT/<table>/group=<label>`` (Hive style; the label URI-escaped)."""
    return out / table / f"group={quote(group, safe=' +-_.')}"


def table_path(out: Path, table: str, group: str, trial_id: str) -> Path:
    return partition_dir(out, table, group) / f"{file_key(trial_id)}.parquet"


def write_rows(path: Path, table: str, columns: Mapping[str, list[Any]]) -> None:
    """Write rows (column -> values; missing columns are null) with the table's schema,
    atomically."""
    schema = SCHEMAS[table]
    n = len(next(iter(columns.values()))) if columns else 0
    arrays = {f.name: pa.array(columns.get(f.name, [None] * n), type=f.type) for f in schema}
    data = pa.Table.from_pydict(arrays, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(data, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale(out: Path, trial_id: str, keep: set[Path]) -> None:
    """Remove the trial's files in every table and partition except ``keep``."""
    name = f"{file_key(trial_id)}.parquet"
    for table in TABLES:
        for p in (out / table).glob(f"group=*/{name}"):
            if p not in keep:
                p.unlink(missing_ok=True)


def clean_temporaries(out: Path) -> int:
    """Remove temporary files left by writers that were killed; returns how many."""
    n = 0
    for table in TABLES:
        for p in (out / table).glob("group=*/.*.tmp"):
            p.unlink(missing_ok=True)
            n += 1
    return n


def now_utc() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Committed trials, one JSON line each, later lines winning.

    A line holds ``trial_id``, ``input_sha256``, ``params_hash``, ``spec_hash``, ``status``,
    ``run_id`` and ``at``. A torn last line (a crash mid-write) is ignored.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / LEDGER
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(entry, dict) and "trial_id" in entry:
                        self.entries[str(entry["trial_id"])] = entry
        self._fh: Any = None

    def is_done(self, trial_id: str, input_sha256: str, params_hash: str, spec_hash: str) -> bool:
        e = self.entries.get(trial_id)
        return (
            e is not None
            and bool(input_sha256)
            and e.get("input_sha256") == input_sha256
            and e.get("params_hash") == params_hash
            and e.get("spec_hash") == spec_hash
        )

    def commit(self, entry: dict[str, Any]) -> None:
        """Append one line and make it durable before returning."""
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")
        entry = {**entry, "at": now_utc().isoformat(timespec="seconds")}
        self._fh.write(json.dumps(entry, sort_keys=True) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.entries[str(entry["trial_id"])] = entry

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

"""The output folder: partitioned Parquet tables written one file per trial, atomically, and the
ledger of committed trials.

Layout::

    OUT/trials/group=<label>/<file key>.parquet   one row per trial
    OUT/curves/group=<label>/<file key>.parquet   one row per trial x side x % of the cycle
    OUT/errors/group=<label>/<file key>.parquet   one row per failed trial
    OUT/ledger.jsonl                              one line per committed trial
    OUT/cohort.html                               the cohort report
    OUT/batch.lock                                held by the running batch (pid, host)

A file is written under a hidden temporary name (``.<key>.parquet.<random>.tmp``, which pandas,
pyarrow and DuckDB globs skip) and moved into place with :func:`os.replace`, so a reader never
sees half a file. A trial's files are replaced as a set: the new ones first, then any file of the
same trial left in another table or partition by an earlier run is removed. Only then does the
driver append the trial's ledger line (flushed and fsynced): a crash loses at most the trials
in flight, and those run again, overwriting their own files, on the next run.

Each ledger line is appended with one ``write`` call; a line torn by a crash (the file ends
without a newline) is repaired before the next append, so it never swallows the next record.
One batch at a time writes into a folder: :func:`output_lock` holds ``OUT/batch.lock``.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq

from kinchain.batch.schema import SCHEMAS, TABLES
from kinchain.errors import InputError

LEDGER = "ledger.jsonl"
LOCK = "batch.lock"
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


def _parse_record(line: bytes) -> dict[str, Any] | None:
    """A ledger record, or None for a torn or foreign line."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(entry, dict) and "trial_id" in entry:
        return entry
    return None


def repair_tail(path: Path) -> str | None:
    """Make ``path`` end with a newline, so that the next append starts a line of its own.

    A last line without its newline is either a whole record (the crash came between the
    record and its newline: the newline is added) or part of one (it is cut off; that trial was
    not committed and runs again). Returns what was done, or None when the file was fine.
    """
    try:
        fh = open(path, "r+b")
    except FileNotFoundError:
        return None
    with fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return None
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return None
        # Find the start of the last line, reading backwards in blocks.
        start, pos, block = 0, size, 65536
        while pos > 0:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                start = pos + nl + 1
                break
        fh.seek(start)
        tail = fh.read()
        if _parse_record(tail) is not None:
            fh.seek(size)
            fh.write(b"\n")
            action = "newline added after the last record"
        else:
            fh.truncate(start)
            action = f"torn last line of {size - start} byte(s) removed"
        fh.flush()
        os.fsync(fh.fileno())
    return action


class Ledger:
    """Committed trials, one JSON line each, later lines winning.

    A line holds ``trial_id``, ``input_sha256``, ``params_hash``, ``spec_hash``, ``status``,
    ``run_id`` and ``at``. A torn last line (a crash mid-write) is ignored when read, and
    removed (or, if it is a whole record missing its newline, completed) before the first
    append (:func:`repair_tail`).
    """

    def __init__(self, out: Path) -> None:
        self.path = out / LEDGER
        self.entries: dict[str, dict[str, Any]] = {}
        self.repaired: str | None = None
        if self.path.is_file():
            with open(self.path, "rb") as fh:
                for line in fh:
                    entry = _parse_record(line)
                    if entry is not None:
                        self.entries[str(entry["trial_id"])] = entry
        self._fd: int | None = None

    def is_done(self, trial_id: str, input_sha256: str, params_hash: str, spec_hash: str) -> bool:
        e = self.entries.get(trial_id)
        return (
            e is not None
            and bool(input_sha256)
            and e.get("input_sha256") == input_sha256
            and e.get("params_hash") == params_hash
            and e.get("spec_hash") == spec_hash
        )

    def open(self) -> str | None:
        """Open for appending (once), first repairing a torn last line; returns what the
        repair did, or None."""
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.repaired = repair_tail(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            return self.repaired
        return None

    def commit(self, entry: dict[str, Any]) -> None:
        """Append one line with a single ``write`` and make it durable before returning."""
        self.open()
        assert self._fd is not None
        entry = {**entry, "at": now_utc().isoformat(timespec="seconds")}
        data = (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # a short write (a full disk raises instead)
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)
        self.entries[str(entry["trial_id"])] = entry

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class LockOwner:
    """Who holds an output folder's lock (the contents of ``OUT/batch.lock``)."""

    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host} since {self.since}"


def _read_owner(fd: int) -> LockOwner | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b""
    while chunk := os.read(fd, 4096):
        raw += chunk
    try:
        data = json.loads(raw.decode("utf-8"))
        return LockOwner(int(data["pid"]), str(data["host"]), str(data.get("since", "?")))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


#: Output folders this process holds (so that a nested :func:`output_lock` is a no-op).
_HELD: dict[Path, int] = {}


@contextmanager
def output_lock(out: Path, note: Callable[[str], None] | None = None) -> Iterator[LockOwner]:
    """Hold ``OUT/batch.lock`` while a batch writes into ``out``; refuse a folder in use.

    The lock is the file, created if missing, held with ``fcntl.flock`` (exclusive, without
    waiting) and holding this process's pid, host and start time. It is removed on exit, also
    on Ctrl-C or SIGTERM (the CLI turns those into ``KeyboardInterrupt``). After ``kill -9`` the
    file stays but its flock does not: a lock file naming a pid of this host that no longer
    runs is taken over, and ``note`` is told. Nested use in the same process is a no-op.

    Raises
    ------
    InputError
        The folder is in use: another process holds the lock, or the file names a live process
        of this host, or a process of another host (which cannot be checked from here; delete
        the file if that run is gone).
    """
    out = out.resolve()
    host = socket.gethostname()
    me = LockOwner(os.getpid(), host, now_utc().isoformat(timespec="seconds"))
    if out in _HELD:
        _HELD[out] += 1
        try:
            yield me
        finally:
            _HELD[out] -= 1
        return
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    hint = f"wait for it to finish, or delete {path} if that run is gone"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            owner = _read_owner(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                who = owner.describe() if owner else "another process"
                raise InputError(
                    str(out), f"in use by another kinchain batch ({who}); {hint}"
                ) from None
            raise
        try:
            same_file = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same_file = False
        if same_file:
            break
        os.close(fd)  # the holder removed the file as we opened it: try the new one
    try:
        previous = _read_owner(fd)
        if previous is not None and previous.pid != me.pid:
            if previous.host != host:
                raise InputError(
                    str(out),
                    f"in use by another kinchain batch ({previous.describe()}); {hint}",
                )
            if _pid_alive(previous.pid):
                raise InputError(
                    str(out),
                    f"in use by another kinchain batch ({previous.describe()}, still "
                    f"running); {hint}",
                )
            if note is not None:
                note(
                    f"took over the lock of {out}: {previous.describe()} is no longer "
                    "running (its committed trials are kept)"
                )
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(asdict(me)).encode("utf-8") + b"\n")
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    _HELD[out] = 1
    try:
        yield me
    finally:
        del _HELD[out]
        try:
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)

"""Temporary folders of the edges (CLI outputs, web jobs) that a killed process cannot strand.

A run names its temporary folder after itself, ``<prefix><host>-<pid>-<random>``; on start, a
run removes the folders of its prefix that no live run owns: those of the same host whose
process is gone, and any older than :data:`STALE_AFTER_S` (a folder of another host, or one
whose pid was reused, cannot be checked otherwise). A live run's folder is never removed: its
pid answers ``kill(pid, 0)`` and it is younger than the bound. Folders are created owner-only
(mode 0700) by :class:`tempfile.TemporaryDirectory`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OUTPUT_PREFIX = ".kinchain-"
"""Prefix of the staging folders of the command line's output sets (process, analyze, export)."""

STALE_AFTER_S = 24 * 3600.0
"""Age (s, from the folder's modification time) after which any temporary folder is stale."""


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def owned_prefix(prefix: str) -> str:
    """``prefix`` followed by this host and process id: the prefix of this run's folders."""
    return f"{prefix}{_host()}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:
        return False
    return True


def remove_stale(parent: Path, prefix: str, *, max_age_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove the folders ``parent/<prefix>*`` left by runs that are gone.

    Parameters
    ----------
    parent
        The folder holding the temporary folders (an output folder, a data directory).
    prefix
        Their name prefix, e.g. ``".kinchain-"``.
    max_age_s
        Folders older than this (s) are removed whoever owns them.

    Returns
    -------
    list of Path
        The folders removed. Symbolic links and plain files are left alone.
    """
    if not parent.is_dir():
        return []
    pattern = re.compile(re.escape(prefix) + r"(?P<host>[A-Za-z0-9._]+)-(?P<pid>\d+)-[^-]+$")
    host, now = _host(), time.time()
    removed: list[Path] = []
    for entry in parent.glob(f"{prefix}*"):
        try:
            info = entry.lstat()
        except OSError:
            continue
        if entry.is_symlink() or not entry.is_dir():
            continue
        match = pattern.match(entry.name)
        old = now - info.st_mtime > max_age_s
        if match and match["host"] == host:
            pid = int(match["pid"])
            stale = old or (pid != os.getpid() and not _pid_alive(pid))
        else:
            stale = old
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


@contextmanager
def staged_outputs(out_dir: Path, prefix: str = OUTPUT_PREFIX) -> Iterator[Path]:
    """A temporary folder inside ``out_dir`` to write a set of output files into, before
    :func:`publish` moves them into place, so an error never leaves a half-written set.

    Stale folders of ``prefix`` (:func:`remove_stale`) are removed first; this run's folder is
    named after it (:func:`owned_prefix`), owner-only, and removed on leaving.
    """
    remove_stale(out_dir, prefix)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=owned_prefix(prefix)) as tmp:
        yield Path(tmp)


def publish(files: dict[str, Path], out_dir: Path) -> dict[str, Path]:
    """Move each finished file of a staging folder into ``out_dir`` under its own name (an atomic
    rename on the same file system); returns the same keys with the final paths."""
    final: dict[str, Path] = {}
    for key, path in files.items():
        dest = out_dir / path.name
        os.replace(path, dest)
        final[key] = dest
    return final

"""Content-addressed file store: a blob's name is its SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

#: Modes of the store's files and folders: owner only (uploads are patient data).
FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private(path: Path, mode: int) -> None:
    """``chmod`` ``path`` to ``mode`` when its group or others have any access (symbolic links
    are left alone)."""
    st = path.lstat()
    if not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
        path.chmod(mode)


class BlobStore:
    """Files under ``root/ab/abcdef...`` named by the SHA-256 of their content.

    Writing goes to a temporary file in the same folder and is moved into place with
    :func:`os.replace`, so a blob is either complete or absent. Writing the same content twice
    is a no-op. Blobs are readable by their owner only (files 0600, folders 0700);
    :meth:`make_private` tightens a tree written before.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the blob ``sha256`` lives (it may not exist)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; returns ``(sha256, created)`` (``created`` False if it was there)."""
        sha = hashlib.sha256(data).hexdigest()
        dest = self.path(sha)
        if dest.is_file():
            return sha, False
        if not dest.parent.is_dir():
            self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            dest.parent.mkdir(mode=DIR_MODE, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha, True

    def make_private(self) -> None:
        """Make the blob folder, its sub-folders and blobs owner-only (0700/0600), for a store
        written by an earlier version or with a loose umask; creates the folder if missing."""
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        make_private(self.root, DIR_MODE)
        for folder, dirs, files in os.walk(self.root):
            for d in dirs:
                make_private(Path(folder) / d, DIR_MODE)
            for f in files:
                make_private(Path(folder) / f, FILE_MODE)

    def put_file(self, path: str | Path) -> tuple[str, bool]:
        """Store a file's content (read whole; uploads are size-limited before this)."""
        return self.put(Path(path).read_bytes())

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

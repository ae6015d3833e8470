"""Opening the database: engine, sessions and migrations to the newest schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from kinchain.store.blobs import DIR_MODE, FILE_MODE, BlobStore, make_private

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url_for(data_dir: str | Path) -> str:
    """The embedded SQLite database's URL in ``data_dir``."""
    return f"sqlite+pysqlite:///{Path(data_dir).resolve() / 'kinchain.db'}"


def _alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets foreign keys, WAL and a busy timeout (several threads write)."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite ``url`` (None for another database or in memory)."""
    u = make_url(url)
    if not u.drivername.startswith("sqlite") or not u.database or u.database == ":memory:":
        return None
    if u.database.startswith("file:"):
        return None
    return Path(u.database)


def make_sqlite_private(path: Path) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (it would use 0644; its WAL
    and shared-memory files take the database file's mode), and tighten an existing file and
    its ``-wal``/``-shm``/``-journal`` companions."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if p.exists():
            make_private(p, FILE_MODE)


def upgrade(url: str, engine: Engine | None = None) -> None:
    """Migrate the database at ``url`` to the newest schema (Alembic ``upgrade head``)."""
    cfg = _alembic_config(url)
    if engine is not None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    else:
        command.upgrade(cfg, "head")


class Store:
    """The database and the blob store of one kinchain service.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite+pysqlite:///...`` or ``postgresql+psycopg://...``).
    blob_dir
        Folder of the content-addressed uploads and rendered reports.

    Notes
    -----
    Opening makes the SQLite file (and its WAL/SHM files) 0600 and the blob folder, its
    sub-folders and blobs 0700/0600, also for a store written before with looser modes.
    """

    def __init__(self, url: str, blob_dir: str | Path, *, migrate: bool = True) -> None:
        self.url = url
        db_file = sqlite_file(url)
        if db_file is not None:
            make_sqlite_private(db_file)
        self.engine = make_engine(url)
        if migrate:
            upgrade(url, self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.blobs = BlobStore(blob_dir)
        self.blobs.make_private()

    @classmethod
    def open(cls, data_dir: str | Path, url: str | None = None) -> Store:
        """The store in ``data_dir`` (created if needed, owner-only: 0700): SQLite there unless
        ``url`` is given."""
        root = Path(data_dir)
        root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        make_private(root, DIR_MODE)
        return cls(url or database_url_for(root), root / "blobs")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._sessions() as db, db.begin():
            yield db

    def dispose(self) -> None:
        self.engine.dispose()

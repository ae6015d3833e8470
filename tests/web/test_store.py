"""Storage: migrations give exactly the models' schema, transactions are all or nothing, blobs
are content-addressed and atomic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from kinchain.store import BlobStore, Patient, Store
from kinchain.store.models import Base


def test_migrations_match_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(store: Store, tmp_path: Path) -> None:
    again = Store(store.url, tmp_path / "blobs2")  # migrates again: nothing to do
    with again.session() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 0
    again.dispose()


def test_session_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as db:
        db.add(Patient(name="Half Stored"))
        db.flush()
        raise RuntimeError("crash in the middle")
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 0


def test_blob_store(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha, created = blobs.put(b"abc")
    assert sha == hashlib.sha256(b"abc").hexdigest() and created
    assert blobs.put(b"abc") == (sha, False)
    assert blobs.get(sha) == b"abc"
    assert blobs.path(sha).parent.name == sha[:2]
    assert not list(tmp_path.rglob(".tmp-*"))
    with pytest.raises(ValueError):
        blobs.path("../../etc/passwd")

"""The storage edge: SQLAlchemy 2 models, Alembic migrations and a content-addressed blob store.

Embedded default: a SQLite file ``kinchain.db`` in a data directory with the uploads under
``blobs/`` beside it; PostgreSQL when a ``postgresql+psycopg://`` URL is given. The core never
imports this package.

    from kinchain.store import Store
    store = Store.open(data_dir)            # migrates to the newest schema
    with store.session() as db: ...         # one transaction, committed on success
"""

from kinchain.store.blobs import BlobStore
from kinchain.store.db import Store, database_url_for, upgrade
from kinchain.store.models import (
    AuditEvent,
    Base,
    ClinicSetting,
    IntakeToken,
    IntakeVersion,
    Patient,
    PatientAccess,
    PatientShare,
    Role,
    SimulationRun,
    Upload,
    UploadStatus,
    User,
    Visit,
    VisitStatus,
    WebSession,
)

__all__ = [
    "AuditEvent",
    "Base",
    "BlobStore",
    "ClinicSetting",
    "IntakeToken",
    "IntakeVersion",
    "Patient",
    "PatientAccess",
    "PatientShare",
    "Role",
    "SimulationRun",
    "Store",
    "Upload",
    "UploadStatus",
    "User",
    "Visit",
    "VisitStatus",
    "WebSession",
    "database_url_for",
    "upgrade",
]

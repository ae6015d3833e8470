"""every upload kept; roles, patient sharing and the clinic's access model

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:00:00

Issue 11 items 5 and 8.

- ``uploads``: one row per upload of a visit (its files by SHA-256 with their names, the typed
  measurements and options, who and when, and how its analysis went). A visit's results change
  only when an upload's analysis succeeds; ``visits.current_upload_id`` names that upload. Each
  visit stored before gets one upload row from its own columns: ``done`` and current when it has
  results, ``failed`` when its analysis failed without results, ``queued`` otherwise.
- ``users.role`` (clinician | admin) and ``users.must_change_password``. So that an existing
  clinic is not left without an administrator, its earliest active account becomes one.
- ``clinic_settings`` (``patient_access``: clinic | own; absent means ``clinic``, every
  clinician sees every patient, as before) and ``patient_shares``.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("trials_json", sa.Text(), nullable=False),
        sa.Column("grf_sha", sa.String(length=64), nullable=True),
        sa.Column("subject_file_sha", sa.String(length=64), nullable=True),
        sa.Column("subject_file_name", sa.String(length=255), nullable=True),
        sa.Column("static_sha", sa.String(length=64), nullable=True),
        sa.Column("static_name", sa.String(length=255), nullable=True),
        sa.Column("subject_json", sa.Text(), nullable=True),
        sa.Column("options_json", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_uploads_visit_id"), "uploads", ["visit_id"], unique=False)
    op.create_table(
        "clinic_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "patient_shares",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("patient_id", "user_id"),
    )
    op.create_index(op.f("ix_patient_shares_user_id"), "patient_shares", ["user_id"], unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_upload_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="clinician")
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    conn = op.get_bind()
    visits = sa.table(
        "visits",
        sa.column("id", sa.Integer),
        sa.column("updated_at", sa.DateTime),
        sa.column("status", sa.String),
        sa.column("error", sa.Text),
        sa.column("trial_sha", sa.String),
        sa.column("trial_name", sa.String),
        sa.column("grf_sha", sa.String),
        sa.column("subject_file_sha", sa.String),
        sa.column("subject_file_name", sa.String),
        sa.column("static_sha", sa.String),
        sa.column("static_name", sa.String),
        sa.column("subject_json", sa.Text),
        sa.column("options_json", sa.Text),
        sa.column("analysis_json", sa.Text),
        sa.column("current_upload_id", sa.Integer),
    )
    uploads = sa.table(
        "uploads",
        sa.column("id", sa.Integer),
        sa.column("visit_id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("trials_json", sa.Text),
        sa.column("grf_sha", sa.String),
        sa.column("subject_file_sha", sa.String),
        sa.column("subject_file_name", sa.String),
        sa.column("static_sha", sa.String),
        sa.column("static_name", sa.String),
        sa.column("subject_json", sa.Text),
        sa.column("options_json", sa.Text),
        sa.column("status", sa.String),
        sa.column("error", sa.Text),
        sa.column("finished_at", sa.DateTime),
    )
    rows = conn.execute(sa.select(visits).where(visits.c.trial_sha.is_not(None))).mappings().all()
    for v in rows:
        has_results = v["analysis_json"] is not None
        status = "done" if has_results else ("failed" if v["status"] == "failed" else "queued")
        result = conn.execute(
            uploads.insert()
            .values(
                visit_id=v["id"],
                created_at=v["updated_at"],
                trials_json=json.dumps(
                    [{"sha": v["trial_sha"], "name": v["trial_name"] or "trial.c3d"}]
                ),
                grf_sha=v["grf_sha"],
                subject_file_sha=v["subject_file_sha"],
                subject_file_name=v["subject_file_name"],
                static_sha=v["static_sha"],
                static_name=v["static_name"],
                subject_json=v["subject_json"],
                options_json=v["options_json"],
                status=status,
                error=v["error"] if status == "failed" else None,
                finished_at=v["updated_at"] if status in ("done", "failed") else None,
            )
            .returning(uploads.c.id)
        )
        upload_id = result.scalar_one()
        if has_results:
            conn.execute(
                visits.update().where(visits.c.id == v["id"]).values(current_upload_id=upload_id)
            )

    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("role", sa.String),
    )
    first = conn.execute(
        sa.select(users.c.id).where(users.c.active.is_(True)).order_by(users.c.id).limit(1)
    ).scalar()
    if first is not None:
        conn.execute(users.update().where(users.c.id == first).values(role="admin"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("role")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("current_upload_id")
    op.drop_index(op.f("ix_patient_shares_user_id"), table_name="patient_shares")
    op.drop_table("patient_shares")
    op.drop_table("clinic_settings")
    op.drop_index(op.f("ix_uploads_visit_id"), table_name="uploads")
    op.drop_table("uploads")

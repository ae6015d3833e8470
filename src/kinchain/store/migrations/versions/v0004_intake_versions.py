"""every saved intake kept as a version with who answered and when

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:10:00

Issue 12 item 2: the patient's answers through the link no longer replace the clinician's out
of sight; each save is a version (source: clinician, patient or api). A visit stored before gets
its current intake as its first version, with the source it recorded (``intake_by``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_intake_versions_visit_id"), "intake_versions", ["visit_id"], unique=False
    )
    visits = sa.table(
        "visits",
        sa.column("id", sa.Integer),
        sa.column("updated_at", sa.DateTime),
        sa.column("intake_json", sa.Text),
        sa.column("intake_by", sa.String),
    )
    versions = sa.table(
        "intake_versions",
        sa.column("visit_id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("source", sa.String),
        sa.column("answers_json", sa.Text),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(visits).where(visits.c.intake_json.is_not(None))).all()
    for v in rows:
        conn.execute(
            versions.insert().values(
                visit_id=v.id,
                created_at=v.updated_at,
                source=v.intake_by
                if v.intake_by in ("clinician", "patient", "api")
                else "clinician",
                answers_json=v.intake_json,
            )
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_intake_versions_visit_id"), table_name="intake_versions")
    op.drop_table("intake_versions")

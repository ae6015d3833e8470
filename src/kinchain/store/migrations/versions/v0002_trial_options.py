"""trial options of a visit upload: subject file, static trial, processing options

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 04:30:00

The web upload takes the CLI's trial options (issue 16 item 2, issue 10): a Vicon .mp/.vsk
subject file and a static trial (blobs, by SHA-256, with their names) and the options as JSON
(marker diameter, flat foot, marker cut-off, max gap). Every column is nullable: visits stored
before keep their data and are processed as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_file_sha", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("subject_file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("static_sha", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("static_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("options_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("options_json")
        batch_op.drop_column("static_name")
        batch_op.drop_column("static_sha")
        batch_op.drop_column("subject_file_name")
        batch_op.drop_column("subject_file_sha")

""" "what if" simulations of a visit

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:00:00

Issue 14 (the web part): each requested simulation of a visit is kept with the upload it
simulates, who asked and when, its spec (restrictions as strings, side, stride side, coarse mesh),
its progress (status, stage, solver iterations), and when finished the result as JSON and the
rendered section (HTML and PDF blobs by SHA-256) or a safe error message. Nothing existed
before, so nothing is copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "simulation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("restrictions_json", sa.Text(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("stride_side", sa.String(length=8), nullable=True),
        sa.Column("coarse", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("html_sha", sa.String(length=64), nullable=True),
        sa.Column("pdf_sha", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_simulation_runs_visit_id"), "simulation_runs", ["visit_id"], unique=False
    )
    op.create_index(op.f("ix_simulation_runs_status"), "simulation_runs", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_simulation_runs_status"), table_name="simulation_runs")
    op.drop_index(op.f("ix_simulation_runs_visit_id"), table_name="simulation_runs")
    op.drop_table("simulation_runs")

"""outcome questionnaires (pain rating, KOOS, FAAM, LEFS) answered per visit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00

Issue 12 item 4: each completed questionnaire is kept with the instrument and version, the item
answers as given, who answered (clinician, patient through the link, api) and when. Scores are
not stored; they are recomputed from the answers. Nothing existed before, so nothing is copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_questionnaire_responses_visit_id"),
        "questionnaire_responses",
        ["visit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_questionnaire_responses_visit_id"), table_name="questionnaire_responses")
    op.drop_table("questionnaire_responses")

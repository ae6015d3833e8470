"""how tightly a simulation's other joints keep their measured curves

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:30:00

Issue 14: a "what if" simulation can let the joints its restriction does not act on compensate
(``kinchain.sim.SolverSettings.compensation_weight``). Runs stored before were solved with them
held to their measured curves, which is 1.0: the column's value for every existing row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("simulation_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("compensation", sa.Float(), server_default="1.0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("simulation_runs", schema=None) as batch_op:
        batch_op.drop_column("compensation")

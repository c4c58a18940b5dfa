"""handout jobs: payload, progress and result on jobs (a long Mappe PDF is rendered by a job)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("progress", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("total", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("result", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("result")
        batch_op.drop_column("total")
        batch_op.drop_column("progress")
        batch_op.drop_column("payload")

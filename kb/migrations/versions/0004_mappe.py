"""mappe

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
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
        "mappen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mappen")),
        sa.UniqueConstraint("owner_key", name=op.f("uq_mappen_owner_key")),
    )
    op.create_table(
        "mappe_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mappe_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("query_string", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_mappe_entries_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mappe_id"],
            ["mappen.id"],
            name=op.f("fk_mappe_entries_mappe_id_mappen"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mappe_entries")),
    )
    with op.batch_alter_table("mappe_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mappe_entries_mappe_id"), ["mappe_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mappe_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mappe_entries_mappe_id"))

    op.drop_table("mappe_entries")
    op.drop_table("mappen")

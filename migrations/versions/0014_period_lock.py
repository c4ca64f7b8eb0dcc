"""Closed months: a zone's month is locked once the city accepts its report

Revision ID: 0014_period_lock
Revises: 0013_target_next_step
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_period_lock"
down_revision = "0013_target_next_step"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "period_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["locked_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zone_id", "period", name="uq_period_lock_zone_period"),
    )


def downgrade():
    op.drop_table("period_lock")

"""Report submissions: the zones' monthly reports as submitted, returned and accepted

Revision ID: 0016_report_submission
Revises: 0015_progress
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_report_submission"
down_revision = "0015_progress"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zone_id", "period", "attempt", name="uq_report_submission_attempt"),
    )
    op.create_index("ix_report_submission_period", "report_submission", ["period"])


def downgrade():
    op.drop_index("ix_report_submission_period", table_name="report_submission")
    op.drop_table("report_submission")

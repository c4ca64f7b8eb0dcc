"""Monthly progress of signed projects: investment completed and funds in place, by revision

Revision ID: 0015_progress
Revises: 0014_period_lock
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_progress"
down_revision = "0014_period_lock"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("month_investment_wan", sa.Integer(), nullable=False),
        sa.Column("total_investment_wan", sa.Integer(), nullable=False),
        sa.Column("month_funds_wan", sa.Integer(), nullable=False),
        sa.Column("total_funds_wan", sa.Integer(), nullable=False),
        sa.Column("image_progress", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("coordination", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "month_investment_wan >= 0 AND total_investment_wan >= 0"
            " AND month_funds_wan >= 0 AND total_funds_wan >= 0",
            name=op.f("ck_monthly_progress_nonneg"),
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_monthly_progress_revision_positive")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["import_batch_id"], ["import_batch.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "project_id", "period", "revision", name="uq_monthly_progress_revision"
        ),
    )
    op.create_index(
        "ix_monthly_progress_period", "monthly_progress", ["period", "project_id"], unique=False
    )
    op.create_index(
        op.f("ix_monthly_progress_project_id"), "monthly_progress", ["project_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_monthly_progress_project_id"), table_name="monthly_progress")
    op.drop_index("ix_monthly_progress_period", table_name="monthly_progress")
    op.drop_table("monthly_progress")

"""project milestones: the first date each project reached each pipeline stage

Revision ID: 0010_milestones
Revises: 0009_registration
Create Date: 2026-12-03 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_milestones"
down_revision = "0009_registration"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_milestone",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_milestone_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "stage", name=op.f("pk_project_milestone")),
    )
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_milestone_stage_reached", ["stage", "reached_on", "project_id"]
        )
    # Backfill from the stage events with the same code that keeps the table in step.
    from crm.quotas.milestones import rebuild_all

    rebuild_all(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE project_milestone")


def downgrade():
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_project_milestone_stage_reached")
    op.drop_table("project_milestone")

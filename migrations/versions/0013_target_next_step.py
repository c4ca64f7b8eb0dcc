"""Targets keep the next step of their latest activity (shown in 我的跟进 and the e-mails)

Revision ID: 0013_target_next_step
Revises: 0012_pinyin_readings

Backfills each target from its newest activity that recorded a next step.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_target_next_step"
down_revision = "0012_pinyin_readings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_step", sa.String(length=500), server_default="", nullable=False)
        )
    target = sa.table("target", sa.column("id"), sa.column("next_step"))
    activity = sa.table(
        "activity",
        sa.column("id"),
        sa.column("target_id"),
        sa.column("occurred_on"),
        sa.column("next_step"),
    )
    latest = (
        sa.select(activity.c.next_step)
        .where(activity.c.target_id == target.c.id, activity.c.next_step != "")
        .order_by(activity.c.occurred_on.desc(), activity.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        target.update()
        .where(sa.exists().where(activity.c.target_id == target.c.id, activity.c.next_step != ""))
        .values(next_step=latest)
    )


def downgrade():
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_column("next_step")

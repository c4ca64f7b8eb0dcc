"""Messages in 企业微信 / 政务微信 and 钉钉: channel settings, user links, group robots, the
channel outbox and the shared access-token cache

Revision ID: 0019_channels
Revises: 0018_indicator_actuals
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_channels"
down_revision = "0018_indicator_actuals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "channel_config",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("base_url", sa.String(length=200), nullable=False),
        sa.Column("corp_id", sa.String(length=100), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider"),
    )
    op.create_table(
        "channel_token",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token", sa.String(length=600), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "channel_link",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("wecom_userid", sa.String(length=64), nullable=True),
        sa.Column("dingtalk_userid", sa.String(length=64), nullable=True),
        sa.Column("prefs", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "robot_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("webhook_url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("keyword", sa.String(length=40), nullable=False),
        sa.Column("events", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "channel_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("dest", sa.String(length=20), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.String(length=60), nullable=False),
        sa.Column("period_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("provider_msgid", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["robot_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "channel", "dest", "kind", "period_key", name="uq_channel_message_key"
        ),
    )
    with op.batch_alter_table("channel_message") as batch:
        batch.create_index("ix_channel_message_status", ["status"], unique=False)
        batch.create_index(
            "ix_channel_message_dest_sent", ["channel", "dest", "sent_at"], unique=False
        )


def downgrade():
    op.drop_table("channel_message")
    op.drop_table("robot_group")
    op.drop_table("channel_link")
    op.drop_table("channel_token")
    op.drop_table("channel_config")

"""login_failure: the sign-in throttle's counters in the database

Revision ID: 0008_login_failure
Revises: 0007_list_indexes
Create Date: 2026-12-03 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_login_failure"
down_revision = "0007_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failure_address_failed_at", ["address", "failed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_login_failure_failed_at"), ["failed_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failure_login_key_failed_at", ["login_key", "failed_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_login_key_failed_at")
        batch_op.drop_index(batch_op.f("ix_login_failure_failed_at"))
        batch_op.drop_index("ix_login_failure_address_failed_at")
    op.drop_table("login_failure")

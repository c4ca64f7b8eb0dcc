"""Indicator actuals per zone, with a source note and a supporting file

Revision ID: 0018_indicator_actuals
Revises: 0017_instructions

An actual now belongs to a zone (NULL: city-wide); existing actuals stay city-wide. One value
per indicator, zone and period, and one city-wide value per indicator and period.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_indicator_actuals"
down_revision = "0017_instructions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("indicator_actual", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zone_id", sa.Integer(), nullable=True))
        for name, length in (
            ("source_note", 500),
            ("attachment_name", 200),
            ("attachment_stored", 40),
            ("attachment_type", 100),
            ("attachment_sha256", 64),
        ):
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )
        batch_op.add_column(
            sa.Column("computed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("attachment_size", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_indicator_actual_zone_id_zone"),
            "zone",
            ["zone_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint("uq_indicator_actual_period", type_="unique")
        batch_op.create_index(batch_op.f("ix_indicator_actual_zone_id"), ["zone_id"])
        batch_op.create_index(
            "uq_indicator_actual_zone_period",
            ["indicator_id", "zone_id", "period"],
            unique=True,
            sqlite_where=sa.text("zone_id IS NOT NULL"),
            postgresql_where=sa.text("zone_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_indicator_actual_city_period",
            ["indicator_id", "period"],
            unique=True,
            sqlite_where=sa.text("zone_id IS NULL"),
            postgresql_where=sa.text("zone_id IS NULL"),
        )


def downgrade():
    # zone figures have no place in the older schema: only the city-wide values are kept
    op.execute("DELETE FROM indicator_actual WHERE zone_id IS NOT NULL")
    with op.batch_alter_table("indicator_actual", schema=None) as batch_op:
        batch_op.drop_index("uq_indicator_actual_city_period")
        batch_op.drop_index("uq_indicator_actual_zone_period")
        batch_op.drop_index(batch_op.f("ix_indicator_actual_zone_id"))
        batch_op.drop_constraint(batch_op.f("fk_indicator_actual_zone_id_zone"), type_="foreignkey")
        for name in (
            "attachment_size",
            "computed",
            "attachment_sha256",
            "attachment_type",
            "attachment_stored",
            "attachment_name",
            "source_note",
            "zone_id",
        ):
            batch_op.drop_column(name)
        batch_op.create_unique_constraint("uq_indicator_actual_period", ["indicator_id", "period"])

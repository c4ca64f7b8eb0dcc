"""indicator dates: each project's first 签约 / 注册 / 开工 on its row, and the index over them

The indicators (city dashboard, monthly report, digests) count the live projects first signed
in a date range with how many of them reached 注册 / 开工 by its end; with the dates copied
from the stored milestones onto the project (kept by crm.quotas.milestones in the same
transaction as the stage events) that is one range of ``ix_project_reached_signed`` — an
index-only read on PostgreSQL — instead of three milestone ranges hash-joined to every
project. Backfilled here from ``project_milestone``.

Revision ID: 0025_indicator_dates
Revises: 0024_land_outline_json
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_indicator_dates"
down_revision = "0024_land_outline_json"
branch_labels = None
depends_on = None

COPIED = {
    "reached_signed_on": "signed",
    "reached_registered_on": "registered",
    "reached_construction_on": "construction",
}
INCLUDE = [
    "zone_id",
    "contract_amount_wan",
    "planned_total_wan",
    "actual_in_place_wan",
    "reached_registered_on",
    "reached_construction_on",
    "id",
]


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        for column in COPIED:
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
    dates = ", ".join(
        f"{column} = (SELECT m.reached_on FROM project_milestone m"
        f" WHERE m.project_id = project.id AND m.stage = '{stage}')"
        for column, stage in COPIED.items()
    )
    op.execute(
        f"UPDATE project SET {dates} WHERE id IN (SELECT project_id FROM project_milestone"
        " WHERE stage = 'signed')"
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_reached_signed",
            ["reached_signed_on"],
            postgresql_include=INCLUDE,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE project")


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index("ix_project_reached_signed")
        for column in reversed(COPIED):
            batch_op.drop_column(column)

"""land outlines as ready JSON text: the map's data joins them instead of serialising each

``land_parcel.outline_json`` and ``land_building.outline_json`` hold the outline (``polygon``)
as compact JSON. The models set it with the outline on every write (same transaction), and
this migration backfills the rows that already have one.

Revision ID: 0024_land_outline_json
Revises: 0023_search_grams_split
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0024_land_outline_json"
down_revision = "0023_search_grams_split"
branch_labels = None
depends_on = None

TABLES = ("land_parcel", "land_building")
BATCH = 1000


def _backfill(name: str) -> None:
    bind = op.get_bind()
    table = sa.table(
        name, sa.column("id", sa.Integer), sa.column("polygon", sa.JSON), sa.column("outline_json")
    )
    rows = bind.execute(sa.select(table.c.id, table.c.polygon).where(table.c.polygon.is_not(None)))
    pending = []
    for row_id, polygon in rows.all():
        if polygon:
            pending.append({"row_id": row_id, "text": json.dumps(polygon, separators=(",", ":"))})
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(outline_json=sa.bindparam("text"))
    )
    for start in range(0, len(pending), BATCH):
        bind.execute(update, pending[start : start + BATCH])


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("outline_json", sa.Text(), nullable=True))
        _backfill(name)


def downgrade():
    for name in reversed(TABLES):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("outline_json")

"""Reindex enterprise search text with every common pinyin reading (峤: jiao and qiao)

Revision ID: 0012_pinyin_readings
Revises: 0011_search_grams

A data migration: no schema change. It recomputes ``enterprise.search_text`` for every row with
the application's own ``build_search_text`` (the same code that indexes new rows), in batches.
Downgrading keeps the wider index (it only finds more).
"""

from alembic import op

revision = "0012_pinyin_readings"
down_revision = "0011_search_grams"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    from crm.enterprises.services import reindex_search_text

    reindex_search_text(op.get_bind(), BATCH)


def downgrade():
    pass



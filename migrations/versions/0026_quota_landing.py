"""quota candidates by landing date: an index for the forecast's candidates

The quota summaries' candidates (late-stage projects expected to land during the year,
crm.quotas.services.load_facts) were read by zone and stage — every late-stage project of
every zone — and filtered by the landing date; this index ranges over the year's landing
dates instead. A plain index: kept by the database, nothing stored that can go stale.

Revision ID: 0026_quota_landing
Revises: 0025_indicator_dates
"""

from alembic import op

revision = "0026_quota_landing"
down_revision = "0025_indicator_dates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_project_landing", "project", ["expected_landing_on", "stage"])


def downgrade():
    op.drop_index("ix_project_landing", table_name="project")

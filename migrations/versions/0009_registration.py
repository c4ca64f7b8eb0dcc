"""enterprise registration facts (provider exports) and the GB/T 4754 classes

Revision ID: 0009_registration
Revises: 0008_login_failure
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_registration"
down_revision = "0008_login_failure"
branch_labels = None
depends_on = None

TEXT_COLUMNS = (
    ("legal_representative", 100),
    ("registered_capital_currency", 10),
    ("paid_in_capital_currency", 10),
    ("business_status", 20),
    ("gb_section", 1),
    ("gb_division", 2),
)


def upgrade():
    table = op.create_table(
        "industry_class",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("section", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        for name, length in TEXT_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        batch_op.add_column(sa.Column("registered_capital_wan", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("paid_in_capital_wan", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("founded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("insured_count", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("business_scope", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        for name, _length in TEXT_COLUMNS:
            batch_op.alter_column(name, server_default=None)
        batch_op.alter_column("business_scope", server_default=None)

    from crm.enterprises.gb_industries import DIVISIONS, SECTIONS  # the standard, as data

    rows = [{"code": code, "name": name, "section": ""} for code, name in SECTIONS.items()]
    rows += [{"code": c, "name": name, "section": s} for c, (s, name) in DIVISIONS.items()]
    op.bulk_insert(table, rows)


def downgrade():
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        for name in (
            "business_scope",
            "insured_count",
            "founded_on",
            "paid_in_capital_wan",
            "registered_capital_wan",
            *(name for name, _length in TEXT_COLUMNS),
        ):
            batch_op.drop_column(name)
    op.drop_table("industry_class")

"""Land parcels and carriers

Revision ID: 0020_land
Revises: 0019_channels
"""

from alembic import op
import sqlalchemy as sa


revision = "0020_land"
down_revision = "0019_channels"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "land_parcel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("area_mu", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("land_use", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("batch", sa.String(length=100), nullable=False),
        sa.Column("approval_no", sa.String(length=100), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("constraints", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "land_use IN ('industrial', 'storage', 'commercial', 'research', 'other')",
            name=op.f("ck_land_parcel_use"),
        ),
        sa.CheckConstraint(
            "status IN ('reserve', 'approved', 'supplied', 'idle', 'reviving', 'revived')",
            name=op.f("ck_land_parcel_status"),
        ),
        sa.CheckConstraint("area_mu > 0", name=op.f("ck_land_parcel_area_positive")),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zone.id"], name=op.f("fk_land_parcel_zone_id_zone"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_parcel")),
        sa.UniqueConstraint("zone_id", "code", name="uq_land_parcel_zone_code"),
    )
    with op.batch_alter_table("land_parcel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_land_parcel_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_parcel_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "land_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["land_parcel.id"],
            name=op.f("fk_land_attachment_parcel_id_land_parcel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_land_attachment_uploaded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_land_attachment_stored_name")),
    )
    with op.batch_alter_table("land_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_land_attachment_parcel_id"), ["parcel_id"], unique=False
        )

    op.create_table(
        "land_building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("floor_area_sqm", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("floors", sa.Integer(), nullable=False),
        sa.Column("floor_load_kn", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("clear_height_m", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("rent_yuan", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('standard', 'guarantee', 'other')", name=op.f("ck_land_building_kind")
        ),
        sa.CheckConstraint(
            "status IN ('vacant', 'reserved', 'leased', 'sold')",
            name=op.f("ck_land_building_status"),
        ),
        sa.CheckConstraint("floor_area_sqm > 0", name=op.f("ck_land_building_area_positive")),
        sa.CheckConstraint("floors >= 1", name=op.f("ck_land_building_floors")),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["land_parcel.id"],
            name=op.f("fk_land_building_parcel_id_land_parcel"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["zone.id"],
            name=op.f("fk_land_building_zone_id_zone"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_building")),
    )
    with op.batch_alter_table("land_building", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_land_building_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_building_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_building_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "land_zone_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_land_zone_plan_uploaded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["zone.id"],
            name=op.f("fk_land_zone_plan_zone_id_zone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_zone_plan")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_land_zone_plan_stored_name")),
    )
    with op.batch_alter_table("land_zone_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_land_zone_plan_zone_id"), ["zone_id"], unique=True)

    op.create_table(
        "land_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('reserve', 'supply')", name=op.f("ck_land_claim_kind")),
        sa.CheckConstraint(
            "(parcel_id IS NULL) <> (building_id IS NULL)", name=op.f("ck_land_claim_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["land_building.id"],
            name=op.f("fk_land_claim_building_id_land_building"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["land_parcel.id"],
            name=op.f("fk_land_claim_parcel_id_land_parcel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_land_claim_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_claim")),
    )
    with op.batch_alter_table("land_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_land_claim_building_id"), ["building_id"], unique=False
        )
        batch_op.create_index(
            "ix_land_claim_open", ["released_on", "parcel_id", "building_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_land_claim_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_claim_project_id"), ["project_id"], unique=False)

    op.create_table(
        "land_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("area_mu", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('status', 'reserve', 'supply', 'release')", name=op.f("ck_land_event_kind")
        ),
        sa.CheckConstraint(
            "(parcel_id IS NULL) <> (building_id IS NULL)", name=op.f("ck_land_event_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_land_event_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["land_building.id"],
            name=op.f("fk_land_event_building_id_land_building"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["land_parcel.id"],
            name=op.f("fk_land_event_parcel_id_land_parcel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_land_event_project_id_project"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_event")),
    )
    with op.batch_alter_table("land_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_land_event_building_id"), ["building_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_land_event_effective_on"), ["effective_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_land_event_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_event_project_id"), ["project_id"], unique=False)


def downgrade():
    with op.batch_alter_table("land_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_event_project_id"))
        batch_op.drop_index(batch_op.f("ix_land_event_parcel_id"))
        batch_op.drop_index(batch_op.f("ix_land_event_effective_on"))
        batch_op.drop_index(batch_op.f("ix_land_event_building_id"))

    op.drop_table("land_event")
    with op.batch_alter_table("land_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_claim_project_id"))
        batch_op.drop_index(batch_op.f("ix_land_claim_parcel_id"))
        batch_op.drop_index("ix_land_claim_open")
        batch_op.drop_index(batch_op.f("ix_land_claim_building_id"))

    op.drop_table("land_claim")
    with op.batch_alter_table("land_zone_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_zone_plan_zone_id"))

    op.drop_table("land_zone_plan")
    with op.batch_alter_table("land_building", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_building_zone_id"))
        batch_op.drop_index(batch_op.f("ix_land_building_status"))
        batch_op.drop_index(batch_op.f("ix_land_building_parcel_id"))

    op.drop_table("land_building")
    with op.batch_alter_table("land_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_attachment_parcel_id"))

    op.drop_table("land_attachment")
    with op.batch_alter_table("land_parcel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_parcel_zone_id"))
        batch_op.drop_index(batch_op.f("ix_land_parcel_status"))

    op.drop_table("land_parcel")

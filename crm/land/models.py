"""Land parcels (地块), carriers (载体: 标准厂房, 工业保障房 …), their dated history, the projects
they are reserved for or supplied to, their attachments, and each zone's planning image."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from crm.core.timeutil import local_today, utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.projects.models import Project
    from crm.zones.models import Zone

# codes → Chinese names (the names are translated where shown)
PARCEL_STATUSES = {
    "reserve": "储备",
    "approved": "批而未供",
    "supplied": "已供",
    "idle": "闲置低效",
    "reviving": "盘活中",
    "revived": "已盘活",
}
LAND_USES = {
    "industrial": "工业",
    "storage": "仓储",
    "commercial": "商服",
    "research": "科研",
    "other": "其他",
}
BUILDING_KINDS = {"standard": "标准厂房", "guarantee": "工业保障房", "other": "其他载体"}
BUILDING_STATUSES = {"vacant": "空置", "reserved": "预留", "leased": "已租", "sold": "已售"}
CLAIM_KINDS = {"reserve": "预留", "supply": "供应"}


def outline_text(polygon: list[Any] | None) -> str | None:
    """An outline as the compact JSON text the map sends as it is (None without one). Set with
    the outline on every ORM write, so the two never disagree."""
    return json.dumps(polygon, separators=(",", ":")) if polygon else None


def _in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Parcel(db.Model):
    """A parcel of one zone; ``status`` is the latest of its status events."""

    __tablename__ = "land_parcel"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    area_mu: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    land_use: Mapped[str] = mapped_column(String(20), default="industrial")
    status: Mapped[str] = mapped_column(String(20), default="approved", index=True)
    status_since: Mapped[date] = mapped_column(default=local_today)
    batch: Mapped[str] = mapped_column(String(100), default="")  # 批次
    approval_no: Mapped[str] = mapped_column(String(100), default="")  # 批复文号
    approved_on: Mapped[date | None]  # 批复日期
    constraints: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    polygon: Mapped[list[Any] | None] = mapped_column(JSON)  # [[x, y], …] image pixels
    outline_json: Mapped[str | None] = mapped_column(Text)  # ``polygon`` as JSON, for the map
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]

    zone: Mapped[Zone] = relationship(lazy="joined", innerjoin=True)

    @validates("polygon")
    def _keep_outline_json(self, _key: str, value: Any) -> Any:
        self.outline_json = outline_text(value)
        return value

    __table_args__ = (
        db.UniqueConstraint("zone_id", "code", name="uq_land_parcel_zone_code"),
        CheckConstraint("area_mu > 0", name="area_positive"),
        CheckConstraint(_in("status", PARCEL_STATUSES), name="status"),
        CheckConstraint(_in("land_use", LAND_USES), name="use"),
    )


class Building(db.Model):
    """A carrier (standard factory, guaranteed industrial housing …) of one zone."""

    __tablename__ = "land_building"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"), index=True)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="standard")
    floor_area_sqm: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    floors: Mapped[int] = mapped_column(default=1)
    floor_load_kn: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # kN/㎡
    clear_height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(20), default="vacant", index=True)
    status_since: Mapped[date] = mapped_column(default=local_today)
    rent_yuan: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # 元/㎡·月
    notes: Mapped[str] = mapped_column(Text, default="")
    polygon: Mapped[list[Any] | None] = mapped_column(JSON)
    outline_json: Mapped[str | None] = mapped_column(Text)  # ``polygon`` as JSON, for the map
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]

    zone: Mapped[Zone] = relationship(lazy="joined", innerjoin=True)
    parcel: Mapped[Parcel | None] = relationship()

    @validates("polygon")
    def _keep_outline_json(self, _key: str, value: Any) -> Any:
        self.outline_json = outline_text(value)
        return value

    __table_args__ = (
        CheckConstraint("floor_area_sqm > 0", name="area_positive"),
        CheckConstraint("floors >= 1", name="floors"),
        CheckConstraint(_in("status", BUILDING_STATUSES), name="status"),
        CheckConstraint(_in("kind", BUILDING_KINDS), name="kind"),
    )


class LandEvent(db.Model):
    """One dated change of a parcel or building — a status move, or a reservation, supply or
    release for a project. Never rewritten (like a project's stage events)."""

    __tablename__ = "land_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("land_building.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # status, reserve, supply, release
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    area_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # the area at the time
    effective_on: Mapped[date] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="joined")
    project: Mapped[Project | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('status', 'reserve', 'supply', 'release')", name="kind"),
        CheckConstraint("(parcel_id IS NULL) <> (building_id IS NULL)", name="one_subject"),
    )


class LandClaim(db.Model):
    """A project holding a parcel or building (reserved or supplied) from ``started_on`` until
    released; two projects holding one parcel at once is a conflict the city sees."""

    __tablename__ = "land_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("land_building.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="reserve")
    started_on: Mapped[date] = mapped_column(default=local_today)
    released_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("kind IN ('reserve', 'supply')", name="kind"),
        CheckConstraint("(parcel_id IS NULL) <> (building_id IS NULL)", name="one_subject"),
        Index("ix_land_claim_open", "released_on", "parcel_id", "building_id"),
    )


class LandAttachment(db.Model):
    """A file attached to a parcel (checked and stored as project attachments are)."""

    __tablename__ = "land_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(
        ForeignKey("land_parcel.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class ZonePlan(db.Model):
    """A zone's planning image (园区规划图), the ground the map draws polygons on."""

    __tablename__ = "land_zone_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("zone.id", ondelete="CASCADE"), unique=True, index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

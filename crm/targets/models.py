"""Target (one row of the target list), Activity (跟进记录) and Conflict (跨区冲突)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.i18n import label
from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.enterprises.models import Enterprise
    from crm.zones.models import Zone

ATTRACTION_MODES = ("企业招商", "资本招商", "驻地招商", "链群招商", "股权招商", "其他")
PRIORITIES = ("A", "B", "C")
TARGET_STATUSES = {
    "new": "待接触",
    "contacted": "已接触",
    "interested": "有意向",
    "converted": "已转项目",
    "paused": "暂缓",
    "dropped": "放弃",
}
OPEN_STATUSES = ("new", "contacted", "interested")
ACTIVITY_KINDS = {
    "phone": "电话",
    "visit": "拜访",
    "negotiation": "洽谈",
    "inspection": "考察",
    "meeting": "会议",
    "other": "其他",
}


class Target(db.Model):
    """An enterprise a zone (or the city pool, zone None) is courting."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True
    )
    zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("zone.id", ondelete="RESTRICT"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    chain_position: Mapped[str] = mapped_column(String(200), default="")
    attraction_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[str] = mapped_column(String(1), default="B")
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    next_follow_up: Mapped[date | None] = mapped_column(index=True)
    last_activity_on: Mapped[date | None] = mapped_column(index=True)
    next_step: Mapped[str] = mapped_column(String(500), default="", server_default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    zone: Mapped[Zone | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")

    __table_args__ = (
        # a zone courts an enterprise once, and the city pool holds it once
        Index(
            "uq_target_enterprise_zone",
            "enterprise_id",
            "zone_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL AND zone_id IS NOT NULL"),
            postgresql_where=text("deleted_at IS NULL AND zone_id IS NOT NULL"),
        ),
        Index(
            "uq_target_enterprise_pool",
            "enterprise_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL AND zone_id IS NULL"),
            postgresql_where=text("deleted_at IS NULL AND zone_id IS NULL"),
        ),
        CheckConstraint("priority IN ('A', 'B', 'C')", name="priority"),
        # the list's default order (most recently updated first), read backwards
        Index("ix_target_updated_at_id", "updated_at", "id"),
    )

    @property
    def status_label(self) -> str:
        return label(TARGET_STATUSES.get(self.status, self.status))

    @property
    def is_pool(self) -> bool:
        return self.zone_id is None


class Activity(db.Model):
    """One contact with a target or project: what happened, what next, when to follow up."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("target.id", ondelete="CASCADE"), index=True
    )
    # set by the projects area; kept here so one timeline serves targets and projects
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("zone.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(index=True)
    participants: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(String(500), default="")
    next_follow_up: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("(target_id IS NOT NULL) OR (project_id IS NOT NULL)", name="has_subject"),
    )

    @property
    def kind_label(self) -> str:
        return label(ACTIVITY_KINDS.get(self.kind, self.kind))


class Conflict(db.Model):
    """Two or more zones pursuing one enterprise, open until a coordinator settles it."""

    __tablename__ = "conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    resolution: Mapped[str | None] = mapped_column(String(20))  # keep_one | keep_both
    kept_zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    settled_at: Mapped[datetime | None]
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    zones: Mapped[list[Zone]] = relationship(secondary="conflict_zone", order_by="Zone.sort_order")


class ConflictZone(db.Model):
    """A zone involved in a conflict."""

    __tablename__ = "conflict_zone"

    conflict_id: Mapped[int] = mapped_column(
        ForeignKey("conflict.id", ondelete="CASCADE"), primary_key=True
    )
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True, index=True
    )

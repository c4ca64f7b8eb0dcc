"""Project (项目), StageEvent (阶段变更) and Attachment (附件)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import local_today, utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.enterprises.models import Enterprise
    from crm.zones.models import Zone

PROJECT_TYPES = {"new": "新引进", "expansion": "增资扩产"}
INDICATOR_COLUMNS = [
    "zone_id",
    "contract_amount_wan",
    "planned_total_wan",
    "actual_in_place_wan",
    "reached_registered_on",
    "reached_construction_on",
    "id",
]


class Project(db.Model):
    """An investment project of one zone; amounts in integer 万元."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code_name: Mapped[str | None] = mapped_column(String(60))  # set ⇒ confidential
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True
    )
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("target.id", ondelete="SET NULL"), index=True
    )
    industry: Mapped[str] = mapped_column(String(100), default="")
    is_manufacturing: Mapped[bool] = mapped_column(default=True)
    project_type: Mapped[str] = mapped_column(String(20), default="new")
    planned_total_wan: Mapped[int | None]
    contract_amount_wan: Mapped[int | None]
    actual_in_place_wan: Mapped[int] = mapped_column(default=0)
    expected_landing_on: Mapped[date | None]
    land_need_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    stage: Mapped[str] = mapped_column(String(20), default="lead", index=True)
    stage_since: Mapped[date] = mapped_column(default=local_today)
    first_reported: Mapped[bool] = mapped_column(default=False)  # 首报 to the province
    first_reported_on: Mapped[date | None]
    next_step: Mapped[str] = mapped_column(String(500), default="")
    next_follow_up: Mapped[date | None] = mapped_column(index=True)
    last_activity_on: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text, default="")
    # evidence recorded by stage steps
    contract_signed_on: Mapped[date | None]
    registered_company_name: Mapped[str | None] = mapped_column(String(200))
    registered_uscc: Mapped[str | None] = mapped_column(String(18))
    land_area_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    started_on: Mapped[date | None]
    produced_on: Mapped[date | None]
    full_production_on: Mapped[date | None]
    terminated_reason: Mapped[str | None] = mapped_column(String(500))
    # first reached 签约 / 注册 / 开工 (or a later stage): the stored milestones of these
    # stages copied by crm.quotas.milestones in the same transaction, so that the indicators
    # read one index of live projects instead of joining three milestone ranges
    reached_signed_on: Mapped[date | None]
    reached_registered_on: Mapped[date | None]
    reached_construction_on: Mapped[date | None]
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    zone: Mapped[Zone] = relationship(lazy="joined", innerjoin=True)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    events: Mapped[list[StageEvent]] = relationship(
        back_populates="project", order_by="(StageEvent.effective_on, StageEvent.id)"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("project_type IN ('new', 'expansion')", name="project_type"),
        CheckConstraint(
            "planned_total_wan IS NULL OR planned_total_wan >= 0", name="planned_nonneg"
        ),
        CheckConstraint(
            "contract_amount_wan IS NULL OR contract_amount_wan >= 0", name="contract_nonneg"
        ),
        CheckConstraint("actual_in_place_wan >= 0", name="actual_nonneg"),
        Index("ix_project_zone_stage", "zone_id", "stage"),
        # the list's default order within a zone (most recently updated first)
        Index("ix_project_zone_updated_at_id", "zone_id", "updated_at", "id"),
        # the city-wide quota summaries read the projects at or above the lowest tier
        # threshold by amount, either basis (crm.quotas.services.load_facts)
        Index("ix_project_contract_amount", "contract_amount_wan", "stage"),
        Index("ix_project_planned_amount", "planned_total_wan", "stage"),
        # and the forecast's candidates: late-stage projects expected to land in the year
        Index("ix_project_landing", "expected_landing_on", "stage"),
        # the indicators: live projects first signed in a date range, with what they read
        # (crm.dashboard.queries.indicators; index-only on PostgreSQL)
        Index(
            "ix_project_reached_signed",
            "reached_signed_on",
            postgresql_include=INDICATOR_COLUMNS,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    @property
    def is_confidential(self) -> bool:
        return bool(self.code_name)

    @property
    def quota_amount_wan(self) -> int | None:
        """The amount the quota counts: contract amount, else the planned total."""
        return self.contract_amount_wan or self.planned_total_wan

    @property
    def quota_by_planned_total(self) -> bool:
        """Signed (or later) without a contract amount: the quota counts the planned total."""
        signed = self.contract_signed_on is not None or any(
            e.to_stage == "signed" for e in self.events
        )
        return signed and not self.contract_amount_wan and bool(self.planned_total_wan)

    @property
    def stage_name(self) -> str:
        """The stage's name as the settings call it (for pages outside the projects area)."""
        from crm.projects.stages import stage_label  # stages reads settings: not at import

        return stage_label(self.stage)

    def display_name(self, reveal: bool = False) -> str:
        """The code name for confidential projects unless ``reveal`` (detail page only)."""
        if self.code_name and not reveal:
            return self.code_name
        return self.name


class StageEvent(db.Model):
    """One stage change: never rewritten."""

    __tablename__ = "stage_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    amount_wan: Mapped[int | None]  # the quota amount at the time of the event

    project: Mapped[Project] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class ProjectMilestone(db.Model):
    """The date a project first reached a pipeline stage or a later one (derived from its
    stage events by ``crm.quotas.milestones``, in the same transaction)."""

    __tablename__ = "project_milestone"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    reached_on: Mapped[date]

    __table_args__ = (
        Index("ix_project_milestone_stage_reached", "stage", "reached_on", "project_id"),
    )


class Attachment(db.Model):
    """A file attached to a project, stored outside static/ and served through the scope."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

"""Quota (年度目标) with its tiers, and the plan's goal list (目标清单) with actuals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db


class Quota(db.Model):
    """One zone's yearly target: tiers of investment amount with a required count each."""

    __tablename__ = "quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    tiers: Mapped[list[QuotaTier]] = relationship(
        back_populates="quota",
        cascade="all, delete-orphan",
        order_by="QuotaTier.threshold_wan.desc()",
    )

    __table_args__ = (UniqueConstraint("zone_id", "year", name="uq_quota_zone_year"),)


class QuotaTier(db.Model):
    """A tier: at least ``required`` projects of ≥ ``threshold_wan`` 万元."""

    __tablename__ = "quota_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("quota.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    threshold_wan: Mapped[int]
    required: Mapped[int]

    quota: Mapped[Quota] = relationship(back_populates="tiers")

    __table_args__ = (
        UniqueConstraint("quota_id", "threshold_wan", name="uq_quota_tier_threshold"),
    )


class Indicator(db.Model):
    """A goal of the plan's list (目标清单), for all zones (zone None) or one zone."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    target_year: Mapped[int]
    target_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    comparison: Mapped[str] = mapped_column(String(4), default=">=")  # >= | > | <=
    cumulative: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("code", "zone_id", name="uq_indicator_code_zone"),)


class IndicatorActual(db.Model):
    """The value of an indicator for a period (2026, 2026-Q3 or 2026-09) and a zone (None:
    city-wide), with where it comes from (来源说明) and optionally a supporting file.

    The file is stored like a project attachment (``UPLOAD_DIR/indicators/``, random name,
    type checked by content) and only served through the access scope."""

    __tablename__ = "indicator_actual"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("zone.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    source_note: Mapped[str] = mapped_column(String(500), default="")
    computed: Mapped[bool] = mapped_column(default=False)  # a recount, not typed
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_stored: Mapped[str] = mapped_column(String(40), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_size: Mapped[int] = mapped_column(default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # one value per indicator, zone and period; and one city-wide value per period
        Index(
            "uq_indicator_actual_zone_period",
            "indicator_id",
            "zone_id",
            "period",
            unique=True,
            sqlite_where=text("zone_id IS NOT NULL"),
            postgresql_where=text("zone_id IS NOT NULL"),
        ),
        Index(
            "uq_indicator_actual_city_period",
            "indicator_id",
            "period",
            unique=True,
            sqlite_where=text("zone_id IS NULL"),
            postgresql_where=text("zone_id IS NULL"),
        ),
    )

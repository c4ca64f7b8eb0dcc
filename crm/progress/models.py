"""MonthlyProgress (月度进展): one project's figures for one month, amounts in integer 万元.

A month's row is corrected in place while the zone's month is open; once the month is locked
(the city accepted the zone's report, ``crm.core.period_lock``) a correction is a new row with
the next ``revision``. The current figures of a month are those of its newest revision.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.timeutil import utcnow
from crm.extensions import db

AMOUNT_FIELDS = (
    "month_investment_wan",  # 本月完成投资
    "total_investment_wan",  # 累计完成投资（固定资产投资）
    "month_funds_wan",  # 本月到位资金
    "total_funds_wan",  # 累计到位资金
)
TEXT_FIELDS = ("image_progress", "problems", "coordination")  # 形象进度 / 存在问题 / 需协调事项
FIELDS = AMOUNT_FIELDS + TEXT_FIELDS


class MonthlyProgress(db.Model):
    """A project's month (period ``YYYY-MM``), one row per revision."""

    __tablename__ = "monthly_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(default=1)
    month_investment_wan: Mapped[int] = mapped_column(default=0)
    total_investment_wan: Mapped[int] = mapped_column(default=0)
    month_funds_wan: Mapped[int] = mapped_column(default=0)
    total_funds_wan: Mapped[int] = mapped_column(default=0)
    image_progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    coordination: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(500), default="")  # why a revision was made
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("project_id", "period", "revision", name="uq_monthly_progress_revision"),
        CheckConstraint(
            "month_investment_wan >= 0 AND total_investment_wan >= 0"
            " AND month_funds_wan >= 0 AND total_funds_wan >= 0",
            name="nonneg",
        ),
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_monthly_progress_period", "period", "project_id"),
    )

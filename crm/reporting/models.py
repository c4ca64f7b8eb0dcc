"""Report submissions: one row per time a zone submits a month's report (each resubmission
is a new row, so the history stays), with the frozen snapshot and the city's review."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.zones.models import Zone

# submitted: waiting for the city · returned: sent back with a comment · accepted: closed
STATUSES = ("submitted", "returned", "accepted")


class ReportSubmission(db.Model):
    """A zone's monthly report as submitted (``attempt`` 1, 2, … per zone and month)."""

    __tablename__ = "report_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # 2026-11
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    text: Mapped[str] = mapped_column(Text, default="")  # the zone's own account of the month
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # figures and text, frozen
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)  # why it was returned

    zone: Mapped[Zone] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (
        UniqueConstraint("zone_id", "period", "attempt", name="uq_report_submission_attempt"),
        Index("ix_report_submission_period", "period"),
    )

    def __repr__(self) -> str:
        return f"<ReportSubmission {self.zone_id} {self.period} #{self.attempt} {self.status}>"

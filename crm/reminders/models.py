"""The reminder outbox (one row per recipient, kind and period), holiday overrides and
personal calendar feeds."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User

KINDS = ("daily", "weekly")
# pending: waiting for a worker · sending: claimed under a lease · retry: a transient error,
# waiting until lease_until · sent · failed: permanent error or attempts used up ·
# skipped: nothing to send or a bad recipient (reason in last_error) · expired: too old to send
STATUSES = ("pending", "sending", "retry", "sent", "failed", "skipped", "expired")
OPEN_STATUSES = ("pending", "sending", "retry")


class ReminderLog(db.Model):
    """The outbox: one e-mail per (recipient, kind, period key), claimed before it is sent."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # daily: 2026-10-08 · weekly: 2026-W41 · sent by an admin: now-20261008T093000
    period_key: Mapped[str] = mapped_column(String(40))
    period_date: Mapped[date]  # the Shanghai date the contents are computed for
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]  # claim lease, or "not before" for a retry
    claim_token: Mapped[str | None] = mapped_column(String(32))
    queued_at: Mapped[datetime | None]  # when the current send task was queued (or is due)
    expires_at: Mapped[datetime]  # not sent by then: expired (a late reminder is noise)
    address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[str | None] = mapped_column(String(200))
    eml_file: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id], lazy="joined")

    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "period_key", name="uq_reminder_log_period"),
        Index("ix_reminder_log_kind_period", "kind", "period_key"),
    )

    def __repr__(self) -> str:
        return f"<ReminderLog {self.id} {self.kind} {self.period_key} {self.status}>"


class HolidayOverride(db.Model):
    """An admin's correction to the official calendar: this day is (not) a working day."""

    __tablename__ = "holiday_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(db.Model):
    """A user's secret iCalendar feed URL; only the token's hash is stored."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

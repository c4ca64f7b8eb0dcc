"""Closed months: once the city accepts a zone's report for a month, that month is locked.

The reporting area locks a month when it accepts a report; areas that keep monthly figures
(project progress, indicator actuals) ask :func:`is_locked` before they change one and record
a correction after that as a new, audited revision. Periods are written ``YYYY-MM``.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.timeutil import utcnow
from crm.extensions import db

PERIOD_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


class PeriodLock(db.Model):
    """A zone's closed month (the city accepted its report)."""

    __tablename__ = "period_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("zone_id", "period", name="uq_period_lock_zone_period"),)


def period_of(year: int, month: int) -> str:
    """The period key of a month: ``period_of(2026, 3) == "2026-03"``."""
    if not 1 <= month <= 12:
        raise ValueError(month)
    return f"{year:04d}-{month:02d}"


def is_locked(zone_id: int, period: str) -> bool:
    """Whether the zone's month is closed."""
    return (
        db.session.scalar(
            select(PeriodLock.id).where(PeriodLock.zone_id == zone_id, PeriodLock.period == period)
        )
        is not None
    )


def locked_periods(zone_id: int) -> set[str]:
    """Every closed month of a zone."""
    return set(db.session.scalars(select(PeriodLock.period).where(PeriodLock.zone_id == zone_id)))


def lock_period(zone_id: int, period: str, user_id: int | None) -> PeriodLock:
    """Close a zone's month (idempotent: a second call returns the existing lock)."""
    if not PERIOD_RE.fullmatch(period):
        raise ValueError(period)
    lock = db.session.scalar(
        select(PeriodLock).where(PeriodLock.zone_id == zone_id, PeriodLock.period == period)
    )
    if lock is None:
        lock = PeriodLock(zone_id=zone_id, period=period, locked_by_id=user_id)
        db.session.add(lock)
        db.session.flush()
    return lock

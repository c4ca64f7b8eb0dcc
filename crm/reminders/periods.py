"""Periods: when each digest is due (Asia/Shanghai, Chinese working days) and for how long.

Daily reminders: 08:30 on working days. Weekly digests: 08:00 on the week's first working day
(Monday, or later when Monday is a holiday), caught up for a few days when missed. Working
days come from ``crm.core.workdays`` with the admin's overrides (``HolidayOverride``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import SHANGHAI
from crm.core.workdays import first_workday_of_week, is_workday
from crm.extensions import db
from crm.reminders.models import HolidayOverride

DAILY_AT = time(8, 30)  # Asia/Shanghai, on working days
WEEKLY_AT = time(8, 0)  # Asia/Shanghai, on the week's first working day
WEEKLY_CATCH_UP_DAYS = 2  # a weekly digest missed on its day still goes this many days later
EARLIEST_DATE = date(2000, 1, 1)

define_section("reminders", _l("跟进提醒"))
define_setting(
    "reminders.overdue_window_days",
    int,
    365,
    _l("跟进提醒列出逾期多少天以内的事项"),
    _l("更早的跟进日期视为录入错误，不再出现在每日提醒中。"),
    minimum=1,
    maximum=3650,
)


@dataclass(frozen=True)
class Period:
    kind: str  # daily | weekly
    key: str  # 2026-10-08 | 2026-W41
    day: date  # the date the digest is computed for


def local_now(now: datetime | None = None) -> datetime:
    """The moment as an aware Asia/Shanghai datetime (naive values are UTC)."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(SHANGHAI)


def as_utc(moment: datetime) -> datetime:
    """Naive UTC, as the database stores it."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def weekly_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def load_overrides(around: date, days: int = 14) -> dict[date, bool]:
    """Admin overrides near a date (enough for one week's decisions), in one query."""
    rows = db.session.execute(
        select(HolidayOverride.day, HolidayOverride.is_workday).where(
            HolidayOverride.day.between(
                around - timedelta(days=days), around + timedelta(days=days)
            )
        )
    )
    return {day: bool(flag) for day, flag in rows}


def period_for(
    kind: str, day: date, overrides: dict[date, bool], at: time | None = None
) -> Period | str:
    """The period due on ``day`` (at ``at``; None: any time), or why nothing is due."""
    if kind == "daily":
        if not is_workday(day, overrides):
            return _("%(day)s 不是工作日，不发送每日提醒", day=day.isoformat())
        if at is not None and at < DAILY_AT:
            return _("每日提醒在 %(at)s 发送", at=f"{DAILY_AT:%H:%M}")
        return Period("daily", day.isoformat(), day)
    first = first_workday_of_week(day, overrides)
    if first is None:
        return _("%(day)s 所在的一周没有工作日，不发送周报", day=day.isoformat())
    if day < first or (day == first and at is not None and at < WEEKLY_AT):
        return _("本周周报定于 %(day)s %(at)s 发送", day=first.isoformat(), at=f"{WEEKLY_AT:%H:%M}")
    if (day - first).days > WEEKLY_CATCH_UP_DAYS:
        last = first + timedelta(days=WEEKLY_CATCH_UP_DAYS)
        return _(
            "本周周报的发送日是 %(first)s，补发截至 %(last)s，已过期：本次不发送",
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return Period("weekly", weekly_key(first), first)


def period_key_of(kind: str, day: date, overrides: dict[date, bool]) -> str | None:
    """The outbox period key ``day`` belongs to (whether or not it is due that day)."""
    if kind == "daily":
        return day.isoformat()
    first = first_workday_of_week(day, overrides)
    return weekly_key(first) if first is not None else None


def due_periods(now: datetime, overrides: dict[date, bool]) -> list[Period]:
    local = local_now(now)
    found = [
        period_for(kind, local.date(), overrides, local.time()) for kind in ("daily", "weekly")
    ]
    return [p for p in found if isinstance(p, Period)]


def overdue_floor(day: date) -> date:
    """Follow-ups before this date are left out as data errors (e.g. 1900-01-01)."""
    return max(EARLIEST_DATE, day - timedelta(days=get_setting("reminders.overdue_window_days")))


def expires_at(kind: str, created: datetime) -> datetime:
    """When an unsent row stops being worth sending (naive UTC): a daily reminder at the end of
    the day it was created, a weekly digest a few days later."""
    local = local_now(created)
    days = 1 if kind == "daily" else 1 + WEEKLY_CATCH_UP_DAYS
    end = datetime.combine(local.date() + timedelta(days=days), time(0), tzinfo=SHANGHAI)
    return as_utc(end)

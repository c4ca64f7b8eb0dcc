"""我的跟进 views: this week, next week, everything open, and a month calendar."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.reminders.items import FollowUp, follow_ups
from crm.reminders.periods import overdue_floor

RANGES = {
    "week": _l("本周"),
    "next": _l("下周"),
    "open": _l("全部未完成"),
    "month": _l("月视图"),
}
OPEN_DAYS = 3 * 366  # "everything open": follow-ups up to three years ahead
OPEN_LIMIT = 500


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Agenda:
    view: str
    start: date
    end: date
    items: list[FollowUp]
    today: date
    truncated: bool = False

    @property
    def overdue(self) -> list[FollowUp]:
        return sorted((i for i in self.items if i.days_late > 0), key=lambda i: -i.days_late)

    @property
    def due_today(self) -> list[FollowUp]:
        return [i for i in self.items if i.days_late == 0]

    @property
    def later(self) -> list[FollowUp]:
        return [i for i in self.items if i.days_late < 0]


def agenda(user: Any, view: str, today: date) -> Agenda:
    """The follow-ups of one list view: ``week`` (overdue, today, rest of the week),
    ``next`` (next Monday to Sunday) or ``open`` (everything open, overdue first)."""
    monday = monday_of(today)
    if view == "next":
        start, end = monday + timedelta(days=7), monday + timedelta(days=13)
    elif view == "open":
        start, end = overdue_floor(today), today + timedelta(days=OPEN_DAYS)
    else:
        view, start, end = "week", overdue_floor(today), monday + timedelta(days=6)
    limit = OPEN_LIMIT + 1 if view == "open" else None
    items = follow_ups(user, start, end, today, limit=limit)
    truncated = limit is not None and len(items) > OPEN_LIMIT
    return Agenda(view, start, end, items[:OPEN_LIMIT], today, truncated)


@dataclass
class Month:
    first: date
    weeks: list[list[date]]
    by_day: dict[date, list[FollowUp]] = field(default_factory=dict)
    today: date = field(default_factory=date.today)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def days(self) -> list[date]:
        """The month's days that have follow-ups, in order (the phone list)."""
        return sorted(d for d in self.by_day if d.month == self.first.month)

    @property
    def total(self) -> int:
        return sum(len(v) for d, v in self.by_day.items() if d.month == self.first.month)


def parse_month(text: str | None, today: date) -> date:
    """``2026-12`` → 2026-12-01; anything else → this month (a bad value is not an error)."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2099 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def month_view(user: Any, first: date, today: date) -> Month:
    """A calendar of one month (weeks from Monday) with the follow-ups of each day."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day: dict[date, list[FollowUp]] = defaultdict(list)
    for item in follow_ups(user, weeks[0][0], weeks[-1][-1], today):
        by_day[item.due].append(item)
    return Month(first, weeks, dict(by_day), today)

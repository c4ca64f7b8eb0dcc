"""Chinese working days: admin overrides, then the official calendar, then Monday–Friday.

The order of precedence is: the admin-edited holiday table (True = working day,
False = day off); the ``chinese_calendar`` package, which knows the State Council's holidays
and swapped working weekends; and for years that package does not cover yet, plain
Monday–Friday. Nothing here raises for an uncovered year.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import chinese_calendar

Overrides = Mapping[date, bool]

_SEARCH_LIMIT_DAYS = 400


def _as_date(day: date) -> date:
    """A plain date (datetimes are cut to their date)."""
    return day.date() if isinstance(day, datetime) else day


def is_workday(day: date, overrides: Overrides | None = None) -> bool:
    """Whether the day is a working day in mainland China."""
    day = _as_date(day)
    if overrides and day in overrides:
        return bool(overrides[day])
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # year not covered by the installed calendar data
        return day.weekday() < 5


def calendar_covers(year: int) -> bool:
    """Whether the installed official calendar knows the given year's holidays."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def first_workday_of_week(day: date, overrides: Overrides | None = None) -> date | None:
    """The first working day of the Monday–Sunday week containing the day, or None."""
    day = _as_date(day)
    monday = day - timedelta(days=day.weekday())
    for offset in range(7):
        candidate = monday + timedelta(days=offset)
        if is_workday(candidate, overrides):
            return candidate
    return None


def is_weekly_digest_day(day: date, overrides: Overrides | None = None) -> bool:
    """Whether the weekly digest goes out today (the week's first working day)."""
    day = _as_date(day)
    return first_workday_of_week(day, overrides) == day


def next_workday(day: date, overrides: Overrides | None = None) -> date:
    """The first working day strictly after the given day."""
    day = _as_date(day)
    for offset in range(1, _SEARCH_LIMIT_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if is_workday(candidate, overrides):
            return candidate
    raise ValueError(f"no working day within {_SEARCH_LIMIT_DAYS} days after {day}")

"""Unit tests for crm.core.workdays: the official calendar, overrides and the fallback.

Checked before writing: the installed chinese_calendar (1.11.0) covers 2004–2026 and knows the
2026 National Day holiday (Thu Oct 1 – Wed Oct 7 off, Sunday Sep 20 and Saturday Oct 10 swapped
working days). Years it does not know (2030) fall back to Monday–Friday.
"""

from datetime import date, datetime

import pytest

from crm.core.workdays import (
    calendar_covers,
    first_workday_of_week,
    is_weekly_digest_day,
    is_workday,
    next_workday,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 1), False),  # Thursday, National Day
        (date(2026, 10, 5), False),  # Monday inside the holiday
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),  # Thursday, back to work
        (date(2026, 10, 10), True),  # Saturday, swapped working day
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 9, 28), True),  # ordinary Monday
        (date(2026, 9, 20), True),  # Sunday, swapped working day
        (date(2026, 9, 25), False),  # Friday, Mid-autumn Festival
        (date(2026, 2, 28), True),  # Saturday, Spring Festival swap
        (date(2030, 1, 1), True),  # uncovered year: Tuesday → Mon–Fri fallback
        (date(2030, 1, 5), False),  # uncovered year: Saturday
        (datetime(2026, 10, 10, 8, 30), True),  # datetimes are treated as their date
    ],
)
def test_is_workday(day: date, expected: bool) -> None:
    assert is_workday(day) is expected


def test_calendar_coverage_is_known() -> None:
    assert calendar_covers(2026)
    assert not calendar_covers(2030)


@pytest.mark.parametrize(
    ("day", "overrides", "expected"),
    [
        (date(2026, 10, 5), {date(2026, 10, 5): True}, True),
        (date(2026, 9, 28), {date(2026, 9, 28): False}, False),
        (date(2030, 1, 1), {date(2030, 1, 1): False}, False),  # admin enters 2030 holidays
        (date(2030, 1, 5), {date(2030, 1, 5): True}, True),
        (date(2026, 10, 5), {date(2026, 10, 6): True}, False),  # other dates don't matter
        (date(2026, 10, 5), {}, False),
    ],
)
def test_overrides_come_first(day: date, overrides: dict[date, bool], expected: bool) -> None:
    assert is_workday(day, overrides) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 5), date(2026, 10, 8)),  # holiday Monday → Thursday
        (date(2026, 10, 8), date(2026, 10, 8)),
        (date(2026, 10, 11), date(2026, 10, 8)),  # Sunday belongs to the same week
        (date(2026, 9, 30), date(2026, 9, 28)),
        (date(2030, 1, 3), date(2029, 12, 31)),  # week spanning into an uncovered year
        (date(2030, 6, 12), date(2030, 6, 10)),
    ],
)
def test_first_workday_of_week(day: date, expected: date) -> None:
    assert first_workday_of_week(day) == expected


def test_first_workday_of_week_none_when_whole_week_off() -> None:
    week = {date(2030, 6, 10 + offset): False for offset in range(7)}
    assert first_workday_of_week(date(2030, 6, 12), week) is None
    assert not any(is_weekly_digest_day(day, week) for day in week)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 5), False),  # holiday Monday: no digest
        (date(2026, 10, 8), True),  # first working day of that week
        (date(2026, 10, 9), False),
        (date(2026, 10, 10), False),  # a working Saturday is not the first of its week
        (date(2026, 9, 28), True),  # ordinary Monday
        (date(2030, 6, 10), True),  # uncovered year: Monday
        (date(2030, 6, 11), False),
    ],
)
def test_is_weekly_digest_day(day: date, expected: bool) -> None:
    assert is_weekly_digest_day(day) is expected


def test_weekly_digest_day_follows_overrides() -> None:
    overrides = {date(2030, 6, 10): False}  # admin marks a 2030 Monday as a holiday
    assert not is_weekly_digest_day(date(2030, 6, 10), overrides)
    assert is_weekly_digest_day(date(2030, 6, 11), overrides)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 30), date(2026, 10, 8)),
        (date(2026, 10, 9), date(2026, 10, 10)),  # Friday → working Saturday
        (date(2026, 10, 10), date(2026, 10, 12)),
        (date(2030, 1, 4), date(2030, 1, 7)),  # Friday → Monday in the fallback
    ],
)
def test_next_workday(day: date, expected: date) -> None:
    assert next_workday(day) == expected


def test_next_workday_gives_up_instead_of_looping_forever() -> None:
    start = date(2030, 1, 1)
    overrides = {date.fromordinal(start.toordinal() + n): False for n in range(1, 402)}
    with pytest.raises(ValueError, match="no working day"):
        next_workday(start, overrides)

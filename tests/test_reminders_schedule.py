"""When reminders go out: working days, the weekly digest day, overrides, the beat schedule
(QUALITY: Reminders and the worker — holiday Monday, swapped Saturday, an uncovered year)."""

from __future__ import annotations

import importlib.util
from datetime import date, time
from pathlib import Path

import pytest
from celery.schedules import crontab

from crm.core.workdays import calendar_covers
from crm.extensions import db
from crm.reminders.models import HolidayOverride
from crm.reminders.periods import Period, due_periods, period_for
from crm.reminders.tasks import daily_task, scan_task, weekly_task
from tests.factories import make_user, make_zone
from tests.test_reminders_support import frozen, make_target, rows, shanghai

ROOT = Path(__file__).resolve().parent.parent


def beat_schedule() -> dict:
    """worker/schedule.py, loaded without worker/__init__.py (which builds the real app)."""
    spec = importlib.util.spec_from_file_location("beat_schedule", ROOT / "worker/schedule.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BEAT_SCHEDULE


def kinds_due(*when: int, overrides=None) -> dict[str, str]:
    return {p.kind: p.key for p in due_periods(shanghai(*when), overrides or {})}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # Monday 2026-10-05 is inside the National Day holiday: nothing at all
        ((2026, 10, 5, 8, 0), {}),
        ((2026, 10, 5, 9, 0), {}),
        ((2026, 10, 7, 9, 0), {}),
        # Thursday 2026-10-08 is the week's first working day: the weekly digest goes
        ((2026, 10, 8, 7, 59), {}),
        ((2026, 10, 8, 8, 0), {"weekly": "2026-W41"}),
        ((2026, 10, 8, 8, 29), {"weekly": "2026-W41"}),
        ((2026, 10, 8, 8, 30), {"daily": "2026-10-08", "weekly": "2026-W41"}),
        # Saturday 2026-10-10 is a swapped working day: daily reminders go
        ((2026, 10, 10, 8, 30), {"daily": "2026-10-10", "weekly": "2026-W41"}),
        # Sunday: nothing; the weekly catch-up window has closed
        ((2026, 10, 11, 9, 0), {}),
        # an ordinary Monday
        ((2026, 10, 12, 8, 0), {"weekly": "2026-W42"}),
        ((2026, 10, 12, 8, 30), {"daily": "2026-10-12", "weekly": "2026-W42"}),
        ((2026, 10, 13, 8, 30), {"daily": "2026-10-13", "weekly": "2026-W42"}),
        ((2026, 10, 15, 8, 30), {"daily": "2026-10-15"}),
    ],
)
def test_due_periods_follow_the_official_calendar(when, expected):
    assert kinds_due(*when) == expected


@pytest.mark.parametrize("year", [2027, 2030])
def test_uncovered_years_fall_back_to_monday_to_friday(year):
    assert not calendar_covers(year), "pick a year the installed calendar does not know"
    monday = next(date(year, 6, d) for d in range(1, 8) if date(year, 6, d).weekday() == 0)
    assert kinds_due(year, 6, monday.day, 8, 30) == {
        "daily": monday.isoformat(),
        "weekly": f"{year}-W{monday.isocalendar().week:02d}",
    }
    saturday = monday.replace(day=monday.day + 5)
    assert kinds_due(year, 6, saturday.day, 9, 0) == {}


def test_overrides_win_over_the_calendar():
    holiday_monday = {date(2026, 10, 12): False}
    assert kinds_due(2026, 10, 12, 9, 0, overrides=holiday_monday) == {}
    assert kinds_due(2026, 10, 13, 8, 0, overrides=holiday_monday) == {"weekly": "2026-W42"}
    working_sunday = {date(2030, 6, 9): True}
    assert kinds_due(2030, 6, 9, 8, 30, overrides=working_sunday) == {"daily": "2030-06-09"}


def test_period_for_explains_why_nothing_is_due():
    assert period_for("daily", date(2026, 10, 5), {}) == "2026-10-05 不是工作日，不发送每日提醒"
    assert period_for("weekly", date(2026, 10, 5), {}) == "本周周报定于 2026-10-08 08:00 发送"
    assert period_for("weekly", date(2026, 10, 8), {}) == Period(
        "weekly", "2026-W41", date(2026, 10, 8)
    )
    assert "已过期：本次不发送" in period_for("weekly", date(2026, 10, 16), {})


def test_beat_schedule_times_in_shanghai(app):
    assert app.extensions["celery"].conf.timezone == "Asia/Shanghai"
    schedule = beat_schedule()
    daily = schedule["reminders-daily"]
    assert daily["task"] == "reminders.daily"
    assert daily["schedule"] == crontab(hour=8, minute=30)
    assert schedule["reminders-weekly"]["schedule"] == crontab(hour=8, minute=0)
    assert schedule["reminders-scan"]["schedule"] == crontab(minute="*/10")
    assert schedule["heartbeat"]["task"] == "core.heartbeat"
    for entry in schedule.values():  # beat only names a task: no args, no ETA, no countdown
        assert set(entry) <= {"task", "schedule"}


@pytest.fixture
def people(app):
    zone = make_zone(short_name="甲区")
    return {
        "staff": make_user("staff", zone=zone, display_name="赵专员"),
        "manager": make_user("manager", zone=zone, display_name="钱主任"),
        "city": make_user("coordinator", display_name="王统筹"),
        "viewer": make_user("viewer", display_name="李领导"),
        "admin": make_user("admin"),
    }


def outbox_files(app) -> list[str]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return sorted(p.name for p in folder.glob("*.eml")) if folder.exists() else []


def test_holiday_monday_sends_no_weekly_digest_and_thursday_does(app, people):
    make_target(people["staff"], date(2026, 10, 8))
    with frozen(2026, 10, 5, 8, 0):
        weekly_task.delay()
        scan_task.delay()
    assert rows() == []
    with frozen(2026, 10, 8, 8, 0):
        weekly_task.delay()
    weekly = rows(kind="weekly")
    assert {r.recipient_id for r in weekly} == {
        people[k].id for k in ("staff", "manager", "city", "viewer")
    }  # admins get no weekly digest
    assert {r.period_key for r in weekly} == {"2026-W41"}
    assert {r.status for r in weekly} == {"sent"}
    assert len(outbox_files(app)) == 4
    with frozen(2026, 10, 8, 8, 10):
        scan_task.delay()  # a later scan the same week adds nothing
        weekly_task.delay()  # nor does a duplicate tick
    assert len(rows(kind="weekly")) == 4
    assert len(outbox_files(app)) == 4


def test_swapped_working_saturday_gets_the_daily_reminder(app, people):
    make_target(people["staff"], date(2026, 10, 10))
    with frozen(2026, 10, 10, 8, 30):
        daily_task.delay()
    (row,) = rows(kind="daily")
    assert (row.recipient_id, row.period_key, row.status) == (
        people["staff"].id,
        "2026-10-10",
        "sent",
    )
    with frozen(2026, 10, 11, 8, 30):  # Sunday
        daily_task.delay()
    assert len(rows(kind="daily")) == 1


def test_a_year_the_calendar_does_not_cover_runs_without_a_crash(app, people):
    make_target(people["staff"], date(2030, 10, 1))
    with frozen(2030, 10, 1, 8, 30):  # a Tuesday: Mon–Fri fallback (the real holiday is unknown)
        daily_task.delay()
    assert [r.period_key for r in rows(kind="daily")] == ["2030-10-01"]
    db.session.add(HolidayOverride(day=date(2030, 10, 2), is_workday=False, note="国庆"))
    db.session.commit()
    make_target(people["staff"], date(2030, 10, 2))
    with frozen(2030, 10, 2, 8, 30):  # the admin declared it a holiday
        daily_task.delay()
    assert [r.period_key for r in rows(kind="daily")] == ["2030-10-01"]


def test_daily_reminder_waits_for_half_past_eight(app, people):
    make_target(people["staff"], date(2026, 10, 12))
    with frozen(2026, 10, 12, 8, 20):
        scan_task.delay()
    assert rows(kind="daily") == []
    with frozen(2026, 10, 12, 8, 40):
        scan_task.delay()
    assert [r.status for r in rows(kind="daily")] == ["sent"]
    assert time(8, 30) <= shanghai(2026, 10, 12, 8, 40).time()

"""`flask reminders send-daily|send-weekly [--date] [--dry-run]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crm.extensions import db
from crm.reminders.models import HolidayOverride
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_target, rows


def eml_files(app) -> list[Path]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_send_daily_honours_working_days_dry_run_and_the_outbox(app, runner):
    zone = make_zone()
    staff = make_user("staff", zone=zone)
    make_target(staff, date(2026, 10, 15))
    holiday = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-05"])
    assert holiday.exit_code == 0 and "不是工作日" in holiday.output
    dry = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-15", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and staff.login in dry.output
    assert rows() == [] and eml_files(app) == []
    first = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-15"])
    assert first.exit_code == 0, first.output
    assert "1 new outbox row(s)" in first.output and "1 send task(s) queued" in first.output
    assert f"queued #1 {staff.login}" in first.output
    (row,) = rows()
    assert (row.period_key, row.status) == ("2026-10-15", "sent")
    assert len(eml_files(app)) == 1
    again = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-15"])
    assert "0 new outbox row(s)" in again.output and "0 send task(s) queued" in again.output
    assert len(rows()) == 1 and len(eml_files(app)) == 1


def test_send_weekly_goes_on_the_weeks_first_working_day(app, runner):
    make_user("coordinator")
    monday = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-10-05"])
    assert "本周周报定于 2026-10-08" in monday.output and rows() == []
    db.session.add(HolidayOverride(day=date(2026, 10, 8), is_workday=False))
    db.session.commit()
    moved = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-10-08"])
    assert "本周周报定于 2026-10-09" in moved.output
    done = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-10-09"])
    assert done.exit_code == 0, done.output
    assert "weekly 2026-W41: 1 new outbox row(s)" in done.output
    assert [r.status for r in rows()] == ["sent"]


def test_bad_date_is_refused(runner, app):
    result = runner.invoke(args=["reminders", "send-daily", "--date", "15.10.2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_a_missed_week_on_a_fresh_instance_does_not_claim_a_send(app, runner):
    """Empty outbox: the message says the week was not sent, never that it was."""
    make_user("coordinator")
    late = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-12-03"])
    assert late.exit_code == 0, late.output
    assert "已于" not in late.output
    assert "本周周报的发送日是 2026-11-30，补发截至 2026-12-02，已过期：本次不发送" in late.output
    assert "发件箱中没有 2026-W49 的邮件：这一期没有发送过" in late.output
    assert rows() == []


def test_a_missed_week_that_was_sent_reports_the_outbox(app, runner):
    make_user("coordinator")
    sent = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-11-30"])
    assert "weekly 2026-W49: 1 new outbox row(s)" in sent.output
    late = runner.invoke(args=["reminders", "send-weekly", "--date", "2026-12-03"])
    assert "发件箱中 2026-W49 的邮件：已发送 1" in late.output


def test_a_daily_reminder_on_a_holiday_reports_the_outbox(app, runner):
    holiday = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-05"])
    assert "2026-10-05 不是工作日，不发送每日提醒" in holiday.output
    assert "发件箱中没有 2026-10-05 的邮件" in holiday.output


def test_broker_down_is_reported_not_hidden(app, runner, monkeypatch):
    zone = make_zone()
    staff = make_user("staff", zone=zone)
    make_target(staff, date(2026, 10, 15))

    def down(_log_id):
        raise OSError("broker down")

    monkeypatch.setattr("crm.reminders.tasks.send_reminder.delay", down)
    result = runner.invoke(args=["reminders", "send-daily", "--date", "2026-10-15"])
    assert "0 of 1 send task(s) queued" in result.output
    assert "1 could not be queued" in result.output

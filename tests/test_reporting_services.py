"""报送 and review: the state machine, who may do what, the frozen snapshot, the month lock,
the statuses per zone, the due date and the reminder through the outbox."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import event, func, select

from crm.core.models import AuditLog
from crm.core.period_lock import is_locked
from crm.core.settings import SettingError, set_setting
from crm.core.timeutil import SHANGHAI
from crm.extensions import db
from crm.reminders.models import HolidayOverride, ReminderLog
from crm.reminders.rendering import render_digest
from crm.reminders.scans import scan
from crm.reporting import services as s
from crm.reporting.models import ReportSubmission
from crm.reporting.reminder import report_digest
from tests.test_dashboard_data import TODAY, make_plan, signed

TEXT = "本月签约两个项目。\n下一步推进开工。"


@pytest.fixture
def plan(app):
    return make_plan()


def month() -> str:
    return s.period_of_today(TODAY)


def test_submit_return_resubmit_accept_keeps_the_history_and_locks_the_month(plan):
    zones, people = plan
    gxq, manager, city = zones["gxq"], people["gxq_manager"], people["city"]
    first = s.submit(gxq, month(), TEXT, manager)
    db.session.commit()
    assert (first.attempt, first.status) == (1, "submitted")
    with pytest.raises(s.ReportingError, match="等待审核"):
        s.submit(gxq, month(), TEXT, manager)
    with pytest.raises(s.ReportingError, match="退回意见"):
        s.return_report(first, "  ", city)
    s.return_report(first, "请补充重点项目进度", city)
    db.session.commit()
    assert first.status == "returned" and first.comment == "请补充重点项目进度"
    assert not is_locked(gxq.id, month())
    second = s.submit(gxq, month(), TEXT + "\n已补充。", manager)
    db.session.commit()
    assert second.attempt == 2
    with pytest.raises(s.ReportingError, match="已审核过"):
        s.accept(first, city)  # the returned row cannot be accepted any more
    s.accept(second, people["admin"])
    db.session.commit()
    assert is_locked(gxq.id, month())
    rows = s.history(gxq, month(), people["viewer"])
    assert [(r.attempt, r.status) for r in rows] == [(1, "returned"), (2, "accepted")]
    with pytest.raises(s.ReportingError, match="已被接收"):
        s.submit(gxq, month(), TEXT, manager)
    with pytest.raises(s.ReportingError, match="已审核过"):
        s.return_report(second, "再改改", city)
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "report_submission").order_by(AuditLog.id)
    ).all()
    assert actions == ["submit", "returned", "submit", "accepted"]


def test_only_the_zones_managers_submit_and_only_the_city_reviews(plan):
    zones, people = plan
    gxq = zones["gxq"]
    for who in ("jkq_manager", "gxq_staff", "city", "viewer", "admin"):
        with pytest.raises(s.ReportingError, match="本开发区负责人"):
            s.submit(gxq, month(), TEXT, people[who])
    row = s.submit(gxq, month(), TEXT, people["gxq_manager"])
    for who in ("viewer", "gxq_manager", "gxq_staff", "jkq_manager"):
        with pytest.raises(s.ReportingError, match="市级统筹或管理员"):
            s.accept(row, people[who])
        with pytest.raises(s.ReportingError, match="市级统筹或管理员"):
            s.return_report(row, "不行", people[who])
    assert row.status == "submitted"
    assert s.history(gxq, month(), people["viewer"]) == [row]  # leaders read
    assert s.history(gxq, month(), people["jkq_manager"]) == []  # another zone does not


def test_bad_input_is_refused_with_a_reason(plan):
    zones, people = plan
    gxq, manager = zones["gxq"], people["gxq_manager"]
    with pytest.raises(s.ReportingError, match="工作开展情况"):
        s.submit(gxq, month(), "   ", manager)
    with pytest.raises(s.ReportingError, match="5000"):
        s.submit(gxq, month(), "字" * 5001, manager)
    with pytest.raises(s.ReportingError, match="尚未开始"):
        s.submit(gxq, f"{TODAY.year + 1}-01", TEXT, manager)
    row = s.submit(gxq, month(), TEXT, manager)
    with pytest.raises(s.ReportingError, match="1000"):
        s.return_report(row, "意" * 1001, people["city"])
    for raw in ("2026-13", "2026-1", "26-01", "", "1900-01", "2026-01-01", None):
        assert s.parse_period(raw) is None
    assert s.parse_period(" 2026-03 ") == "2026-03"
    for bad in ("0", "21", "五", "-1", "99999999999999"):
        with pytest.raises(SettingError):
            set_setting("reporting.due_workday", bad, people["admin"])


def test_the_snapshot_is_frozen_while_the_live_figures_move_on(plan):
    zones, people = plan
    staff = people["gxq_staff"]
    signed(staff, "快照铜箔项目", 150000)
    row = s.submit(zones["gxq"], month(), TEXT, people["gxq_manager"])
    db.session.commit()
    before = dict(row.snapshot["figures"])
    assert before["signed"] == 1 and before["signed_wan"] == 150000
    signed(staff, "后来签约项目", 80000)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(ReportSubmission, row.id)
    assert again.snapshot["figures"] == before
    assert again.snapshot["text"] == TEXT
    assert again.snapshot["sections"][0]["paragraphs"] == ["本月签约两个项目。", "下一步推进开工。"]


def test_statuses_per_zone_and_the_due_date(plan):
    zones, people = plan
    assert s.due_date("2026-11") == date(2026, 12, 7)  # 5th working day: Dec 1-4, 7
    assert s.remind_from("2026-11") == date(2026, 12, 3)  # two working days before
    assert s.due_date("2026-09") == date(2026, 10, 13)  # after the National Day holiday
    db.session.add(HolidayOverride(day=date(2026, 12, 4), is_workday=False, note="调休"))
    db.session.commit()
    assert s.due_date("2026-11") == date(2026, 12, 8)  # the admin's override counts
    set_setting("reporting.due_workday", "3", people["admin"])
    assert s.due_date("2026-11") == date(2026, 12, 3)
    set_setting("reporting.due_workday", "5", people["admin"])
    db.session.delete(db.session.scalars(select(HolidayOverride)).one())
    db.session.commit()
    gxq, jkq = zones["gxq"], zones["jkq"]
    period = "2026-11"
    on_time = [r.status for r in s.month_statuses([gxq, jkq], period, date(2026, 12, 7))]
    late = [r.status for r in s.month_statuses([gxq, jkq], period, date(2026, 12, 8))]
    assert on_time == ["not_submitted", "not_submitted"]
    assert late == ["overdue", "overdue"]
    row = s.submit(gxq, period, TEXT, people["gxq_manager"])
    statuses = s.month_statuses([gxq, jkq], period, date(2026, 12, 8))
    assert [(r.status, r.label) for r in statuses] == [("submitted", "已报"), ("overdue", "逾期")]
    s.accept(row, people["city"])
    assert s.month_statuses([gxq], period)[0].label == "已接收"


def _queries(action) -> int:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(seen)


def test_statuses_cost_the_same_queries_for_any_number_of_zones(plan, app):
    zones, people = plan
    every = list(zones.values())
    s.submit(zones["gxq"], "2026-11", TEXT, people["gxq_manager"])
    db.session.commit()
    s.month_statuses(every, "2026-11")  # settings read once per request, zones refreshed
    counts = [
        _queries(lambda z=subset: s.month_statuses(z, "2026-11")) for subset in (every[:1], every)
    ]
    assert counts[0] == counts[1] <= 3


def test_the_reminder_goes_once_to_each_waiting_manager(plan):
    zones, people = plan
    day = date(2026, 12, 7)  # the due date of November's reports
    moment = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI)
    s.submit(zones["jkq"], "2026-11", TEXT, people["jkq_manager"])
    db.session.commit()
    scan(now=moment, kinds=("report",))
    scan(now=moment, kinds=("report",))  # a second scan creates nothing more
    db.session.commit()
    rows = db.session.scalars(select(ReminderLog).where(ReminderLog.kind == "report")).all()
    assert [(r.recipient_id, r.period_key) for r in rows] == [(people["gxq_manager"].id, "2026-11")]
    digest = render_digest(people["gxq_manager"], "report", day)
    assert "2026-12-07" in digest.subject and "2026年11月" in digest.subject
    assert "未报" in digest.text and "/reporting/zones/" in digest.text
    late = datetime.combine(date(2026, 12, 8), time(9, 0), tzinfo=SHANGHAI)
    scan(now=late, kinds=("report",))
    keys = db.session.scalars(
        select(ReminderLog.period_key).where(ReminderLog.kind == "report").order_by(ReminderLog.id)
    ).all()
    assert keys == ["2026-11", "2026-11-late"]
    assert "逾期" in render_digest(people["gxq_manager"], "report", date(2026, 12, 8)).subject
    s.submit(zones["gxq"], "2026-11", TEXT, people["gxq_manager"])
    assert report_digest(people["gxq_manager"], _Week(date(2026, 12, 8))) is None
    early = datetime.combine(date(2026, 12, 2), time(9, 0), tzinfo=SHANGHAI)
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 2
    scan(now=early, kinds=("report",))  # before the reminder window: nothing for reports
    assert (
        db.session.scalar(
            select(func.count()).select_from(ReminderLog).where(ReminderLog.kind == "report")
        )
        == 2
    )


class _Week:
    def __init__(self, day: date) -> None:
        self.day = day


def test_the_beat_looks_for_due_reminders(app):
    from worker.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["reporting-remind"]
    assert entry["task"] in app.extensions["celery"].tasks
    assert scan(kinds=("daily", "weekly")).created.get("report") is None  # not the digests' scan

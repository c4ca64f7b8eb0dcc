"""Reminder pages: my follow-ups, preferences, previews, the calendar feed, the admin outbox,
retry, send now and holiday overrides."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.reminders.models import CalendarFeed, HolidayOverride, ReminderLog
from crm.reminders.rendering import render_digest
from crm.reminders.tasks import daily_task
from tests.conftest import csrf_token, login, post
from tests.factories import make_user, make_zone
from tests.test_reminders_support import frozen, make_project, make_target, rows

TODAY = local_today()


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    return {
        "staff": make_user("staff", zone=zone_a, display_name="赵专员"),
        "staff_b": make_user("staff", zone=zone_b),
        "admin": make_user("admin"),
        "a": zone_a,
        "b": zone_b,
    }


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_my_follow_ups_page(app, world):
    staff = world["staff"]
    make_target(staff, TODAY - timedelta(days=3), enterprise_name="逾期企业有限公司")
    make_target(staff, TODAY, enterprise_name="今日企业有限公司")
    make_project(staff, TODAY, name="越界项目", zone=world["b"])  # out of the staff's scope
    make_target(world["staff_b"], TODAY, enterprise_name="别人企业有限公司")
    client = signed_in(app, staff)
    response = client.get("/reminders/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "逾期企业" in page and "3 天" in page and "今日企业" in page
    assert "越界项目" not in page and "别人企业" not in page
    assert " style=" not in page  # web pages never carry inline styles
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_preferences_opt_out_stops_the_daily_email(app, world):
    staff = world["staff"]
    client = signed_in(app, staff)
    assert client.get("/reminders/preferences").status_code == 200
    response = post(client, "/reminders/preferences", {"weekly": "y"}, token_page="/reminders/")
    assert response.status_code == 302
    db.session.expire_all()
    assert staff.notify == {"daily": False, "weekly": True}
    make_target(staff, date(2026, 10, 15))
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    assert rows() == []


def test_preview_uses_the_email_templates_in_a_sandboxed_frame(app, world):
    staff = world["staff"]
    make_target(staff, TODAY, enterprise_name="预览企业有限公司")
    client = signed_in(app, staff)
    page = client.get("/reminders/preview/daily").get_data(as_text=True)
    assert "今日跟进提醒" in page and "预览企业" in page
    assert " style=" not in page
    frame = client.get("/reminders/preview/daily/email.html")
    assert frame.status_code == 200
    assert "预览企业" in frame.get_data(as_text=True) and 'style="' in frame.get_data(as_text=True)
    csp = frame.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    nothing = signed_in(app, world["staff_b"]).get("/reminders/preview/daily")
    assert 'data-testid="nothing-to-send"' in nothing.get_data(as_text=True)
    assert client.get("/reminders/preview/monthly").status_code == 404


def test_only_admins_preview_someone_elses_digest(app, world):
    make_target(world["staff"], TODAY, enterprise_name="赵的企业有限公司")
    other = signed_in(app, world["staff_b"])
    page = other.get(f"/reminders/preview/daily?user={world['staff'].id}").get_data(as_text=True)
    assert "赵的企业" not in page
    admin = signed_in(app, world["admin"])
    page = admin.get(f"/reminders/preview/daily?user={world['staff'].id}").get_data(as_text=True)
    assert "赵的企业" in page


def test_calendar_feed_secret_url_and_revocation(app, world):
    staff = world["staff"]
    make_target(staff, TODAY + timedelta(days=2), enterprise_name="日历,企业;有限\\公司")
    make_project(staff, TODAY + timedelta(days=5), name="真名", code_name="代号乙")
    client = signed_in(app, staff)
    response = post(client, "/reminders/feed", token_page="/reminders/preferences")
    assert response.status_code == 302
    page = client.get("/reminders/preferences").get_data(as_text=True)
    url = re.search(r"(http\S+/reminders/feed/[A-Za-z0-9_-]+\.ics)", page).group(1)
    token = url.rsplit("/", 1)[1][: -len(".ics")]
    stored = db.session.scalar(select(CalendarFeed.token_hash))
    assert token not in stored and len(stored) == 64
    anonymous = app.test_client()
    feed = anonymous.get(f"/reminders/feed/{token}.ics")
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed.headers["Content-Disposition"].startswith('inline; filename="follow-ups.ics"')
    assert feed.headers["Cache-Control"] == "private, no-store"
    body = feed.get_data()
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    text = body.decode().replace("\r\n ", "")  # unfold
    assert "日历\\,企业\\;有限\\\\公司" in text
    assert "代号乙" in text and "真名" not in text
    assert f"DTSTART;VALUE=DATE:{TODAY + timedelta(days=2):%Y%m%d}" in text
    assert text.count("BEGIN:VEVENT") == 2 and "UID:target-" in text and "UID:project-" in text
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z", text)
    assert anonymous.get("/reminders/feed/not-a-token.ics").status_code == 404
    post(client, "/reminders/feed", token_page="/reminders/preferences")  # regenerate
    assert anonymous.get(f"/reminders/feed/{token}.ics").status_code == 404
    post(client, "/reminders/feed/revoke", token_page="/reminders/preferences")
    assert db.session.scalar(select(CalendarFeed)) is None


def test_admin_outbox_lists_rows_failures_and_the_last_scan(app, world):
    make_target(world["staff"], date(2026, 10, 15))
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (row,) = rows()
    failed = ReminderLog(
        recipient_id=world["staff_b"].id,
        kind="daily",
        period_key="2026-10-14",
        period_date=date(2026, 10, 14),
        status="failed",
        attempts=1,
        last_error="550 5.1.1 Mailbox unavailable",
        expires_at=row.expires_at,
    )
    db.session.add(failed)
    db.session.commit()
    admin = signed_in(app, world["admin"])
    page = admin.get("/reminders/outbox").get_data(as_text=True)
    assert 'data-testid="failures"' in page and "550 5.1.1" in page
    assert 'data-testid="last-scan"' in page and "2026-10-15 08:30" in page
    assert row.eml_file in page  # the outbox folder is listed
    detail = admin.get(f"/reminders/outbox/{row.id}").get_data(as_text=True)
    assert "今日跟进提醒" in detail
    frame = admin.get(f"/reminders/outbox/{row.id}/email.html")
    assert frame.status_code == 200 and "sandbox" in frame.headers["Content-Security-Policy"]
    staff = signed_in(app, world["staff"])
    assert staff.get("/reminders/outbox").status_code == 403


def test_admin_retries_a_failed_row_and_sends_one_now(app, world):
    staff = world["staff"]
    make_target(staff, TODAY)
    failed = ReminderLog(
        recipient_id=staff.id,
        kind="daily",
        period_key="2026-10-14",
        period_date=TODAY,
        status="failed",
        attempts=5,
        expires_at=db.func.now(),
    )
    db.session.add(failed)
    db.session.commit()
    admin = signed_in(app, world["admin"])
    token = csrf_token(admin, "/reminders/outbox")
    response = admin.post(f"/reminders/outbox/{failed.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert rows(id=failed.id)[0].status == "sent"
    response = admin.post(
        "/reminders/send-now", data={"csrf_token": token, "login": staff.login, "kind": "daily"}
    )
    assert response.status_code == 302
    sent_now = [r for r in rows() if r.period_key.startswith("now-")]
    assert len(sent_now) == 1 and sent_now[0].status == "sent"
    assert sent_now[0].requested_by_id == world["admin"].id
    response = admin.post(
        "/reminders/send-now", data={"csrf_token": token, "login": "nobody", "kind": "daily"}
    )
    assert response.status_code == 302 and len(rows()) == 2


def test_admin_holiday_overrides(app, world):
    admin = signed_in(app, world["admin"])
    token = csrf_token(admin, "/reminders/holidays")
    response = admin.post(
        "/reminders/holidays",
        data={"csrf_token": token, "day": "2030-10-01", "is_workday": "0", "note": "国庆节"},
    )
    assert response.status_code == 302
    override = db.session.scalar(select(HolidayOverride))
    assert (override.day, override.is_workday, override.note) == (
        date(2030, 10, 1),
        False,
        "国庆节",
    )
    page = admin.get("/reminders/holidays").get_data(as_text=True)
    assert "2030-10-01" in page and "国庆节" in page
    bad = admin.post("/reminders/holidays", data={"csrf_token": token, "day": "not a date"})
    assert bad.status_code == 400
    admin.post(f"/reminders/holidays/{override.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(select(HolidayOverride)) is None
    staff = signed_in(app, world["staff"])
    assert staff.get("/reminders/holidays").status_code == 403


def test_health_reports_the_last_reminder_scan(app, client, world):
    assert client.get("/healthz").get_json()["last_reminder_scan"] is None
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    report = client.get("/healthz").get_json()
    assert report["last_reminder_scan"].startswith("2026-10-15T00:30")


@pytest.mark.parametrize(
    "path",
    [
        "/reminders/outbox/99999999999999999999",
        "/reminders/outbox/2147483648/email.html",
        "/reminders/preview/daily?user=99999999999999999999",
        "/reminders/preview/daily?user=abc&date=not-a-date",
        "/reminders/feed/" + "x" * 500 + ".ics",
    ],
)
def test_absurd_ids_and_tokens_answer_404_or_fall_back(app, world, path):
    admin = signed_in(app, world["admin"])
    response = admin.get(path)
    assert response.status_code in (200, 404), path
    if "?user=abc" in path:
        assert response.status_code == 404


def test_send_now_with_the_queue_down_says_it_was_not_queued(app, world, monkeypatch):
    def down(_log_id):
        raise OSError("broker down")

    monkeypatch.setattr("crm.reminders.tasks.send_reminder.delay", down)
    admin = signed_in(app, world["admin"])
    token = csrf_token(admin, "/reminders/outbox")
    response = admin.post(
        "/reminders/send-now",
        data={"csrf_token": token, "login": world["staff"].login, "kind": "daily"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "任务队列暂时不可用" in page and "已加入发送队列" not in page
    (row,) = rows()
    assert row.status == "pending"


def test_revoking_no_feed_says_there_was_none(app, world):
    client = signed_in(app, world["staff"])
    token = csrf_token(client, "/reminders/preferences")
    response = client.post(
        "/reminders/feed/revoke", data={"csrf_token": token}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "没有可作废的日历订阅地址" in page and "日历订阅地址已作废" not in page


def test_my_follow_ups_show_the_targets_next_step_and_cover_next_week_open_and_a_month(app, world):
    from crm.targets.services import log_activity

    staff = world["staff"]
    target = make_target(staff, None, enterprise_name="下一步企业有限公司")
    monday = TODAY - timedelta(days=TODAY.weekday())
    next_week = monday + timedelta(days=8)
    log_activity(
        target,
        {
            "kind": "visit",
            "occurred_on": TODAY,
            "summary": "拜访董事长",
            "next_step": "寄送园区政策汇编",
            "next_follow_up": next_week,
        },
        staff,
    )
    far = make_target(staff, TODAY + timedelta(days=60), enterprise_name="远期企业有限公司")
    db.session.commit()
    assert target.next_step == "寄送园区政策汇编"
    client = signed_in(app, staff)
    week = client.get("/reminders/").get_data(as_text=True)
    assert "下一步企业" not in week  # due next week
    page = client.get("/reminders/?view=next").get_data(as_text=True)
    assert "下一步企业" in page and "寄送园区政策汇编" in page and "远期企业" not in page
    page = client.get("/reminders/?view=open").get_data(as_text=True)
    assert "下一步企业" in page and "远期企业" in page
    month = far.next_follow_up.strftime("%Y-%m")
    response = client.get(f"/reminders/?view=month&month={month}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "远期企业" in page
    assert f'data-day="{far.next_follow_up.isoformat()}"' in page
    assert " style=" not in page
    assert client.get("/reminders/?view=month&month=2026-13").status_code == 200
    assert client.get("/reminders/?view=nonsense").status_code == 200
    detail = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert "寄送园区政策汇编" in detail


def test_the_daily_email_shows_the_targets_next_step(app, world):
    from crm.targets.services import log_activity

    staff = world["staff"]
    target = make_target(staff, None, enterprise_name="邮件企业有限公司")
    log_activity(
        target,
        {
            "kind": "phone",
            "occurred_on": TODAY,
            "summary": "电话沟通",
            "next_step": "约定实地考察",
            "next_follow_up": TODAY,
        },
        staff,
    )
    db.session.commit()
    digest = render_digest(staff, "daily", TODAY)
    assert "约定实地考察" in digest.text and "约定实地考察" in digest.html
    assert "下一步：—" not in digest.text

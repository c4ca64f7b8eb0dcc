"""Bad input never stops a run: each bad recipient or record is skipped with a logged reason
and everyone else still gets their e-mail (peers: one bad record stalling all reminders)."""

from __future__ import annotations

import logging
from datetime import date

from crm.extensions import db
from crm.reminders import rendering
from crm.reminders.tasks import daily_task, weekly_task
from tests.factories import make_user, make_zone
from tests.test_reminders_support import (  # noqa: F401 — fixtures
    frozen,
    mail_app_fixture,
    make_project,
    make_target,
    rows,
    smtp_fixture,
)

DAY = date(2026, 10, 15)


def test_bad_recipients_and_records_are_skipped_and_logged(app, mail_app, caplog):
    zone = make_zone(short_name="甲区")
    closed_zone = make_zone(short_name="撤销区")
    good = make_user("staff", zone=zone, display_name="好用户")
    no_email = make_user("staff", zone=zone, email=None)
    crlf = make_user("staff", zone=zone, email="x@example.cn\r\nBcc: evil@example.com")
    disabled = make_user("staff", zone=zone, active=False)
    orphan = make_user("staff", zone=closed_zone)
    for user in (good, no_email, crlf, disabled, orphan):
        make_target(user, DAY, zone=zone)
    make_target(good, date(1900, 1, 1), enterprise_name="一九零零企业有限公司")
    make_target(good, date(2100, 1, 1), enterprise_name="二一零零企业有限公司")
    make_project(good, date(1900, 1, 1), name="一九零零项目")
    closed_zone.active = False  # the zone was closed (a zone with users cannot be deleted)
    db.session.commit()
    caplog.set_level(logging.WARNING, logger="crm.reminders")
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (message,) = mail_app.messages
    assert [a.addr_spec for a in message["To"].addresses] == [good.email]
    text = message.get_body(("plain",)).get_content()
    assert "一九零零" not in text and "二一零零" not in text
    by_user = {row.recipient_id: row for row in rows()}
    assert by_user[good.id].status == "sent"
    reasons = {
        no_email.id: "没有邮箱地址",
        crlf.id: "邮箱地址无效",
        disabled.id: "已停用",
        orphan.id: "开发区已删除或停用",
    }
    for user_id, reason in reasons.items():
        assert by_user[user_id].status == "skipped"
        assert reason in by_user[user_id].last_error
        assert any(
            f"for user {user_id}" in r.getMessage() and reason in r.getMessage()
            for r in caplog.records
        ), reason
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "follow-up date 1900-01-01" in logged
    assert "2100" not in logged  # simply not due


def test_a_user_whose_zone_was_removed_gets_no_weekly_digest(app, mail_app, caplog):
    zone = make_zone()
    manager = make_user("manager", zone=zone)
    good = make_user("coordinator")
    manager.zone_id = None  # the zone was taken away from the account
    db.session.commit()
    caplog.set_level(logging.WARNING, logger="crm.reminders")
    with frozen(2026, 10, 12, 8, 0):
        weekly_task.delay()
    assert [a.addr_spec for m in mail_app.messages for a in m["To"].addresses] == [good.email]
    (skipped,) = rows(recipient_id=manager.id)
    assert skipped.status == "skipped" and "开发区" in skipped.last_error


def test_one_digest_that_cannot_be_composed_does_not_stop_the_others(app, mail_app, monkeypatch):
    zone = make_zone()
    broken, fine = make_user("staff", zone=zone), make_user("staff", zone=zone)
    make_target(broken, DAY)
    make_target(fine, DAY)
    real = rendering.build_context

    def explode_for_one(user, kind, day, shared=False):
        if user.id == broken.id:
            raise ValueError("corrupt record")
        return real(user, kind, day, shared)

    monkeypatch.setattr(rendering, "build_context", explode_for_one)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    assert [a.addr_spec for m in mail_app.messages for a in m["To"].addresses] == [fine.email]
    (failed,) = rows(recipient_id=broken.id)
    assert failed.status == "failed" and "ValueError" in failed.last_error

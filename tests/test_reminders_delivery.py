"""Exactly once through a real SMTP server: concurrent scans, duplicate tasks, SMTP 421 and
550, timeouts, a worker dying mid-send, the broker down across 08:30 (QUALITY: Reminders)."""

from __future__ import annotations

import socket
import threading
from datetime import date, timedelta

import pytest
from celery.exceptions import Retry
from kombu.exceptions import OperationalError

from crm.core import outbox
from crm.extensions import db
from crm.reminders import delivery, mailer, tasks
from crm.reminders.delivery import MAX_ATTEMPTS, deliver
from crm.reminders.periods import as_utc
from crm.reminders.scans import scan
from crm.reminders.tasks import daily_task, run_scan, scan_task, send_reminder
from tests.factories import make_user, make_zone
from tests.test_reminders_support import (  # noqa: F401 — fixtures
    SmtpSink,
    free_port,
    frozen,
    mail_app_fixture,
    make_target,
    rows,
    shanghai,
    smtp_fixture,
)

DAY = date(2026, 10, 15)  # a Thursday: a working day, and no weekly digest due


@pytest.fixture
def staff(app):
    return make_user("staff", zone=make_zone(short_name="甲区"), display_name="赵专员")


@pytest.fixture
def no_queue(monkeypatch):
    """Scans create rows but queue nothing (so a test can deliver by hand)."""
    queued: list[int] = []
    monkeypatch.setattr(send_reminder, "delay", lambda log_id: queued.append(log_id))
    return queued


def test_a_daily_reminder_reaches_the_smtp_server_once(app, mail_app, staff):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
        daily_task.delay()  # a duplicate beat tick
        scan_task.delay()  # and the catch-up scan
    assert len(mail_app.messages) == 1
    (row,) = rows()
    assert (row.status, row.attempts, row.kind, row.period_key) == (
        "sent",
        1,
        "daily",
        "2026-10-15",
    )
    message = mail_app.messages[0]
    assert message["Message-ID"] == row.message_id
    assert mail_app.envelopes == [(mailer.sender().addr_spec, [staff.email])]


def test_two_scans_at_once_make_one_row_and_one_email(app, mail_app, staff):
    make_target(staff, DAY)
    other = make_user("staff", zone=staff.zone)
    make_target(other, DAY - timedelta(days=2))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def one_scan():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                run_scan()
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    with frozen(2026, 10, 15, 8, 31):
        threads = [threading.Thread(target=one_scan) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    daily = rows(kind="daily")
    assert sorted(r.recipient_id for r in daily) == sorted([staff.id, other.id])
    assert {r.status for r in daily} == {"sent"}
    assert sorted(str(m["To"]).split("<")[1] for m in mail_app.messages) == sorted(
        [f"{staff.email}>", f"{other.email}>"]
    )


def test_the_same_task_delivered_twice_sends_once(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
        (log_id,) = no_queue
        assert send_reminder.apply(args=[log_id]).get() == "sent"
        assert send_reminder.apply(args=[log_id]).get() == "done"  # redelivered after success
    assert len(mail_app.messages) == 1


def test_the_same_task_running_twice_at_once_sends_once(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (log_id,) = no_queue
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        with app.app_context():
            barrier.wait(timeout=10)
            outcomes.append(deliver(log_id).status)

    with frozen(2026, 10, 15, 8, 31):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) in (["busy", "sent"], ["done", "sent"])
    assert len(mail_app.messages) == 1


def test_smtp_421_is_retried_with_backoff_then_sent(app, mail_app, staff):
    make_target(staff, DAY)
    mail_app.data_replies.append("421 4.3.2 Service not available, try again later")
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (row,) = rows()
    assert (row.status, row.attempts) == ("retry", 1)
    assert "421" in row.last_error
    wait = (row.lease_until - as_utc(shanghai(2026, 10, 15, 8, 30))).total_seconds()
    assert outbox.BACKOFF_BASE / 2 - 1 <= wait <= outbox.BACKOFF_BASE + 1
    assert mail_app.messages == []
    with frozen(2026, 10, 15, 8, 31):
        scan_task.delay()  # the retry is Celery's job first; the scan only rescues lost ones
    assert rows()[0].status == "retry"
    with frozen(2026, 10, 15, 8, 50):
        scan_task.delay()
    (row,) = rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(mail_app.messages) == 1


def test_transient_errors_end_in_failed_after_the_last_attempt(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    mail_app.data_replies.extend(["451 4.3.0 local error"] * MAX_ATTEMPTS)
    moment = shanghai(2026, 10, 15, 8, 30)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (log_id,) = no_queue
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = deliver(log_id, now=as_utc(moment))
        if attempt < MAX_ATTEMPTS:
            assert outcome.status == "retry"
            delays.append(outcome.later)
            assert deliver(log_id, now=as_utc(moment)).status == "busy"  # not before its time
            moment += timedelta(seconds=outcome.later + 1)
    assert outcome.status == "failed"
    for attempt, delay in enumerate(delays, start=1):  # exponential, with jitter in the top half
        full = min(outbox.BACKOFF_MAX, outbox.BACKOFF_BASE * 2 ** (attempt - 1))
        assert full / 2 <= delay <= full
    (row,) = rows()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert f"已重试 {MAX_ATTEMPTS} 次" in row.last_error
    assert mail_app.messages == []


def test_smtp_550_fails_at_once_and_is_not_retried(app, mail_app, staff):
    make_target(staff, DAY)
    mail_app.rcpt_reply = "550 5.1.1 Mailbox unavailable"
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    with frozen(2026, 10, 15, 9, 30):
        scan_task.delay()
    (row,) = rows()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    assert mail_app.data_commands == 0


def test_an_smtp_timeout_is_transient(app, staff, monkeypatch, no_queue):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never says hello
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1])
        monkeypatch.setattr(mailer, "SMTP_TIMEOUT", 0.5)
        make_target(staff, DAY)
        with frozen(2026, 10, 15, 8, 30):
            daily_task.delay()
            outcome = deliver(no_queue[0])
    finally:
        silent.close()
    assert outcome.status == "retry"
    assert "timed out" in rows()[0].last_error


def test_a_worker_killed_mid_send_is_sent_once_after_its_lease(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
        (log_id,) = no_queue
        assert delivery.claim(log_id, as_utc(shanghai(2026, 10, 15, 8, 30)))  # ... and dies
    with frozen(2026, 10, 15, 8, 32):
        assert send_reminder.apply(args=[log_id]).get() == "busy"  # the redelivered message
        scan_task.delay()
    assert mail_app.messages == []
    no_queue.clear()
    with frozen(2026, 10, 15, 8, 40):  # the lease has run out: the scan re-queues it
        scan_task.delay()
        assert no_queue == [log_id]
        assert send_reminder.apply(args=[log_id]).get() == "sent"
        assert send_reminder.apply(args=[log_id]).get() == "done"
    assert len(mail_app.messages) == 1
    assert rows()[0].attempts == 2


def test_the_lease_is_a_setting(app, mail_app, staff, no_queue):
    app.config["REMINDER_LEASE_SECONDS"] = 20
    make_target(staff, DAY)
    moment = as_utc(shanghai(2026, 10, 15, 8, 30))
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (log_id,) = no_queue
    assert delivery.claim(log_id, moment)  # ... and the worker dies
    assert rows()[0].lease_until == moment + timedelta(seconds=20)
    assert delivery.claim(log_id, moment + timedelta(seconds=19)) is None
    assert delivery.claim(log_id, moment + timedelta(seconds=20))


def test_broker_down_at_0830_and_back_at_0900_sends_once(app, mail_app, staff, monkeypatch):
    make_target(staff, DAY)

    def broker_down(log_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch, frozen(2026, 10, 15, 8, 30):
        patch.setattr(send_reminder, "delay", broker_down)
        daily_task.delay()  # the tick ran (the worker was up) but nothing could be queued
    (row,) = rows()
    assert (row.status, row.queued_at) == ("pending", None)
    assert mail_app.messages == []
    with frozen(2026, 10, 15, 9, 0):
        scan_task.delay()
    with frozen(2026, 10, 15, 9, 10):
        scan_task.delay()
    assert len(mail_app.messages) == 1
    assert rows()[0].status == "sent"


def test_a_tick_lost_while_the_broker_was_down_is_caught_up(app, mail_app, staff):
    make_target(staff, DAY)
    # no task at all ran at 08:30 (beat could not publish); the 09:00 scan is the first
    with frozen(2026, 10, 15, 9, 0):
        scan_task.delay()
        scan_task.delay()
    assert len(mail_app.messages) == 1


def test_saving_a_follow_up_while_the_broker_is_down_works(app, mail_app, staff, monkeypatch):
    from crm.targets.services import log_activity

    target = make_target(staff, None)
    monkeypatch.setattr(tasks.send_reminder, "delay", lambda *_: (_ for _ in ()).throw(OSError))
    with frozen(2026, 10, 15, 8, 0):
        log_activity(
            target,
            {"kind": "phone", "occurred_on": DAY, "summary": "电话沟通", "next_follow_up": DAY},
            staff,
        )
        db.session.commit()
    monkeypatch.undo()
    with frozen(2026, 10, 15, 8, 40):
        scan_task.delay()
    assert len(mail_app.messages) == 1


def test_a_retry_waits_on_the_broker_with_a_short_countdown(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    mail_app.data_replies.append("421 busy")
    calls: list[dict] = []

    def fake_retry(**kwargs):
        calls.append(kwargs)
        return Retry()

    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(send_reminder, "retry", fake_retry)
            with pytest.raises(Retry):
                send_reminder.run(no_queue[0])  # as a worker runs it (not eagerly)
    assert len(calls) == 1
    assert 0 < calls[0]["countdown"] <= tasks.MAX_COUNTDOWN
    conf = app.extensions["celery"].conf
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.task_acks_late


def test_scan_result_lists_only_rows_needing_a_task(app, staff):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        first = scan()
        db.session.commit()
        second = scan()
        db.session.commit()
    assert first.created == {"daily": 1}
    assert len(first.queue) == 1 and second.queue == []
    assert second.created == {"daily": 0}


def test_a_reminder_never_queued_that_day_expires_and_the_next_day_sends_anew(
    app, mail_app, staff, no_queue
):
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()  # queued nowhere (the broker lost it), and no scan ran all day
    no_queue.clear()
    with frozen(2026, 10, 16, 8, 30):
        scan_task.delay()
    old, new = rows()
    assert (old.period_key, old.status, old.last_error) == ("2026-10-15", "expired", "过期未发送")
    assert (new.period_key, new.status) == ("2026-10-16", "pending")
    assert no_queue == [new.id]


def test_a_row_whose_senders_keep_dying_is_given_up(app, mail_app, staff, no_queue):
    make_target(staff, DAY)
    moment = shanghai(2026, 10, 15, 8, 30)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (log_id,) = no_queue
    for _ in range(MAX_ATTEMPTS):  # claimed, then the worker dies, lease after lease
        assert delivery.claim(log_id, as_utc(moment))
        moment += delivery.LEASE + timedelta(seconds=1)
    assert deliver(log_id, now=as_utc(moment)).status == "failed"
    assert "多次中断" in rows()[0].last_error
    assert mail_app.messages == []


def _auth_server(sink, logins):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=authenticator
    )
    controller.start()
    return controller, port


@pytest.mark.parametrize(("password", "status"), [("s3cret", "sent"), ("wrong", "failed")])
def test_smtp_login_when_a_username_is_set(app, staff, password, status):
    sink, logins = SmtpSink(), []
    controller, port = _auth_server(sink, logins)
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USERNAME="crm", MAIL_PASSWORD=password
        )
        make_target(staff, DAY)
        with frozen(2026, 10, 15, 8, 30):
            daily_task.delay()
    finally:
        controller.stop()
    # smtplib tries each offered mechanism (PLAIN, then LOGIN) before giving up
    assert logins and set(logins) == {("crm", password == "s3cret")}
    (row,) = rows()
    assert row.status == status, row.last_error
    assert len(sink.messages) == (1 if status == "sent" else 0)
    if status == "failed":
        assert "535" in row.last_error  # authentication refused: permanent, not retried


def test_starttls_required_but_not_offered_never_sends_in_clear(app, mail_app, staff):
    app.config["MAIL_USE_TLS"] = True
    make_target(staff, DAY)
    with frozen(2026, 10, 15, 8, 30):
        daily_task.delay()
    (row,) = rows()
    assert row.status == "failed" and "STARTTLS" in row.last_error.upper()
    assert mail_app.messages == []

"""End to end through real servers: `flask reminders send-daily` queues on a real broker, a
real Celery worker process sends through a real SMTP server (aiosmtpd), exactly once even
when the command is rerun and the send task is delivered twice.

Runs on the embedded broker always and on Redis when TEST_REDIS_URL is set (required under
CI=true, as in tests/test_worker.py, whose helpers this reuses).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import select

from app import create_app
from config import Config, _celery_settings
from crm.extensions import db
from crm.reminders.models import ReminderLog
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_target, smtp_fixture  # noqa: F401 — fixture
from tests.test_worker import BIN, ROOT, _broker_and_backend, _redis_url, _stop, _worker_env

DAY = "2026-10-15"  # a working day
TIMEOUT = 60


def _publisher_app(instance: Path, broker_url: str, backend_url: str):
    """An app on the worker's database that queues on the worker's broker (the CLI's view)."""
    return create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'crm.sqlite'}",
        SECRET_KEY="reminders-worker-test-" + "x" * 32,
        CELERY=_celery_settings(broker_url, backend_url),
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
    )


def _seed() -> str:
    """One staff member with a follow-up due on DAY; returns the address."""
    from datetime import date

    db.create_all()
    staff = make_user("staff", zone=make_zone(short_name="甲区"), display_name="赵专员")
    make_target(staff, date.fromisoformat(DAY))
    return staff.email


def _wait_for_log(log_path: Path, count: int, needle: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if log_path.read_text(errors="replace").count(needle) >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"worker log never showed {count}× {needle!r}:\n" + log_path.read_text()[-4000:])


@pytest.mark.worker
@pytest.mark.parametrize("broker", ["embedded", "redis"])
def test_real_worker_sends_a_reminder_once(broker, tmp_path, smtp):
    sink, port = smtp
    redis_url = _redis_url() if broker == "redis" else None
    instance = tmp_path / "instance"
    instance.mkdir()
    env = _worker_env(instance, redis_url)
    env.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        BASE_URL="https://crm.example.cn",
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    broker_url, backend_url = _broker_and_backend(instance, redis_url)
    publisher = _publisher_app(instance, broker_url, backend_url)
    runner = publisher.test_cli_runner()
    with publisher.app_context():
        email = _seed()

    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "worker",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname=remind-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client = Celery("reminders-e2e")
    client.conf.update(_celery_settings(broker_url, backend_url))
    try:
        with publisher.app_context():
            queued = runner.invoke(args=["reminders", "send-daily", "--date", DAY])
        assert "1 send task(s) queued" in queued.output, queued.output
        if not sink.wait_for(1, TIMEOUT):
            pytest.fail("no e-mail arrived:\n" + log_path.read_text(errors="replace")[-4000:])
        _wait_for_log(log_path, 1, "succeeded")
        with publisher.app_context():
            rerun = runner.invoke(args=["reminders", "send-daily", "--date", DAY])  # by hand
            (log_id,) = db.session.scalars(select(ReminderLog.id)).all()
        assert "0 send task(s) queued" in rerun.output, rerun.output
        for _ in range(2):  # the same task delivered twice more
            client.send_task("reminders.send", args=[log_id])
        _wait_for_log(log_path, 3, "succeeded")
    finally:
        _stop(worker)
        client.close()

    assert len(sink.messages) == 1, log_path.read_text(errors="replace")[-4000:]
    message = sink.messages[0]
    assert [a.addr_spec for a in message["To"].addresses] == [email]
    assert message["Subject"].startswith("【招商引资】今日跟进提醒")
    assert "https://crm.example.cn/targets/" in message.get_body(("plain",)).get_content()
    with publisher.app_context():
        row = db.session.execute(select(ReminderLog.status, ReminderLog.attempts)).one()
        db.session.remove()
        db.engine.dispose()
    assert tuple(row) == ("sent", 1)
    log = log_path.read_text(errors="replace")
    assert f"Connected to {broker_url.split('://')[0]}" in log
    assert log.count("succeeded") >= 3 and "'done'" in log

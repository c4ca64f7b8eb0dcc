"""Shared helpers for the reminder tests: data builders, a real SMTP server (aiosmtpd) and
frozen clocks. Test modules import the fixtures they use from here."""

from __future__ import annotations

import email
import itertools
import socket
import threading
from datetime import date, datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.reminders.models import ReminderLog
from crm.targets.models import Target

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def shanghai(*args: int) -> datetime:
    """An aware Asia/Shanghai datetime: shanghai(2026, 10, 8, 8, 30)."""
    return datetime(*args, tzinfo=SHANGHAI)


def frozen(*args: int, tick: bool = True):
    """time_machine.travel to a Shanghai wall-clock time."""
    return time_machine.travel(shanghai(*args), tick=tick)


def make_enterprise(name: str | None = None) -> Enterprise:
    n = next(_seq)
    name = name or f"测试{n}号科技有限公司"
    enterprise = Enterprise(name=name, normalized_name=f"{name}-{n}")
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def make_target(owner, due: date | None, zone=None, **values) -> Target:
    zone_id = values.pop("zone_id", zone.id if zone else owner.zone_id)
    target = Target(
        enterprise_id=make_enterprise(values.pop("enterprise_name", None)).id,
        zone_id=zone_id,
        owner_id=owner.id if owner else None,
        next_follow_up=due,
        **values,
    )
    db.session.add(target)
    db.session.commit()
    return target


def make_project(owner, due: date | None, zone=None, **values) -> Project:
    n = next(_seq)
    zone_id = values.pop("zone_id", zone.id if zone else owner.zone_id)
    project = Project(
        name=values.pop("name", f"测试项目{n}"),
        enterprise_id=make_enterprise().id,
        zone_id=zone_id,
        owner_id=owner.id if owner else None,
        next_follow_up=due,
        **values,
    )
    db.session.add(project)
    db.session.commit()
    return project


def rows(**filters) -> list[ReminderLog]:
    """Outbox rows as stored now (fresh from the database)."""
    db.session.expire_all()
    stmt = db.select(ReminderLog).order_by(ReminderLog.id)
    for key, value in filters.items():
        stmt = stmt.where(getattr(ReminderLog, key) == value)
    return list(db.session.scalars(stmt))


# --- a real SMTP server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted message and can answer with scripted
    errors: ``data_replies`` are used, one per DATA command, before accepting again;
    ``rcpt_reply`` refuses every recipient."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.data_replies: list[str] = []
        self.rcpt_reply: str | None = None
        self.data_commands = 0
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            if self.data_replies:
                return self.data_replies.pop(0)
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture(name="smtp")
def smtp_fixture():
    """A real SMTP server on 127.0.0.1 (a free port); yields (sink, port)."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture(name="mail_app")
def mail_app_fixture(app, smtp):
    """The test app sending through the real SMTP server; yields the sink."""
    sink, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://crm.example.cn")
    return sink


def test_the_sink_accepts_and_scripts_errors(smtp):
    import smtplib

    sink, port = smtp
    sink.data_replies.append("421 4.3.2 try again later")
    with (
        smtplib.SMTP("127.0.0.1", port, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError),  # 421 also closes the connection
    ):
        client.sendmail("a@example.cn", ["b@example.cn"], b"Subject: x\r\n\r\nbody\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("a@example.cn", ["b@example.cn"], b"Subject: y\r\n\r\nbody\r\n")
    assert [m["Subject"] for m in sink.messages] == ["y"]

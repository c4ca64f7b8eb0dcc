"""The production topology, exercised: two gunicorn servers, two Celery workers on Redis, two
beat processes (a duplicated scheduler) and PostgreSQL, with a real SMTP server (aiosmtpd).

The clock of the workers and beats is Monday 2026-10-12 08:35 (Asia/Shanghai), when the daily
reminders and the weekly digests are both due; the beats fire the daily, weekly and catch-up
ticks every few seconds, both of them. The SMTP server stalls the first message to one
recipient; the worker sending it is killed with SIGKILL while it waits. Every outbox row must
then end sent, each message delivered once — a second copy is allowed only for the killed
send and only if the server had accepted it before the kill (the window documented in
``crm/reminders/delivery.py``) — and both web servers answer every request meanwhile.

Runs on the TEST_DATABASE_URL pass of ``make test`` (PostgreSQL) with Redis from
TEST_REDIS_URL; under CI=true a missing Redis fails the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crm.reminders.models import ReminderLog
from tests.processes import ROOT, free_port, server_env, start_gunicorn
from tests.test_migrations import TEST_DATABASE_URL, _sqlalchemy_url, _wipe
from tests.test_reminders_support import SmtpSink
from tests.test_worker import _redis_url

pytestmark = pytest.mark.worker

CLOCK = datetime(2026, 10, 12, 8, 35, tzinfo=ZoneInfo("Asia/Shanghai"))  # a working Monday
DAY = date(2026, 10, 12)
STAFF = 4
LEASE_SECONDS = 8
DEADLINE = 150  # seconds, for the first send and again for all to be sent (generous: CI is loaded)


class StallingSink(SmtpSink):
    """Accepts everything, except that the first message to ``victim`` waits at DATA until
    ``release`` is set (and is then refused: it was never accepted)."""

    def __init__(self, victim: str) -> None:
        super().__init__()
        self.victim = victim
        self.stalled_peer: tuple[str, int] | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.victim in envelope.rcpt_tos and not self.stalled.is_set():
            self.stalled_peer = session.peer
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 stalled and abandoned"
        return await super().handle_DATA(server, session, envelope)


def _socket_owner(peer_port: int, pids: list[int]) -> int:
    """The pid (of ``pids``) holding the TCP connection whose local port is ``peer_port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == peer_port:
                inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no worker holds the SMTP connection from port {peer_port}")


def _seed(url: str, instance: Path) -> str:
    """Migrate, then staff with follow-ups due on DAY, a manager and a coordinator; returns
    the address of the staff member whose first message will stall."""
    from app import create_app
    from config import Config
    from crm.extensions import db
    from tests.factories import make_user, make_zone
    from tests.test_reminders_support import make_target

    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=server_env(url, instance),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seeder = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="s" * 40)
    with seeder.app_context():
        zone = make_zone(short_name="甲区")
        staff = [make_user("staff", zone=zone) for _ in range(STAFF)]
        for member in staff:
            make_target(member, DAY)
        make_user("manager", zone=zone)
        make_user("coordinator")
        victim = staff[0].email
        db.session.remove()
        db.engine.dispose()
    return victim


class WebProbe(threading.Thread):
    """Requests /healthz and /login on every server in turn until stopped; keeps each answer."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.urls = urls
        self.answers: list[tuple[str, int | str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for base in self.urls:
                for path in ("/healthz", "/login"):
                    try:
                        with urllib.request.urlopen(base + path, timeout=10) as response:
                            self.answers.append((base + path, response.status))
                    except Exception as exc:  # noqa: BLE001 — every failure is a finding
                        self.answers.append((base + path, repr(exc)))
            time.sleep(0.2)


def _celery(kind: str, env: dict, log: Path, name: str, schedule: Path | None = None):
    args = [sys.executable, "-m", "celery", "-A", "tests.topology_app", kind, "--loglevel=INFO"]
    if kind == "worker":
        args += ["--pool=solo", "--without-gossip", "--without-mingle", f"--hostname={name}@%h"]
    else:
        args += [f"--schedule={schedule}"]
    with log.open("wb") as handle:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _rows(engine) -> list[ReminderLog]:
    with Session(engine) as session:
        rows = session.scalars(select(ReminderLog).order_by(ReminderLog.id)).all()
        session.expunge_all()
        return list(rows)


def _logs(paths: list[Path]) -> str:
    return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in paths)


@pytest.fixture
def database():
    if not TEST_DATABASE_URL:
        pytest.skip("runs on the TEST_DATABASE_URL pass (PostgreSQL)")
    engine = create_engine(_sqlalchemy_url(TEST_DATABASE_URL))
    _wipe(engine)
    yield TEST_DATABASE_URL, engine
    _wipe(engine)
    engine.dispose()


def test_two_webs_two_workers_two_beats_one_killed_mid_send(database, tmp_path):
    url, engine = database
    redis_url = _redis_url()  # flushed; fails under CI when missing
    victim = _seed(url, tmp_path / "instance")
    sink = StallingSink(victim)
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = server_env(
        url,
        tmp_path / "instance",
        REDIS_URL=redis_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        BASE_URL="https://crm.example.cn",
        REMINDER_LEASE_SECONDS=str(LEASE_SECONDS),
        TOPOLOGY_CLOCK_OFFSET=str(CLOCK.timestamp() - time.time()),
    )
    logs: list[Path] = []
    processes: list[subprocess.Popen] = []
    webs = []
    probe = None
    try:
        for n in (1, 2):
            log = tmp_path / f"worker{n}.log"
            logs.append(log)
            processes.append(_celery("worker", env, log, f"w{n}-{uuid.uuid4().hex[:6]}"))
        workers = list(processes)
        webs = [start_gunicorn(env, 1, tmp_path, name=f"web{n}") for n in (1, 2)]
        probe = WebProbe([web.url for web in webs])
        probe.start()
        for n in (1, 2):
            log = tmp_path / f"beat{n}.log"
            logs.append(log)
            processes.append(_celery("beat", env, log, "", tmp_path / f"beat{n}.schedule"))

        assert sink.stalled.wait(DEADLINE), "no send reached the SMTP server\n" + _logs(logs)
        killed = _socket_owner(sink.stalled_peer[1], [w.pid for w in workers])
        os.kill(killed, signal.SIGKILL)
        sink.release.set()

        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            rows = _rows(engine)
            kinds = Counter(r.kind for r in rows)
            settled = all(r.status == "sent" for r in rows)
            if settled and kinds == {"daily": STAFF, "weekly": STAFF + 2}:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"not all sent: {_rows(engine)}\n" + _logs(logs))
        time.sleep(2 * float(os.environ.get("TOPOLOGY_TICK_SECONDS", "3")))  # more ticks: no more
        rows = _rows(engine)
        health = urllib.request.urlopen(webs[0].url + "/healthz", timeout=10).read().decode()
    finally:
        if probe:
            probe.stopping.set()
            probe.join(timeout=15)
        for proc in processes:
            _stop(proc)
        for web in webs:
            web.stop()
        controller.stop()

    sent = [r for r in rows if r.status == "sent"]
    assert len(sent) == len(rows) == 2 * STAFF + 2  # 4 daily, 4 + 2 weekly: no row twice
    delivered = Counter(m["Message-ID"] for m in sink.messages)
    assert set(delivered) == {r.message_id for r in sent}, (delivered, sent)
    stalled = next(r for r in sent if r.address == victim and r.attempts > 1)
    allowed_twice = set()  # the stalled send was refused, so the crash window never opened
    duplicates = {mid for mid, n in delivered.items() if n > 1}
    assert duplicates <= allowed_twice, duplicates
    assert stalled.attempts == 2  # the dead worker's claim, then the survivor's
    assert workers[[w.pid for w in workers].index(killed)].wait(timeout=5) == -signal.SIGKILL
    failures = [a for a in probe.answers if a[1] != 200]
    assert not failures and len(probe.answers) > 20, failures[:10]
    for beat in ("beat1.log", "beat2.log"):  # both schedulers ticked: every tick twice
        text = (tmp_path / beat).read_text(errors="replace")
        assert "Sending due task reminders-daily" in text, text[-2000:]
        assert "Sending due task reminders-weekly" in text, text[-2000:]
    assert '"transport":"redis"' in health.replace(" ", "") and '"last_beat":"2026-10-12' in health

"""Links follow the server: a real gunicorn on a non-default port, BASE_URL unset.

The calendar-feed address shown on the page, every URL inside the feed and the links in a daily
e-mail point at the port the server was started on (WEB_PORT, as the Procfile binds it).
"""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(5141, 5150)  # this checkout's port range first, then any free port
PASSWORD = "Port-Follows-2026"

SETUP = """
from datetime import date
from app import create_app
from crm.core.timeutil import local_today
from crm.extensions import db
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_target
app = create_app()
with app.app_context():
    zone = make_zone()
    staff = make_user("staff", zone=zone, login="port-staff", password=%r)
    make_target(staff, local_today(), zone=zone)
    make_target(staff, date(2026, 10, 15), zone=zone)
"""

DELIVER = """
from sqlalchemy import select
from app import create_app
from crm.extensions import db
from crm.reminders.delivery import deliver
from crm.reminders.models import ReminderLog
app = create_app()
with app.app_context():
    for log_id in db.session.scalars(select(ReminderLog.id)).all():
        print(deliver(log_id).status)
"""


def _port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _csrf(opener, url: str) -> str:
    page = opener.open(url, timeout=10).read().decode()
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _post(opener, url: str, data: dict) -> str:
    body = urllib.parse.urlencode(data).encode()
    return opener.open(url, data=body, timeout=10).read().decode()


@pytest.fixture
def server(tmp_path):
    port = _port()
    env = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "DATABASE_URL"}}
    env.update(
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'crm.sqlite'}",
        SECRET_KEY=secrets.token_hex(32),
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        MAIL_SERVER="",
        APP_ENV="development",
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    flask = (sys.executable, "-m", "flask", "--app", "app")
    _run(env, *flask, "db", "upgrade")
    _run(env, sys.executable, "-c", SETUP % PASSWORD)
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail((tmp_path / "gunicorn.log").read_text())
                time.sleep(0.2)
        yield url, env, tmp_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_feed_and_email_links_use_the_port_the_server_runs_on(server):
    url, env, tmp_path = server
    assert not url.endswith(":5000")
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    token = _csrf(opener, url + "/login")
    _post(
        opener, url + "/login", {"login": "port-staff", "password": PASSWORD, "csrf_token": token}
    )
    token = _csrf(opener, url + "/reminders/preferences")
    page = _post(opener, url + "/reminders/feed", {"csrf_token": token})
    feed_url = re.search(re.escape(url) + r"/reminders/feed/[\w-]+\.ics", page)
    assert feed_url, page
    ics = urllib.request.urlopen(feed_url.group(0), timeout=10).read().decode()
    unfolded = ics.replace("\r\n ", "")
    assert f"{url}/targets/" in unfolded
    assert ":5000" not in unfolded

    flask = (sys.executable, "-m", "flask", "--app", "app")
    _run(env, *flask, "reminders", "send-daily", "--date", "2026-10-15")  # a working day
    # no worker runs here: deliver the queued row in-process, as the worker would
    assert "sent" in _run(env, sys.executable, "-c", DELIVER)
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = "".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )
    assert f"{url}/targets/" in text or f"{url}/reminders/" in text
    assert "127.0.0.1:5000" not in text


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("127.0.0.1", "5101", "http://127.0.0.1:5101"),
        ("0.0.0.0", "8000", "http://127.0.0.1:8000"),
        ("crm.local", "5101", "http://crm.local:5101"),
        ("::1", "5101", "http://[::1]:5101"),
    ],
)
def test_server_address_follows_web_host_and_port(monkeypatch, host, port, expected):
    from config import server_address

    for name, value in (("WEB_HOST", host), ("WEB_PORT", port)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert server_address() == expected

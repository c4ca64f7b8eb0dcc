"""Browser fixtures: a real gunicorn server on a throw-away SQLite database, and Chromium.

``live_server`` is the base URL of a server started once per test session (migrated, seeded,
demo users loaded); ``live_app`` is the same server with its environment, for tests that need to
run ``flask`` commands against its database. ``page`` is a fresh Chromium page (desktop
viewport, Chinese locale) per test. ``log_in(page, base_url, login)`` signs a page in through the
form; the ``signed_in`` fixture does the same for this test's page: ``signed_in("gxq-staff1")``.

Debian's Chromium is used, never a downloaded browser. Without it the browser tests are skipped,
except under CI=true, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "Jiyuan@2026"
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT = 30.0
# Settings from the developer's shell that must not leak into the throw-away server.
SCRUBBED_ENV = (
    "APP_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "BASE_URL",
    "MAIL_SERVER",
)


def _missing(reason: str) -> None:
    if CI:
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveApp:
    """A running gunicorn server and the environment it was started with."""

    url: str
    env: dict[str, str]
    log: Path
    demo_password: str

    def flask(self, *args: str) -> str:
        """Run ``flask --app app <args>`` against the server's database; returns stdout."""
        return run_flask(self.env, *args)


def run_flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_until_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within {START_TIMEOUT}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    """A gunicorn server (1 worker) on 127.0.0.1 with the seed zones and demo users."""
    base = tmp_path_factory.mktemp("live")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(
        INSTANCE_PATH=str(base / "instance"),
        DATABASE_URL=f"sqlite:///{base / 'live.sqlite'}",
        SECRET_KEY=secrets.token_hex(32),
        DEMO_PASSWORD=DEMO_PASSWORD,
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        PYTHONUNBUFFERED="1",
    )
    for command in (("db", "upgrade"), ("seed",), ("demo",)):
        run_flask(env, *command)
    port = free_port()
    log = base / "gunicorn.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, proc, log)
        yield LiveApp(url=url, env=env, log=log, demo_password=DEMO_PASSWORD)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_app: LiveApp) -> str:
    """The base URL of the live server, e.g. ``http://127.0.0.1:43121``."""
    return live_app.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, shared by the session."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _missing(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (own cookies) with a desktop viewport and Chinese locale."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def log_in(page, base_url: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Sign ``page`` in through the login form and wait for the home page."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    if page.url.rstrip("/") != base_url:
        pytest.fail(f"sign-in as {login} did not reach the home page: {page.url}")


@pytest.fixture
def signed_in(page, live_server) -> Callable[[str], object]:
    """``signed_in("gxq-staff1")`` signs the page in as that demo user and returns the page."""

    def _sign_in(login: str, password: str = DEMO_PASSWORD):
        log_in(page, live_server, login, password)
        return page

    return _sign_in

"""Real server processes for the multi-process tests: gunicorn, and a small HTTP client.

``free_port()`` takes a free port from ``TEST_PORTS`` (e.g. ``5130-5139``) when it is set,
else one the system picks.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# Settings from the developer's shell that must not leak into a throw-away server.
SCRUBBED_ENV = (
    "APP_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "BASE_URL",
    "MAIL_SERVER",
    "SECRET_KEY",
)


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    spec = os.environ.get("TEST_PORTS", "")
    if spec:
        low, _, high = spec.partition("-")
        for port in range(int(low), int(high or low) + 1):
            if _bindable(port):
                return port
        pytest.fail(f"no free port in TEST_PORTS={spec}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


@dataclass
class Gunicorn:
    """A gunicorn master with ``workers`` processes; the access log names each request's pid."""

    url: str
    proc: subprocess.Popen
    log: Path
    access_log: Path

    def served_by(self, path_prefix: str) -> set[str]:
        """Pids of the workers that answered requests whose path starts with the prefix."""
        pids = set()
        for line in self.access_log.read_text(errors="replace").splitlines():
            pid, _, path = line.partition(" ")
            if path.startswith(path_prefix):
                pids.add(pid)
        return pids

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def start_gunicorn(env: dict[str, str], workers: int, tmp: Path, name: str = "web") -> Gunicorn:
    port = free_port()
    log = tmp / f"{name}.log"
    access_log = tmp / f"{name}-access.log"
    access_log.touch()
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(p)s %(U)s",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(f"http://127.0.0.1:{port}", proc, log, access_log)
    deadline = time.monotonic() + 120  # the app boots in each worker; CI machines are busy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    server.stop()
    pytest.fail(f"gunicorn did not answer /healthz:\n{log.read_text()[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """A cookie-keeping HTTP client that does not follow redirects; one connection a request."""

    base: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Connection": "close", **self.headers}
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode(errors="replace")

    def sign_in(self, login: str, password: str) -> tuple[int, dict]:
        status, _, html = self.request("/login")
        assert status == 200, html[:500]
        token = CSRF_RE.search(html).group(1)
        status, headers, _ = self.request(
            "/login", {"login": login, "password": password, "csrf_token": token}
        )
        return status, headers

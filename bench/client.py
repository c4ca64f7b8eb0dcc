"""A small HTTP client for the benchmark (standard library only): cookies, CSRF, timings.

Gunicorn's sync workers close the connection after each response, so every request opens a
new connection; the time measured is connect + request + the whole body read.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Client:
    """Talks to one server on 127.0.0.1, keeping its cookies like a browser would."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.hostname != "127.0.0.1":
            raise ValueError("the benchmark only talks to 127.0.0.1")
        self.host, self.port = parts.hostname, parts.port or 80

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        use_cookies: bool = True,
    ) -> Response:
        sent = dict(headers or {})
        if use_cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            payload = raw.read()
            elapsed = time.perf_counter() - started
            received = {k.lower(): v for k, v in raw.getheaders() if k.lower() != "set-cookie"}
            if use_cookies:
                for value in raw.headers.get_all("Set-Cookie") or []:
                    for name, morsel in SimpleCookie(value).items():
                        self.cookies[name] = morsel.value
            return Response(raw.status, received, payload, elapsed)
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict[str, str]) -> Response:
        body = urlencode(data).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers)

    def login(self, login: str, password: str) -> None:
        """Sign in through the login form (CSRF token included); raises on failure."""
        page = self.get("/login")
        match = CSRF_RE.search(page.text)
        if not match:
            raise RuntimeError(f"no CSRF token on /login ({page.status})")
        form = {"login": login, "password": password, "csrf_token": match.group(1)}
        response = self.post_form("/login", form)
        if response.status != 302 or response.headers.get("location", "").rstrip("/") not in {
            "",
            self.base_url,
        }:
            raise RuntimeError(f"sign-in as {login} failed: {response.status}")

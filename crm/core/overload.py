"""Graceful overload: shed requests quickly (503 with Retry-After) instead of queueing them.

A WSGI middleware around the app (``create_app`` installs it when ``OVERLOAD_MAX_IN_FLIGHT``
is set). Two checks, both before the app does any work (no session, no database):

1. **Queue time.** A reverse proxy stamps when it received the request (``X-Request-Start:
   t=<seconds since the epoch>``, as nginx's ``proxy_set_header X-Request-Start
   "t=${msec}";`` or Heroku's router send it; milliseconds and microseconds are read too).
   A request that already waited longer than ``OVERLOAD_MAX_QUEUE_MS`` is shed: whoever sent
   it has probably given up, and serving it would only delay the ones behind it.
2. **In-flight bound.** At most ``OVERLOAD_MAX_IN_FLIGHT`` requests run in the app at once
   in this process; up to ``OVERLOAD_MAX_WAITING`` more (default: as many) may wait for a
   slot, each at most ``OVERLOAD_MAX_WAIT_MS``; any further request is shed at once. With
   gunicorn's gthread workers the threads beyond the bound are cheap places to wait, and a
   shed request frees its thread in microseconds, so the worker's own queue never grows
   behind busy threads.

What is served therefore waited at most the wait bound: its latency stays bounded while the
excess gets a fast 503 (``Retry-After`` seconds), and the server recovers as soon as the load
drops. ``/healthz`` and static files are never shed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

EXEMPT = ("/healthz", "/static/")
# Outside the app (no Babel here): the source text and its English, by Accept-Language.
MESSAGES = {"zh_CN": "服务器繁忙，请稍后重试", "en": "The server is busy, please retry shortly"}


def request_start(value: str) -> float | None:
    """Seconds since the epoch from an ``X-Request-Start`` value (``t=`` optional; seconds,
    milliseconds or microseconds), else None."""
    value = value.strip().removeprefix("t=")
    try:
        number = float(value)
    except ValueError:
        return None
    for scale in (1, 1e3, 1e6):  # the first reading that is a plausible epoch time
        seconds = number / scale
        if 1e9 < seconds < 1e10:
            return seconds
    return None


class OverloadGuard:
    """Wraps a WSGI app; see the module docstring."""

    def __init__(
        self,
        app: Callable,
        max_in_flight: int,
        max_wait_ms: int = 200,
        max_queue_ms: int = 1000,
        retry_after: int = 1,
        clock: Callable[[], float] = time.time,
        max_waiting: int | None = None,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_waiting = max_in_flight if max_waiting is None else max_waiting
        self.max_wait = max_wait_ms / 1000
        self.max_queue = max_queue_ms / 1000
        self.retry_after = retry_after
        self.clock = clock
        self.slots = threading.BoundedSemaphore(max_in_flight)
        self.lock = threading.Lock()
        self.waiting = 0
        self.shed = 0  # requests refused since start (for logs and tests)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(EXEMPT):
            return self.app(environ, start_response)
        started = request_start(environ.get("HTTP_X_REQUEST_START", ""))
        if started is not None and self.clock() - started > self.max_queue:
            return self._shed(environ, start_response)
        if not self._acquire():
            return self._shed(environ, start_response)
        try:
            return self.app(environ, start_response)
        finally:
            self.slots.release()

    def _acquire(self) -> bool:
        if self.slots.acquire(blocking=False):
            return True
        with self.lock:
            if self.waiting >= self.max_waiting:
                return False
            self.waiting += 1
        try:
            return self.slots.acquire(timeout=self.max_wait)
        finally:
            with self.lock:
                self.waiting -= 1

    def _shed(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        with self.lock:
            self.shed += 1
        english = environ.get("HTTP_ACCEPT_LANGUAGE", "").lower().startswith("en")
        message = MESSAGES["en" if english else "zh_CN"]
        if environ.get("PATH_INFO", "").startswith("/api/"):
            error = {"code": 503, "status": "Service Unavailable", "message": message}
            body = json.dumps(error, ensure_ascii=False).encode()
            kind = "application/json"
        else:
            body = message.encode()
            kind = "text/plain; charset=utf-8"
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", kind),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(self.retry_after)),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

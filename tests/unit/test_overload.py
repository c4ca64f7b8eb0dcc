"""Load shedding: fast 503 with Retry-After beyond the in-flight bound or a long queue time."""

from __future__ import annotations

import json
import threading
import time

from werkzeug.test import Client
from werkzeug.wrappers import Response

from crm.core.overload import OverloadGuard, request_start


def _slow_app(gate: threading.Event):
    def app(environ, start_response):
        gate.wait(5)
        return Response("ok")(environ, start_response)

    return app


def _ok(environ, start_response):
    return Response("ok")(environ, start_response)


def _callers(guard: OverloadGuard, count: int) -> tuple[list[threading.Thread], list[int]]:
    """``count`` requests to ``guard`` on threads of their own, started; their statuses land
    in the returned list as they finish."""
    statuses: list[int] = []

    def call():
        statuses.append(Client(guard).get("/").status_code)

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    return threads, statuses


def test_request_start_header_forms():
    assert request_start("t=1764748800.123") == 1764748800.123
    assert request_start("1764748800123") == 1764748800.123  # milliseconds
    assert request_start("t=1764748800123456") == 1764748800.123456  # microseconds
    for bad in ("", "t=", "abc", "t=12", "nan", "-1"):
        assert request_start(bad) is None


def test_a_request_that_queued_too_long_is_shed_before_the_app_runs():
    called = []

    def app(environ, start_response):
        called.append(1)
        return _ok(environ, start_response)

    guard = OverloadGuard(app, 4, max_queue_ms=1000, clock=lambda: 1764748802.0)
    client = Client(guard)
    late = client.get("/targets/", headers={"X-Request-Start": "t=1764748800.5"})
    assert late.status_code == 503 and late.headers["Retry-After"] == "1"
    assert "服务器繁忙" in late.get_data(as_text=True) and called == []
    fresh = client.get("/targets/", headers={"X-Request-Start": "t=1764748801.5"})
    assert fresh.status_code == 200
    garbage = client.get("/targets/", headers={"X-Request-Start": "soon"})
    assert garbage.status_code == 200  # an unreadable stamp is ignored, never a 500


def test_beyond_the_in_flight_bound_requests_are_shed_fast_and_it_recovers():
    gate = threading.Event()
    guard = OverloadGuard(_slow_app(gate), max_in_flight=2, max_wait_ms=100)
    busy, statuses = _callers(guard, 4)  # 2 run, 2 wait
    started = time.perf_counter()
    shed = Client(guard).get("/api/v1/targets")  # a fifth: no slot, no room to wait
    assert time.perf_counter() - started < 0.05
    assert shed.status_code == 503 and shed.headers["Retry-After"] == "1"
    assert json.loads(shed.get_data())["code"] == 503
    time.sleep(0.15)  # the two waiters give up after 100 ms
    gate.set()
    for thread in busy:
        thread.join(5)
    assert sorted(statuses) == [200, 200, 503, 503]
    assert Client(guard).get("/").status_code == 200  # recovered
    assert guard.shed == 3


def test_health_and_static_are_never_shed():
    gate = threading.Event()
    guard = OverloadGuard(_slow_app(gate), max_in_flight=1, max_wait_ms=10)
    worker = threading.Thread(target=lambda: Client(guard).get("/"))
    worker.start()
    time.sleep(0.05)
    guard.app = _ok
    assert Client(guard).get("/healthz").status_code == 200
    assert Client(guard).get("/static/app.css").status_code == 200
    gate.set()
    worker.join(5)


def test_english_message_by_accept_language():
    guard = OverloadGuard(_ok, 1, clock=lambda: 1764748900.0)
    response = Client(guard).get(
        "/", headers={"X-Request-Start": "t=1764748800", "Accept-Language": "en-US"}
    )
    assert response.status_code == 503 and "busy" in response.get_data(as_text=True)


def test_more_waiting_places_than_running_ones():
    gate = threading.Event()
    guard = OverloadGuard(_slow_app(gate), max_in_flight=1, max_wait_ms=2000, max_waiting=3)
    busy, statuses = _callers(guard, 4)  # 1 runs, 3 wait
    assert guard.waiting == 3
    assert Client(guard).get("/").status_code == 503  # a fifth: no room to wait
    gate.set()  # the slot frees: the waiters run one after another, within their 2 s
    for thread in busy:
        thread.join(5)
    assert statuses == [200, 200, 200, 200]
    assert guard.shed == 1

"""Celery: the eager path under TestConfig, and a real worker process on a real broker.

The real-worker test always runs on the embedded broker (Kombu's SQLAlchemy transport on a
SQLite file, the `make run` default) and, when TEST_REDIS_URL is set, on Redis too. Under
CI=true Redis is required: a missing TEST_REDIS_URL or an unreachable Redis fails the test.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import select

from config import _celery_settings
from crm.core.models import Heartbeat
from crm.core.tasks import ping
from crm.extensions import db

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() == "true"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
RESULT_TIMEOUT = 120  # seconds for the answer (the worker boots the app first)
STOP_TIMEOUT = 20  # seconds for a warm shutdown before SIGKILL


def test_ping_runs_eagerly_under_test_config(app):
    assert app.extensions["celery"].conf.task_always_eager

    assert ping.delay("x").get(timeout=5) == "x"

    beat = db.session.scalar(select(Heartbeat).where(Heartbeat.name == "worker"))
    assert beat is not None and beat.at is not None


def _redis_url() -> str:
    """TEST_REDIS_URL, reachable and flushed; fails under CI, skips elsewhere."""
    if not TEST_REDIS_URL:
        message = "TEST_REDIS_URL is not set"
        pytest.fail(message + " (required under CI=true)") if CI else pytest.skip(message)
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
        client.flushdb()
    except redis.RedisError as exc:
        message = f"Redis at {TEST_REDIS_URL} unreachable: {exc}"
        pytest.fail(message) if CI else pytest.skip(message)
    finally:
        client.close()
    return TEST_REDIS_URL


def _worker_env(instance: Path, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SECRET_KEY", "APP_ENV"}}
    env.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'crm.sqlite'}",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _broker_and_backend(instance: Path, redis_url: str | None) -> tuple[str, str]:
    """The URLs config.Config computes for this environment (the worker's own view)."""
    if redis_url:
        return redis_url, redis_url
    return (
        f"sqla+sqlite:///{instance / 'broker.sqlite'}",
        f"db+sqlite:///{instance / 'celery-results.sqlite'}",
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()  # warm shutdown
        try:
            worker.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=STOP_TIMEOUT)


@pytest.mark.worker
@pytest.mark.parametrize("broker", ["embedded", "redis"])
def test_real_worker_runs_ping(broker, tmp_path):
    redis_url = _redis_url() if broker == "redis" else None
    instance = tmp_path / "instance"
    instance.mkdir()
    env = _worker_env(instance, redis_url)
    migrated = subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]

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
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    broker_url, backend_url = _broker_and_backend(instance, redis_url)
    client = Celery("worker-smoke-test")
    client.conf.update(_celery_settings(broker_url, backend_url))
    token = uuid.uuid4().hex
    started = time.monotonic()
    try:
        result = client.send_task("core.ping", args=[token], ignore_result=False)
        try:
            answer = result.get(timeout=RESULT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 — show the worker's log with any failure
            pytest.fail(
                f"no answer from the worker ({exc!r}); exit={worker.poll()}\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        elapsed = time.monotonic() - started
    finally:
        _stop(worker)
        client.close()

    assert answer == token, log_path.read_text(errors="replace")[-4000:]
    assert elapsed < RESULT_TIMEOUT
    log = log_path.read_text(errors="replace")
    assert f"Connected to {broker_url.split('://')[0]}" in log, log[-4000:]
    assert "succeeded" in log
    # The task ran inside the app: it wrote the "worker" heartbeat into the app's database.
    with sqlite3.connect(instance / "crm.sqlite") as conn:
        row = conn.execute("SELECT at FROM heartbeat WHERE name = 'worker'").fetchone()
    conn.close()
    assert row is not None and row[0]
    assert worker.returncode is not None

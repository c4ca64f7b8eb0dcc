"""Background tasks of the core: the smoke test and the beat heartbeat."""

from __future__ import annotations

from celery import shared_task

from crm.core.services import record_heartbeat


@shared_task(name="core.ping")
def ping(value: str = "pong") -> str:
    """Echo a value back (proves a real worker runs our tasks in the app context)."""
    record_heartbeat("worker")
    return value


@shared_task(name="core.heartbeat")
def heartbeat() -> None:
    """Record the beat tick, scheduled every minute; running it also shows a worker is alive."""
    record_heartbeat("beat")
    record_heartbeat("worker")

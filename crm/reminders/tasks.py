"""Celery tasks: the scheduled scans and one send task per outbox row.

Payloads are JSON ids only. A task reloads its row and calls a service; the outbox row is the
source of truth, so a lost, duplicated or redelivered message changes nothing. Countdowns are
short (at most ``MAX_COUNTDOWN``, far below the broker's visibility timeout).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task

from crm.extensions import db
from crm.reminders.delivery import OUTBOX, deliver
from crm.reminders.scans import scan

log = logging.getLogger("crm.reminders")

MAX_COUNTDOWN = 600  # seconds; the Redis visibility timeout is 3600


def enqueue(ids: Iterable[int]) -> int:
    """Queue one send task per row (call after the commit that created the rows). A broker
    that is down is logged, never raised: the rows stay unqueued and the next scan retries."""
    return OUTBOX.enqueue(ids, send_reminder)


def run_scan(kinds: tuple[str, ...] = ("daily", "weekly"), tick: bool = False) -> dict:
    result = scan(kinds=kinds, tick=tick)
    db.session.commit()
    queued = enqueue(result.queue)
    summary = {
        "periods": [p.key for p in result.periods],
        "created": result.created,
        "skipped": result.skipped,
        "expired": result.expired,
        "queued": queued,
    }
    log.info("reminder scan: %s", summary)
    return summary


@shared_task(name="reminders.scan", ignore_result=True)
def scan_task() -> dict:
    """The catch-up scan (every 10 minutes): creates what is due, re-queues what was lost."""
    return run_scan()


@shared_task(name="reminders.daily", ignore_result=True)
def daily_task() -> dict:
    """The 08:30 tick: daily reminders when today is a working day."""
    return run_scan(("daily",), tick=True)


@shared_task(name="reminders.weekly", ignore_result=True)
def weekly_task() -> dict:
    """The 08:00 tick: weekly digests when today is the week's first working day."""
    return run_scan(("weekly",), tick=True)


@shared_task(name="reminders.send", bind=True, acks_late=True, ignore_result=True, time_limit=120)
def send_reminder(self, log_id: int) -> str:
    """Send one outbox row; a transient error or a busy claim comes back after a short delay."""
    outcome = deliver(int(log_id))
    if outcome.later is not None and not self.request.is_eager:
        # Eager runs (tests) leave the row to the next scan instead of sleeping here.
        raise self.retry(countdown=min(outcome.later, MAX_COUNTDOWN), max_retries=None)
    return outcome.status

"""Celery tasks: the channel scan (every minute and at the reminder ticks) and one send task
per outbox row. Payloads are ids; the outbox row is the truth, so a duplicate tick or a
redelivered task sends nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task

from crm.channels.delivery import deliver
from crm.channels.outbox import OUTBOX
from crm.channels.scans import scan
from crm.extensions import db

log = logging.getLogger("crm.channels")

MAX_COUNTDOWN = 600


def enqueue(ids: Iterable[int]) -> int:
    """One send task per row; a broker that is down leaves them to the next scan."""
    return OUTBOX.enqueue(ids, send_message)


def run_scan(kinds: tuple[str, ...] = ("daily", "weekly")) -> dict:
    result = scan(kinds=kinds)
    db.session.commit()
    summary = {
        "created": result["created"],
        "expired": result["expired"],
        "queued": enqueue(result["queue"]),
    }
    log.info("channel scan: %s", summary)
    return summary


@shared_task(name="channels.scan", ignore_result=True)
def scan_task() -> dict:
    return run_scan()


@shared_task(name="channels.send", bind=True, acks_late=True, ignore_result=True, time_limit=90)
def send_message(self, message_id: int) -> str:
    outcome = deliver(int(message_id))
    if outcome.later is not None and not self.request.is_eager:
        raise self.retry(countdown=min(outcome.later, MAX_COUNTDOWN), max_retries=None)
    return outcome.status

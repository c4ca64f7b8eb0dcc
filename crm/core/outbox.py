"""The claim protocol of an outbox table: each row is sent by one worker at a time, once.

An outbox model has ``status``, ``lease_until``, ``attempts``, ``claim_token`` and
``updated_at`` columns. ``claim`` moves an open row (pending, a retry whose time has come, or
'sending' under a lease that ran out because its worker died) to 'sending' with a fresh token
in one atomic UPDATE, committed before anything talks to the outside; a second task for the
same row finds nothing to claim. ``finish`` records the outcome only while the token still
holds. The e-mail outbox (``crm.reminders``) and the channel outbox (``crm.channels``) share it.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, update

from crm.core.timeutil import utcnow
from crm.extensions import db

log = logging.getLogger("crm.outbox")

BACKOFF_BASE = 30  # seconds: 30, 60, 120, 240 (each jittered down to half)
BACKOFF_MAX = 600  # never longer than the broker's visibility timeout allows


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed | skipped | expired | busy | done
    later: float | None = None  # seconds until the row can be tried again


def backoff(attempt: int) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random."""
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)


class Outbox:
    """Claims on the rows of one outbox model; the lease comes from ``lease_setting`` (seconds,
    in the app config) or ``default_lease``, and must outlast any send."""

    def __init__(
        self, model, open_statuses: Iterable[str], lease_setting: str, default_lease: timedelta
    ) -> None:
        self.model = model
        self.open_statuses = tuple(open_statuses)
        self.lease_setting = lease_setting
        self.default_lease = default_lease

    def lease(self) -> timedelta:
        seconds = current_app.config.get(self.lease_setting)
        return timedelta(seconds=int(seconds)) if seconds else self.default_lease

    def claim(self, row_id: int, now: datetime) -> str | None:
        """Take the row for sending; the claim token, or None when it is not claimable."""
        model = self.model
        token = uuid.uuid4().hex
        result = db.session.execute(
            update(model)
            .where(
                model.id == row_id,
                model.status.in_(self.open_statuses),
                or_(model.lease_until.is_(None), model.lease_until <= now),
            )
            .values(
                status="sending",
                lease_until=now + self.lease(),
                attempts=model.attempts + 1,
                claim_token=token,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return token if result.rowcount == 1 else None

    def finish(self, row_id: int, token: str, **values: object) -> bool:
        """Record the outcome, only while this send still holds the claim."""
        model = self.model
        values.setdefault("lease_until", None)
        result = db.session.execute(
            update(model)
            .where(model.id == row_id, model.claim_token == token)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return result.rowcount == 1

    def enqueue(self, ids: Iterable[int], task: Any) -> int:
        """Queue one ``task`` per row (after the commit that created the rows). A broker that is
        down is logged, never raised: those rows are marked unqueued and the next scan retries."""
        model = self.model
        queued, failed = 0, []
        for row_id in ids:
            try:
                task.delay(row_id)
            except Exception as exc:  # noqa: BLE001 — kombu OperationalError and friends
                log.warning("could not queue %s %s: %s", model.__tablename__, row_id, exc)
                failed.append(row_id)
            else:
                queued += 1
        if failed:
            db.session.execute(
                update(model)
                .where(model.id.in_(failed), model.status == "pending")
                .values(queued_at=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
        return queued

    def not_claimed(self, row_id: int, now: datetime) -> Outcome:
        """Why a claim found nothing: the row is finished, or another worker holds it."""
        row = db.session.get(self.model, row_id, populate_existing=True)
        if row is None or row.status not in self.open_statuses:
            return Outcome("done")
        wait = (row.lease_until - now).total_seconds() if row.lease_until else 0
        return Outcome("busy", later=max(1.0, wait + 1))

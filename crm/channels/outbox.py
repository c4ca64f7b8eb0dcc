"""Claim and finish a channel outbox row (the same protocol as ``crm.reminders.delivery``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, update

from crm.channels.models import OPEN_STATUSES, ChannelMessage
from crm.core.timeutil import utcnow
from crm.extensions import db

LEASE = timedelta(minutes=2)  # longer than two HTTP calls with their 15 s timeouts


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed | skipped | expired | busy | done
    later: float | None = None


def lease() -> timedelta:
    seconds = current_app.config.get("CHANNEL_LEASE_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else LEASE


def claim(message_id: int, now: datetime) -> str | None:
    token = uuid.uuid4().hex
    result = db.session.execute(
        update(ChannelMessage)
        .where(
            ChannelMessage.id == message_id,
            ChannelMessage.status.in_(OPEN_STATUSES),
            or_(ChannelMessage.lease_until.is_(None), ChannelMessage.lease_until <= now),
        )
        .values(
            status="sending",
            lease_until=now + lease(),
            attempts=ChannelMessage.attempts + 1,
            claim_token=token,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token if result.rowcount == 1 else None


def finish(message_id: int, token: str, **values: object) -> bool:
    values.setdefault("lease_until", None)
    result = db.session.execute(
        update(ChannelMessage)
        .where(ChannelMessage.id == message_id, ChannelMessage.claim_token == token)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def not_claimed(message_id: int, now: datetime) -> Outcome:
    row = db.session.get(ChannelMessage, message_id, populate_existing=True)
    if row is None or row.status not in OPEN_STATUSES:
        return Outcome("done")
    wait = (row.lease_until - now).total_seconds() if row.lease_until else 0
    return Outcome("busy", later=max(1.0, wait + 1))

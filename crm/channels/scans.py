"""Create channel outbox rows under UNIQUE (channel, destination, kind, period key).

The channel scan runs beside the e-mail scan on the same periods (``crm.reminders.periods``)
and candidates (``crm.reminders.scans``): it never touches the e-mail outbox. Rows are inserted
with INSERT … ON CONFLICT DO NOTHING, so any number of scans create each message once; then
the rows that need a send task are marked and returned (the caller commits, then queues).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crm.auth.models import User
from crm.channels.groups import gap_text, zone_due_text
from crm.channels.models import (
    OPEN_STATUSES,
    ChannelConfig,
    ChannelLink,
    ChannelMessage,
    RobotGroup,
)
from crm.channels.prefs import wants_app
from crm.extensions import db
from crm.reminders.periods import Period, as_utc, due_periods, expires_at, load_overrides, local_now
from crm.reminders.scans import daily_candidates, weekly_candidates

REQUEUE_AFTER = timedelta(minutes=15)
KEYS = ["channel", "dest", "kind", "period_key"]


def insert_rows(rows: list[dict[str, Any]]) -> list[int]:
    """Insert outbox rows, leaving existing keys alone; the ids this call created."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ChannelMessage).on_conflict_do_nothing(index_elements=KEYS)
    return [r for (r,) in db.session.execute(stmt.returning(ChannelMessage.id), rows)]


def enabled_channels() -> set[str]:
    rows = db.session.scalars(select(ChannelConfig).where(ChannelConfig.enabled.is_(True)))
    return {c.provider for c in rows if c.corp_id and c.secret}


def row(channel: str, dest: str, kind: str, key: str, moment: datetime, **extra: Any) -> dict:
    base_kind = "weekly" if kind in ("weekly", "weekly_gap") else "daily"
    at = as_utc(moment)
    values = {
        "channel": channel,
        "dest": dest,
        "kind": kind,
        "period_key": key,
        "status": "pending",
        "attempts": 0,
        "created_at": at,
        "updated_at": at,
        "expires_at": extra.pop("expires_at", None) or expires_at(base_kind, moment),
    }
    values.update(extra)
    return values


def personal_rows(period: Period, users: Iterable[User], moment: datetime) -> list[dict]:
    users = [u for u in users if u.active]
    if not users:
        return []
    channels = enabled_channels()
    links = db.session.scalars(
        select(ChannelLink).where(ChannelLink.user_id.in_([u.id for u in users]))
    )
    rows = []
    for link in links:
        if not wants_app(link, period.kind):
            continue
        for channel, userid in (("wecom", link.wecom_userid), ("dingtalk", link.dingtalk_userid)):
            if channel in channels and userid:
                rows.append(
                    row(
                        channel,
                        f"u{link.user_id}",
                        period.kind,
                        period.key,
                        moment,
                        recipient_id=link.user_id,
                        period_date=period.day,
                        address=userid,
                    )
                )
    return rows


def groups_for(event: str, zone_ids: Iterable[int | None] = ()) -> list[RobotGroup]:
    """Active groups subscribed to ``event``: the city's, and those of the given zones."""
    zones = set(zone_ids)
    found = []
    for group in db.session.scalars(select(RobotGroup).where(RobotGroup.active.is_(True))):
        if event in (group.events or []) and (group.zone_id is None or group.zone_id in zones):
            found.append(group)
    return found


def group_row(
    group: RobotGroup, kind: str, key: str, moment: datetime, text: tuple, **extra
) -> dict:
    title, body = text
    return row(
        group.provider,
        f"g{group.id}",
        kind,
        key,
        moment,
        group_id=group.id,
        title=title[:200],
        body=body,
        **extra,
    )


def group_rows(period: Period, moment: datetime) -> list[dict]:
    event = "zone_due" if period.kind == "daily" else "weekly_gap"
    groups = db.session.scalars(
        select(RobotGroup).where(RobotGroup.active.is_(True)).order_by(RobotGroup.id)
    )
    rows = []
    for group in groups:
        if event not in (group.events or []):
            continue
        if period.kind == "daily":
            text = zone_due_text(period.day, group.zone_id)
        else:
            text = gap_text(period.day.year, period.key, group.zone_id)
        if text is not None:
            rows.append(group_row(group, event, period.key, moment, text, period_date=period.day))
    return rows


def mark_for_queue(now_utc: datetime) -> list[int]:
    stmt = (
        update(ChannelMessage)
        .where(
            ChannelMessage.status.in_(OPEN_STATUSES),
            or_(ChannelMessage.lease_until.is_(None), ChannelMessage.lease_until <= now_utc),
            or_(
                ChannelMessage.queued_at.is_(None),
                ChannelMessage.queued_at <= now_utc - REQUEUE_AFTER,
                ChannelMessage.status.in_(("sending", "retry")),
            ),
        )
        .values(queued_at=now_utc)
        .returning(ChannelMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.scalars(stmt))


def expire_stale(now_utc: datetime) -> int:
    result = db.session.execute(
        update(ChannelMessage)
        .where(
            ChannelMessage.status.in_(("pending", "retry")), ChannelMessage.expires_at <= now_utc
        )
        .values(status="expired", last_error="过期未发送", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def run_period(period: Period, now: datetime | None = None) -> int:
    """Create one period's rows (the CLI); returns how many were new."""
    moment = local_now(now)
    users = daily_candidates(period.day) if period.kind == "daily" else weekly_candidates()
    created = len(insert_rows(personal_rows(period, users, moment)))
    return created + len(insert_rows(group_rows(period, moment)))


def scan(now: datetime | None = None, kinds: Iterable[str] = ("daily", "weekly")) -> dict:
    """Create what is due now on every channel and pick what to queue (the caller commits)."""
    moment = local_now(now)
    created = 0
    for period in due_periods(moment, load_overrides(moment.date())):
        if period.kind not in kinds:
            continue
        users = daily_candidates(period.day) if period.kind == "daily" else weekly_candidates()
        created += len(insert_rows(personal_rows(period, users, moment)))
        created += len(insert_rows(group_rows(period, moment)))
    expired = expire_stale(as_utc(moment))
    return {"created": created, "expired": expired, "queue": mark_for_queue(as_utc(moment))}

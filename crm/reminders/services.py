"""Reminder services for the pages and the CLI: preferences, holiday overrides, calendar feeds,
sending a digest now, retrying a failed row, and the outbox overview."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from crm.auth.models import User, hash_secret
from crm.core.audit import record_audit
from crm.core.models import Heartbeat
from crm.core.timeutil import local_today, utcnow
from crm.core.workdays import calendar_covers
from crm.extensions import db
from crm.reminders import ics
from crm.reminders.items import absolute, follow_ups, path_for
from crm.reminders.models import CalendarFeed, HolidayOverride, ReminderLog
from crm.reminders.periods import Period, expires_at, local_now, overdue_floor
from crm.reminders.recipients import KIND_LABELS, preferences, recipient_problem
from crm.reminders.scans import HEARTBEAT, create_rows

FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 3 * 366


STATUS_LABELS = {
    "pending": _l("待发送"),
    "sending": _l("发送中"),
    "retry": _l("等待重试"),
    "sent": _l("已发送"),
    "failed": _l("失败"),
    "skipped": _l("已跳过"),
    "expired": _l("已过期"),
}


def period_counts(kind: str, key: str) -> dict[str, int]:
    """How many outbox rows of one period are in each status (what really happened)."""
    rows = db.session.execute(
        select(ReminderLog.status, func.count())
        .where(ReminderLog.kind == kind, ReminderLog.period_key == key)
        .group_by(ReminderLog.status)
    )
    found = dict(rows.all())
    return {status: found[status] for status in STATUS_LABELS if status in found}


class ReminderError(ValueError):
    """A reminder request that breaks a rule; the message is for the user."""


# --- preferences -------------------------------------------------------------------------


def set_preferences(user: User, values: dict[str, bool], actor: Any) -> dict[str, bool]:
    """Opt in or out per kind, audited."""
    old = preferences(user)
    new = {kind: bool(values.get(kind, old[kind])) for kind in KIND_LABELS}
    if new != old:
        user.notify = {**(user.notify if isinstance(user.notify, dict) else {}), **new}
        record_audit("update", "user", user.id, {"notify": [old, new]}, actor=actor)
    return new


# --- holiday overrides -------------------------------------------------------------------


def add_override(day: date, is_workday: bool, note: str, actor: Any) -> HolidayOverride:
    """Mark a day as a working day or a day off (replacing an earlier override of that day)."""
    if not date(2000, 1, 1) <= day <= local_today() + timedelta(days=5 * 366):
        raise ReminderError(_l("日期不在合理范围内"))
    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    old = None if row is None else row.is_workday
    if row is None:
        row = HolidayOverride(day=day, is_workday=is_workday, created_by_id=actor.id)
        db.session.add(row)
    row.is_workday, row.note = is_workday, (note or "").strip()[:100]
    db.session.flush()
    record_audit(
        "update", "holiday", day.isoformat(), {"is_workday": [old, is_workday]}, actor=actor
    )
    return row


def remove_override(row: HolidayOverride, actor: Any) -> None:
    record_audit(
        "delete",
        "holiday",
        row.day.isoformat(),
        {"is_workday": [row.is_workday, None]},
        actor=actor,
    )
    db.session.delete(row)


def calendar_years(around: int) -> list[tuple[int, bool]]:
    """Whether the official calendar covers each year near ``around``."""
    return [(year, calendar_covers(year)) for year in range(around - 1, around + 3)]


# --- calendar feed -----------------------------------------------------------------------


def create_feed(user: User) -> str:
    """A new secret feed token for the user (an older one stops working); returned once."""
    token = secrets.token_urlsafe(32)
    row = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if row is None:
        row = CalendarFeed(user_id=user.id, token_hash=hash_secret(token))
        db.session.add(row)
    else:
        row.token_hash, row.created_at, row.last_used_at = hash_secret(token), utcnow(), None
    record_audit("create", "calendar_feed", user.id, actor=user)
    return token


def revoke_feed(user: User) -> bool:
    row = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if row is None:
        return False
    db.session.delete(row)
    record_audit("delete", "calendar_feed", user.id, actor=user)
    return True


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_url(token: str) -> str:
    return absolute(path_for("reminders.feed", f"/reminders/feed/{token}.ics", token=token))


def feed_user(token: str) -> User | None:
    """The active user of a feed token, or None (unknown, revoked or disabled)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(token))
    )
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def feed_text(user: User, now: datetime | None = None) -> str:
    """The user's follow-up dates as an iCalendar document (through their access scope)."""
    moment = local_now(now)
    today = moment.date()
    start = max(overdue_floor(today), today - timedelta(days=FEED_PAST_DAYS))
    items = follow_ups(user, start, today + timedelta(days=FEED_FUTURE_DAYS), today)
    events = [
        ics.Event(
            uid=item.uid,
            day=item.due,
            summary=f"跟进：{item.name}（{item.zone}）",
            description="\n".join(
                x for x in (item.subject_label, item.next_step, absolute(item.path)) if x
            ),
            url=absolute(item.path),
        )
        for item in items
    ]
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return ics.calendar(events, f"跟进日程 · {user.display_name}", domain, moment)


# --- sending now, retrying ---------------------------------------------------------------


def send_now(user: User, kind: str, actor: Any, now: datetime | None = None) -> ReminderLog:
    """An outbox row for a digest sent on request (its own period key, so it never collides
    with the scheduled one); the caller commits and queues it."""
    if kind not in KIND_LABELS:
        raise ReminderError(_l("未知的提醒类型"))
    problem = recipient_problem(user, kind)
    if problem:
        raise ReminderError(problem)
    moment = local_now(now)
    period = Period(kind, f"now-{moment:%Y%m%dT%H%M%S}", moment.date())
    counts = create_rows(period, [user], requested_by=actor, now=now)
    row = db.session.scalar(
        select(ReminderLog).where(
            ReminderLog.recipient_id == user.id,
            ReminderLog.kind == kind,
            ReminderLog.period_key == period.key,
        )
    )
    if counts["created"]:
        record_audit("send", "reminder", row.id, {"kind": kind, "to": user.login}, actor=actor)
    return row


def retry_row(row: ReminderLog, actor: Any) -> None:
    """Put a failed or expired row back in the queue (an admin's decision)."""
    if row.status not in ("failed", "expired", "skipped"):
        raise ReminderError(_l("只有失败、过期或跳过的邮件可以重新发送"))
    db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.id == row.id)
        .values(
            status="pending",
            attempts=0,
            lease_until=None,
            queued_at=None,
            claim_token=None,
            expires_at=expires_at(row.kind, utcnow()),
        )
        .execution_options(synchronize_session=False)
    )
    record_audit("retry", "reminder", row.id, actor=actor)


# --- overview ----------------------------------------------------------------------------


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(ReminderLog.status, func.count()).group_by(ReminderLog.status))
    return dict(rows.all())


def heartbeats() -> dict[str, datetime | None]:
    found = {
        row.name: row.at
        for row in db.session.scalars(
            select(Heartbeat).where(Heartbeat.name.in_(("beat", HEARTBEAT)))
        )
    }
    return {"beat": found.get("beat"), "scan": found.get(HEARTBEAT)}


def outbox_files(limit: int = 50) -> list[dict[str, Any]]:
    """The newest .eml files in the outbox folder."""
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    if not folder.is_dir():
        return []
    files = sorted(
        (p for p in folder.glob("*.eml") if p.is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    return [
        {"name": p.name, "size": p.stat().st_size, "modified": p.stat().st_mtime}
        for p in files[:limit]
    ]

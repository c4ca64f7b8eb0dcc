"""Scans: one outbox row per recipient and period due now, and what to queue.

The database is the source of truth. A scan (the 08:30 and 08:00 beat ticks, the 10-minute
catch-up, the CLI) inserts rows under UNIQUE (recipient, kind, period key) with INSERT … ON
CONFLICT DO NOTHING, so any number of scans at any time create each row once. It then marks
the rows that need a send task (new ones, and ones whose task went missing) and returns their
ids; the caller commits and only then queues one task per id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from crm.auth.models import User
from crm.core.models import Heartbeat
from crm.extensions import db
from crm.projects.models import Project
from crm.reminders.composing import DAILY_SECTIONS
from crm.reminders.models import OPEN_STATUSES, ReminderLog
from crm.reminders.periods import (
    Period,
    as_utc,
    due_periods,
    expires_at,
    load_overrides,
    local_now,
    overdue_floor,
)
from crm.reminders.recipients import WEEKLY_ROLES, recipient_problem, wants
from crm.targets.models import OPEN_STATUSES as OPEN_TARGET_STATUSES
from crm.targets.models import Target

log = logging.getLogger("crm.reminders")

# Other areas' reminders by outbox kind (crm/areas.py registers them): a function (local now,
# holiday overrides) giving the periods due now and their recipients. A scan asked for that
# kind creates their rows in the same outbox, once per (recipient, kind, period key).
EXTRA_SCANS: dict[str, Callable[[datetime, dict[date, bool]], list[tuple[Period, list[User]]]]] = {}
REQUEUE_AFTER = timedelta(minutes=15)  # a queued row still pending this long lost its task
HEARTBEAT = "reminder_scan"


@dataclass
class ScanResult:
    periods: list[Period] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    expired: int = 0
    queue: list[int] = field(default_factory=list)


def daily_candidates(day: date) -> list[User]:
    """Owners of open targets and projects with a follow-up due on or before ``day``, and
    the users the areas' daily sections have items for."""
    floor = overdue_floor(day)
    targets = select(Target.owner_id).where(
        Target.deleted_at.is_(None),
        Target.status.in_(OPEN_TARGET_STATUSES),
        Target.next_follow_up.between(floor, day),
    )
    projects = select(Project.owner_id).where(
        Project.deleted_at.is_(None),
        Project.stage != "terminated",
        Project.next_follow_up.between(floor, day),
    )
    # a daily section's ``recipients(day)``: a SELECT of the ids of users it has items for
    others = [f.recipients(day) for f in DAILY_SECTIONS.values() if hasattr(f, "recipients")]
    owners = union(targets, projects, *others).subquery()
    return list(db.session.scalars(select(User).where(User.id.in_(select(owners.c[0])))))


def weekly_candidates() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(WEEKLY_ROLES)).order_by(User.id)
        )
    )


def log_bad_dates(day: date) -> None:
    """Log follow-up dates far outside any sensible range (never stops the run)."""
    floor = overdue_floor(day)
    for model in (Target, Project):
        rows = db.session.execute(
            select(model.id, model.next_follow_up)
            .where(model.deleted_at.is_(None), model.next_follow_up < floor)
            .limit(50)
        )
        for row_id, due in rows:
            log.warning(
                "skipped %s %s: follow-up date %s is before %s", model.__name__, row_id, due, floor
            )


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Insert outbox rows; an existing (recipient, kind, period) is left alone. Returns the
    (recipient_id, status) of the rows this call created."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    keys = ["recipient_id", "kind", "period_key"]
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = (
            insert(ReminderLog)
            .on_conflict_do_nothing(index_elements=keys)
            .returning(ReminderLog.recipient_id, ReminderLog.status)
        )
        return [(r, s) for r, s in db.session.execute(stmt, rows)]
    created = []
    for row in rows:  # any other database: one savepoint per row
        try:
            with db.session.begin_nested():
                db.session.add(ReminderLog(**row))
        except IntegrityError:
            continue
        created.append((row["recipient_id"], row["status"]))
    return created


def create_rows(
    period: Period,
    users: Iterable[User],
    requested_by: Any = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """One outbox row per wanted recipient (bad recipients get a 'skipped' row with the reason);
    returns counts of rows created and skipped."""
    moment = as_utc(local_now(now))
    expiry = expires_at(period.kind, moment)
    rows, reasons = [], {}
    for user in users:
        if user.active and requested_by is None and not wants(user, period.kind):
            continue
        problem = recipient_problem(user)
        if problem:
            reasons[user.id] = problem
        rows.append(
            {
                "recipient_id": user.id,
                "kind": period.kind,
                "period_key": period.key,
                "period_date": period.day,
                "status": "skipped" if problem else "pending",
                "last_error": problem,
                "address": (user.email or "")[:254] or None,
                "requested_by_id": getattr(requested_by, "id", None),
                "created_at": moment,
                "updated_at": moment,
                "expires_at": expiry,
            }
        )
    created = _insert_ignoring_duplicates(rows)
    for recipient_id, status in created:
        if status == "skipped":
            log.warning(
                "skipped %s %s for user %s: %s",
                period.kind,
                period.key,
                recipient_id,
                reasons[recipient_id],
            )
    return {
        "created": len(created),
        "skipped": sum(1 for _r, status in created if status == "skipped"),
    }


def expire_stale(now_utc: datetime) -> int:
    """Unsent rows past their expiry are not sent any more (recorded as expired)."""
    result = db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.status.in_(("pending", "retry")), ReminderLog.expires_at <= now_utc)
        .values(status="expired", last_error="过期未发送", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def mark_for_queue(now_utc: datetime) -> list[int]:
    """Rows that need a send task: never queued, queued long ago and still unsent, or a lease
    that ran out (a worker died mid-send). Marks them queued and returns their ids."""
    stmt = (
        update(ReminderLog)
        .where(
            ReminderLog.status.in_(OPEN_STATUSES),
            or_(ReminderLog.lease_until.is_(None), ReminderLog.lease_until <= now_utc),
            or_(
                ReminderLog.queued_at.is_(None),
                ReminderLog.queued_at <= now_utc - REQUEUE_AFTER,
                ReminderLog.status == "sending",
            ),
        )
        .values(queued_at=now_utc)
        .returning(ReminderLog.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.scalars(stmt))


def touch_heartbeat(now_utc: datetime) -> None:
    """Record the scan time (an upsert: two scans at once must not collide)."""
    dialect = db.session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(Heartbeat).values(name=HEARTBEAT, at=now_utc)
        stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"at": now_utc})
        db.session.execute(stmt)
        return
    row = db.session.get(Heartbeat, HEARTBEAT)
    if row is None:
        db.session.add(Heartbeat(name=HEARTBEAT, at=now_utc))
    else:
        row.at = now_utc


def scan(
    now: datetime | None = None, kinds: Iterable[str] = ("daily", "weekly"), tick: bool = False
) -> ScanResult:
    """Create the rows due now and pick what to queue; the caller commits, then queues.
    ``tick``: the scheduled run of the day, which also logs follow-up dates out of range."""
    moment = local_now(now)
    today = moment.date()
    result = ScanResult()
    overrides = load_overrides(today)
    for period in due_periods(moment, overrides):
        if period.kind not in kinds:
            continue
        if period.kind == "daily" and tick:
            log_bad_dates(period.day)
        users = daily_candidates(period.day) if period.kind == "daily" else weekly_candidates()
        counts = create_rows(period, users, now=moment)
        result.periods.append(period)
        result.created[period.kind] = counts["created"]
        result.skipped[period.kind] = counts["skipped"]
    for kind in (k for k in EXTRA_SCANS if k in kinds):
        for period, users in EXTRA_SCANS[kind](moment, overrides):
            counts = create_rows(period, users, now=moment)
            result.periods.append(period)
            result.created[kind] = result.created.get(kind, 0) + counts["created"]
            result.skipped[kind] = result.skipped.get(kind, 0) + counts["skipped"]
    result.expired = expire_stale(as_utc(moment))
    result.queue = mark_for_queue(as_utc(moment))
    touch_heartbeat(as_utc(moment))
    return result


def run_period(
    period: Period, dry_run: bool = False, now: datetime | None = None
) -> tuple[list[User], dict[str, int]]:
    """The recipients of one period (CLI); unless ``dry_run``, their rows are created."""
    users = daily_candidates(period.day) if period.kind == "daily" else weekly_candidates()
    wanted = [u for u in users if u.active and wants(u, period.kind)]
    if dry_run:
        return wanted, {"created": 0, "skipped": 0}
    if period.kind == "daily":
        log_bad_dates(period.day)
    return wanted, create_rows(period, users, now=now)

"""`flask reminders send-daily|send-weekly [--date YYYY-MM-DD] [--dry-run]`.

The same rules as the scheduler: working days from the calendar and the admin overrides, one
outbox row per recipient and period (so a rerun queues nothing new), sends queued after the
commit. Prints what was queued.
"""

from __future__ import annotations

from datetime import date

import click
from flask_babel import gettext as _
from sqlalchemy import select

from crm.core.timeutil import local_today, utcnow
from crm.extensions import db
from crm.reminders.models import ReminderLog
from crm.reminders.periods import Period, load_overrides, period_for, period_key_of
from crm.reminders.scans import mark_for_queue, run_period
from crm.reminders.services import STATUS_LABELS, period_counts
from crm.reminders.tasks import enqueue


@click.group()
def reminders() -> None:
    """Daily follow-up reminders and weekly digests."""


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def _not_due(kind: str, day: date, reason: str) -> None:
    """Why nothing is queued, and what the outbox really holds for that period."""
    click.echo(reason)
    key = period_key_of(kind, day, load_overrides(day))
    if key is None:
        return
    counts = period_counts(kind, key)
    if not counts:
        click.echo(_("发件箱中没有 %(key)s 的邮件：这一期没有发送过", key=key))
        return
    parts = "、".join(f"{STATUS_LABELS.get(status, status)} {n}" for status, n in counts.items())
    click.echo(_("发件箱中 %(key)s 的邮件：%(parts)s", key=key, parts=parts))


def _run(kind: str, day: date, dry_run: bool) -> None:
    found = period_for(kind, day, load_overrides(day))
    if not isinstance(found, Period):
        _not_due(kind, day, found)
        return
    period: Period = found
    users, counts = run_period(period, dry_run=dry_run)
    if dry_run:
        click.echo(f"dry run: {kind} {period.key} for {len(users)} recipient(s); nothing queued")
        for user in users:
            click.echo(f"  would queue {user.login} <{user.email or '-'}>")
        return
    ids = mark_for_queue(utcnow())
    rows = {
        row.id: row
        for row in db.session.scalars(select(ReminderLog).where(ReminderLog.id.in_(ids)))
    }
    skipped = db.session.scalars(
        select(ReminderLog).where(
            ReminderLog.kind == kind,
            ReminderLog.period_key == period.key,
            ReminderLog.status == "skipped",
        )
    ).all()
    db.session.commit()
    queued = enqueue(ids)
    click.echo(
        f"{kind} {period.key}: {counts['created']} new outbox row(s), "
        f"{counts['skipped']} skipped, {queued} of {len(ids)} send task(s) queued"
    )
    if queued < len(ids):
        click.echo(
            f"  {len(ids) - queued} could not be queued (broker unreachable); "
            "they stay in the outbox and the next scan queues them"
        )
    for log_id in ids:
        row = rows.get(log_id)
        if row is not None:
            earlier = "" if row.period_key == period.key else f" (from {row.kind} {row.period_key})"
            click.echo(f"  queued #{row.id} {row.recipient.login} <{row.address or '-'}>{earlier}")
    for row in skipped:
        if row.id not in ids:
            click.echo(f"  skipped #{row.id} {row.recipient.login}: {row.last_error}")
    if not ids and not counts["created"]:
        click.echo("  nothing queued: no new outbox row (nobody due, or every recipient has one)")


@reminders.command("send-daily")
@click.option("--date", "day", callback=_parse_date, help="The day (default: today, Shanghai).")
@click.option("--dry-run", is_flag=True, help="List the recipients; create and queue nothing.")
def send_daily(day: date, dry_run: bool) -> None:
    """Queue the daily follow-up reminders of a working day."""
    _run("daily", day, dry_run)


@reminders.command("send-weekly")
@click.option("--date", "day", callback=_parse_date, help="The day (default: today, Shanghai).")
@click.option("--dry-run", is_flag=True, help="List the recipients; create and queue nothing.")
def send_weekly(day: date, dry_run: bool) -> None:
    """Queue the weekly digests (on the week's first working day, or up to two days later)."""
    _run("weekly", day, dry_run)

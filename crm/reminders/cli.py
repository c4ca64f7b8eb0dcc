"""`flask reminders send-daily|send-weekly [--date YYYY-MM-DD] [--dry-run]`.

The same rules as the scheduler: working days from the calendar and the admin overrides, one
outbox row per recipient and period (so a rerun queues nothing new), sends queued after the
commit. Prints what was queued.
"""

from __future__ import annotations

from datetime import date

import click
from sqlalchemy import select

from crm.core.timeutil import local_today, utcnow
from crm.extensions import db
from crm.reminders.models import ReminderLog
from crm.reminders.periods import Period, load_overrides, period_for
from crm.reminders.scans import mark_for_queue, run_period
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


def _run(kind: str, day: date, dry_run: bool) -> None:
    found = period_for(kind, day, load_overrides(day))
    if not isinstance(found, Period):
        click.echo(found)
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
        for row in db.session.scalars(
            select(ReminderLog).where(
                ReminderLog.kind == kind, ReminderLog.period_key == period.key
            )
        )
    }
    db.session.commit()
    queued = enqueue(ids)
    click.echo(
        f"{kind} {period.key}: {counts['created']} new outbox row(s), "
        f"{counts['skipped']} skipped, {queued} send task(s) queued"
    )
    for log_id in ids:
        row = rows.get(log_id)
        if row is not None:
            click.echo(f"  queued #{row.id} {row.recipient.login} <{row.address or '-'}>")
    for row in rows.values():
        if row.status == "skipped" and row.id not in ids:
            click.echo(f"  skipped #{row.id} {row.recipient.login}: {row.last_error}")


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

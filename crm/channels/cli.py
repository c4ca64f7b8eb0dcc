"""`flask channels send-daily|send-weekly [--date YYYY-MM-DD]` and `flask channels scan`.

The same rows the scheduler creates (one per channel, destination, kind and period), so a
rerun queues nothing new; prints what was created and queued.
"""

from __future__ import annotations

from datetime import date

import click

from crm.channels.scans import mark_for_queue, run_period
from crm.channels.tasks import enqueue, run_scan
from crm.core.timeutil import local_today, utcnow
from crm.extensions import db
from crm.reminders.periods import Period, load_overrides, period_for


@click.group()
def channels() -> None:
    """Messages in 企业微信 / 政务微信 and 钉钉."""


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def _run(kind: str, day: date) -> None:
    found = period_for(kind, day, load_overrides(day))
    if not isinstance(found, Period):
        click.echo(found)
        return
    created = run_period(found)
    ids = mark_for_queue(utcnow())
    db.session.commit()
    queued = enqueue(ids)
    click.echo(
        f"{kind} {found.key}: {created} new channel message(s), {queued} send task(s) queued"
    )


@channels.command("send-daily")
@click.option("--date", "day", callback=_day, help="YYYY-MM-DD (default today)")
def send_daily(day: date) -> None:
    """Queue the channel messages of a working day's follow-ups."""
    _run("daily", day)


@channels.command("send-weekly")
@click.option("--date", "day", callback=_day, help="YYYY-MM-DD (default today)")
def send_weekly(day: date) -> None:
    """Queue the weekly channel messages."""
    _run("weekly", day)


@channels.command("scan")
def scan_now() -> None:
    """Create what is due now and queue what is waiting (what the scheduler runs)."""
    click.echo(run_scan())

"""The 报送 reminder through the reminder outbox: from a few working days before the due date,
one e-mail to each manager of a zone whose last month's report is not in (未报 or 退回), and
one more the day after the due date if it is still missing. Registered (on import, from
crm/areas.py) as an extra scan, an outbox kind and a digest variant of crm.reminders; the beat
runs ``reporting.remind`` every ten minutes (worker/schedule.py), and the outbox's UNIQUE
(recipient, kind, period key) keeps each reminder to one e-mail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from celery import shared_task
from flask_babel import gettext as _
from sqlalchemy import select

from crm.auth.models import User
from crm.core.settings import get_setting
from crm.extensions import db
from crm.reminders import recipients, rendering, scans
from crm.reminders.items import path_for
from crm.reminders.periods import DAILY_AT, Period
from crm.reminders.tasks import run_scan
from crm.reporting.services import (
    STATUS_LABELS,
    due_date,
    latest_submissions,
    period_label,
    previous_period,
    remind_from,
    status_of,
)
from crm.zones.models import Zone

KIND = "report"
VARIANT = "report_due"
LATE_DAYS = 10  # the overdue reminder is not created more than this many days after the due date
WAITING = ("not_submitted", "returned", "overdue")


def reminder_periods(today: date) -> list[tuple[Period, str]]:
    """The outbox periods due today: (period, report month) — the early reminder from
    ``remind_from`` to the due date, the overdue one in the days after it."""
    month = previous_period(today)
    due = due_date(month)
    if remind_from(month) <= today <= due:
        return [(Period(KIND, month, today), month)]
    if due < today and (today - due).days <= LATE_DAYS:
        return [(Period(KIND, f"{month}-late", today), month)]
    return []


def waiting_managers(month: str, today: date) -> list[User]:
    """Active managers of active zones whose report for the month is not in."""
    zones = list(db.session.scalars(select(Zone).where(Zone.active.is_(True))))
    latest = latest_submissions([z.id for z in zones], month)
    due = due_date(month)
    waiting = [z.id for z in zones if status_of(latest.get(z.id), due, today) in WAITING]
    if not waiting:
        return []
    stmt = select(User).where(
        User.active.is_(True), User.role == "manager", User.zone_id.in_(waiting)
    )
    return list(db.session.scalars(stmt.order_by(User.id)))


def scan_reports(moment: datetime, _overrides: dict[date, bool]) -> list[tuple[Period, list]]:
    """The extra scan: after 08:30 on a working day, the reminders due and their recipients."""
    if moment.time() < DAILY_AT:
        return []
    today = moment.date()
    return [(p, waiting_managers(month, today)) for p, month in reminder_periods(today)]


def report_digest(user: User, week: Any, shared: bool = False) -> dict[str, Any] | None:
    """The reminder's contents when it is sent (None — nothing to send — once it is in)."""
    today = week.day
    zone = user.zone
    if zone is None or user.role != "manager":
        return None
    month = previous_period(today)
    due = due_date(month)
    status = status_of(latest_submissions([zone.id], month).get(zone.id), due, today)
    if status not in WAITING:
        return None
    label = period_label(month)
    late = today > due
    subject = (
        _("%(month)s月报已逾期，请尽快报送", month=label)
        if late
        else _("请于 %(day)s 前报送%(month)s月报", day=due.isoformat(), month=label)
    )
    path = path_for(
        "reporting.month", f"/reporting/zones/{zone.id}/{month}", zone_id=zone.id, period=month
    )
    return {
        "subject_line": subject,
        "zone": zone,
        "month_label": label,
        "due": due,
        "late": late,
        "status_label": str(STATUS_LABELS[status]),
        "path": path,
        "due_workday": get_setting("reporting.due_workday"),
    }


@shared_task(name="reporting.remind", ignore_result=True)
def remind_task() -> dict:
    """The beat's look (every 10 minutes): create the reminders due and queue them."""
    return run_scan((KIND,))


scans.EXTRA_SCANS[KIND] = scan_reports
recipients.KIND_VARIANTS[KIND] = VARIANT
rendering.BUILDERS[VARIANT] = report_digest

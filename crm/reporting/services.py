"""报送 and review: a zone manager submits the month's report (a frozen snapshot), the city
returns it with a comment or accepts it (which locks the month); each resubmission is a new
row, so the whole history stays. The status of a zone's month is one of 未报 / 已报 / 退回 /
逾期 / 已接收, and the due date is the N-th working day of the following month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from crm.core.access import scope_rule, scoped_select, zone_clause
from crm.core.audit import record_audit
from crm.core.period_lock import lock_period, period_of
from crm.core.timeutil import local_today, utcnow
from crm.dashboard.reports import monthly_report
from crm.extensions import db
from crm.reporting.documents import monthly_document
from crm.reporting.models import ReportSubmission
from crm.reporting.periods import (  # noqa: F401 — part of this module's interface
    due_date,
    parse_period,
    period_label,
    period_of_today,
    previous_period,
    remind_from,
)
from crm.zones.models import Zone

TEXT_LIMIT = 5000
COMMENT_LIMIT = 1000
REVIEWERS = ("coordinator", "admin")
STATUS_LABELS = {
    "not_submitted": _l("未报"),
    "submitted": _l("已报"),
    "returned": _l("退回"),
    "overdue": _l("逾期"),
    "accepted": _l("已接收"),
}
STATUS_CSS = {
    "not_submitted": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "overdue": "text-bg-danger",
    "accepted": "text-bg-success",
}


class ReportingError(ValueError):
    """A submission or review that the rules refuse (the message says why)."""


@scope_rule(ReportSubmission)
def _submission_scope(user: Any):
    return zone_clause(ReportSubmission.zone_id, user)


# --- status ---------------------------------------------------------------------------------


@dataclass
class ZoneStatus:
    zone: Zone
    period: str
    status: str
    latest: ReportSubmission | None
    due: date

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def css(self) -> str:
        return STATUS_CSS[self.status]


def latest_submissions(zone_ids: list[int], period: str) -> dict[int, ReportSubmission]:
    """The latest submission of each zone for the month (one query)."""
    newest = (
        select(ReportSubmission.zone_id, func.max(ReportSubmission.attempt).label("attempt"))
        .where(ReportSubmission.period == period, ReportSubmission.zone_id.in_(zone_ids))
        .group_by(ReportSubmission.zone_id)
        .subquery()
    )
    stmt = select(ReportSubmission).join(
        newest,
        (ReportSubmission.zone_id == newest.c.zone_id)
        & (ReportSubmission.attempt == newest.c.attempt)
        & (ReportSubmission.period == period),
    )
    return {row.zone_id: row for row in db.session.scalars(stmt)}


def status_of(latest: ReportSubmission | None, due: date, today: date) -> str:
    if latest is not None:
        return latest.status
    return "overdue" if today > due else "not_submitted"


def month_statuses(zones: list[Zone], period: str, today: date | None = None) -> list[ZoneStatus]:
    """Each zone's status for the month (two or three queries whatever the number of zones)."""
    today = today or local_today()
    due = due_date(period)
    latest = latest_submissions([z.id for z in zones], period)
    return [
        ZoneStatus(z, period, status_of(latest.get(z.id), due, today), latest.get(z.id), due)
        for z in zones
    ]


def history(zone: Zone, period: str, user: Any) -> list[ReportSubmission]:
    """Every submission of the zone's month the user may see, first first."""
    stmt = scoped_select(ReportSubmission, user).where(
        ReportSubmission.zone_id == zone.id, ReportSubmission.period == period
    )
    return list(db.session.scalars(stmt.order_by(ReportSubmission.attempt)))


def submission_or_none(submission_id: int, user: Any) -> ReportSubmission | None:
    stmt = scoped_select(ReportSubmission, user).where(ReportSubmission.id == submission_id)
    return db.session.scalars(stmt).first()


# --- who may do what ------------------------------------------------------------------------


def may_submit(user: Any, zone: Zone) -> bool:
    """Only the zone's own managers submit its report."""
    return user.role == "manager" and user.zone_id == zone.id


def may_review(user: Any) -> bool:
    return user.role in REVIEWERS


# --- the state machine ----------------------------------------------------------------------


def _clean(text: Any, limit: int, what: Any) -> str:
    value = str(text or "").strip()
    if len(value) > limit:
        raise ReportingError(_l("%(what)s不能超过 %(n)s 个字", what=what, n=limit))
    return value


def submit(zone: Zone, period: str, text: Any, user: Any, today: date | None = None) -> Any:
    """Submit (or, after a return, resubmit) the zone's report for the month: the month's
    figures and the text are frozen in the new row's snapshot."""
    if not may_submit(user, zone):
        raise ReportingError(_l("只有本开发区负责人可以报送月报"))
    today = today or local_today()
    if period > period_of(today.year, today.month):
        raise ReportingError(_l("不能报送尚未开始的月份"))
    body = _clean(text, TEXT_LIMIT, _l("工作开展情况"))
    if not body:
        raise ReportingError(_l("请填写本月工作开展情况"))
    latest = latest_submissions([zone.id], period).get(zone.id)
    if latest is not None and latest.status == "accepted":
        raise ReportingError(_l("该月月报已被接收，不能再次报送"))
    if latest is not None and latest.status == "submitted":
        raise ReportingError(_l("该月月报已报送，正在等待审核"))
    report = monthly_report([zone], int(period[:4]), int(period[5:]), user, city=False)
    row = ReportSubmission(
        zone_id=zone.id,
        period=period,
        attempt=(latest.attempt + 1) if latest else 1,
        status="submitted",
        text=body,
        snapshot=monthly_document(report, zone, today, body),
        submitted_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise ReportingError(_l("该月月报刚刚已被报送，请刷新页面")) from None
    record_audit(
        "submit",
        "report_submission",
        row.id,
        {"status": [latest.status if latest else None, "submitted"], "attempt": row.attempt},
        actor=user,
        note=f"{zone.short_name} {period}",
    )
    return row


def _review(row: ReportSubmission, user: Any, status: str, comment: str | None) -> None:
    if not may_review(user):
        raise ReportingError(_l("只有市级统筹或管理员可以审核月报"))
    done = db.session.execute(
        update(ReportSubmission)
        .where(ReportSubmission.id == row.id, ReportSubmission.status == "submitted")
        .values(status=status, reviewed_by_id=user.id, reviewed_at=utcnow(), comment=comment)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise ReportingError(_l("该报送已审核过（或已被重新报送），请刷新页面"))
    db.session.refresh(row)
    changes: dict[str, Any] = {"status": ["submitted", status]}
    if comment:
        changes["comment"] = [None, comment]
    note = f"{row.period} #{row.attempt}"
    record_audit(status, "report_submission", row.id, changes, actor=user, note=note)


def return_report(row: ReportSubmission, comment: Any, user: Any) -> ReportSubmission:
    """Send a submitted report back to the zone with the reason (required)."""
    text = _clean(comment, COMMENT_LIMIT, _l("退回意见"))
    if not text:
        raise ReportingError(_l("退回时请填写退回意见"))
    _review(row, user, "returned", text)
    return row


def accept(row: ReportSubmission, user: Any) -> ReportSubmission:
    """Accept a submitted report: the zone's month is locked from now on."""
    _review(row, user, "accepted", None)
    lock_period(row.zone_id, row.period, user.id)
    return row

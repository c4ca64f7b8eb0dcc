"""Pages of 报送 and review, and the reports as Word downloads (thin: rules in services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import SIGNED_IN, allow
from crm.core.downloads import ascii_name, download
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.dashboard.report_views import report_zones
from crm.dashboard.reports import monthly_report, weekly_report
from crm.dashboard.services import zone_or_404
from crm.extensions import db
from crm.reporting import services as s
from crm.reporting.documents import monthly_document, weekly_document
from crm.reporting.forms import AcceptForm, ReturnForm, SubmitForm
from crm.reporting.word import build_docx
from crm.zones.services import visible_zones

bp = Blueprint("reporting", __name__, url_prefix="/reporting")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _period_or_404(raw: str) -> str:
    period = s.parse_period(raw)
    if period is None:
        abort(404)
    return period


def _docx(document: dict[str, Any], stem: str) -> Any:
    fallback = ascii_name(stem, document.get("period", "").replace("/", "_"), ext="docx")
    return download(build_docx(document), f"{document['title']}.docx", fallback, DOCX)


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The month's status of every zone the user may see (default: last month)."""
    raw = request.args.get("month", "").strip()
    period = s.parse_period(raw) if raw else s.previous_period()
    error = None
    if period is None:
        period, error = s.previous_period(), _("月份应写作 2026-03，已显示上月")
    zones = visible_zones()
    if current_user.role not in CITY_ROLES:
        zones = [z for z in zones if z.id == current_user.zone_id]
    return render_template(
        "reporting/index.html",
        period=period,
        label=s.period_label(period),
        rows=s.month_statuses(zones, period),
        due=s.due_date(period),
        error=error,
    )


def _render_month(zone: Any, period: str, submit_form: Any = None, return_form: Any = None):
    rows = s.history(zone, period, current_user)
    (status,) = s.month_statuses([zone], period)
    latest = rows[-1] if rows else None
    may_submit = s.may_submit(current_user, zone) and status.status in (
        "not_submitted",
        "overdue",
        "returned",
    )
    if submit_form is None:
        submit_form = SubmitForm(text=latest.text if latest else "")
    return render_template(
        "reporting/month.html",
        zone=zone,
        period=period,
        label=s.period_label(period),
        status=status,
        submissions=list(reversed(rows)),
        may_submit=may_submit,
        may_review=s.may_review(current_user) and status.status == "submitted",
        submit_form=submit_form,
        return_form=return_form or ReturnForm(),
        accept_form=AcceptForm(),
    )


@bp.get("/zones/<id:zone_id>/<period>")
@allow(*SIGNED_IN)
def month(zone_id: int, period: str):
    """One zone's month: its status, the submissions with the city's comments, the actions."""
    return _render_month(zone_or_404(zone_id), _period_or_404(period))


@bp.post("/zones/<id:zone_id>/<period>/submit")
@allow("manager")
def submit(zone_id: int, period: str):
    zone, period = zone_or_404(zone_id), _period_or_404(period)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_month(zone, period, submit_form=form), 400
    try:
        s.submit(zone, period, form.text.data, current_user)
    except s.ReportingError as exc:
        db.session.rollback()
        form.text.errors = [str(exc)]
        return _render_month(zone, period, submit_form=form), 400
    db.session.commit()
    flash(_("月报已报送，等待市级审核"), "success")
    return redirect(url_for("reporting.month", zone_id=zone.id, period=period))


def _submission_or_404(submission_id: int) -> Any:
    row = s.submission_or_none(submission_id, current_user)
    if row is None:
        abort(404)
    return row


@bp.post("/submissions/<id:submission_id>/return")
@allow(*s.REVIEWERS)
def return_report(submission_id: int):
    row = _submission_or_404(submission_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_month(row.zone, row.period, return_form=form), 400
    try:
        s.return_report(row, form.comment.data, current_user)
    except s.ReportingError as exc:
        db.session.rollback()
        form.comment.errors = [str(exc)]
        return _render_month(row.zone, row.period, return_form=form), 400
    db.session.commit()
    flash(_("已退回，开发区修改后可重新报送"), "success")
    return redirect(url_for("reporting.month", zone_id=row.zone_id, period=row.period))


@bp.post("/submissions/<id:submission_id>/accept")
@allow(*s.REVIEWERS)
def accept(submission_id: int):
    row = _submission_or_404(submission_id)
    if not AcceptForm().validate_on_submit():
        abort(400)
    try:
        s.accept(row, current_user)
    except s.ReportingError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("已接收，该月数据已锁定"), "success")
    return redirect(url_for("reporting.month", zone_id=row.zone_id, period=row.period))


@bp.get("/submissions/<id:submission_id>/docx")
@allow(*SIGNED_IN)
def submission_docx(submission_id: int):
    """What was submitted, as Word (the frozen snapshot, not today's figures)."""
    row = _submission_or_404(submission_id)
    return _docx(row.snapshot, f"report-{row.zone.code}-{row.attempt}")


@bp.get("/monthly.docx")
@allow(*SIGNED_IN)
def monthly_docx():
    """Today's monthly report of a zone (or the city) as Word."""
    zones, zone = report_zones()
    raw = request.args.get("month", "").strip()
    period = _period_or_404(raw) if raw else s.period_of_today()
    report = monthly_report(zones, int(period[:4]), int(period[5:]), current_user, zone is None)
    return _docx(monthly_document(report, zone, local_today()), f"monthly-{_scope(zone)}")


@bp.get("/weekly.docx")
@allow(*SIGNED_IN)
def weekly_docx():
    """Today's weekly report of a zone (or the city) as Word."""
    zones, zone = report_zones()
    raw = request.args.get("date", "").strip()
    day = local_today()
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            abort(404)
        if abs(day.year - local_today().year) > 10:
            abort(404)
    report = weekly_report(zones, day)
    return _docx(weekly_document(report, zone, local_today()), f"weekly-{_scope(zone)}")


def _scope(zone: Any) -> str:
    return zone.code if zone else "city"

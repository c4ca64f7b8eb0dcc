"""Quota pages: the tiers per zone and year (edited by the city), the Excel export, and the
plan's goal list (目标清单) with actuals per period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import SIGNED_IN, allow, get_or_404
from crm.core.boundary import parse_id
from crm.core.downloads import ascii_name, download
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.dashboard.charts import ratio_chart
from crm.dashboard.export import quota_workbook
from crm.dashboard.helpers import selected_year, template_helpers, year_choices
from crm.dashboard.services import attainments, zone_or_404
from crm.enterprises.forms import field_error
from crm.extensions import db
from crm.quotas.forms import ActualForm, GoalTargetForm, QuotaForm, tier_form_data
from crm.quotas.indicators import (
    COMPARISONS,
    IndicatorError,
    goal_rows,
    record_actual,
    update_target,
    value_text,
)
from crm.quotas.models import Indicator, Quota
from crm.quotas.services import QuotaError, check_year, save_quota
from crm.zones.models import Zone
from crm.zones.services import visible_zones

bp = Blueprint("quotas", __name__, url_prefix="/quotas")
EDITORS = ("coordinator", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def my_zones() -> list[Zone]:
    """The zones whose quotas the user may see."""
    if current_user.role in CITY_ROLES:
        return visible_zones()
    return [zone_or_404(current_user.zone_id)] if current_user.zone_id else []


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """Each zone's tiers for a year with what is achieved so far."""
    year, year_error = selected_year()
    zones = my_zones()
    return render_template(
        "quotas/index.html",
        zones=zones,
        results=attainments(zones, year),
        year=year,
        year_error=year_error,
        years=year_choices(year),
        can_edit=current_user.role in EDITORS,
        **template_helpers(),
    )


@bp.route("/zones/<id:zone_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(zone_id: int):
    """Set a zone's tiers for a year (no rows left: the quota is removed)."""
    zone = get_or_404(Zone, zone_id)
    if request.method == "GET":
        raw_year = (request.args.get("year") or str(local_today().year)).strip()[:10]
        year_error, quota = None, None
        try:
            year = check_year(raw_year)
        except QuotaError as exc:
            year_error = str(exc)
        else:
            quota = db.session.scalar(
                select(Quota).where(Quota.zone_id == zone.id, Quota.year == year)
            )
        tiers = tier_form_data(quota.tiers if quota else [])
        form = QuotaForm(formdata=None, data={"year": raw_year, "tiers": tiers})
        if year_error:
            form.year.errors = [year_error]
        return _render_edit(form, zone, [])
    form = QuotaForm()
    problems: list[str] = []
    if form.validate_on_submit():
        year = form.year.data.strip()
        try:
            quota = save_quota(zone, year, form.tier_rows(), current_user)
        except QuotaError as exc:
            db.session.rollback()
            if exc.field == "year":
                form.year.errors = [*form.year.errors, str(exc)]
            else:
                problems.append(str(exc))
        else:
            db.session.commit()
            message = _("已保存%(zone)s %(year)s 年的年度目标", zone=zone.short_name, year=year)
            if quota is None:
                message = _("已清空%(zone)s %(year)s 年的年度目标", zone=zone.short_name, year=year)
            flash(message, "success")
            return redirect(url_for("quotas.index", year=year))
    return _render_edit(form, zone, problems), 400


def _render_edit(form: QuotaForm, zone: Zone, problems: list[str]) -> Any:
    return render_template("quotas/edit.html", form=form, zone=zone, problems=problems)


@bp.get("/export.xlsx")
@allow(*SIGNED_IN)
def export():
    """The quota report of a year as Excel, with its counted projects (audited)."""
    year, _error = selected_year()
    zones = my_zones()
    raw = request.args.get("zone", "").strip()
    if raw:
        zones = [zone_or_404(parse_id(raw) or 0)]
    data = quota_workbook(zones, year, current_user)
    db.session.commit()
    codes = [zone.code for zone in zones] if raw else []
    name = "-".join(["年度目标完成情况", *([zones[0].short_name] if raw else []), str(year)])
    fallback = ascii_name("quotas", *codes, year, ext="xlsx")
    return download(data, name + ".xlsx", fallback, XLSX)


# --- the goal list (目标清单) ---------------------------------------------------------------


def _render_goals(failed: ActualForm | None = None, failed_id: int = 0) -> Any:
    rows = goal_rows(current_user)
    forms = {}
    if current_user.role in EDITORS:
        for row in rows:
            forms[row.indicator.id] = ActualForm(
                formdata=None, prefix=f"g{row.indicator.id}", data={"period": default_period()}
            )
        if failed is not None:
            forms[failed_id] = failed
    chart = ratio_chart(
        _("目标清单完成进度"),
        [
            (
                (f"{row.zone.short_name}·" if row.zone else "") + row.indicator.name,
                row.ratio(),
                row.latest() is not None and not row.met(),
            )
            for row in rows
            if row.latest() is not None
        ],
    )
    return render_template(
        "quotas/goals.html",
        rows=rows,
        forms=forms,
        chart=chart,
        comparisons=COMPARISONS,
        **template_helpers(),
    ), (400 if failed is not None else 200)


def default_period() -> str:
    today = local_today()
    return f"{today.year}-{today.month:02d}"


@bp.get("/goals")
@allow(*SIGNED_IN)
def goals():
    """The plan's goal list with the latest actual and progress toward each target."""
    return _render_goals()


def _indicator(indicator_id: int) -> Indicator:
    indicator = get_or_404(Indicator, indicator_id)
    return indicator


@bp.post("/goals/<id:indicator_id>/actuals")
@allow(*EDITORS)
def record_actual_view(indicator_id: int):
    """Enter an indicator's value for a period (audited)."""
    indicator = _indicator(indicator_id)
    form = ActualForm(prefix=f"g{indicator.id}")
    if form.validate_on_submit():
        try:
            record_actual(indicator, form.period.data, form.value.data, current_user)
        except IndicatorError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="value")
        else:
            db.session.commit()
            flash(_("已记录：%(name)s", name=indicator.name), "success")
            return redirect(url_for("quotas.goals") + f"#goal-{indicator.id}")
    return _render_goals(form, indicator.id)


@bp.route("/goals/<id:indicator_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def edit_goal(indicator_id: int):
    """Change an indicator's target value or year (the next plan will change them)."""
    indicator = _indicator(indicator_id)
    form = GoalTargetForm(
        data={
            "target_value": value_text(indicator.target_value),
            "target_year": str(indicator.target_year),
        }
    )
    if request.method == "POST":
        form = GoalTargetForm()
        if form.validate_on_submit():
            try:
                update_target(
                    indicator, form.target_value.data, form.target_year.data, current_user
                )
            except IndicatorError as exc:
                db.session.rollback()
                field_error(form, exc.field, str(exc), fallback="target_value")
            else:
                db.session.commit()
                flash(_("已保存：%(name)s", name=indicator.name), "success")
                return redirect(url_for("quotas.goals"))
        status = 400
    else:
        status = 200
    return render_template(
        "quotas/goal_edit.html", form=form, indicator=indicator, comparisons=COMPARISONS
    ), status

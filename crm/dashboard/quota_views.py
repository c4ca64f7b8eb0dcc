"""Quota pages: the tiers per zone and year (edited by the city) and the Excel export (the
plan's goal list, 目标清单, is the quotas area's: crm.quotas.indicator_views)."""

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
from crm.dashboard.export import quota_workbook
from crm.dashboard.helpers import selected_year, template_helpers, year_choices
from crm.dashboard.services import attainments, zone_or_404
from crm.extensions import db
from crm.quotas.forms import QuotaForm, tier_form_data
from crm.quotas.models import Quota
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

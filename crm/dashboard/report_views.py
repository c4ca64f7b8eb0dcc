"""Report pages (周报 / 月报) for one zone or the city, printable on A4.

Registered on the ``dashboard`` blueprint by ``crm.dashboard.views``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import SIGNED_IN, allow
from crm.core.boundary import parse_id
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.dashboard.helpers import template_helpers
from crm.dashboard.reports import monthly_report, weekly_report
from crm.dashboard.services import zone_or_404
from crm.quotas.services import QuotaError, check_year
from crm.zones.models import Zone
from crm.zones.services import visible_zones

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def report_zones() -> tuple[list[Zone], Zone | None]:
    """``?zone=ID`` (a zone the user may see), else the user's zone, else the whole city."""
    raw = request.args.get("zone", "").strip()
    if raw:
        zone_id = parse_id(raw)
        if zone_id is None:
            abort(404)
        zone = zone_or_404(zone_id)
        return [zone], zone
    if current_user.role in CITY_ROLES:
        return visible_zones(), None
    if current_user.zone_id is None:
        abort(404)
    zone = zone_or_404(current_user.zone_id)
    return [zone], zone


def _day(raw: str) -> tuple[date, str | None]:
    today = local_today()
    if not raw:
        return today, None
    match = _DATE_RE.fullmatch(raw.strip())
    try:
        if match is None:
            raise ValueError
        check_year(match[1])
        return date(int(match[1]), int(match[2]), int(match[3])), None
    except (ValueError, QuotaError) as exc:
        reason = str(exc) if isinstance(exc, QuotaError) else _("日期应写作 2026-03-05")
        return today, _("%(reason)s，已显示本周", reason=reason)


def _month(raw: str) -> tuple[int, int, str | None]:
    today = local_today()
    if not raw:
        return today.year, today.month, None
    match = _MONTH_RE.fullmatch(raw.strip())
    try:
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError
        return check_year(match[1]), int(match[2]), None
    except (ValueError, QuotaError) as exc:
        reason = str(exc) if isinstance(exc, QuotaError) else _("月份应写作 2026-03")
        return today.year, today.month, _("%(reason)s，已显示本月", reason=reason)


@allow(*SIGNED_IN)
def weekly() -> Any:
    """周报: new projects and targets, stage changes, key projects ≥ 10亿, what needs the city."""
    zones, zone = report_zones()
    day, error = _day(request.args.get("date", ""))
    report = weekly_report(zones, day)
    return render_template(
        "dashboard/weekly.html",
        report=report,
        zone=zone,
        error=error,
        **template_helpers(),
    )


@allow(*SIGNED_IN)
def monthly() -> Any:
    """月报: the quota table and the indicators with 本期 / 累计 / 目标 / 完成率."""
    zones, zone = report_zones()
    year, month, error = _month(request.args.get("month", ""))
    report = monthly_report(zones, year, month, current_user, city=zone is None)
    return render_template(
        "dashboard/monthly.html",
        report=report,
        zone=zone,
        error=error,
        **template_helpers(),
    )


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/reports/weekly", "weekly", weekly, methods=["GET"])
    bp.add_url_rule("/reports/monthly", "monthly", monthly, methods=["GET"])

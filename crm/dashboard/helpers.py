"""What dashboard, report and quota templates share: money, rates, stages, links, years."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.routing import BuildError

from crm.core.money import format_wan, format_yi, wan_to_yi_str
from crm.core.timeutil import local_today
from crm.core.urls import id_url
from crm.dashboard.services import PANELS, percent
from crm.projects.models import Project
from crm.projects.services import Signals, project_signals
from crm.projects.stages import stage_label, stage_probability
from crm.quotas.indicators import value_text
from crm.quotas.services import QuotaError, check_year

YEARS_BACK, YEARS_AHEAD = 5, 2


def selected_year() -> tuple[int, str | None]:
    """The ``year`` query argument (default this year); a bad one falls back with a message."""
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return local_today().year, None
    try:
        return check_year(raw), None
    except QuotaError as exc:
        current = local_today().year
        return current, _("%(error)s，已显示 %(year)s 年", error=str(exc), year=current)


def year_choices(selected: int) -> list[int]:
    current = local_today().year
    years = set(range(current - YEARS_BACK, current + YEARS_AHEAD + 1)) | {selected}
    return sorted(years, reverse=True)


def project_url(project_id: int) -> str | None:
    """The project page, once the projects area provides one (the URL pattern is built once
    per request: report pages link hundreds of projects)."""
    if "dashboard_project_url" not in g:
        try:
            g.dashboard_project_url = id_url("projects.detail", "project_id")
        except BuildError:
            g.dashboard_project_url = None
    link = g.dashboard_project_url
    return link(project_id) if link else None


def memoized(fn: Callable[[str], Any]) -> Callable[[str], Any]:
    """A per-render cache of a one-argument lookup (stage labels read a setting each time)."""
    cache: dict[str, Any] = {}

    def lookup(key: str) -> Any:
        if key not in cache:
            cache[key] = fn(key)
        return cache[key]

    return lookup


def endpoint_url(endpoint: str, **values: Any) -> str | None:
    """A link to another area's page when that page exists."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def signal_labels(signals: Signals | Project | None) -> list[tuple[str, str]]:
    """(label, css) of a project's warning signs (given the project or its signals)."""
    if signals is None:
        return []
    if isinstance(signals, Project):
        signals = project_signals(signals)
    labels = []
    if signals.overdue:
        labels.append((_("跟进逾期"), "text-bg-danger"))
    if signals.rotting:
        labels.append(
            (
                ngettext("停滞 %(num)s 天", "停滞 %(num)s 天", signals.days_in_stage),
                "text-bg-warning",
            )
        )
    if signals.first_report_missing:
        labels.append((_("未首报"), "text-bg-danger"))
    if signals.no_next_step:
        labels.append((_("无下一步"), "text-bg-secondary"))
    return labels


def panel(name: str) -> Any:
    """The data of another area's dashboard section (``PANELS``), None when it is absent."""
    section = PANELS.get(name)
    return section() if section else None


def template_helpers() -> dict[str, Any]:
    return {
        "yi": format_yi,
        "yi_num": wan_to_yi_str,
        "wan": format_wan,
        "percent": percent,
        "stage_label": memoized(stage_label),
        "stage_probability": memoized(stage_probability),
        "project_url": project_url,
        "endpoint_url": endpoint_url,
        "signal_labels": signal_labels,
        "value_text": value_text,
        "panel": panel,
    }

"""Project pages: the list with filters and export, and the pipeline board per zone.

The project page, activities and attachments are in ``detail_views``; creating, editing,
stage changes and deletion in ``edit_views``. All of them are routes of the one ``projects``
blueprint defined in ``blueprint``.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from crm.core.access import SIGNED_IN, allow
from crm.core.audit import record_audit
from crm.core.boundary import parse_id, parse_int
from crm.core.downloads import ascii_name, download
from crm.core.i18n import labels as vocabulary_labels
from crm.core.pagination import paginate
from crm.core.roles import ZONE_ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.projects import create_views, detail_views, edit_views  # noqa: F401 — their routes join the blueprint
from crm.projects.blueprint import bp
from crm.projects.board import BOARD_CARDS, board_columns, board_filters
from crm.projects.exporting import export_projects
from crm.projects.models import PROJECT_TYPES
from crm.projects.queries import (
    SIGNALS,
    SORT_LABELS,
    TIERS,
    ProjectFilters,
    project_list_stmt,
)
from crm.projects.services import project_signals
from crm.projects.stages import ALL_STAGES, stage_label
from crm.targets.chain_hooks import chain_choices
from crm.targets.queries import zone_people
from crm.zones.services import visible_zones

__all__ = ["bp"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOARD_YEARS = 4


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The project list: filters, signals, sorting, pages, and an export of the same filter."""
    filters = ProjectFilters.from_args(request.args)
    page = paginate(project_list_stmt(current_user, filters), per_page=50)
    today = local_today()
    zone_id = current_user.zone_id if current_user.role in ZONE_ROLES else None
    if zone_id is None:
        zone_id = parse_id(filters.zone)
    return render_template(
        "projects/index.html",
        page=page,
        rows=[(project, project_signals(project, today)) for project in page.items],
        filters=filters,
        zones=visible_zones(),
        people=zone_people(current_user, zone_id),
        stages=[(code, stage_label(code)) for code in ALL_STAGES],
        types=vocabulary_labels(PROJECT_TYPES),
        tiers=TIERS,
        signals=SIGNALS,
        sorts=SORT_LABELS,
        chains=chain_choices(current_user),
        export_url=url_for("projects.export", **filters.active()),
    )


@bp.get("/export")
@allow(*SIGNED_IN)
def export():
    """The current filter of the list as an Excel file (confidential projects by code name)."""
    filters = ProjectFilters.from_args(request.args)
    output, count = export_projects(project_list_stmt(current_user, filters))
    record_audit("export", "project", None, {"rows": count, **filters.active()}, actor=current_user)
    db.session.commit()
    today = local_today()
    return download(
        output, f"项目库-{today:%Y%m%d}.xlsx", ascii_name("projects", today, ext="xlsx"), XLSX
    )


def _board_year(today_year: int) -> int:
    year = parse_int(request.args.get("year"), minimum=1000, maximum=9999) or today_year
    return year if today_year - 20 <= year <= today_year else today_year


@bp.get("/board")
@allow(*SIGNED_IN)
def board():
    """The pipeline board of one zone: a column per stage with count, total and cards."""
    zones = visible_zones()
    if current_user.role in ZONE_ROLES:
        zone = next((z for z in zones if z.id == current_user.zone_id), None)
    else:
        wanted = request.args.get("zone", "")
        zone = next((z for z in zones if str(z.id) == wanted), zones[0] if zones else None)
    today = local_today()
    year = _board_year(today.year)
    filters = board_filters(request.args)
    columns = board_columns(current_user, zone.id, year, filters, today) if zone else []
    return render_template(
        "projects/board.html",
        zone=zone,
        zones=zones,
        year=year,
        years=range(today.year, today.year - BOARD_YEARS, -1),
        pipeline=[c for c in columns if not c.side],
        side=[c for c in columns if c.side],
        total_count=sum(c.count for c in columns),
        total_wan=sum(c.total_wan for c in columns if c.stage != "terminated"),
        filters=filters,
        filters_on={k: v for k, v in filters.active().items() if k != "sort"},
        list_args={**filters.active(), "zone": zone.id, "sort": "amount"} if zone else {},
        people=zone_people(current_user, zone.id) if zone else [],
        tiers=TIERS,
        signals=SIGNALS,
        card_limit=BOARD_CARDS,
    )

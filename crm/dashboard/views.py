"""Dashboard pages: a zone's (home of managers and staff) and the city's league of zones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import CITY_LEVEL, SIGNED_IN, allow
from crm.core.urls import id_url
from crm.dashboard import report_views
from crm.dashboard.charts import TierBar, funnel_chart, ratio_chart, tier_chart
from crm.dashboard.helpers import selected_year, template_helpers, year_choices
from crm.dashboard.services import (
    CityBoard,
    ZoneBoard,
    area_panels,
    city_board,
    zone_board,
    zone_or_404,
)
from crm.projects.stages import PIPELINE, SIDE, stage_label
from crm.zones.services import visible_zones

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
LEAGUE_CHART_ROWS = 30


def tier_bars(tiers: list[Any]) -> list[TierBar]:
    return [
        TierBar(t.label, t.required, t.achieved, t.forecast, t.at_risk, t.surplus) for t in tiers
    ]


def chart_labels() -> dict[str, str]:
    return {"done": _("已完成"), "forecast": _("加权预测"), "surplus": _("超额")}


def render_zone(zone_id: int) -> Any:
    """The zone dashboard for the selected year."""
    zone = zone_or_404(zone_id)
    year, year_error = selected_year()
    board: ZoneBoard = zone_board(zone, year)
    stages = [s for s in PIPELINE + SIDE if s in PIPELINE or s in board.pipeline]
    funnel = funnel_chart(
        _("项目阶段分布"),
        [
            (
                stage_label(s),
                board.pipeline[s].count if s in board.pipeline else 0,
                board.pipeline[s].total_wan if s in board.pipeline else 0,
            )
            for s in stages
        ],
    )
    return render_template(
        "dashboard/zone.html",
        board=board,
        zone=zone,
        year=year,
        year_error=year_error,
        years=year_choices(year),
        tier_svg=tier_chart(_("年度目标完成情况"), tier_bars(board.tiers), chart_labels()),
        funnel_svg=funnel,
        stages=stages,
        panels=area_panels(),
        **template_helpers(),
    )


def zone_link(year: int) -> Callable[[int], str]:
    """A zone's dashboard for ``year`` by zone id: the URL is built once for the league's rows."""
    return id_url("dashboard.zone", "zone_id", year=year)


def render_city() -> Any:
    """The city dashboard for the selected year."""
    year, year_error = selected_year()
    board: CityBoard = city_board(visible_zones(), year)
    charted = [r for r in board.rows if r.attainment.required][:LEAGUE_CHART_ROWS]
    league_svg = ratio_chart(
        _("各开发区目标完成度"),
        [(r.zone.short_name, r.attainment.score, r.attainment.at_risk) for r in charted],
    )
    return render_template(
        "dashboard/city.html",
        board=board,
        year=year,
        year_error=year_error,
        years=year_choices(year),
        league_svg=league_svg,
        charted=len(charted),
        zone_url=zone_link(year),
        panels=area_panels(),
        **template_helpers(),
    )


def render_home() -> Any:
    """The home page: the city dashboard for the city level, the zone's for zone users."""
    if current_user.role in CITY_LEVEL:
        return render_city()
    if current_user.zone_id is None:
        return render_template("core/index.html", zones=visible_zones())
    return render_zone(current_user.zone_id)


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The user's dashboard (as on the home page)."""
    return render_home()


@bp.get("/city")
@allow(*CITY_LEVEL)
def city():
    """All zones side by side: tier attainment, indicators, totals, open conflicts."""
    return render_city()


@bp.get("/zones/<id:zone_id>")
@allow(*SIGNED_IN)
def zone(zone_id: int):
    """One zone's dashboard (zone users: their own zone only)."""
    return render_zone(zone_id)


report_views.register(bp)

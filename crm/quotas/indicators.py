"""The plan's goal list (目标清单): the seeded indicators with their targets, and who sees them.

The goals are the plan's 2027 list (21 indicators) and each zone's 批而未供土地 activation for
2026 (3 more). Four of them are computed from the enterprises of the zones' landed projects
(``crm.quotas.indicator_compute.COMPUTED``: 高新技术企业, 省级以上专精特新, 头雁, 瞪羚) and
take no typed values; the others take actuals per period and zone
(``crm.quotas.indicator_entry``), typed on the goal list or imported. Progress and trends are
in ``crm.quotas.indicator_progress``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from crm.core.access import scope_rule
from crm.core.audit import record_audit
from crm.core.roles import CITY_ROLES
from crm.extensions import db
from crm.quotas.indicator_entry import record_actual
from crm.quotas.indicator_progress import COMPARISONS, GoalRow, goal_rows
from crm.quotas.indicator_values import (
    IndicatorError,
    parse_period,
    parse_value,
    period_end,
    text_of,
    value_text,
)
from crm.quotas.models import Indicator, IndicatorActual
from crm.quotas.services import QuotaError, check_year
from crm.zones.models import Zone

__all__ = [  # the goal list's API for other areas (the dashboard's reports, tests)
    "COMPARISONS",
    "GoalRow",
    "IndicatorError",
    "goal_rows",
    "parse_period",
    "parse_value",
    "period_end",
    "record_actual",
    "seed_indicators",
    "update_target",
    "value_text",
]

# (code, name, unit, target, comparison, cumulative) — the plan's goals for 2027
PLAN_GOALS = (
    ("revenue", "营业收入", "亿元", "2800", ">", False),
    ("tax", "税收收入", "亿元", "70", ">", False),
    ("industrial_above_size", "规上工业企业", "家", "190", ">=", False),
    ("services_above_size", "规上生产性服务业企业", "家", "60", ">=", False),
    ("a_logistics", "A级物流企业", "家", "2", ">=", False),
    ("lead_industry_share", "主导产业投资占全市工业投资比重", "%", "75", ">", False),
    ("rd_ratio", "规上工业企业研发经费占营业收入比重", "%", "1.35", ">=", False),
    ("value_added_per_mu", "亩均增加值", "万元/亩", "80", ">=", False),
    ("tax_per_mu", "亩均税收", "万元/亩", "20", ">=", False),
    ("high_tech", "高新技术企业（累计）", "家", "90", ">=", True),
    ("srdi_provincial", "省级以上专精特新企业（累计）", "家", "59", ">=", True),
    ("patents", "专利授权量（累计）", "件", "1435", ">=", True),
    ("emerging_share", "战略性新兴产业增加值占比", "%", "25", ">", False),
    ("srdi_ladder", "梯度培育专精特新企业", "家", "115", ">=", True),
    ("leading_geese", "头雁企业", "家", "2", ">=", True),
    ("gazelles", "瞪羚企业", "家", "3", ">=", True),
    ("innovation_platforms", "新增省级以上创新平台", "个", "10", ">=", True),
    ("cluster_landmarks", "产业集群地标", "个", "2", ">=", True),
    ("national_zone", "创建国家级开发区", "个", "1", ">=", True),
    ("land_reserve", "建设用地动态储备", "亩", "1000", ">=", False),
    ("industrial_land_share", "工业用地占开发区用地比重", "%", "60", ">=", False),
)
PLAN_YEAR = 2027
# 批而未供土地 to activate per zone by the end of 2026
LAND_ACTIVATION = {"gxq": "1296", "jkq": "174", "xdfw": "900"}
LAND_YEAR = 2026


@scope_rule(Indicator)
def _indicator_scope(user: Any):
    if user.role in CITY_ROLES:
        return None
    if user.zone_id is None:
        return Indicator.zone_id.is_(None)
    return or_(Indicator.zone_id.is_(None), Indicator.zone_id == user.zone_id)


@scope_rule(IndicatorActual)
def _actual_scope(user: Any):
    """A zone sees its own zone's actuals and the city-wide ones, of the indicators it sees."""
    clause = _indicator_scope(user)
    if clause is None:
        return None
    own = IndicatorActual.zone_id.is_(None)
    if user.zone_id is not None:
        own = or_(own, IndicatorActual.zone_id == user.zone_id)
    return and_(IndicatorActual.indicator_id.in_(select(Indicator.id).where(clause)), own)


def seed_indicators() -> int:
    """Create the plan's goal list where missing (edited targets are kept); returns created."""
    existing = {tuple(row) for row in db.session.execute(select(Indicator.code, Indicator.zone_id))}
    zones = {code: zone_id for code, zone_id in db.session.execute(select(Zone.code, Zone.id))}
    rows = [(*goal, None, PLAN_YEAR) for goal in PLAN_GOALS]
    for zone_code, target in LAND_ACTIVATION.items():
        if zone_code in zones:
            land = ("land_activation", "批而未供土地盘活", "亩", target, ">=", True)
            rows.append((*land, zones[zone_code], LAND_YEAR))
    created = 0
    for order, (code, name, unit, target, comparison, cumulative, zone_id, year) in enumerate(
        rows, start=1
    ):
        if (code, zone_id) in existing:
            continue
        db.session.add(
            Indicator(
                code=code,
                name=name,
                unit=unit,
                zone_id=zone_id,
                target_year=year,
                target_value=Decimal(target),
                comparison=comparison,
                cumulative=cumulative,
                sort_order=order * 10,
            )
        )
        created += 1
    db.session.flush()
    return created


def update_target(indicator: Indicator, value: Any, year: Any, actor: Any) -> dict:
    """Change an indicator's target value or year, audited."""
    number = parse_value(value, indicator.unit, "target_value")
    if number == 0:
        raise IndicatorError(_l("目标值应大于 0"), "target_value")
    try:
        target_year = check_year(year)
    except QuotaError as exc:
        raise IndicatorError(str(exc), "target_year") from None
    changes = {}
    if Decimal(indicator.target_value) != number:
        changes["target_value"] = [text_of(indicator.target_value), text_of(number)]
        indicator.target_value = number
    if indicator.target_year != target_year:
        changes["target_year"] = [indicator.target_year, target_year]
        indicator.target_year = target_year
    if changes:
        record_audit("update", "indicator", indicator.id, changes, actor=actor)
    return changes

"""The plan's goal list (目标清单): indicators with targets, actuals per period, progress.

Values are exact decimals (never floats). A period is a year ("2026"), a quarter ("2026-Q3")
or a month ("2026-09"); an indicator's progress is its latest value against the target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from crm.core.access import scope_rule, scoped_select
from crm.core.audit import record_audit
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.quotas.models import Indicator, IndicatorActual
from crm.quotas.services import QuotaError, check_year
from crm.zones.models import Zone

COMPARISONS = {">=": "≥", ">": ">", "<=": "≤"}  # ASCII ">" reads in both languages
MAX_VALUE = Decimal("99999999999999")  # Numeric(18, 4)
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

_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:[-/](?:(?P<q>[Qq][1-4])|(?P<month>\d{1,2})))?$")
_CN_PERIOD_RE = re.compile(
    r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月|第?(?P<q>[1-4一二三四])季度?)?$"
)
_VAGUE_RE = re.compile(r"约|大约|左右|多|余|近|超|以上|以下|上下|不少于|不低于|至|到|~|～|—")
_VALUE_RE = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)(?P<unit>.*)$")
_CN_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_UNIT_ALIASES = {"亿元": {"亿元", "亿"}, "%": {"%", "％"}, "万元/亩": {"万元/亩", "万/亩"}}


class IndicatorError(ValueError):
    """Invalid goal-list input; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Indicator)
def _indicator_scope(user: Any):
    if user.role in CITY_ROLES:
        return None
    if user.zone_id is None:
        return Indicator.zone_id.is_(None)
    return or_(Indicator.zone_id.is_(None), Indicator.zone_id == user.zone_id)


@scope_rule(IndicatorActual)
def _actual_scope(user: Any):
    clause = _indicator_scope(user)
    if clause is None:
        return None
    return IndicatorActual.indicator_id.in_(select(Indicator.id).where(clause))


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


# --- input -------------------------------------------------------------------------------


def _fold(text: Any) -> str:
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return "".join(folded.split())


def parse_period(text: Any) -> str:
    """ "2026", "2026-Q3", "2026-09" (also 2026/9, 2026年9月, 2026年第三季度), normalised."""
    raw = _fold(text)
    match = _PERIOD_RE.fullmatch(raw) or _CN_PERIOD_RE.fullmatch(raw)
    if not raw or match is None:
        raise IndicatorError(
            _l("期间应写作 2026（全年）、2026-Q3（季度）或 2026-09（月份）"), "period"
        )
    try:
        year = check_year(match["year"])
    except QuotaError as exc:
        raise IndicatorError(str(exc), "period") from None
    quarter, month = match["q"], match["month"]
    if quarter:
        number = int(_CN_QUARTERS.get(quarter, quarter[-1]))
        period, first = f"{year}-Q{number}", date(year, 3 * number - 2, 1)
    elif month:
        if not 1 <= int(month) <= 12:
            raise IndicatorError(_l("月份应在 1 到 12 之间"), "period")
        period, first = f"{year}-{int(month):02d}", date(year, int(month), 1)
    else:
        period, first = str(year), date(year, 1, 1)
    if first > local_today():
        raise IndicatorError(_l("不能填写尚未开始的期间的实际值"), "period")
    return period


def period_end(period: str) -> tuple[date, int]:
    """(last month's first day, breadth) of a period: later ends first, a year beats a month."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 12, 1), 2
    if period[5] == "Q":
        return date(year, 3 * int(period[6]), 1), 1
    return date(year, int(period[5:7]), 1), 0


def parse_value(text: Any, unit: str = "", field: str = "value") -> Decimal:
    """An exact non-negative number, optionally followed by the indicator's own unit."""
    shown = str(text or "").strip()[:20]
    raw = _fold(text).replace(",", "")
    if not raw:
        raise IndicatorError(_l("请填写数值"), field)
    if raw.startswith(("-", "−", "负")):
        raise IndicatorError(_l("数值不能为负数：“%(shown)s”", shown=shown), field)
    if _VAGUE_RE.search(raw):
        raise IndicatorError(
            _l("“%(shown)s”不是确切数字，请填写具体数值，如 2800", shown=shown), field
        )
    match = _VALUE_RE.fullmatch(raw)
    if match is None:
        raise IndicatorError(
            _l("无法识别“%(shown)s”，请只填写阿拉伯数字，如 2800 或 1.35", shown=shown), field
        )
    allowed = _UNIT_ALIASES.get(unit, {unit}) | {""}
    if match["unit"] not in allowed:
        raise IndicatorError(
            _l("“%(shown)s”的单位不对：该指标以“%(unit)s”计，请只填写数字", shown=shown, unit=unit),
            field,
        )
    try:
        value = Decimal(match["num"])
    except InvalidOperation:
        raise IndicatorError(_l("无法识别“%(shown)s”", shown=shown), field) from None
    if value > MAX_VALUE:
        raise IndicatorError(_l("数值过大，请检查"), field)
    if value != value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP):
        raise IndicatorError(_l("最多保留 4 位小数"), field)
    return value


def record_actual(indicator: Indicator, period: Any, value: Any, actor: Any) -> IndicatorActual:
    """Enter (or correct) an indicator's value for a period, audited with old → new."""
    period = parse_period(period)
    number = parse_value(value, indicator.unit)
    row = db.session.scalar(
        select(IndicatorActual).where(
            IndicatorActual.indicator_id == indicator.id, IndicatorActual.period == period
        )
    )
    old = None if row is None else row.value
    if row is None:
        row = IndicatorActual(indicator_id=indicator.id, period=period, value=number)
        db.session.add(row)
    row.value = number
    row.entered_by_id = getattr(actor, "id", None)
    db.session.flush()
    if old is None or Decimal(old) != number:
        changes = {"period": period, "value": [_text(old), _text(number)]}
        record_audit("actual", "indicator", indicator.id, changes, actor=actor)
    return row


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
        changes["target_value"] = [_text(indicator.target_value), _text(number)]
        indicator.target_value = number
    if indicator.target_year != target_year:
        changes["target_year"] = [indicator.target_year, target_year]
        indicator.target_year = target_year
    if changes:
        record_audit("update", "indicator", indicator.id, changes, actor=actor)
    return changes


# --- progress ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A decimal without trailing zeros: 1.3500 → "1.35", 2800.0000 → "2800"."""
    if value is None:
        return None
    normal = Decimal(value).normalize()
    return f"{normal:f}"


@dataclass
class GoalRow:
    indicator: Indicator
    zone: Zone | None
    actuals: list[IndicatorActual] = field(default_factory=list)  # latest first

    @property
    def target_text(self) -> str:
        return (
            f"{COMPARISONS.get(self.indicator.comparison, '')} {_text(self.indicator.target_value)}"
        )

    def latest(self, until: str | None = None) -> IndicatorActual | None:
        """The latest value whose period ends at or before ``until`` (a period)."""
        if until is None:
            return self.actuals[0] if self.actuals else None
        limit = period_end(until)[0]
        return next((a for a in self.actuals if period_end(a.period)[0] <= limit), None)

    def ratio(self, actual: IndicatorActual | None = None) -> Decimal | None:
        """Progress toward the target (1 = reached)."""
        actual = actual or self.latest()
        target = Decimal(self.indicator.target_value)
        if actual is None or not target:
            return None
        value = Decimal(actual.value)
        if self.indicator.comparison == "<=":
            return Decimal(1) if value <= target else target / value
        return value / target

    def met(self, actual: IndicatorActual | None = None) -> bool:
        actual = actual or self.latest()
        if actual is None:
            return False
        value, target = Decimal(actual.value), Decimal(self.indicator.target_value)
        return {">": value > target, "<=": value <= target}.get(
            self.indicator.comparison, value >= target
        )


def goal_rows(user: Any = None, zone_ids: list[int] | None = None) -> list[GoalRow]:
    """The indicators the user may see (optionally only city-wide ones and these zones'),
    each with its actuals, latest first — two queries."""
    stmt = scoped_select(Indicator, user).order_by(
        Indicator.zone_id.is_not(None), Indicator.sort_order, Indicator.id
    )
    if zone_ids is not None:
        stmt = stmt.where(or_(Indicator.zone_id.is_(None), Indicator.zone_id.in_(zone_ids)))
    indicators = list(db.session.scalars(stmt))
    zones = {z.id: z for z in db.session.scalars(select(Zone))}
    rows = {i.id: GoalRow(i, zones.get(i.zone_id)) for i in indicators}
    actuals = db.session.scalars(
        select(IndicatorActual).where(IndicatorActual.indicator_id.in_(list(rows)))
    )
    for actual in actuals:
        rows[actual.indicator_id].actuals.append(actual)
    for row in rows.values():
        row.actuals.sort(key=lambda a: period_end(a.period), reverse=True)
    return list(rows.values())


def value_text(value: Any) -> str:
    """An indicator value for people (no trailing zeros)."""
    return _text(value) or "—"

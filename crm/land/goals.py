"""The plan's land goals, computed from parcel status events (never from typed totals):
批而未供 land activated per zone by the deadline, and the city's dynamic reserve.

Activated: a parcel whose status moved from 批而未供 to 已供 or 已盘活 between the start date
and the deadline (its area at that move counts; a parcel moved back to 批而未供 stops counting).
Reserve: the parcels whose status, as of the day, is 储备.
Both are registered with the goal list (crm.quotas.indicator_compute), which refuses typed values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.land.models import LandEvent, Parcel
from crm.quotas.indicator_compute import ComputedHook, register_computed
from crm.zones.models import Zone

ACTIVATED = ("supplied", "revived")
PLAN_ACTIVATION_MU = {"gxq": 1296, "jkq": 174, "xdfw": 900}
PLAN_ISSUED = date(2025, 12, 16)
ZERO = Decimal("0.00")


def _zone_rows() -> list[tuple[str, Any]]:
    zones = db.session.execute(select(Zone.code, Zone.short_name).order_by(Zone.sort_order))
    rows = [(code, name) for code, name in zones]
    known = {code for code, _name in rows}
    return rows + [(code, code) for code in PLAN_ACTIVATION_MU if code not in known]


define_section("land", _l("用地与载体"))
define_setting(
    "land.activation_goal_mu",
    dict,
    PLAN_ACTIVATION_MU,
    _l("批而未供土地盘活目标（亩）"),
    _l("各开发区在截止年底前要盘活（供应）的批而未供土地面积；0 表示不设目标。"),
    rows=_zone_rows,
    item_kind=int,
    minimum=0,
    maximum=1_000_000,
    blank_item=0,
)
define_setting(
    "land.activation_deadline_year",
    int,
    2026,
    _l("批而未供盘活截止年份"),
    _l("盘活目标在这一年 12 月 31 日到期；自实施方案印发（2025 年 12 月 16 日）起计。"),
    minimum=2025,
    maximum=2100,
)
define_setting(
    "land.reserve_goal_mu",
    int,
    1000,
    _l("建设用地动态储备下限（亩）"),
    _l("全市（各开发区合计）状态为“储备”的地块面积应不少于这个数。"),
    minimum=0,
    maximum=1_000_000,
)


@dataclass
class ZoneLand:
    """One zone's land figures."""

    zone: Zone
    goal_mu: int
    activated_mu: Decimal = ZERO
    approved_mu: Decimal = ZERO  # still 批而未供 today
    reserve_mu: Decimal = ZERO

    @property
    def share(self) -> Decimal | None:
        if not self.goal_mu:
            return None
        value = self.activated_mu / Decimal(self.goal_mu)
        return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def gap_mu(self) -> Decimal:
        return max(Decimal(self.goal_mu) - self.activated_mu, ZERO)


@dataclass
class LandGoals:
    zones: list[ZoneLand]
    deadline: date
    reserve_goal_mu: int

    @property
    def activated_mu(self) -> Decimal:
        return sum((z.activated_mu for z in self.zones), ZERO)

    @property
    def goal_mu(self) -> int:
        return sum(z.goal_mu for z in self.zones)

    @property
    def reserve_mu(self) -> Decimal:
        return sum((z.reserve_mu for z in self.zones), ZERO)

    @property
    def reserve_met(self) -> bool:
        return self.reserve_mu >= self.reserve_goal_mu

    @property
    def share(self) -> Decimal | None:
        if not self.goal_mu:
            return None
        value = self.activated_mu / Decimal(self.goal_mu)
        return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def of(self, zone_id: int) -> ZoneLand | None:
        return next((z for z in self.zones if z.zone.id == zone_id), None)


def deadline() -> date:
    return date(int(get_setting("land.activation_deadline_year")), 12, 31)


def land_goals(
    zones: list[Zone], today: date | None = None, until: date | None = None
) -> LandGoals:
    """Each zone's activation against its goal and its reserve as of ``today`` (one statement
    for the events, whatever the number of parcels); ``until`` counts only the activations up
    to that day (a month's end in the monthly report), else up to the deadline."""
    today = today or local_today()
    end = deadline()
    counted_to = min(end, until) if until else end
    goals = get_setting("land.activation_goal_mu") or {}
    figures = {z.id: ZoneLand(z, int(goals.get(z.code) or 0)) for z in zones}
    if figures:
        stmt = (
            select(
                LandEvent.parcel_id,
                Parcel.zone_id,
                Parcel.area_mu,
                LandEvent.from_status,
                LandEvent.to_status,
                LandEvent.effective_on,
                LandEvent.area_mu,
            )
            .join(Parcel, Parcel.id == LandEvent.parcel_id)
            .where(
                LandEvent.kind == "status",
                Parcel.deleted_at.is_(None),
                Parcel.zone_id.in_(list(figures)),
                LandEvent.effective_on <= max(today, end),
            )
            .order_by(LandEvent.parcel_id, LandEvent.effective_on, LandEvent.id)
        )
        _walk(db.session.execute(stmt).all(), figures, today, counted_to)
    return LandGoals(list(figures.values()), end, int(get_setting("land.reserve_goal_mu")))


def _walk(rows: list[Any], figures: dict[int, ZoneLand], today: date, end: date) -> None:
    """Replay each parcel's status events in order."""
    state: dict[int, tuple[int, Decimal, str, Decimal | None]] = {}
    for parcel_id, zone_id, area, from_status, to_status, on, event_area in rows:
        _zone, _area, status, activated = state.get(parcel_id, (zone_id, area, "", None))
        if on <= today:
            status = to_status
        if on <= end:
            if from_status == "approved" and to_status in ACTIVATED and on >= PLAN_ISSUED:
                activated = event_area if event_area is not None else area
            elif to_status == "approved":
                activated = None
        state[parcel_id] = (zone_id, area, status, activated)
    for zone_id, area, status, activated in state.values():
        figure = figures[zone_id]
        if activated is not None:
            figure.activated_mu += activated
        if status == "approved":
            figure.approved_mu += area
        elif status == "reserve":
            figure.reserve_mu += area


def dashboard_panel(user: Any = None) -> LandGoals:
    """The land goals of the zones the user may see (Area.dashboard_panels)."""
    from crm.zones.services import visible_zones

    return land_goals(visible_zones())


ACTIVATION_CODE = "land_activation"  # the goal list's 批而未供土地盘活 (crm.quotas.indicators)
SOURCE_NOTE = "系统计算（地块状态由批而未供变为已供或已盘活的面积）"
LIVE_NOTE = "实时计算（地块状态由批而未供变为已供或已盘活的面积）"
RESERVE_CODE = "land_reserve"  # the goal list's 建设用地动态储备 (≥ 1 000 亩, city-wide)
RESERVE_SOURCE_NOTE = "系统计算（状态为储备的地块面积）"
RESERVE_LIVE_NOTE = "实时计算（状态为储备的地块面积）"


def _every_zone() -> LandGoals:
    return land_goals(list(db.session.scalars(select(Zone).order_by(Zone.sort_order, Zone.id))))


def activation_values() -> dict[int | None, Decimal]:
    """{zone id: 亩 activated, None: the city's} for the goal list (two statements)."""
    goals = _every_zone()
    values: dict[int | None, Decimal] = {z.zone.id: z.activated_mu for z in goals.zones}
    values[None] = goals.activated_mu
    return values


def reserve_values() -> dict[int | None, Decimal]:
    """{zone id: 亩 in 储备 today, None: the city's} for the goal list, replayed from the same
    status events (two statements)."""
    goals = _every_zone()
    values: dict[int | None, Decimal] = {z.zone.id: z.reserve_mu for z in goals.zones}
    values[None] = goals.reserve_mu
    return values


register_computed(
    ACTIVATION_CODE,
    ComputedHook(
        activation_values,
        SOURCE_NOTE,
        LIVE_NOTE,
        _l(
            "批而未供土地盘活由地块台账的状态变更自动计算，不能手工录入或导入；请在地块台账中登记供地或盘活"
        ),
    ),
)
register_computed(
    RESERVE_CODE,
    ComputedHook(
        reserve_values,
        RESERVE_SOURCE_NOTE,
        RESERVE_LIVE_NOTE,
        _l("建设用地动态储备由地块台账中状态为“储备”的地块面积自动计算，不能手工录入或导入"),
    ),
)

"""Progress of the goal list: each indicator's city-wide and per-zone series of actuals, the
latest value against the goal (the right way round for an "at most" goal) and the trend.

The city-wide figure is the one entered for the city; for a total (亿元, 家, 件, 个, 亩) a
period that only the zones reported counts as the sum of the zones (marked 各开发区合计). A
computed indicator's current month is its live count. Five queries whatever the data size
(plus a registered indicator's own, fixed in number).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from crm.core.access import scoped_select
from crm.extensions import db
from crm.quotas.indicator_compute import (
    COMPUTED,
    computed_counts,
    current_period,
    hook_values,
    is_computed,
    live_note,
)
from crm.quotas.indicator_values import period_end, text_of
from crm.quotas.models import Indicator, IndicatorActual
from crm.zones.models import Zone

COMPARISONS = {">=": "≥", ">": ">", "<=": "≤"}  # ASCII ">" reads in both languages
RATIO_UNITS = ("%", "万元/亩")  # a share or a density: zones' values do not add up
SUM_NOTE = "各开发区合计"
TREND_POINTS = 12


@dataclass
class Point:
    """A value not stored as such: the zones' sum or a live count."""

    period: str
    value: Decimal
    source_note: str = ""
    computed: bool = True
    id: int | None = None
    zone_id: int | None = None
    attachment_name: str = ""


def _latest_first(points: list[Any]) -> list[Any]:
    return sorted(points, key=lambda a: period_end(a.period), reverse=True)


@dataclass
class Series:
    """One zone's (or the city's, zone None) values of an indicator, latest first."""

    indicator: Indicator
    zone: Zone | None
    actuals: list[Any] = field(default_factory=list)

    def latest(self, until: str | None = None) -> Any:
        """The latest value whose period ends at or before ``until`` (a period)."""
        if until is None:
            return self.actuals[0] if self.actuals else None
        limit = period_end(until)[0]
        return next((a for a in self.actuals if period_end(a.period)[0] <= limit), None)

    def ratio(self, actual: Any = None) -> Decimal | None:
        """Progress toward the target (1 = reached); for "at most" a value over the target
        falls below 1 as it grows."""
        actual = actual or self.latest()
        target = Decimal(self.indicator.target_value)
        if actual is None or not target:
            return None
        value = Decimal(actual.value)
        if self.indicator.comparison == "<=":
            return Decimal(1) if value <= target else target / value
        return value / target

    def met(self, actual: Any = None) -> bool:
        actual = actual or self.latest()
        if actual is None:
            return False
        value, target = Decimal(actual.value), Decimal(self.indicator.target_value)
        return {">": value > target, "<=": value <= target}.get(
            self.indicator.comparison, value >= target
        )

    def trend(self) -> list[Any]:
        """The last values, oldest first, one per period (months and quarters and years as
        entered)."""
        return list(reversed(self.actuals[:TREND_POINTS]))


@dataclass
class GoalRow(Series):
    """An indicator with its headline series (the city's, or the zone's for a zone's own goal)
    and, for a city-wide goal, a series per zone the user sees."""

    zones: list[Series] = field(default_factory=list)
    computed: bool = False

    @property
    def target_text(self) -> str:
        sign = COMPARISONS.get(self.indicator.comparison, "")
        return f"{sign} {text_of(self.indicator.target_value)}"

    @property
    def additive(self) -> bool:
        return self.indicator.unit not in RATIO_UNITS


def _zone_sums(indicator_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """{indicator id: {period: the zones' sum}} — a city-wide total, which every user may
    read even where they see only their own zone's values."""
    if not indicator_ids:
        return {}
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            IndicatorActual.indicator_id, IndicatorActual.period, func.sum(IndicatorActual.value)
        )
        .where(
            IndicatorActual.indicator_id.in_(indicator_ids),
            IndicatorActual.zone_id.is_not(None),
        )
        .group_by(IndicatorActual.indicator_id, IndicatorActual.period)
    )
    for indicator_id, period, total in rows:
        sums[indicator_id][period] = Decimal(total)
    return sums


def _with_sums(row: GoalRow, sums: dict[str, Decimal]) -> None:
    """Periods reported only by zones count, for a total, as the zones' sum."""
    have = {a.period for a in row.actuals}
    row.actuals += [Point(p, value, SUM_NOTE) for p, value in sums.items() if p not in have]


def _with_live_counts(row: GoalRow, counts: dict[int | None, Any], period: str) -> None:
    note = live_note(row.indicator.code)
    for series in (row, *row.zones):
        zone_id = series.zone.id if series.zone else None
        series.actuals = [a for a in series.actuals if a.period != period]
        value = Decimal(counts.get(zone_id, 0))
        series.actuals.append(Point(period, value, note, True))


def goal_rows(user: Any = None, zone_ids: list[int] | None = None) -> list[GoalRow]:
    """The indicators the user may see (optionally only city-wide ones and these zones'),
    each with its series, latest first."""
    stmt = scoped_select(Indicator, user).order_by(
        Indicator.zone_id.is_not(None), Indicator.sort_order, Indicator.id
    )
    if zone_ids is not None:
        stmt = stmt.where(or_(Indicator.zone_id.is_(None), Indicator.zone_id.in_(zone_ids)))
    indicators = list(db.session.scalars(stmt))
    zones = {z.id: z for z in db.session.scalars(select(Zone).order_by(Zone.sort_order, Zone.id))}
    shown = [
        z
        for z in zones.values()
        if z.active
        and (zone_ids is None or z.id in zone_ids)
        and (getattr(user, "zone_id", None) in (None, z.id) or user is None)
    ]
    rows = {}
    for indicator in indicators:
        row = GoalRow(indicator, zones.get(indicator.zone_id), computed=is_computed(indicator))
        if indicator.zone_id is None:
            row.zones = [Series(indicator, zone) for zone in shown]
        rows[indicator.id] = row
    actuals = db.session.scalars(
        scoped_select(IndicatorActual, user).where(IndicatorActual.indicator_id.in_(list(rows)))
    )
    for actual in actuals:
        row = rows[actual.indicator_id]
        if actual.zone_id == row.indicator.zone_id:
            row.actuals.append(actual)
        else:
            series = next((s for s in row.zones if s.zone.id == actual.zone_id), None)
            if series is not None:
                series.actuals.append(actual)
    live = [r for r in rows.values() if r.computed]
    codes = {r.indicator.code for r in live}
    counts: dict[str, Any] = {**computed_counts(codes), **hook_values(codes)} if live else {}
    totals = [
        r.indicator.id
        for r in rows.values()
        if r.additive and not r.computed and r.indicator.zone_id is None
    ]
    sums = _zone_sums(totals)
    period = current_period()
    for row in rows.values():
        if row.computed:
            _with_live_counts(row, counts.get(row.indicator.code, {}), period)
        if row.indicator.id in sums:
            _with_sums(row, sums[row.indicator.id])
        for series in (row, *row.zones):
            series.actuals = _latest_first(series.actuals)
    return list(rows.values())


__all__ = ["COMPUTED", "GoalRow", "Point", "Series", "goal_rows"]

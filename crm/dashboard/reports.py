"""Weekly and monthly reports (周报 / 月报) for one zone or the city, in fixed statements.

Weekly: 本周新增, 阶段变化, 重点项目 ≥ 10亿, 需协调事项 (open conflicts, stalled projects,
首报 missing). Monthly: the quota table, the indicators with 本期 / 累计 / 目标 / 完成率 and
the land goals (批而未供 activated to the month's end against each zone's goal, the reserve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from crm.core.timeutil import SHANGHAI, local_today
from crm.dashboard import queries as q
from crm.dashboard.services import ZoneAttainment, attainments
from crm.extensions import db
from crm.land.goals import LandGoals, land_goals
from crm.progress.queries import MonthTotals, month_totals
from crm.projects.models import Project, StageEvent
from crm.projects.queries import quota_amount, rotting_clause
from crm.quotas.indicators import GoalRow, goal_rows
from crm.targets.models import Conflict, ConflictZone, Target
from crm.zones.models import Zone

KEY_THRESHOLD_WAN = 100000  # 重点项目: ≥ 10亿元
ROW_LIMIT = 50  # per section: a weekly report prints on a few A4 pages


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Shanghai, as naive UTC for stored times."""

    def utc(day: date) -> datetime:
        moment = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        return moment.astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


@dataclass
class Listing:
    """Up to ROW_LIMIT rows, and whether more exist."""

    rows: list[Any]
    more: bool = False


def _listing(stmt: Any, scalars: bool = True) -> Listing:
    result = db.session.execute(stmt.limit(ROW_LIMIT + 1)).unique()
    rows = list(result.scalars()) if scalars else [tuple(row) for row in result]
    return Listing(rows[:ROW_LIMIT], len(rows) > ROW_LIMIT)


def _projects(*columns: Any) -> Any:
    """SELECT of projects (and columns) without their enterprise: reports name projects."""
    return select(*(columns or (Project,))).options(lazyload(Project.enterprise))


def _live(zone_ids: list[int]):
    return (Project.zone_id.in_(zone_ids), Project.deleted_at.is_(None))


@dataclass
class WeeklyReport:
    zones: list[Zone]
    start: date
    end: date
    new_projects: Listing
    new_targets: Listing
    changes: Listing
    key_projects: Listing
    conflicts: Listing
    rotting: Listing
    unreported: Listing
    today: date = field(default_factory=local_today)


def weekly_report(zones: list[Zone], day: date | None = None) -> WeeklyReport:
    """The week (Monday to Sunday) containing ``day`` for these zones — seven statements."""
    today = local_today()
    start, end = q.week_bounds(day or today)
    since, until = utc_bounds(start, end)
    ids = [zone.id for zone in zones]
    involved = select(ConflictZone.conflict_id).where(ConflictZone.zone_id.in_(ids))
    return WeeklyReport(
        zones=zones,
        start=start,
        end=end,
        new_projects=_listing(
            _projects()
            .join(StageEvent, StageEvent.project_id == Project.id)
            .where(
                *_live(ids),
                StageEvent.from_stage.is_(None),
                StageEvent.effective_on.between(start, end),
            )
            .order_by(StageEvent.effective_on, Project.id)
        ),
        new_targets=_listing(
            select(Target)
            .where(
                Target.zone_id.in_(ids),
                Target.deleted_at.is_(None),
                Target.created_at >= since,
                Target.created_at < until,
            )
            .order_by(Target.created_at, Target.id)
        ),
        changes=_listing(
            _projects(StageEvent, Project)
            .join(Project, Project.id == StageEvent.project_id)
            .where(
                *_live(ids),
                StageEvent.from_stage.is_not(None),
                StageEvent.effective_on.between(start, end),
            )
            .order_by(StageEvent.effective_on, StageEvent.id),
            scalars=False,
        ),
        key_projects=_listing(
            _projects()
            .where(
                *_live(ids),
                quota_amount() >= KEY_THRESHOLD_WAN,
                Project.stage.not_in(q.FINISHED),
            )
            .order_by(quota_amount().desc(), Project.id)
        ),
        conflicts=_listing(
            select(Conflict)
            .where(Conflict.status == "open", Conflict.id.in_(involved))
            .options(selectinload(Conflict.zones))
            .order_by(Conflict.raised_at, Conflict.id)
        ),
        rotting=_listing(
            _projects()
            .where(*_live(ids), rotting_clause(today))
            .order_by(Project.stage_since, Project.id)
        ),
        unreported=_listing(
            _projects()
            .where(*_live(ids), q.first_report_clause(today))
            .order_by(quota_amount().desc(), Project.id)
        ),
        today=today,
    )


@dataclass
class MonthRow:
    """A line of the monthly table: 本期 / 累计 / 目标 / 完成率 (values already as text)."""

    label: str
    unit: str
    period: str
    total: str
    target: str = "—"
    ratio: Decimal | None = None


@dataclass
class ZoneMonth:
    zone: Zone
    attainment: ZoneAttainment
    in_month: dict[int, int]  # tier index -> projects counted in the month
    to_date: dict[int, int]  # tier index -> counted up to the month's end
    period: q.Indicators
    year_to_date: q.Indicators
    progress: MonthTotals = field(default_factory=MonthTotals)


@dataclass
class MonthlyReport:
    zones: list[ZoneMonth]
    year: int
    month: int
    start: date
    end: date
    period: q.Indicators
    year_to_date: q.Indicators
    goals: list[GoalRow]
    progress: MonthTotals = field(default_factory=MonthTotals)  # 完成投资 / 到位资金
    land: LandGoals | None = None  # 批而未供 activated to the month's end, reserve at it

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def monthly_report(
    zones: list[Zone], year: int, month: int, user: Any, city: bool
) -> MonthlyReport:
    """The quota table and indicators of a month (本期) and the year to its end (累计)."""
    start, end = month_bounds(year, month)
    ids = [zone.id for zone in zones]
    attained = attainments(zones, year, complete=False)  # tiers, their projects, at risk
    period = q.indicators(ids, start, end)
    to_date = q.indicators(ids, date(year, 1, 1), end)
    progress = month_totals(ids, year, month)
    rows = []
    for zone in zones:
        att = attained[zone.id]
        in_month, so_far = {}, {}
        for index, tier in enumerate(att.result.tiers):
            dates = [att.counted_on(pid) for pid in tier.projects]
            in_month[index] = sum(1 for d in dates if d and start <= d <= end)
            so_far[index] = sum(1 for d in dates if d and d <= end)
        rows.append(
            ZoneMonth(
                zone, att, in_month, so_far, period[zone.id], to_date[zone.id], progress[zone.id]
            )
        )
    goals = goal_rows(user, ids)
    if not city:
        goals = [g for g in goals if g.indicator.zone_id in ids]
    return MonthlyReport(
        zones=rows,
        year=year,
        month=month,
        start=start,
        end=end,
        period=sum(period.values(), q.Indicators()),
        year_to_date=sum(to_date.values(), q.Indicators()),
        goals=goals,
        progress=sum(progress.values(), MonthTotals()),
        land=land_goals(zones, today=min(end, local_today()), until=end),
    )

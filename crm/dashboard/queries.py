"""Dashboard aggregates in SQL: each function is one statement for any number of zones.

Zone filters are explicit (``zone_ids``); callers pass only the zones the user may see
(:func:`crm.dashboard.services.zone_or_404`, :func:`crm.zones.services.visible_zones`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import lazyload

from crm.extensions import db
from crm.progress.queries import in_place_as_of
from crm.projects.models import Project, StageEvent
from crm.projects.queries import quota_amount, rotting_clause, signal_clause
from crm.projects.stages import PIPELINE, rank
from crm.targets.models import OPEN_STATUSES, Conflict, ConflictZone, Target
from crm.targets.queries import stale_clause
from crm.targets.services import stale_before

FINISHED = ("full_production", "terminated")


def stages_from(code: str) -> list[str]:
    """Pipeline stages at or after ``code``."""
    return [s for s in PIPELINE if rank(s) >= rank(code)]


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction rounded to 0.1 %, None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass
class Indicators:
    """签约项目数 / 金额 and the cohort's 履约, 开工 and funds in place."""

    signed: int = 0
    signed_wan: int = 0
    performing: int = 0  # reached 注册 or later
    started: int = 0  # reached 开工 or later
    in_place_wan: int = 0

    def __add__(self, other: Indicators) -> Indicators:
        return Indicators(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def start_rate(self) -> Decimal | None:
        return rate(self.started, self.signed)

    @property
    def performance_rate(self) -> Decimal | None:
        return rate(self.performing, self.signed)

    @property
    def funds_rate(self) -> Decimal | None:
        return rate(self.in_place_wan, self.signed_wan)


def indicators(zone_ids: list[int], start: date, end: date) -> dict[int, Indicators]:
    """Per zone: projects that first reached 签约 between ``start`` and ``end`` (Shanghai
    dates), their amount, how many reached 注册 / 开工 by ``end``, and their funds in place at
    the end of ``end``'s month (monthly progress, crm.progress.queries.in_place_as_of).

    The milestone dates are the copies on the project row (``Project.reached_*``, kept with
    the stored milestones by crm.quotas.milestones): one range of ``ix_project_reached_signed``
    whatever the number of zones."""
    stmt = (
        select(
            Project.zone_id,
            func.count(Project.id),
            func.coalesce(func.sum(quota_amount()), 0),
            func.count(case((Project.reached_registered_on <= end, 1))),
            func.count(case((Project.reached_construction_on <= end, 1))),
            func.coalesce(func.sum(in_place_as_of(end)), 0),
        )
        .where(
            Project.reached_signed_on.between(start, end),
            Project.zone_id.in_(zone_ids),
            Project.deleted_at.is_(None),
        )
        .group_by(Project.zone_id)
    )
    result = {zone_id: Indicators() for zone_id in zone_ids}
    for zone_id, *values in db.session.execute(stmt):
        result[zone_id] = Indicators(*(int(v) for v in values))
    return result


@dataclass
class StageTotal:
    stage: str
    count: int = 0
    total_wan: int = 0
    overdue: int = 0
    rotting: int = 0
    unreported: int = 0


@dataclass
class Attention:
    overdue_projects: int = 0
    rotting_projects: int = 0
    first_report_missing: int = 0
    overdue_targets: int = 0
    stale_targets: int = 0

    def __add__(self, other: Attention) -> Attention:
        return Attention(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def _flag(clause: Any):
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


def first_report_clause(today: date):
    """≥ the 首报 threshold and not reported to the province (as on the project board)."""
    return signal_clause("first_report", today)


def project_overdue_clause(today: date):
    return and_(Project.next_follow_up < today, Project.stage.not_in(FINISHED))


def target_overdue_clause(today: date):
    return and_(Target.next_follow_up < today, Target.status.in_(OPEN_STATUSES))


def pipeline(zone_ids: list[int], year: int, today: date) -> dict[int, dict[str, StageTotal]]:
    """Per zone and stage: live projects, their amount and how many are overdue, stuck or not
    first-reported (terminated projects of ``year`` only: they need no attention)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    stmt = (
        select(
            Project.zone_id,
            Project.stage,
            func.count(Project.id),
            func.coalesce(func.sum(quota_amount()), 0),
            _flag(project_overdue_clause(today)),
            _flag(rotting_clause(today)),
            _flag(first_report_clause(today)),
        )
        .where(
            Project.zone_id.in_(zone_ids),
            Project.deleted_at.is_(None),
            or_(Project.stage != "terminated", Project.stage_since.between(start, end)),
        )
        .group_by(Project.zone_id, Project.stage)
    )
    result: dict[int, dict[str, StageTotal]] = {zone_id: {} for zone_id in zone_ids}
    for zone_id, stage, *numbers in db.session.execute(stmt):
        result[zone_id][stage] = StageTotal(stage, *(int(n) for n in numbers))
    return result


def attention(
    zone_ids: list[int], today: date, pipe: dict[int, dict[str, StageTotal]]
) -> dict[int, Attention]:
    """Per zone: overdue, stuck and not-first-reported projects (from the pipeline), overdue
    and stale targets (one statement)."""
    result = {}
    for zone_id in zone_ids:
        stages = pipe.get(zone_id, {}).values()
        result[zone_id] = Attention(
            sum(t.overdue for t in stages),
            sum(t.rotting for t in stages),
            sum(t.unreported for t in stages),
        )
    targets = (
        select(
            Target.zone_id,
            _flag(target_overdue_clause(today)),
            _flag(stale_clause(stale_before())),
        )
        .where(Target.zone_id.in_(zone_ids), Target.deleted_at.is_(None))
        .group_by(Target.zone_id)
    )
    for zone_id, overdue, stale in db.session.execute(targets):
        result[zone_id].overdue_targets = int(overdue)
        result[zone_id].stale_targets = int(stale)
    return result


def attention_projects(zone_ids: list[int], today: date, limit: int) -> list[Project]:
    """Projects with an overdue follow-up or stuck in their stage, most overdue first."""
    stmt = (
        select(Project)
        .where(
            Project.zone_id.in_(zone_ids),
            Project.deleted_at.is_(None),
            or_(project_overdue_clause(today), rotting_clause(today)),
        )
        .order_by(Project.next_follow_up.asc().nulls_last(), Project.stage_since, Project.id)
        .options(lazyload(Project.enterprise))
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def attention_targets(zone_ids: list[int], today: date, limit: int) -> list[Target]:
    """Open targets with an overdue follow-up or no activity for too long."""
    stmt = (
        select(Target)
        .where(
            Target.zone_id.in_(zone_ids),
            Target.deleted_at.is_(None),
            or_(target_overdue_clause(today), stale_clause(stale_before())),
        )
        .order_by(Target.next_follow_up.asc().nulls_last(), Target.last_activity_on, Target.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def stage_changes(
    zone_ids: list[int], limit: int, start: date, end: date
) -> list[tuple[StageEvent, Project]]:
    """Stage events effective between ``start`` and ``end`` of these zones' live projects,
    latest first."""
    stmt = (
        select(StageEvent, Project)
        .join(Project, Project.id == StageEvent.project_id)
        .where(
            Project.zone_id.in_(zone_ids),
            Project.deleted_at.is_(None),
            StageEvent.effective_on.between(start, end),
        )
        .order_by(
            StageEvent.effective_on.desc(), StageEvent.recorded_at.desc(), StageEvent.id.desc()
        )
        .options(lazyload(Project.enterprise))
        .limit(limit)
    )
    return [(event, project) for event, project in db.session.execute(stmt).unique()]


def open_conflicts(zone_ids: list[int] | None) -> int:
    """Open cross-zone conflicts involving these zones (None: all of them)."""
    stmt = select(func.count(Conflict.id)).where(Conflict.status == "open")
    if zone_ids is not None:
        involved = select(ConflictZone.conflict_id).where(ConflictZone.zone_id.in_(zone_ids))
        stmt = stmt.where(Conflict.id.in_(involved))
    return int(db.session.scalar(stmt) or 0)


def projects_by_id(ids: set[int]) -> dict[int, Project]:
    """Projects by id (one statement, also when there are none)."""
    stmt = select(Project).where(Project.id.in_(sorted(ids))).options(lazyload(Project.enterprise))
    return {p.id: p for p in db.session.scalars(stmt).unique()}


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week of ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)

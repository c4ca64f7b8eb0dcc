"""Reading monthly progress for pages, reports and dashboards (current revisions only).

Callers pass zone ids they already scoped (the dashboards' rule); the project page reads its
own project's months through the access scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from crm.core.access import scoped
from crm.core.period_lock import locked_periods, period_of
from crm.extensions import db
from crm.progress.models import MonthlyProgress
from crm.projects.models import Project


def newest_revisions() -> Any:
    """(project_id, period, revision) of every month's newest revision, as a subquery."""
    return (
        select(
            MonthlyProgress.project_id,
            MonthlyProgress.period,
            func.max(MonthlyProgress.revision).label("revision"),
        )
        .group_by(MonthlyProgress.project_id, MonthlyProgress.period)
        .subquery()
    )


@dataclass
class MonthLine:
    """A month on the project page: its current figures and its earlier revisions."""

    row: MonthlyProgress
    locked: bool
    earlier: list[MonthlyProgress]


def project_history(project: Project) -> list[MonthLine]:
    """The project's months, newest first (one statement for the rows, one for the locks)."""
    stmt = scoped(
        select(MonthlyProgress)
        .where(MonthlyProgress.project_id == project.id)
        .order_by(MonthlyProgress.period.desc(), MonthlyProgress.revision.desc()),
        MonthlyProgress,
    )
    locked = locked_periods(project.zone_id)
    lines: dict[str, MonthLine] = {}
    for row in db.session.scalars(stmt):
        if row.period in lines:
            lines[row.period].earlier.append(row)
        else:
            lines[row.period] = MonthLine(row, row.period in locked, [])
    return list(lines.values())


def funds_rate(in_place_wan: int, project: Project) -> Decimal | None:
    """资金到位率 of one project: funds in place / contract amount (else planned total)."""
    whole = project.quota_amount_wan
    if not whole:
        return None
    return (Decimal(in_place_wan) / Decimal(whole)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


def in_place_as_of(end: date) -> Any:
    """A column for queries over Project: the project's 累计到位资金 at the end of ``end``'s
    month — its newest reported month up to then; 0 if it reported only later months; its
    累计实际到位 if it never reported a month (a ledger figure)."""
    period = period_of(end.year, end.month)
    newest = (
        select(MonthlyProgress.total_funds_wan)
        .where(MonthlyProgress.project_id == Project.id, MonthlyProgress.period <= period)
        .order_by(MonthlyProgress.period.desc(), MonthlyProgress.revision.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )
    reported = exists().where(MonthlyProgress.project_id == Project.id).correlate(Project)
    return case((reported, func.coalesce(newest, 0)), else_=Project.actual_in_place_wan)


@dataclass
class MonthTotals:
    """A zone's month: 本期 (the month) and 累计 (the year to the month's end), 万元."""

    month_investment_wan: int = 0
    year_investment_wan: int = 0
    month_funds_wan: int = 0
    year_funds_wan: int = 0
    reported: int = 0  # projects with figures for the month

    def __add__(self, other: MonthTotals) -> MonthTotals:
        names = self.__dataclass_fields__
        return MonthTotals(*(getattr(self, n) + getattr(other, n) for n in names))


def month_totals(zone_ids: list[int], year: int, month: int) -> dict[int, MonthTotals]:
    """Per zone: the month's and the year-to-date sums of the monthly figures (one statement;
    deleted projects left out)."""
    period = period_of(year, month)
    newest = newest_revisions()
    row = aliased(MonthlyProgress)
    in_month = row.period == period

    def total(column: Any, only_month: bool) -> Any:
        value = case((in_month, column), else_=0) if only_month else column
        return func.coalesce(func.sum(value), 0)

    stmt = (
        select(
            Project.zone_id,
            total(row.month_investment_wan, True),
            total(row.month_investment_wan, False),
            total(row.month_funds_wan, True),
            total(row.month_funds_wan, False),
            func.coalesce(func.sum(case((in_month, 1), else_=0)), 0),
        )
        .select_from(row)
        .join(
            newest,
            and_(
                newest.c.project_id == row.project_id,
                newest.c.period == row.period,
                newest.c.revision == row.revision,
            ),
        )
        .join(Project, Project.id == row.project_id)
        .where(
            Project.zone_id.in_(zone_ids),
            Project.deleted_at.is_(None),
            row.period.between(period_of(year, 1), period),
        )
        .group_by(Project.zone_id)
    )
    result = {zone_id: MonthTotals() for zone_id in zone_ids}
    for zone_id, *values in db.session.execute(stmt):
        result[zone_id] = MonthTotals(*(int(v) for v in values))
    return result

"""The pipeline board of one zone: a column per stage with its count, amount and first cards.

Two statements whatever the number of projects: one aggregate (count and amount per stage) and
one card query (the first ``BOARD_CARDS`` of every pipeline column by amount, ranked by a window
function; the side states 暂缓 and 终止 are folded to their count and a link). A card is built
from the columns it shows, not a loaded ``Project``, so the page costs about the same with ten
or ten thousand projects in a zone. The list's filters (search, owner, type, tier, signal,
chain) narrow both, so the counts say how many projects the filter finds; each column links to
the list filtered by its stage for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask import url_for
from sqlalchemy import func, or_, select

from crm.auth.models import User
from crm.core.access import scoped
from crm.core.money import format_wan, format_yi
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.blueprint import Badge, signal_badges
from crm.projects.models import Project
from crm.projects.queries import FINISHED, ProjectFilters, filter_clauses, quota_amount
from crm.projects.services import can_write_project, project_signals
from crm.projects.stages import ALL_STAGES, SIDE, stage_label

BOARD_CARDS = 10  # cards per pipeline column; its count and a link to the list tell the rest
# The list filters the board offers (zone, stage and sort are the board's own).
BOARD_FILTERS = ("q", "owner", "type", "manufacturing", "min_amount", "signal", "chain", "node")


@dataclass(frozen=True)
class Card:
    """What a board card shows, computed in Python so a card costs a few template lookups."""

    id: int
    stage: str
    name: str
    url: str
    stage_url: str  # "" when the user may not change the project
    enterprise: str | None  # None for a confidential project
    owner: str | None
    amount: str
    amount_title: str
    days: int
    badges: tuple[Badge, ...]


@dataclass
class Column:
    stage: str
    label: str
    side: bool
    count: int = 0
    total_wan: int = 0
    cards: list[Card] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.cards)


def board_filters(args: Any) -> ProjectFilters:
    """The list filters the board honours, from the query string (others are ignored)."""
    return ProjectFilters.from_args({k: args.get(k, "") for k in BOARD_FILTERS})


def _board_where(zone_id: int, year: int, filters: ProjectFilters, today: date) -> list:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return [
        Project.zone_id == zone_id,
        Project.deleted_at.is_(None),
        # finished projects (达产, 终止) show on the board of the year they finished only
        or_(Project.stage.not_in(FINISHED), Project.stage_since.between(start, end)),
        *filter_clauses(filters, today),
    ]


def _searchable(stmt: Any, filters: ProjectFilters) -> Any:
    """The search matches enterprise names too: join the enterprise when searching."""
    if filters.q:
        return stmt.join(Enterprise, Enterprise.id == Project.enterprise_id)
    return stmt.select_from(Project)


def board_columns(
    user: Any,
    zone_id: int,
    year: int,
    filters: ProjectFilters | None = None,
    today: date | None = None,
    limit: int = BOARD_CARDS,
) -> list[Column]:
    """A column per stage (pipeline, then 暂缓 and 终止) with count, amount total and the first
    ``limit`` cards by amount — two statements whatever the number of projects."""
    filters = filters or ProjectFilters()
    today = today or date.today()
    user = getattr(user, "_get_current_object", lambda: user)()  # not the proxy, once per card
    where = _board_where(zone_id, year, filters, today)
    columns = {code: Column(code, stage_label(code), code in SIDE) for code in ALL_STAGES}
    totals = scoped(
        _searchable(
            select(
                Project.stage, func.count(Project.id), func.coalesce(func.sum(quota_amount()), 0)
            ),
            filters,
        )
        .where(*where)
        .group_by(Project.stage),
        Project,
        user,
    )
    for stage, count, total in db.session.execute(totals):
        if stage in columns:
            columns[stage].count, columns[stage].total_wan = count, int(total)
    ranked = scoped(
        _searchable(
            select(
                Project.id.label("id"),
                func.row_number()
                .over(
                    partition_by=Project.stage,
                    order_by=(quota_amount().desc().nulls_last(), Project.id.asc()),
                )
                .label("position"),
            ),
            filters,
        ).where(*where),
        Project,
        user,
    ).subquery()
    cards = (
        select(
            Project.id,
            Project.name,
            Project.code_name,
            Project.stage,
            Project.stage_since,
            Project.next_follow_up,
            Project.next_step,
            Project.first_reported,
            Project.zone_id,
            Project.owner_id,
            quota_amount().label("quota_amount_wan"),
            Enterprise.name.label("enterprise_name"),
            User.display_name.label("owner_name"),
        )
        .join(ranked, ranked.c.id == Project.id)
        .join(Enterprise, Enterprise.id == Project.enterprise_id)
        .outerjoin(User, User.id == Project.owner_id)
        .where(ranked.c.position <= limit, Project.stage.not_in(SIDE))  # side states: folded
        .order_by(Project.stage, ranked.c.position)
    )
    make_card = _card_maker(user, today)
    for row in db.session.execute(cards):
        if row.stage in columns:
            columns[row.stage].cards.append(make_card(row))
    return list(columns.values())


def _url_pattern(endpoint: str) -> str:
    marker = 987654321
    return url_for(endpoint, project_id=marker).replace(str(marker), "{}")


def _card_maker(user: Any, today: date):
    """A function from a project to its card; URLs and badge texts are built once per page."""
    detail, stage = _url_pattern("projects.detail"), _url_pattern("projects.stage")
    badge_cache: dict[tuple, tuple[Badge, ...]] = {}

    def make(row: Any) -> Card:
        # the columns a card needs, with the attributes the signal and access rules read
        project = SimpleNamespace(**row._mapping, is_confidential=bool(row.code_name))
        signals = project_signals(project, today)
        key = (
            signals.overdue,
            signals.no_next_step,
            signals.rotting and (project.stage, signals.days_in_stage),
            signals.first_report_missing,
            signals.confidential,
        )
        if key not in badge_cache:
            badge_cache[key] = tuple(signal_badges(project, signals))
        amount = project.quota_amount_wan
        return Card(
            id=project.id,
            stage=project.stage,
            name=project.code_name or project.name,
            url=detail.format(project.id),
            stage_url=stage.format(project.id) if can_write_project(user, project) else "",
            enterprise=None if project.is_confidential else project.enterprise_name,
            owner=project.owner_name,
            amount=format_yi(amount),
            amount_title=format_wan(amount),
            days=signals.days_in_stage,
            badges=badge_cache[key],
        )

    return make

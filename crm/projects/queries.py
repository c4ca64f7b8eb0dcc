"""Project list and board queries: filters, search, sorting, through the access scope.

Each page runs a fixed number of statements however many projects there are: the board one
aggregate (count and amount per stage) and one card query (the first cards of every column,
ranked by a window function); the list one count and one page. Signals are computed in Python
from the loaded rows; the SQL filters below mirror :func:`crm.projects.services.project_signals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import contains_eager

from crm.auth.models import User
from crm.core.access import scoped
from crm.core.models import AuditLog
from crm.core.settings import get_setting
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import PROJECT_TYPES, Project
from crm.projects.stages import ALL_STAGES, PIPELINE, SIDE, rot_days, stage_label
from crm.targets.chain_hooks import chain_filter

OPEN_STAGES = PIPELINE[: PIPELINE.index("production")]  # where rotting and next steps matter
FINISHED = ("full_production", "terminated")
CARD_LIMIT = 50
TIERS = (("10000", "≥ 1亿元"), ("50000", "≥ 5亿元"), ("100000", "≥ 10亿元"), ("300000", "≥ 30亿元"))
SIGNALS = (
    ("overdue", "跟进逾期"),
    ("rotting", "阶段停滞"),
    ("first_report", "未首报"),
    ("no_next_step", "无下一步"),
)
SORT_LABELS = (
    ("updated", "最近更新"),
    ("amount", "投资额（高→低）"),
    ("stage", "阶段"),
    ("days", "阶段停留时间（长→短）"),
    ("follow_up", "下次跟进日期"),
    ("name", "名称"),
    ("created", "创建时间"),
)


def quota_amount():
    """SQL twin of ``Project.quota_amount_wan``: the contract amount, else the planned total."""
    return func.coalesce(func.nullif(Project.contract_amount_wan, 0), Project.planned_total_wan)


def _stage_rank():
    return case({code: index for index, code in enumerate(ALL_STAGES)}, value=Project.stage)


def _sorts() -> dict[str, tuple]:
    return {
        "updated": (Project.updated_at.desc(), Project.id.desc()),
        "amount": (quota_amount().desc().nulls_last(), Project.id.desc()),
        "stage": (_stage_rank().desc(), Project.id.desc()),
        "days": (Project.stage_since.asc(), Project.id.asc()),
        "follow_up": (Project.next_follow_up.asc().nulls_last(), Project.id.asc()),
        "name": (func.coalesce(Project.code_name, Project.name).asc(), Project.id.asc()),
        "created": (Project.created_at.desc(), Project.id.desc()),
    }


@dataclass
class ProjectFilters:
    q: str = ""
    zone: str = ""
    stage: str = ""
    owner: str = ""  # user id, or "none"
    manufacturing: str = ""  # "1" | "0"
    type: str = ""
    min_amount: str = ""  # a tier threshold in 万元
    signal: str = ""
    chain: str = ""  # chain id: projects filling any node of it
    node: str = ""  # chain node id
    sort: str = "updated"

    @classmethod
    def from_args(cls, args: Any) -> ProjectFilters:
        values = {f.name: (args.get(f.name) or "").strip()[:100] for f in fields(cls)}
        filters = cls(**values)
        if filters.sort not in dict(SORT_LABELS):
            filters.sort = "updated"
        return filters

    def active(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _int(value: str) -> int | None:
    # ASCII digits only ("²".isdigit() is true) and within an INTEGER column
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def rotting_clause(today: date):
    """Projects in an open stage for longer than that stage's rotting limit."""
    clauses = []
    for code in OPEN_STAGES:
        days = rot_days(code)
        if days:
            clauses.append(
                and_(Project.stage == code, Project.stage_since < today - timedelta(days=days))
            )
    return or_(*clauses) if clauses else false()


def signal_clause(signal: str, today: date):
    if signal == "overdue":
        return Project.next_follow_up < today
    if signal == "rotting":
        return rotting_clause(today)
    if signal == "first_report":
        threshold = get_setting("projects.first_report_threshold_wan")
        return and_(
            func.coalesce(quota_amount(), 0) >= threshold,
            Project.first_reported.is_(False),
            Project.stage != "terminated",
        )
    if signal == "no_next_step":
        return and_(
            Project.stage.in_(OPEN_STAGES),
            or_(Project.next_step.is_(None), Project.next_step == ""),
        )
    return None


def search_clause(q: str):
    """Code names always; real project and enterprise names only of open (not confidential)
    projects, so a search cannot confirm who is behind a code name."""
    needle = q.strip()
    return or_(
        Project.code_name.contains(needle, autoescape=True),
        and_(
            Project.code_name.is_(None),
            or_(
                Project.name.contains(needle, autoescape=True),
                Enterprise.search_text.contains(needle.lower(), autoescape=True),
            ),
        ),
    )


def project_list_stmt(user: Any, filters: ProjectFilters, today: date | None = None) -> Select:
    """SELECT of the live projects the user may see, filtered and sorted."""
    today = today or local_today()
    stmt = (
        select(Project)
        .join(Project.enterprise)
        .options(contains_eager(Project.enterprise))
        .where(Project.deleted_at.is_(None))
    )
    stmt = scoped(stmt, Project, user)
    if filters.q:
        stmt = stmt.where(search_clause(filters.q))
    if _int(filters.zone) is not None:
        stmt = stmt.where(Project.zone_id == _int(filters.zone))
    if filters.stage in ALL_STAGES:
        stmt = stmt.where(Project.stage == filters.stage)
    if filters.owner == "none":
        stmt = stmt.where(Project.owner_id.is_(None))
    elif _int(filters.owner) is not None:
        stmt = stmt.where(Project.owner_id == _int(filters.owner))
    if filters.manufacturing in ("1", "0"):
        stmt = stmt.where(Project.is_manufacturing.is_(filters.manufacturing == "1"))
    if filters.type in PROJECT_TYPES:
        stmt = stmt.where(Project.project_type == filters.type)
    if filters.min_amount in dict(TIERS):
        stmt = stmt.where(quota_amount() >= int(filters.min_amount))
    clause = signal_clause(filters.signal, today)
    if clause is not None:
        stmt = stmt.where(clause)
    chain_id, node_id = _int(filters.chain), _int(filters.node)
    if chain_id is not None or node_id is not None:
        stmt = stmt.where(Project.id.in_(chain_filter("project", chain_id, node_id)))
    return stmt.order_by(*_sorts()[filters.sort])


# --- the board --------------------------------------------------------------------------------


@dataclass
class Column:
    stage: str
    label: str
    side: bool
    count: int = 0
    total_wan: int = 0
    cards: list[Project] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.cards)


def _board_where(zone_id: int, year: int) -> list:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return [
        Project.zone_id == zone_id,
        Project.deleted_at.is_(None),
        # finished projects (达产, 终止) show on the board of the year they finished only
        or_(Project.stage.not_in(FINISHED), Project.stage_since.between(start, end)),
    ]


def board_columns(user: Any, zone_id: int, year: int, limit: int = CARD_LIMIT) -> list[Column]:
    """A column per stage (pipeline, then 暂缓 and 终止) with count, amount total and the first
    ``limit`` cards by amount — two statements whatever the number of projects."""
    where = _board_where(zone_id, year)
    columns = {code: Column(code, stage_label(code), code in SIDE) for code in ALL_STAGES}
    totals = scoped(
        select(Project.stage, func.count(Project.id), func.coalesce(func.sum(quota_amount()), 0))
        .where(*where)
        .group_by(Project.stage),
        Project,
        user,
    )
    for stage, count, total in db.session.execute(totals):
        if stage in columns:
            columns[stage].count, columns[stage].total_wan = count, int(total)
    ranked = scoped(
        select(
            Project.id.label("id"),
            func.row_number()
            .over(
                partition_by=Project.stage,
                order_by=(quota_amount().desc().nulls_last(), Project.id.asc()),
            )
            .label("position"),
        ).where(*where),
        Project,
        user,
    ).subquery()
    cards = (
        select(Project)
        .join(ranked, ranked.c.id == Project.id)
        .where(ranked.c.position <= limit)
        .order_by(Project.stage, ranked.c.position)
    )
    for project in db.session.scalars(cards).unique():
        if project.stage in columns:
            columns[project.stage].cards.append(project)
    return list(columns.values())


# --- the project page -------------------------------------------------------------------------


def project_audit(project_id: int, limit: int = 200) -> list[tuple[AuditLog, str | None]]:
    """The project's audit entries, newest first, with the actor's name (one statement)."""
    stmt = (
        select(AuditLog, User.display_name)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(AuditLog.entity == "project", AuditLog.entity_id == str(project_id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return [(entry, name) for entry, name in db.session.execute(stmt)]


def user_names(ids: set[int]) -> dict[int, str]:
    """Display names of the users with these ids (one statement)."""
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}

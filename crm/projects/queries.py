"""Project list and board queries: filters, search, sorting, through the access scope.

Each page runs a fixed number of statements however many projects there are: the board one
aggregate (count and amount per stage) and one card query (the first cards of every column,
ranked by a window function); the list one count and one page. Signals are computed in Python
from the loaded rows; the SQL filters below mirror :func:`crm.projects.services.project_signals`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import contains_eager

from crm.auth.models import User
from crm.core.access import scoped
from crm.core.boundary import parse_id
from crm.core.models import AuditLog
from crm.core.settings import get_setting
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import PROJECT_TYPES, Project
from crm.projects.stages import ALL_STAGES, PIPELINE, rot_days
from crm.targets.chain_hooks import chain_filter

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
OPEN_STAGES = PIPELINE[: PIPELINE.index("production")]  # where rotting and next steps matter
FINISHED = ("full_production", "terminated")
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
        # control characters never match (and PostgreSQL text cannot hold NUL)
        values = {
            f.name: _CONTROL.sub("", args.get(f.name) or "").strip()[:100] for f in fields(cls)
        }
        filters = cls(**values)
        if filters.sort not in dict(SORT_LABELS):
            filters.sort = "updated"
        return filters

    def active(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _int(value: str) -> int | None:
    return parse_id(value)


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
    stmt = scoped(stmt, Project, user).where(*filter_clauses(filters, today))
    return stmt.order_by(*_sorts()[filters.sort])


def filter_clauses(filters: ProjectFilters, today: date) -> list:
    """The WHERE clauses of the filters (the list and the board share them); a search needs
    the enterprise joined."""
    clauses: list = []
    if filters.q:
        clauses.append(search_clause(filters.q))
    if _int(filters.zone) is not None:
        clauses.append(Project.zone_id == _int(filters.zone))
    if filters.stage in ALL_STAGES:
        clauses.append(Project.stage == filters.stage)
    if filters.owner == "none":
        clauses.append(Project.owner_id.is_(None))
    elif _int(filters.owner) is not None:
        clauses.append(Project.owner_id == _int(filters.owner))
    if filters.manufacturing in ("1", "0"):
        clauses.append(Project.is_manufacturing.is_(filters.manufacturing == "1"))
    if filters.type in PROJECT_TYPES:
        clauses.append(Project.project_type == filters.type)
    if filters.min_amount in dict(TIERS):
        clauses.append(quota_amount() >= int(filters.min_amount))
    clause = signal_clause(filters.signal, today)
    if clause is not None:
        clauses.append(clause)
    chain_id, node_id = _int(filters.chain), _int(filters.node)
    if chain_id is not None or node_id is not None:
        clauses.append(Project.id.in_(chain_filter("project", chain_id, node_id)))
    return clauses


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

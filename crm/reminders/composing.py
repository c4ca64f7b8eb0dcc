"""Digest contents for one person: the daily follow-up list and the weekly staff digest.

Every query goes through the recipient's access scope (``scoped_select`` with the recipient
as the user) and the number of queries does not depend on the data size. The manager and
city digests are in ``crm.reminders.team_digests``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import String, and_, cast, false, or_, select

from crm.auth.models import User
from crm.core.i18n import label as vocabulary_label
from crm.core.models import AuditLog
from crm.core.settings import get_setting
from crm.core.timeutil import SHANGHAI
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.stages import PIPELINE, rank, rot_days, stage_label
from crm.reminders.items import (
    FollowUp,
    count_follow_ups,
    follow_ups,
    open_projects,
    open_targets,
    path_for,
    project_item,
    target_item,
)
from crm.reminders.periods import overdue_floor
from crm.targets.models import Target

ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "restore": "恢复",
    "claim": "认领",
    "assign": "分配负责人",
    "stage": "阶段变更",
    "merge": "合并",
    "import": "导入",
}
FIELD_LABELS = {
    "owner_id": "负责人",
    "status": "状态",
    "priority": "优先级",
    "next_follow_up": "下次跟进",
    "stage": "阶段",
    "zone_id": "开发区",
    "contract_amount_wan": "合同投资额",
    "planned_total_wan": "计划总投资",
    "expected_landing_on": "预计落地",
    "note": "备注",
    "name": "名称",
    "code_name": "代号",
}
LIST_LIMIT = 30
# Items other areas add to the daily e-mail, by name (Area.daily_sections in crm/areas.py): a
# function (user, day) giving the items waiting on the user (each may have ``days_late``),
# rendered by the templates email/_daily_<name>.html and .txt; its ``recipients(day)``
# attribute, a SELECT of user ids, adds those users to the day's candidates.
DAILY_SECTIONS: dict[str, Callable[[Any, date], Sequence[Any]]] = {}


@dataclass(frozen=True)
class Week:
    day: date  # the digest's day (the week's first working day)
    monday: date
    sunday: date
    last_monday: date

    @classmethod
    def of(cls, day: date) -> Week:
        monday = day - timedelta(days=day.weekday())
        return cls(day, monday, monday + timedelta(days=6), monday - timedelta(days=7))

    @property
    def label(self) -> str:
        return f"{self.monday:%m.%d}–{self.sunday:%m.%d}"


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Shanghai dates [start, end) as naive-UTC datetimes (how created_at is stored)."""

    def edge(day: date) -> datetime:
        local = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        return local.astimezone(UTC).replace(tzinfo=None)

    return edge(start), edge(end)


def daily_digest(user: User, day: date) -> dict[str, Any] | None:
    """Follow-ups due today and overdue (overdue first, most days late first, at most
    LIST_LIMIT listed, all counted); None when nothing is due."""
    floor = overdue_floor(day)
    total, overdue_count = count_follow_ups(user, floor, day, day)
    sections = {name: list(section(user, day)) for name, section in DAILY_SECTIONS.items()}
    extra = [entry for entries in sections.values() for entry in entries]
    if not total and not extra:
        return None
    items = follow_ups(user, floor, day, day, limit=LIST_LIMIT) if total else []
    return {
        "day": day,
        "overdue": [item for item in items if item.days_late > 0],
        "due_today": [item for item in items if item.days_late == 0],
        "count": total + len(extra),
        "overdue_count": overdue_count + sum(getattr(e, "days_late", 0) > 0 for e in extra),
        "not_listed": total - len(items),
        "sections": sections,
    }


def stale_targets(user: User, day: date) -> list[FollowUp]:
    """The user's open targets without activity for ``targets.stale_days``."""
    cut = day - timedelta(days=get_setting("targets.stale_days"))
    created_cut, _ = utc_bounds(cut, cut)
    stmt = (
        open_targets(user)
        .where(Target.owner_id == user.id)
        .where(
            or_(
                Target.last_activity_on < cut,
                and_(Target.last_activity_on.is_(None), Target.created_at < created_cut),
            )
        )
        .order_by(Target.last_activity_on.is_(None).desc(), Target.last_activity_on, Target.id)
        .limit(LIST_LIMIT)
    )
    rows = []
    for target in db.session.scalars(stmt):
        last = target.last_activity_on or target.created_at.date()
        # ``due`` is the last activity here, ``days_late`` the days since
        rows.append(replace(target_item(target, day, due=last), days_late=(day - last).days))
    return rows


def stale_projects(user: User, day: date) -> list[tuple[FollowUp, int, str]]:
    """The user's projects that stayed in their stage longer than ``projects.rot_days``
    allows: (item, days in stage, stage label), longest first."""
    rotting = [
        and_(Project.stage == stage, Project.stage_since < day - timedelta(days=limit))
        for stage in PIPELINE
        if rank(stage) < rank("production") and (limit := rot_days(stage))
    ]
    stmt = (
        open_projects(user)
        .where(Project.owner_id == user.id, or_(false(), *rotting))
        .order_by(Project.stage_since, Project.id)
        .limit(LIST_LIMIT)
    )
    return [
        (
            project_item(project, day, due=project.stage_since),
            (day - project.stage_since).days,
            stage_label(project.stage),
        )
        for project in db.session.scalars(stmt)
    ]


def owned_changes(user: User, week: Week) -> list[dict[str, Any]]:
    """Last week's audited changes to the targets and projects the user owns (newest first;
    field names only, so a confidential project's real name never appears)."""
    start, end = utc_bounds(week.last_monday, week.monday)
    target_ids = (
        open_targets(user)
        .where(Target.owner_id == user.id)
        .with_only_columns(cast(Target.id, String))
    )
    project_ids = (
        open_projects(user)
        .where(Project.owner_id == user.id)
        .with_only_columns(cast(Project.id, String))
    )
    stmt = (
        select(AuditLog, User.display_name)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(AuditLog.at >= start, AuditLog.at < end)
        .where(
            or_(
                and_(AuditLog.entity == "target", AuditLog.entity_id.in_(target_ids)),
                and_(AuditLog.entity == "project", AuditLog.entity_id.in_(project_ids)),
            )
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(LIST_LIMIT)
    )
    changes = []
    for entry, actor_name in db.session.execute(stmt):
        fields = [vocabulary_label(FIELD_LABELS.get(k, k)) for k in (entry.changes or {})]
        subject = "target" if entry.entity == "target" else "project"
        endpoint = f"{subject}s.detail"
        path = path_for(
            endpoint, f"/{subject}s/{entry.entity_id}", **{f"{subject}_id": entry.entity_id}
        )
        changes.append(
            {
                "at": entry.at,
                "subject": subject,
                "subject_label": "目标企业" if subject == "target" else "项目",
                "id": entry.entity_id,
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "fields": fields,
                "actor": actor_name or gettext("系统"),
                "by_self": entry.actor_id == user.id,
                "path": path,
            }
        )
    return changes


def weekly_staff_digest(user: User, week: Week) -> dict[str, Any] | None:
    """This week's follow-ups (and overdue ones), stale targets and projects, last week's
    changes; None when there is nothing at all."""
    day = week.day
    floor = overdue_floor(day)
    total, overdue_count = count_follow_ups(user, floor, week.sunday, day)
    context = {
        "week": week,
        "overdue": follow_ups(user, floor, day - timedelta(days=1), day, limit=LIST_LIMIT),
        "this_week": follow_ups(user, day, week.sunday, day, limit=LIST_LIMIT),
        "overdue_count": overdue_count,
        "this_week_count": total - overdue_count,
        "stale_targets": stale_targets(user, day),
        "stale_projects": stale_projects(user, day),
        "changes": owned_changes(user, week),
        "stale_days": get_setting("targets.stale_days"),
    }
    sections = ("overdue", "this_week", "stale_targets", "stale_projects", "changes")
    if not any(context[name] for name in sections):
        return None
    return context

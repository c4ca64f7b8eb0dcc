"""Follow-ups of one user's targets and projects, read through the user's access scope.

Shared by the daily e-mail, the "my follow-ups" page, the weekly staff digest and the calendar
feed, so they always agree. Two queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, func
from werkzeug.routing import BuildError

from crm.core.access import scoped_select
from crm.extensions import db
from crm.projects.models import Project
from crm.targets.models import OPEN_STATUSES, Target

SUBJECT_LABELS = {"target": "目标企业", "project": "项目"}


@dataclass(frozen=True)
class FollowUp:
    subject: str  # target | project
    id: int
    name: str
    zone: str
    due: date
    days_late: int
    next_step: str
    path: str
    owner_id: int | None = None
    owner_name: str = ""
    status: str = ""

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS[self.subject]

    @property
    def uid(self) -> str:
        return f"{self.subject}-{self.id}"


def path_for(endpoint: str, fallback: str, **values: Any) -> str:
    """The URL path of an endpoint, built without a request (tasks have none)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return fallback


def absolute(path: str) -> str:
    """An absolute link from BASE_URL, for e-mails and calendar entries."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def target_item(target: Target, today: date, due: date | None = None) -> FollowUp:
    due = due or target.next_follow_up
    return FollowUp(
        subject="target",
        id=target.id,
        name=target.enterprise.name,
        zone=target.zone.short_name if target.zone else "市级储备库",
        due=due,
        days_late=(today - due).days,
        next_step=target.next_step or "",
        path=path_for("targets.detail", f"/targets/{target.id}", target_id=target.id),
        owner_id=target.owner_id,
        owner_name=target.owner.display_name if target.owner else "",
        status=target.status_label,
    )


def project_item(project: Project, today: date, due: date | None = None) -> FollowUp:
    due = due or project.next_follow_up
    return FollowUp(
        subject="project",
        id=project.id,
        name=project.display_name(),  # confidential projects by their code name
        zone=project.zone.short_name,
        due=due,
        days_late=(today - due).days,
        next_step=project.next_step or "",
        path=path_for("projects.detail", f"/projects/{project.id}", project_id=project.id),
        owner_id=project.owner_id,
        owner_name=project.owner.display_name if project.owner else "",
        status=project.stage,
    )


def open_targets(user: Any):
    return scoped_select(Target, user).where(
        Target.deleted_at.is_(None), Target.status.in_(OPEN_STATUSES)
    )


def open_projects(user: Any):
    return scoped_select(Project, user).where(
        Project.deleted_at.is_(None), Project.stage != "terminated"
    )


def _due_between(user: Any, start: date, end: date, everyone: bool, zone_id: int | None):
    targets = open_targets(user).where(Target.next_follow_up.between(start, end))
    projects = open_projects(user).where(Project.next_follow_up.between(start, end))
    if not everyone:
        targets = targets.where(Target.owner_id == user.id)
        projects = projects.where(Project.owner_id == user.id)
    if zone_id is not None:
        targets = targets.where(Target.zone_id == zone_id)
        projects = projects.where(Project.zone_id == zone_id)
    return targets, projects


def follow_ups(
    user: Any,
    start: date,
    end: date,
    today: date,
    *,
    everyone: bool = False,
    zone_id: int | None = None,
    limit: int | None = None,
) -> list[FollowUp]:
    """Follow-ups due in [start, end] that the user may see: the user's own, or with
    ``everyone`` all owners' (optionally in one zone). Earliest (most overdue) first; at most
    ``limit`` of them (two queries either way)."""
    targets, projects = _due_between(user, start, end, everyone, zone_id)
    if limit is not None:
        targets = targets.order_by(Target.next_follow_up, Target.id).limit(limit)
        projects = projects.order_by(Project.next_follow_up, Project.id).limit(limit)
    items = [target_item(t, today) for t in db.session.scalars(targets)]
    items += [project_item(p, today) for p in db.session.scalars(projects)]
    items.sort(key=lambda item: (item.due, item.subject, item.name))
    return items if limit is None else items[:limit]


def count_follow_ups(
    user: Any,
    start: date,
    end: date,
    today: date,
    *,
    everyone: bool = False,
    zone_id: int | None = None,
) -> tuple[int, int]:
    """(all, overdue) follow-ups due in [start, end], counted in two queries."""
    total = overdue = 0
    targets, projects = _due_between(user, start, end, everyone, zone_id)
    for stmt, column in ((targets, Target.next_follow_up), (projects, Project.next_follow_up)):
        late = func.coalesce(func.sum(case((column < today, 1), else_=0)), 0)
        n, n_late = db.session.execute(
            stmt.with_only_columns(func.count(), late).order_by(None)
        ).one()
        total, overdue = total + n, overdue + int(n_late)
    return total, overdue


def count_overdue_by_owner(
    user: Any, start: date, today: date, zone_id: int
) -> dict[int | None, int]:
    """Overdue follow-ups in a zone per owner id (None: unassigned), in two queries."""
    counts: dict[int | None, int] = {}
    targets, projects = _due_between(user, start, today - timedelta(days=1), True, zone_id)
    for stmt, owner in ((targets, Target.owner_id), (projects, Project.owner_id)):
        rows = db.session.execute(
            stmt.with_only_columns(owner, func.count()).group_by(owner).order_by(None)
        )
        for owner_id, n in rows:
            counts[owner_id] = counts.get(owner_id, 0) + n
    return counts

"""Weekly digests for managers (their zone) and for the city level (all zones side by side).

Every query goes through the recipient's access scope, and the count of queries is constant:
the quota service computes every zone's attainment in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.core.access import scoped, scoped_select
from crm.core.i18n import join_words
from crm.extensions import db
from crm.projects.models import Project, StageEvent
from crm.projects.stages import stage_label
from crm.quotas.exclusions import excluded_rows
from crm.quotas.services import zones_attainment
from crm.reminders.cache import cached
from crm.reminders.composing import LIST_LIMIT, Week, utc_bounds
from crm.reminders.items import (
    count_overdue_by_owner,
    follow_ups,
    open_projects,
    open_targets,
    path_for,
)
from crm.reminders.periods import overdue_floor
from crm.targets.models import Conflict, Target
from crm.zones.models import Zone

try:  # the chain maps are an optional area: without it the city digest has no gap section
    from crm.chains import services as chain_services
    from crm.chains.models import Chain
except ImportError:  # pragma: no cover — depends on the areas installed
    chain_services = None
    Chain = None

GAP_LIMIT = 20
PER_OWNER = 5  # overdue items listed per staff member in the manager digest

# Sections other areas add to the manager and city-level weekly digests, by name
# (Area.digest_sections in crm/areas.py): a function (user, week) giving the section's data,
# in the context under its name and under ``sections``; the digests render
# email/_digest_<name>.html and .txt when an area ships them.
SECTIONS: dict[str, Callable[[Any, Any], Any]] = {}


def registered_sections(user: User, week: Week) -> dict[str, Any]:
    return {name: section(user, week) for name, section in SECTIONS.items()}


def _visible(user: User, project_ids: set[int]) -> dict[int, Project]:
    """Projects the user may see among ``project_ids`` (always one query, even for no ids, so
    every digest of a kind costs the same)."""
    stmt = scoped_select(Project, user).where(Project.id.in_(project_ids))
    return {p.id: p for p in db.session.scalars(stmt)}


def _project_path(project_id: int) -> str:
    return path_for("projects.detail", f"/projects/{project_id}", project_id=project_id)


def _tiers(result: Any, names: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "label": tier.label,
            "required": tier.required,
            "achieved": tier.achieved,
            "gap": tier.gap,
            "surplus": tier.surplus,
            "at_risk": tier.at_risk,
            "candidates": [names[i] for i in tier.candidates if i in names],
        }
        for tier in result.tiers
    ]


def stage_changes(user: User, week: Week, zone_id: int | None = None) -> list[dict[str, Any]]:
    """Last week's stage changes of projects the user may see."""
    stmt = scoped(
        select(StageEvent, Project).join(Project, Project.id == StageEvent.project_id),
        StageEvent,
        user,
    ).where(
        StageEvent.effective_on >= week.last_monday,
        StageEvent.effective_on < week.monday,
        Project.deleted_at.is_(None),
    )
    if zone_id is not None:
        stmt = stmt.where(Project.zone_id == zone_id)
    stmt = stmt.order_by(StageEvent.effective_on.desc(), StageEvent.id.desc()).limit(LIST_LIMIT)
    return [
        {
            "name": project.display_name(),
            "zone": project.zone.short_name,
            "from": stage_label(event.from_stage) if event.from_stage else "—",
            "to": stage_label(event.to_stage),
            "on": event.effective_on,
            "path": path_for("projects.detail", f"/projects/{project.id}", project_id=project.id),
        }
        for event, project in db.session.execute(stmt).unique()
    ]


def new_targets(user: User, week: Week, zone_id: int) -> list[dict[str, Any]]:
    start, end = utc_bounds(week.last_monday, week.monday)
    stmt = (
        scoped_select(Target, user)
        .where(Target.zone_id == zone_id, Target.deleted_at.is_(None))
        .where(Target.created_at >= start, Target.created_at < end)
        .order_by(Target.created_at.desc())
        .limit(LIST_LIMIT)
    )
    return [
        {
            "name": t.enterprise.name,
            "priority": t.priority,
            "owner": t.owner.display_name if t.owner else "",
            "path": path_for("targets.detail", f"/targets/{t.id}", target_id=t.id),
        }
        for t in db.session.scalars(stmt)
    ]


def overdue_per_owner(user: User, day: date, zone_id: int) -> list[dict[str, Any]]:
    """The zone's overdue follow-ups counted per owner (most first, unassigned last), each
    with its most overdue items among the zone's first few dozen (five queries)."""
    floor = overdue_floor(day)
    counts = count_overdue_by_owner(user, floor, day, zone_id)
    people = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.display_name, User.active).where(
                User.id.in_([owner for owner in counts if owner is not None])
            )
        )
    }
    top = follow_ups(
        user, floor, day - timedelta(days=1), day, everyone=True, zone_id=zone_id, limit=60
    )
    listed: dict[int | None, list] = defaultdict(list)
    for item in top:
        if len(listed[item.owner_id]) < PER_OWNER:
            listed[item.owner_id].append(item)
    groups = []
    for owner_id, count in sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1])):
        person = people.get(owner_id)
        if person is None:
            name = gettext("（未分配）")
        else:
            name = person.display_name + ("" if person.active else gettext("（已停用）"))
        groups.append({"owner": name, "count": count, "items": listed.get(owner_id, [])})
    return groups


def _active_zones(user: User | None = None) -> list[Zone]:
    stmt = select(Zone) if user is None else scoped_select(Zone, user)
    stmt = stmt.where(Zone.active.is_(True)).order_by(Zone.sort_order, Zone.id)
    return list(db.session.scalars(stmt))


def weekly_manager_digest(user: User, week: Week, shared: bool = False) -> dict[str, Any] | None:
    """The zone's quota attainment and gap per tier with late-stage candidates, last week's
    stage changes and new targets, and overdue items per staff member (``shared`` changes
    nothing here: every part is read for this zone only)."""
    zone = user.zone
    if zone is None:
        return None
    # the zone's complete attainment (未计入 included), read for this zone only: it does not
    # grow with the number of zones, so there is nothing to share between recipients
    result = zones_attainment([zone], week.day.year)[zone.id]
    wanted = {i for tier in result.tiers for i in tier.candidates}
    projects = _visible(user, wanted | {e.project_id for e in result.excluded})
    names = {pid: p.display_name() for pid, p in projects.items()}
    return {
        "week": week,
        "zone": zone,
        "year": week.day.year,
        "tiers": _tiers(result, names),
        "excluded": [
            {
                **row,
                "path": path_for("projects.detail", f"/projects/{row['id']}", project_id=row["id"]),
            }
            for row in excluded_rows(result, projects)
        ],
        "stage_changes": stage_changes(user, week, zone.id),
        "new_targets": new_targets(user, week, zone.id),
        "overdue": overdue_per_owner(user, week.day, zone.id),
        "sections": registered_sections(user, week),
    }


def _zone_counts(user: User, day: Any) -> dict[str, dict[int, int]]:
    floor = overdue_floor(day)
    targets = (
        open_targets(user).with_only_columns(Target.zone_id, func.count()).group_by(Target.zone_id)
    )
    projects = (
        open_projects(user)
        .with_only_columns(Project.zone_id, func.count())
        .group_by(Project.zone_id)
    )
    overdue = (
        open_projects(user)
        .where(Project.next_follow_up.between(floor, day - timedelta(days=1)))
        .with_only_columns(Project.zone_id, func.count())
        .group_by(Project.zone_id)
    )
    overdue_targets = (
        open_targets(user)
        .where(Target.next_follow_up.between(floor, day - timedelta(days=1)))
        .with_only_columns(Target.zone_id, func.count())
        .group_by(Target.zone_id)
    )
    late = dict(db.session.execute(overdue).all())
    for zone_id, n in db.session.execute(overdue_targets):
        late[zone_id] = late.get(zone_id, 0) + n
    return {
        "targets": dict(db.session.execute(targets).all()),
        "projects": dict(db.session.execute(projects).all()),
        "overdue": late,
    }


def chain_gaps(user: User) -> list[dict[str, Any]] | None:
    """Missing and weak chain nodes, highest priority first (None: no chain maps area)."""
    if chain_services is None:
        return None
    chains = list(db.session.scalars(scoped_select(Chain, user).options(selectinload(Chain.nodes))))
    if not chains:
        return []
    counts = chain_services.node_counts([c.id for c in chains], user=user)
    gaps = []
    for chain in chains:
        for node in chain.nodes:
            c = counts.get(node.id, chain_services.NodeCounts())
            status = node.status_override or chain_services.computed_status(c)
            if status in ("missing", "weak"):
                gaps.append((node.priority, status != "missing", chain.name, node.name, status))
    gaps.sort()
    labels = {"missing": "缺", "weak": "弱"}
    return [
        {"chain": chain, "node": node, "status": labels[status], "priority": priority}
        for priority, _weak, chain, node, status in gaps[:GAP_LIMIT]
    ]


def city_sections(user: User, week: Week, shared: bool = False) -> dict[str, Any]:
    """All zones side by side, open conflicts, chain gaps and stage changes, as plain data.
    With ``shared`` computed once per worker process, period and scope (role and zone:
    the only inputs of every access rule), and reused for the other city-level recipients."""
    if shared:
        key = ("city", week.day, user.role, user.zone_id)
        return cached(key, lambda: city_sections(user, week, shared=False))
    zones = _active_zones(user)
    results = zones_attainment(zones, week.day.year, complete=False, withdrawn=False)
    counts = _zone_counts(user, week.day)
    rows = []
    for zone in zones:
        tiers = _tiers(results[zone.id], {})
        rows.append(
            {
                "zone": {"name": zone.name, "short_name": zone.short_name},
                "tiers": {t["label"]: t for t in tiers},
                "gap": sum(t["gap"] for t in tiers),
                "targets": counts["targets"].get(zone.id, 0),
                "projects": counts["projects"].get(zone.id, 0),
                "overdue": counts["overdue"].get(zone.id, 0),
            }
        )
    conflicts = db.session.scalars(
        scoped_select(Conflict, user)
        .where(Conflict.status == "open")
        .options(selectinload(Conflict.zones))
        .order_by(Conflict.raised_at)
        .limit(LIST_LIMIT)
    ).all()
    return {
        "zones": rows,
        "tier_labels": list(dict.fromkeys(label for row in rows for label in row["tiers"])),
        "conflicts": [
            {
                "enterprise": c.enterprise.name,
                "zones": join_words(z.short_name for z in c.zones),
                "since": c.raised_at,
                "path": path_for("targets.conflicts", "/targets/conflicts"),
            }
            for c in conflicts
        ],
        "chain_gaps": chain_gaps(user),
        "stage_changes": stage_changes(user, week),
        **(sections := registered_sections(user, week)),
        "sections": sections,
    }


def weekly_city_digest(user: User, week: Week, shared: bool = False) -> dict[str, Any] | None:
    """The city-level digest for coordinators and viewers."""
    return {"week": week, "year": week.day.year, **city_sections(user, week, shared)}

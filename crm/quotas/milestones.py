"""Stored milestones: the date each project first reached each pipeline stage (or a later
one), kept in the same transaction as the stage events they come from.

City-wide pages ask "which projects first reached 签约 (or the counting stage) this year"; with
the dates stored and indexed that is a range scan instead of a scan of every stage event. The
dates are computed by the quota rules themselves (:func:`crm.quotas.attainment.first_reached`),
never by a second copy of them. Stage events are never rewritten or deleted, so the one place
that keeps the table right is the flush that inserts events (:func:`_after_flush`): every flush
that adds a StageEvent recomputes the milestones of its projects from all their events.

The dates of 签约, 注册 and 开工 are also copied onto the project row (``Project.reached_*``),
in the same statement batch, for the indicators (crm.dashboard.queries.indicators): one
range of an index of live projects instead of three milestone ranges joined to every project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, event, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from crm.projects.models import Project, ProjectMilestone, StageEvent
from crm.projects.stages import PIPELINE
from crm.quotas.attainment import ProjectFacts, StageFact, first_reached

BATCH = 2_000
# milestone stage → the project column holding a copy of its date
COPIED = {
    "signed": "reached_signed_on",
    "registered": "reached_registered_on",
    "construction": "reached_construction_on",
}


def milestones_of(events: Iterable[tuple[str, Any]]) -> dict[str, date]:
    """Pipeline stage → first date it (or a later stage) was reached, from (stage, date)."""
    facts = ProjectFacts(0, None, "", tuple(StageFact(s, on) for s, on in events))
    reached = {stage: first_reached(facts, stage) for stage in PIPELINE}
    return {stage: on for stage, on in reached.items() if on is not None}


def copy_dates(
    connection: Any, chunk: list[int], wanted: dict[tuple[int, str], date]
) -> dict[int, dict[str, date | None]]:
    """Write the copied milestone dates (:data:`COPIED`) of these projects where they differ;
    returns every project's copied dates."""
    columns = [getattr(Project, name) for name in COPIED.values()]
    dates = {
        pid: {name: wanted.get((pid, stage)) for stage, name in COPIED.items()} for pid in chunk
    }
    stored = connection.execute(select(Project.id, *columns).where(Project.id.in_(chunk)))
    changed = [
        {"pid": pid, **{f"new_{k}": v for k, v in dates[pid].items()}}
        for pid, *values in stored
        if dict(zip(COPIED.values(), values, strict=True)) != dates[pid]
    ]
    if changed:
        connection.execute(
            update(Project.__table__)
            .where(Project.__table__.c.id == bindparam("pid"))
            .values(
                {name: bindparam(f"new_{name}") for name in COPIED.values()}
                # not an edit of the project: its updated_at stays
                | {"updated_at": Project.__table__.c.updated_at}
            ),
            changed,
        )
    return dates


def refresh(
    connection: Any, project_ids: Iterable[int], copied: dict[int, dict] | None = None
) -> int:
    """Recompute the stored milestones of these projects from their events (and the dates
    copied onto the projects, into ``copied`` when given); returns milestone rows written.
    Runs on a Connection (inside the caller's transaction)."""
    ids = sorted(set(project_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        events: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        rows = connection.execute(
            select(StageEvent.project_id, StageEvent.to_stage, StageEvent.effective_on).where(
                StageEvent.project_id.in_(chunk)
            )
        )
        for project_id, stage, on in rows:
            events[project_id].append((stage, on))
        stored: dict[tuple[int, str], date] = {
            (pid, stage): on
            for pid, stage, on in connection.execute(
                select(
                    ProjectMilestone.project_id, ProjectMilestone.stage, ProjectMilestone.reached_on
                ).where(ProjectMilestone.project_id.in_(chunk))
            )
        }
        wanted = {
            (pid, stage): on
            for pid in chunk
            for stage, on in milestones_of(events.get(pid, ())).items()
        }
        new = [
            {"project_id": p, "stage": s, "reached_on": on}
            for (p, s), on in wanted.items()
            if (p, s) not in stored
        ]
        if new:
            connection.execute(insert(ProjectMilestone), new)
        for (p, s), on in wanted.items():
            if (p, s) in stored and stored[(p, s)] != on:
                connection.execute(
                    update(ProjectMilestone)
                    .where(ProjectMilestone.project_id == p, ProjectMilestone.stage == s)
                    .values(reached_on=on)
                )
                written += 1
        gone = [key for key in stored if key not in wanted]
        for p, s in gone:
            connection.execute(
                delete(ProjectMilestone).where(
                    ProjectMilestone.project_id == p, ProjectMilestone.stage == s
                )
            )
        written += len(new) + len(gone)
        dates = copy_dates(connection, chunk, wanted)
        if copied is not None:
            copied.update(dates)
    return written


def rebuild_all(connection: Any) -> int:
    """Every project's milestones from scratch (the migration's backfill, bulk loads)."""
    connection.execute(delete(ProjectMilestone))
    ids = list(connection.scalars(select(StageEvent.project_id).distinct()))
    return refresh(connection, ids)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Every flush that inserted stage events refreshes their projects' milestones."""
    ids = {obj.project_id for obj in session.new if isinstance(obj, StageEvent)}
    if not ids:
        return
    copied: dict[int, dict] = {}
    refresh(session.connection(), ids, copied)
    for obj in session.identity_map.values():  # the loaded projects see the copied dates
        if isinstance(obj, Project) and obj.id in copied:
            for name, value in copied[obj.id].items():
                set_committed_value(obj, name, value)

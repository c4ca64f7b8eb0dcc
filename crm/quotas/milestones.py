"""Stored milestones: the date each project first reached each pipeline stage (or a later
one), kept in the same transaction as the stage events they come from.

City-wide pages ask "which projects first reached 签约 (or the counting stage) this year"; with
the dates stored and indexed that is a range scan instead of a scan of every stage event. The
dates are computed by the quota rules themselves (:func:`crm.quotas.attainment.first_reached`),
never by a second copy of them. Stage events are never rewritten or deleted, so the one place
that keeps the table right is the flush that inserts events (:func:`_after_flush`): every flush
that adds a StageEvent recomputes the milestones of its projects from all their events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session

from crm.projects.models import ProjectMilestone, StageEvent
from crm.projects.stages import PIPELINE
from crm.quotas.attainment import ProjectFacts, StageFact, first_reached

BATCH = 2_000


def milestones_of(events: Iterable[tuple[str, Any]]) -> dict[str, date]:
    """Pipeline stage → first date it (or a later stage) was reached, from (stage, date)."""
    facts = ProjectFacts(0, None, "", tuple(StageFact(s, on) for s, on in events))
    reached = {stage: first_reached(facts, stage) for stage in PIPELINE}
    return {stage: on for stage, on in reached.items() if on is not None}


def refresh(connection: Any, project_ids: Iterable[int]) -> int:
    """Recompute the stored milestones of these projects from their events; returns rows
    written. Runs on a Connection (inside the caller's transaction)."""
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
    if ids:
        refresh(session.connection(), ids)

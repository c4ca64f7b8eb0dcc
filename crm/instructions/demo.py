"""Demo instructions: the demo leader's open 批示 — one on a zone already past its 时限 and
answered once, one on a project still waiting (never in production)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from crm.auth.models import User
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions.models import Instruction, InstructionEntry
from crm.projects.models import Project
from crm.zones.models import Zone


def load_demo_instructions() -> int:
    """Create the demo instructions once; returns how many were created."""
    if db.session.scalar(select(func.count()).select_from(Instruction)):
        return 0
    leader = db.session.scalar(select(User).where(User.login == "leader"))
    zone = db.session.scalar(select(Zone).where(Zone.code == "gxq"))
    if leader is None or zone is None:
        return 0
    today = local_today()
    issued = today - timedelta(days=20)
    manager = db.session.scalar(select(User).where(User.login == "gxq-manager"))
    overdue = Instruction(
        subject="zone",
        zone_id=zone.id,
        assignee_id=manager.id if manager else None,
        issued_by_id=leader.id,
        content="请梳理本区在谈重点项目的用地和能耗指标需求，形成清单报市招商局。",
        due_on=today - timedelta(days=3),
        status="in_progress" if manager else "pending",
        created_at=datetime.combine(issued, time(2)),
    )
    db.session.add(overdue)
    if manager is not None:
        overdue.entries.append(
            InstructionEntry(
                kind="report",
                author_id=manager.id,
                reported_on=issued + timedelta(days=6),
                note="已召集各项目专班摸排，清单初稿已完成，正在与自然资源部门核对。",
            )
        )
    created = 1
    project = db.session.scalar(
        select(Project)
        .where(Project.deleted_at.is_(None), Project.stage != "terminated")
        .order_by(Project.planned_total_wan.desc().nulls_last(), Project.id)
        .limit(1)
    )
    if project is not None:
        db.session.add(
            Instruction(
                subject="project",
                project_id=project.id,
                zone_id=project.zone_id,
                assignee_id=project.owner_id,
                issued_by_id=leader.id,
                content="该项目是全市重点，请倒排工期，每两周报一次进展，遇到问题及时提请协调。",
                due_on=today + timedelta(days=14),
                status="pending",
                created_at=datetime.combine(today - timedelta(days=2), time(2)),
            )
        )
        created += 1
    db.session.flush()
    return created

"""Reading instructions through the access scope: the list with its filters, the open ones a
record or a zone has, the daily reminder's items, the weekly digest's section and the dashboard
panel — each a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.core.access import scoped_select
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions.models import SUBJECTS, Instruction
from crm.reminders.items import path_for
from crm.targets.models import Target

LIST_LIMIT = 30
PANEL_LIMIT = 10
STATE_FILTERS = ("pending", "in_progress", "closed", "open")


@dataclass(frozen=True)
class InstructionItem:
    """One instruction as a reminder, a digest or a panel lists it."""

    id: int
    subject: str
    name: str
    zone: str
    assignee: str
    issuer: str
    content: str
    due: date
    days_late: int
    state: str
    path: str

    @property
    def subject_label(self) -> str:
        return SUBJECTS[self.subject]

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def subject_name(instruction: Instruction) -> str:
    """What the instruction is about (a confidential project by its code name)."""
    if instruction.subject == "project" and instruction.project is not None:
        return instruction.project.display_name()
    if instruction.subject == "target" and instruction.target is not None:
        return instruction.target.enterprise.name
    return instruction.zone.short_name


def _options(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Instruction.project),
        selectinload(Instruction.target).selectinload(Target.enterprise),
        selectinload(Instruction.assignee),
        selectinload(Instruction.issued_by),
    )


def item(instruction: Instruction, today: date) -> InstructionItem:
    late = (today - instruction.due_on).days if instruction.is_open else 0
    content = instruction.content
    return InstructionItem(
        id=instruction.id,
        subject=instruction.subject,
        name=subject_name(instruction),
        zone=instruction.zone.short_name,
        assignee=instruction.assignee.display_name if instruction.assignee else "",
        issuer=instruction.issued_by.display_name if instruction.issued_by else "",
        content=content if len(content) <= 80 else content[:80] + "…",
        due=instruction.due_on,
        days_late=max(0, late),
        state=instruction.state_label,
        path=path_for(
            "instructions.detail", f"/instructions/{instruction.id}", instruction_id=instruction.id
        ),
    )


def open_instructions(user: Any) -> Select:
    return scoped_select(Instruction, user).where(Instruction.status != "closed")


def filtered(
    user: Any, state: str = "", zone_id: int | None = None, overdue: bool = False, today=None
) -> Select:
    """The list's statement: open ones first (earliest 时限 first), then closed ones."""
    today = today or local_today()
    stmt = scoped_select(Instruction, user)
    if state == "open":
        stmt = stmt.where(Instruction.status != "closed")
    elif state in STATE_FILTERS:
        stmt = stmt.where(Instruction.status == state)
    if zone_id is not None:
        stmt = stmt.where(Instruction.zone_id == zone_id)
    if overdue:
        stmt = stmt.where(Instruction.status != "closed", Instruction.due_on < today)
    closed_last = case((Instruction.status == "closed", 1), else_=0)
    return _options(stmt).order_by(closed_last, Instruction.due_on, Instruction.id)


def about(user: Any, subject: str, record_id: int) -> list[Instruction]:
    """Every instruction on one project, target or zone the user may see, newest first."""
    column = {
        "project": Instruction.project_id,
        "target": Instruction.target_id,
        "zone": Instruction.zone_id,
    }[subject]
    stmt = scoped_select(Instruction, user).where(column == record_id)
    if subject == "zone":
        stmt = stmt.where(Instruction.subject == "zone")
    stmt = _options(stmt).order_by(Instruction.created_at.desc(), Instruction.id.desc())
    return list(db.session.scalars(stmt.limit(LIST_LIMIT)))


def assigned_to(user: Any, day: date) -> list[InstructionItem]:
    """Open instructions waiting on this user, overdue first: named to them, or named to
    their zone only when they manage it (the daily reminder)."""
    if user.zone_id is None or user.role not in ("staff", "manager"):
        return []
    mine = Instruction.assignee_id == user.id
    if user.role == "manager":
        mine = or_(mine, Instruction.assignee_id.is_(None))
    stmt = (
        open_instructions(user)
        .where(Instruction.zone_id == user.zone_id, mine)
        .order_by(Instruction.due_on, Instruction.id)
        .limit(LIST_LIMIT)
    )
    return [item(i, day) for i in db.session.scalars(_options(stmt))]


def waiting_users(day: date) -> Select:
    """Ids of the users ``assigned_to`` has items for: named assignees of open instructions,
    and the managers of zones with open instructions naming nobody (the daily's recipients)."""
    waiting = or_(
        Instruction.assignee_id == User.id,
        and_(
            Instruction.assignee_id.is_(None),
            Instruction.zone_id == User.zone_id,
            User.role == "manager",
        ),
    )
    return select(User.id).join(Instruction, waiting).where(Instruction.status != "closed")


def counts(user: Any, today: date, zone_id: int | None = None) -> tuple[int, int]:
    """(open, overdue) instructions the user may see, in one query."""
    stmt = open_instructions(user)
    if zone_id is not None:
        stmt = stmt.where(Instruction.zone_id == zone_id)
    late = func.coalesce(func.sum(case((Instruction.due_on < today, 1), else_=0)), 0)
    total, overdue = db.session.execute(
        stmt.with_only_columns(func.count(), late).order_by(None)
    ).one()
    return int(total), int(overdue)


def open_items(
    user: Any, today: date, zone_id: int | None = None, limit: int = LIST_LIMIT
) -> dict[str, Any]:
    """Open instructions (earliest 时限 first, so overdue ones lead) with their counts."""
    stmt = open_instructions(user)
    if zone_id is not None:
        stmt = stmt.where(Instruction.zone_id == zone_id)
    stmt = _options(stmt).order_by(Instruction.due_on, Instruction.id).limit(limit)
    total, overdue = counts(user, today, zone_id)
    return {
        "items": [item(i, today) for i in db.session.scalars(stmt)],
        "count": total,
        "overdue_count": overdue,
    }


def digest_section(user: Any, week: Any) -> dict[str, Any]:
    """The weekly digest's section: the open instructions the recipient may see (a manager:
    their zone's; the city level: every zone's)."""
    return open_items(user, week.day)

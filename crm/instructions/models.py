"""Instruction (批示) and its timeline of entries (办理情况, 办结, 重新打开)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.projects.models import Project
    from crm.targets.models import Target
    from crm.zones.models import Zone

SUBJECTS = {"project": "项目", "target": "目标企业", "zone": "开发区"}
STATES = {"pending": "待办理", "in_progress": "办理中", "closed": "已办结"}
ENTRY_KINDS = {"report": "办理情况", "close": "办结", "reopen": "重新打开"}


class Instruction(db.Model):
    """A leader's or coordinator's instruction: what to do, which zone (and person) handles
    it, and by when."""

    __tablename__ = "instruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # project | target | zone
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("target.id", ondelete="CASCADE"), index=True
    )
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]

    zone: Mapped[Zone] = relationship(lazy="joined")
    project: Mapped[Project | None] = relationship()
    target: Mapped[Target | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    entries: Mapped[list[InstructionEntry]] = relationship(
        back_populates="instruction",
        order_by="(InstructionEntry.created_at, InstructionEntry.id)",
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def is_overdue(self, today: date) -> bool:
        """Open and past its 时限 (the 时限 day itself is still in time)."""
        return self.is_open and self.due_on < today

    @property
    def state_label(self) -> str:
        return STATES.get(self.status, self.status)


class InstructionEntry(db.Model):
    """One line of an instruction's timeline: a 办理情况 report, a closing or a reopening."""

    __tablename__ = "instruction_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    instruction_id: Mapped[int] = mapped_column(
        ForeignKey("instruction.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # report | close | reopen
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reported_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    instruction: Mapped[Instruction] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return ENTRY_KINDS.get(self.kind, self.kind)

"""The rules of 批示 and 督办: who writes an instruction, who answers it, who closes and
reopens it, and the rows each user may see (every change audited).

- Issuers: leaders (viewer) and coordinators write an instruction on a project, a target or a
  zone. It is a leader's only write permission.
- Assignees: the named 承办人 and the zone's managers; when only the zone is named, the
  zone's managers and staff. They record 办理情况 (dated) while it is open.
- The issuer, or any coordinator, closes (办结) it and may reopen it.
- States: 待办理 (no report yet), 办理中, 已办结; overdue = open and past its 时限.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import ISSUERS, scope_rule, zone_clause
from crm.core.audit import record_audit
from crm.core.audit_labels import ACTION_LABELS, ENTITY_LABELS, FIELD_LABELS
from crm.core.boundary import MAX_ID
from crm.core.timeutil import local_today, to_local, utcnow
from crm.extensions import db
from crm.instructions.models import Instruction, InstructionEntry
from crm.zones.models import Zone

MAX_CONTENT = 2000
MAX_AHEAD_DAYS = 3 * 366  # a 时限 at most about three years ahead
CLOSERS = ("coordinator",)  # besides the issuer

# what the audit log calls these entries
ENTITY_LABELS["instruction"] = _l("批示")
ACTION_LABELS.update(report=_l("办理情况"), close=_l("办结"), reopen=_l("重新打开"))
FIELD_LABELS.update(
    subject=_l("对象"),
    record_id=_l("记录编号"),
    assignee_id=_l("承办人"),
    due_on=_l("时限"),
    reported_on=_l("办理日期"),
)


class InstructionError(ValueError):
    """An instruction change that breaks a rule; the message (and the field) are for the user."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Instruction)
def _instruction_scope(user: Any):
    """City roles see every instruction; zone users those their zone handles."""
    return zone_clause(Instruction.zone_id, user)


def can_issue(user: Any) -> bool:
    return getattr(user, "role", None) in ISSUERS


def subject_zone(subject: str, record: Any) -> Zone | None:
    """The zone that handles an instruction on ``record`` (None: to be chosen)."""
    if subject == "zone":
        return record
    return record.zone


def may_report(instruction: Instruction, user: Any) -> bool:
    """The named assignee and the zone's managers; with nobody named, the zone's staff too."""
    if not instruction.is_open or user.zone_id != instruction.zone_id:
        return False
    if user.role == "manager":
        return True
    if instruction.assignee_id is not None:
        return user.id == instruction.assignee_id
    return user.role == "staff"


def may_close(instruction: Instruction, user: Any) -> bool:
    return user.role in CLOSERS or (user.role in ISSUERS and user.id == instruction.issued_by_id)


def _text(value: str | None, field: str, empty: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise InstructionError(empty, field)
    if len(text) > MAX_CONTENT:
        raise InstructionError(_l("不能超过 %(n)s 个字符", n=MAX_CONTENT), field)
    return text


def _assignee(assignee_id: Any, zone: Zone) -> User | None:
    if assignee_id in (None, "", 0):
        return None
    if not isinstance(assignee_id, int) or not 0 < assignee_id <= MAX_ID:
        raise InstructionError(_l("请选择承办人"), "assignee_id")
    user = db.session.get(User, assignee_id)
    if user is None or not user.active or user.zone_id != zone.id:
        raise InstructionError(_l("承办人应是承办开发区的在岗人员"), "assignee_id")
    return user


def _zone(zone_id: Any, fixed: Zone | None) -> Zone:
    if fixed is not None:
        if zone_id not in (None, "", 0, fixed.id):
            raise InstructionError(_l("该事项由%(zone)s承办", zone=fixed.short_name), "zone_id")
        return fixed
    zone = None
    if isinstance(zone_id, int) and 0 < zone_id <= MAX_ID:
        zone = db.session.get(Zone, zone_id)
    if zone is None or not zone.active:
        raise InstructionError(_l("请选择承办开发区"), "zone_id")
    return zone


def _due(due_on: date | None, today: date) -> date:
    if due_on is None:
        raise InstructionError(_l("请填写时限"), "due_on")
    if due_on < today:
        raise InstructionError(_l("时限不能早于今天"), "due_on")
    if due_on > today + timedelta(days=MAX_AHEAD_DAYS):
        raise InstructionError(_l("时限不能晚于三年之后"), "due_on")
    return due_on


def create_instruction(
    actor: Any,
    subject: str,
    record: Any,
    *,
    content: str | None,
    due_on: date | None,
    zone_id: Any = None,
    assignee_id: Any = None,
    today: date | None = None,
) -> Instruction:
    """Write an instruction on a project, a target or a zone (the caller commits). A project's
    or a zoned target's instruction is handled by that zone; a city-pool target's by the
    zone chosen."""
    if not can_issue(actor):
        raise InstructionError(_l("只有市领导和市级统筹可以批示"))
    today = today or local_today()
    text = _text(content, "content", _l("请填写批示内容"))
    zone = _zone(zone_id, subject_zone(subject, record))
    assignee = _assignee(assignee_id, zone)
    instruction = Instruction(
        subject=subject,
        project_id=record.id if subject == "project" else None,
        target_id=record.id if subject == "target" else None,
        zone_id=zone.id,
        assignee_id=assignee.id if assignee else None,
        issued_by_id=actor.id,
        content=text,
        due_on=_due(due_on, today),
        status="pending",
    )
    db.session.add(instruction)
    db.session.flush()
    record_audit(
        "create",
        "instruction",
        instruction.id,
        {
            "subject": subject,
            "record_id": record.id,
            "zone_id": zone.id,
            "assignee_id": instruction.assignee_id,
            "due_on": instruction.due_on,
        },
        actor=actor,
    )
    return instruction


def _entry(instruction: Instruction, actor: Any, kind: str, note: str, on: date) -> None:
    entry = InstructionEntry(kind=kind, author_id=actor.id, reported_on=on, note=note)
    instruction.entries.append(entry)
    db.session.flush()
    record_audit(
        kind,
        "instruction",
        instruction.id,
        {"status": instruction.status, "reported_on": on},
        actor=actor,
        note=note[:200] or None,
    )


def add_report(
    instruction: Instruction,
    actor: Any,
    note: str | None,
    reported_on: date | None = None,
    today: date | None = None,
) -> None:
    """Record 办理情况 on an open instruction (the assignees only; the caller commits)."""
    if not instruction.is_open:
        raise InstructionError(_l("该批示已办结，不能再填写办理情况"))
    if not may_report(instruction, actor):
        raise InstructionError(_l("只有承办人可以填写办理情况"))
    today = today or local_today()
    text = _text(note, "note", _l("请填写办理情况"))
    on = reported_on or today
    issued = to_local(instruction.created_at).date() if instruction.created_at else today
    if on > today:
        raise InstructionError(_l("办理日期不能晚于今天"), "reported_on")
    if on < issued:
        raise InstructionError(_l("办理日期不能早于批示日期"), "reported_on")
    instruction.status = "in_progress"
    _entry(instruction, actor, "report", text, on)


def close_instruction(
    instruction: Instruction, actor: Any, note: str | None = None, today: date | None = None
) -> None:
    """办结: the issuer or a coordinator closes an open instruction (the caller commits)."""
    if not may_close(instruction, actor):
        raise InstructionError(_l("只有批示人或市级统筹可以办结"))
    if not instruction.is_open:
        raise InstructionError(_l("该批示已经办结"))
    text = (note or "").strip()[:MAX_CONTENT]
    instruction.status = "closed"
    instruction.closed_at = utcnow()
    _entry(instruction, actor, "close", text, today or local_today())


def reopen_instruction(
    instruction: Instruction, actor: Any, note: str | None = None, today: date | None = None
) -> None:
    """Reopen a closed instruction (the issuer or a coordinator; the caller commits)."""
    if not may_close(instruction, actor):
        raise InstructionError(_l("只有批示人或市级统筹可以重新打开"))
    if instruction.is_open:
        raise InstructionError(_l("该批示尚未办结"))
    reported = any(e.kind == "report" for e in instruction.entries)
    instruction.status = "in_progress" if reported else "pending"
    instruction.closed_at = None
    _entry(instruction, actor, "reopen", (note or "").strip()[:MAX_CONTENT], today or local_today())


def zone_people(zone_ids: list[int] | None = None) -> list[User]:
    """Active zone users who may be named 承办人 (all zones, or those given)."""
    stmt = (
        select(User)
        .where(
            User.active.is_(True), User.role.in_(("staff", "manager")), User.zone_id.is_not(None)
        )
        .order_by(User.zone_id, User.role, User.display_name, User.id)
    )
    if zone_ids is not None:
        stmt = stmt.where(User.zone_id.in_(zone_ids))
    return list(db.session.scalars(stmt))

"""Roadmap milestones: quarters as people write them, and adding, editing, completing and
removing a milestone (audited)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.chains.models import MILESTONE_STATUSES, ChainNode, RoadmapMilestone
from crm.core.access import scope_clause, scope_rule
from crm.core.audit import record_audit
from crm.core.timeutil import local_today
from crm.extensions import db

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# 2027Q1 · 2027 Q1 · 2027-Q1 · 27Q1 · 2027年Q1 · 2027年一季度 · 2027年第1季度 · 2027年第一季度
_QUARTER = re.compile(
    r"^(?P<year>\d{4}|\d{2})\s*(?:年|[-/.])?\s*"
    r"(?:q\s*(?P<q>[1-4])|第?\s*(?P<zh>[一二三四1-4])\s*(?:季度|季)|(?P<tail>[1-4])\s*q)$"
)
MANAGERS = ("coordinator", "admin")


class MilestoneError(ValueError):
    """A milestone that breaks a rule; the message (and the field) are for the user."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@scope_rule(RoadmapMilestone)
def _milestone_scope(user: Any):
    nodes = scope_clause(ChainNode, user)
    if nodes is None:
        return None
    return RoadmapMilestone.node_id.in_(select(ChainNode.id).where(nodes))


def parse_quarter(text: str) -> str:
    """The quarter as stored (``2027Q1``) from how people write it; raises MilestoneError."""
    folded = unicodedata.normalize("NFKC", text or "").strip().lower()
    match = _QUARTER.match(folded)
    if match is None:
        raise MilestoneError(_l("季度写作 2027Q1、2027年一季度或 2027年第1季度"), "quarter")
    year = int(match["year"])
    if year < 100:
        year += 2000
    quarter = CHINESE_DIGITS[match["q"] or match["zh"] or match["tail"]]
    if not 2000 <= year <= 2099:
        raise MilestoneError(_l("季度的年份应在 2000 至 2099 年之间"), "quarter")
    return f"{year}Q{quarter}"


def next_quarter(today: date | None = None) -> str:
    """The quarter after the current one (the form's example is always a future quarter)."""
    today = today or local_today()
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)
    return f"{year}Q{quarter}"


def can_edit_milestone(milestone: RoadmapMilestone, user: Any) -> bool:
    """Coordinators and admins edit every milestone; a manager those of their own zone."""
    if user.role in MANAGERS:
        return True
    return user.role == "manager" and milestone.zone_id == user.zone_id


def _clean(quarter: str, title: str, status: str) -> dict[str, str]:
    title = (title or "").strip()
    if not title:
        raise MilestoneError(_l("请填写里程碑"), "title")
    if len(title) > 200:
        raise MilestoneError(_l("里程碑不能超过 200 个字符"), "title")
    if status not in MILESTONE_STATUSES:
        raise MilestoneError(_l("请选择状态"), "status")
    return {"quarter": parse_quarter(quarter), "title": title, "status": status}


def add_milestone(
    node: ChainNode, quarter: str, title: str, actor: Any, status: str = "planned"
) -> RoadmapMilestone:
    """A quarterly milestone for a node of the roadmap (audited)."""
    values = _clean(quarter, title, status)
    milestone = RoadmapMilestone(
        node_id=node.id, zone_id=actor.zone_id, owner_id=actor.id, **values
    )
    db.session.add(milestone)
    db.session.flush()
    record_audit(
        "create", "roadmap_milestone", milestone.id, {"node_id": node.id, **values}, actor=actor
    )
    return milestone


def update_milestone(
    milestone: RoadmapMilestone, quarter: str, title: str, status: str, actor: Any
) -> dict[str, list[str]]:
    """Change quarter, title or status; the changes (old → new) are audited."""
    values = _clean(quarter, title, status)
    changes = {
        name: [getattr(milestone, name), value]
        for name, value in values.items()
        if getattr(milestone, name) != value
    }
    for name, (_old, new) in changes.items():
        setattr(milestone, name, new)
    if changes:
        db.session.flush()
        record_audit("update", "roadmap_milestone", milestone.id, changes, actor=actor)
    return changes


def complete_milestone(milestone: RoadmapMilestone, actor: Any) -> bool:
    """Mark a milestone done (audited); False when it already was."""
    if milestone.status == "done":
        return False
    changes = {"status": [milestone.status, "done"]}
    milestone.status = "done"
    db.session.flush()
    record_audit("update", "roadmap_milestone", milestone.id, changes, actor=actor)
    return True


def remove_milestone(milestone: RoadmapMilestone, actor: Any) -> None:
    """Delete a milestone; the audit log keeps what it said."""
    record_audit(
        "delete",
        "roadmap_milestone",
        milestone.id,
        {"quarter": milestone.quarter, "title": milestone.title, "node_id": milestone.node_id},
        actor=actor,
    )
    db.session.delete(milestone)
    db.session.flush()

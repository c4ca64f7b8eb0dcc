"""The investment roadmap (招商路线图) of a chain, and adding targets for a gap node."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crm.chains.models import ChainNode, NodeTarget, RoadmapMilestone
from crm.chains.services import NodeView, chain_tree, coverage
from crm.core.audit import record_audit
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise, find_duplicates
from crm.extensions import db
from crm.targets.models import Target
from crm.targets.services import create_target

PROGRESS = {
    "landed": "已落地",
    "project": "项目推进中",
    "talking": "洽谈中",
    "targeted": "已列入目标",
    "open": "待招商",
}


@dataclass
class RoadmapRow:
    view: NodeView
    targets: list[Target] = field(default_factory=list)
    milestones: list[RoadmapMilestone] = field(default_factory=list)

    @property
    def progress(self) -> str:
        counts = self.view.counts
        if counts.landed_projects:
            return "landed"
        if counts.active_projects:
            return "project"
        if any(t.status in ("contacted", "interested") for t in self.targets):
            return "talking"
        return "targeted" if self.targets else "open"

    @property
    def progress_label(self) -> str:
        return PROGRESS[self.progress]

    @property
    def zones(self) -> list[str]:
        names = {t.zone.short_name for t in self.targets if t.zone is not None}
        return sorted(names)

    @property
    def owners(self) -> list[str]:
        return sorted({t.owner.display_name for t in self.targets if t.owner is not None})


def chain_roadmap(chain: Any, user: Any = None) -> list[RoadmapRow]:
    """Gap nodes in priority order with their targets and milestones (constant queries);
    the projects behind the gaps are those ``user`` (default: this request's) may see."""
    gaps = coverage(chain_tree(chain, user=user)).gaps
    ids = [g.node.id for g in gaps]
    targets: dict[int, list[Target]] = defaultdict(list)
    milestones: dict[int, list[RoadmapMilestone]] = defaultdict(list)
    if ids:
        for node_id, target in db.session.execute(
            select(NodeTarget.node_id, Target)
            .join(Target, Target.id == NodeTarget.target_id)
            .where(NodeTarget.node_id.in_(ids), Target.deleted_at.is_(None))
            .order_by(Target.priority, Target.id)
        ).unique():
            targets[node_id].append(target)
        for row in db.session.scalars(
            select(RoadmapMilestone)
            .where(RoadmapMilestone.node_id.in_(ids))
            .order_by(RoadmapMilestone.quarter, RoadmapMilestone.id)
        ):
            milestones[row.node_id].append(row)
    return [RoadmapRow(g, targets[g.node.id], milestones[g.node.id]) for g in gaps]


def enterprise_by_name(name: str, actor: Any) -> Enterprise:
    """The enterprise of that name (same credit code or normalised name), else a new one."""
    hits = find_duplicates(name, None)
    same = next((hit.enterprise for hit in hits if hit.reason in ("uscc", "name")), None)
    return same or create_enterprise({"name": name}, actor, confirm_duplicate=True)


def add_targets_for_node(
    node: ChainNode, enterprises: list[Enterprise], zone_id: int | None, actor: Any
) -> list[Target]:
    """One action from a gap node: put enterprises on the target list, linked to the node."""
    created = []
    for enterprise in enterprises:
        existing = db.session.scalar(
            select(Target).where(
                Target.enterprise_id == enterprise.id,
                Target.deleted_at.is_(None),
                Target.zone_id.is_(None) if zone_id is None else Target.zone_id == zone_id,
            )
        )
        target = existing or create_target(
            enterprise, zone_id, {"chain_position": f"{node.chain.name} / {node.name}"}, actor
        )
        if db.session.get(NodeTarget, (node.id, target.id)) is None:
            db.session.add(NodeTarget(node_id=node.id, target_id=target.id))
        created.append(target)
    db.session.flush()
    record_audit(
        "gap_targets", "chain_node", node.id, {"targets": [t.id for t in created]}, actor=actor
    )
    return created

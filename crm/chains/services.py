"""Chain maps: the node tree, links, computed status, coverage and gaps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.chains.models import (
    STATUSES,
    Chain,
    ChainNode,
    NodeEnterprise,
    NodeProject,
    NodeTarget,
)
from crm.core.access import scope_rule, scoped
from crm.core.settings import define_section, define_setting, get_setting
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.stages import PIPELINE, rank, stage_choices
from crm.targets.models import Target

define_section("chains", _l("产业链图谱"))
define_setting(
    "chains.strong_count",
    int,
    3,
    _l("环节“强”所需的本地企业与落地项目数"),
    _l("一个环节的本地企业和落地项目合计达到这个数时，状态计为“强”。"),
    minimum=1,
    maximum=50,
)
define_setting(
    "chains.landed_stage",
    str,
    "signed",
    _l("视为落地的项目阶段"),
    _l("项目到达这个阶段（或之后）时，算作环节上的落地项目。"),
    choices=stage_choices,
)

NODE_FIELDS = ("name", "segment", "strategy", "key_products", "priority", "sort_order", "notes")


class ChainError(ValueError):
    """A chain-map rule was broken; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Chain)
def _chain_scope(user: Any):
    return None  # chain maps are shared city-wide


@scope_rule(ChainNode)
def _node_scope(user: Any):
    return None


@dataclass
class NodeCounts:
    local: int = 0
    leaders: int = 0
    targets: int = 0
    active_projects: int = 0
    landed_projects: int = 0

    @property
    def covered(self) -> int:
        return self.local + self.leaders + self.landed_projects


@dataclass
class NodeView:
    node: ChainNode
    counts: NodeCounts
    status: str
    computed_status: str
    depth: int = 0
    children: list[NodeView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def computed_status(counts: NodeCounts) -> str:
    """强 with enough local coverage or a 链主; 一般 with two; 弱 with one; 缺 with none."""
    if counts.covered >= get_setting("chains.strong_count") or counts.leaders:
        return "strong"
    if counts.covered >= 2:
        return "normal"
    if counts.covered == 1:
        return "weak"
    return "missing"


def _landed_stages() -> list[str]:
    stage = get_setting("chains.landed_stage")
    stage = stage if stage in PIPELINE else "signed"
    return [s for s in PIPELINE if rank(s) >= rank(stage)]


def node_counts(
    chain_ids: list[int], zone_id: int | None = None, user: Any = None
) -> dict[int, NodeCounts]:
    """Per node: local enterprises, 链主, targets, active and landed projects (3 queries).
    Projects are private to their zone: only those ``user`` (default: this request's user) may
    see are counted, whatever ``zone_id`` asks for."""
    counts: dict[int, NodeCounts] = defaultdict(NodeCounts)
    in_chains = select(ChainNode.id).where(ChainNode.chain_id.in_(chain_ids))
    for node_id, role, n in db.session.execute(
        select(NodeEnterprise.node_id, NodeEnterprise.role, func.count())
        .where(NodeEnterprise.node_id.in_(in_chains))
        .group_by(NodeEnterprise.node_id, NodeEnterprise.role)
    ):
        if role == "local":
            counts[node_id].local += n
        elif role == "leader":
            counts[node_id].leaders += n
        else:
            counts[node_id].targets += n
    stmt = (
        select(NodeTarget.node_id, func.count())
        .join(Target, Target.id == NodeTarget.target_id)
        .where(NodeTarget.node_id.in_(in_chains), Target.deleted_at.is_(None))
        .where(Target.status.not_in(("dropped",)))
        .group_by(NodeTarget.node_id)
    )
    if zone_id is not None:
        stmt = stmt.where(Target.zone_id == zone_id)
    for node_id, n in db.session.execute(stmt):
        counts[node_id].targets += n
    landed = _landed_stages()
    stmt = scoped(
        select(NodeProject.node_id, Project.stage, func.count())
        .join(Project, Project.id == NodeProject.project_id)
        .where(NodeProject.node_id.in_(in_chains), Project.deleted_at.is_(None))
        .where(Project.stage != "terminated")
        .group_by(NodeProject.node_id, Project.stage),
        Project,
        user,
    )
    if zone_id is not None:
        stmt = stmt.where(Project.zone_id == zone_id)
    for node_id, stage, n in db.session.execute(stmt):
        if stage in landed:
            counts[node_id].landed_projects += n
        else:
            counts[node_id].active_projects += n
    return counts


def chain_tree(
    chain: Chain,
    zone_id: int | None = None,
    counts: dict[int, NodeCounts] | None = None,
    user: Any = None,
) -> list[NodeView]:
    """The chain's nodes as a tree of NodeViews with counts and status (constant queries)."""
    if counts is None:
        counts = node_counts([chain.id], zone_id, user)
    views = {}
    for node in chain.nodes:
        c = counts.get(node.id, NodeCounts())
        computed = computed_status(c)
        views[node.id] = NodeView(node, c, node.status_override or computed, computed)
    roots = []
    for node in chain.nodes:
        view = views[node.id]
        if node.parent_id and node.parent_id in views:
            views[node.parent_id].children.append(view)
        else:
            roots.append(view)

    def _depth(items: list[NodeView], depth: int) -> None:
        for item in items:
            item.depth = depth
            _depth(item.children, depth + 1)

    _depth(roots, 0)
    return roots


def flatten(views: list[NodeView]) -> list[NodeView]:
    out = []
    for view in views:
        out.append(view)
        out.extend(flatten(view.children))
    return out


@dataclass
class Coverage:
    nodes: int
    covered: int
    local: int
    gaps: list[NodeView]

    @property
    def completeness(self) -> float:
        """完整度: share of nodes with a local enterprise or a landed project."""
        return round(100 * self.covered / self.nodes, 1) if self.nodes else 0.0

    @property
    def local_supply(self) -> float:
        """本地配套率: share of nodes with a local enterprise (or 链主)."""
        return round(100 * self.local / self.nodes, 1) if self.nodes else 0.0


def coverage(views: list[NodeView]) -> Coverage:
    """完整度, 本地配套率 and the gap list (缺 and 弱 nodes, highest priority first)."""
    flat = flatten(views)
    gaps = [v for v in flat if v.status in ("missing", "weak")]
    gaps.sort(key=lambda v: (v.node.priority, v.status != "missing", v.node.sort_order))
    return Coverage(
        nodes=len(flat),
        covered=sum(1 for v in flat if v.counts.covered),
        local=sum(1 for v in flat if v.counts.local or v.counts.leaders),
        gaps=gaps,
    )


def chain_coverages(user: Any = None) -> list[tuple[Chain, Coverage]]:
    """Every chain the user may see with its coverage, in order (four statements: chains,
    their nodes, their zones, the counts — however many chains there are)."""
    stmt = scoped(
        select(Chain)
        .options(selectinload(Chain.nodes), selectinload(Chain.zones))
        .order_by(Chain.sort_order, Chain.id),
        Chain,
        user,
    )
    chains = db.session.scalars(stmt).all()
    counts = node_counts([c.id for c in chains], user=user) if chains else {}
    return [(chain, coverage(chain_tree(chain, counts=counts))) for chain in chains]

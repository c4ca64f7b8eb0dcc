"""Chain maps: the list, the map in columns, the graph view and the roadmap."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.chains import link_views, milestone_views, node_views, transfer_views
from crm.chains.forms import DefinitionsForm
from crm.chains.milestones import can_edit_milestone, next_quarter
from crm.chains.models import (
    MILESTONE_STATUSES,
    SEGMENTS,
    STATUSES,
    Chain,
    ChainNode,
    NodeEnterprise,
    NodeProject,
    NodeTarget,
)
from crm.chains.roadmap import chain_roadmap
from crm.chains.services import chain_coverages, chain_tree, coverage, flatten
from crm.core.access import SIGNED_IN, allow, get_or_404, scoped
from crm.core.boundary import parse_id
from crm.core.i18n import label as vocabulary_label
from crm.extensions import db
from crm.projects.models import Project
from crm.targets.models import Target
from crm.zones.services import visible_zones

bp = Blueprint("chains", __name__, url_prefix="/chains")
node_views.register(bp)
milestone_views.register(bp)
link_views.register(bp)
transfer_views.register(bp)


def _zone_filter() -> int | None:
    return parse_id(request.args.get("zone"))


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """Every chain with its zones, completeness, local supply rate and gap count."""
    form = DefinitionsForm() if current_user.role in transfer_views.OWNERS else None
    return render_template("chains/index.html", rows=chain_coverages(), form=form)


@bp.get("/<id:chain_id>")
@allow(*SIGNED_IN)
def detail(chain_id: int):
    """The map: columns 上游 → 中游 → 下游 → 配套, node cards coloured by status."""
    chain = get_or_404(Chain, chain_id)
    zone_id = _zone_filter()
    views = chain_tree(chain, zone_id)
    flat = flatten(views)
    columns = {segment: [v for v in flat if v.node.segment == segment] for segment in SEGMENTS}
    selected = None
    node_id = parse_id(request.args.get("node"))
    if node_id is not None:
        selected = next((v for v in flat if v.node.id == node_id), None)
    details = _node_details(selected.node, zone_id) if selected else None
    return render_template(
        "chains/detail.html",
        chain=chain,
        columns=columns,
        segments=SEGMENTS,
        statuses=STATUSES,
        cover=coverage(views),
        zones=visible_zones(),
        zone_id=zone_id,
        selected=selected,
        details=details,
    )


NODE_LIST_LIMIT = 100  # per list on a node's panel; the target and project lists show the rest


def _node_details(node: ChainNode, zone_id: int | None) -> dict:
    """Enterprises, targets and the projects this user may see on one node (each list capped,
    with whether there are more)."""
    enterprise_stmt = (
        select(NodeEnterprise)
        .where(NodeEnterprise.node_id == node.id)
        .order_by(NodeEnterprise.role.desc(), NodeEnterprise.enterprise_id)
    )
    target_stmt = (
        select(Target)
        .join(NodeTarget, NodeTarget.target_id == Target.id)
        .where(NodeTarget.node_id == node.id, Target.deleted_at.is_(None))
        .order_by(Target.id)
    )
    project_stmt = scoped(
        select(Project)
        .join(NodeProject, NodeProject.project_id == Project.id)
        .where(NodeProject.node_id == node.id, Project.deleted_at.is_(None))
        .order_by(Project.id),
        Project,
    )
    if zone_id is not None:
        target_stmt = target_stmt.where(Target.zone_id == zone_id)
        project_stmt = project_stmt.where(Project.zone_id == zone_id)
    lists = {
        "enterprises": db.session.scalars(enterprise_stmt.limit(NODE_LIST_LIMIT + 1)).all(),
        "targets": db.session.scalars(target_stmt.limit(NODE_LIST_LIMIT + 1)).unique().all(),
        "projects": db.session.scalars(project_stmt.limit(NODE_LIST_LIMIT + 1)).unique().all(),
    }
    more = {name: len(rows) > NODE_LIST_LIMIT for name, rows in lists.items()}
    return {name: rows[:NODE_LIST_LIMIT] for name, rows in lists.items()} | {"more": more}


@bp.get("/<id:chain_id>/graph")
@allow(*SIGNED_IN)
def graph(chain_id: int):
    """An interactive graph of the chain (ECharts), with the same numbers as the map."""
    chain = get_or_404(Chain, chain_id)
    return render_template(
        "chains/graph.html", chain=chain, zone_id=_zone_filter(), statuses=STATUSES
    )


@bp.get("/<id:chain_id>/graph.json")
@allow(*SIGNED_IN)
def graph_data(chain_id: int):
    """Nodes and parent links of the chain as ECharts tree data."""
    chain = get_or_404(Chain, chain_id)

    def as_tree(view):
        counts = view.counts
        return {
            "id": view.node.id,
            "name": view.node.name,
            "value": counts.covered,
            "status": view.status,
            "statusLabel": vocabulary_label(STATUSES[view.status]),
            "tooltip": _(
                "%(name)s（%(status)s）\n"
                "本地企业 %(local)s · 目标企业 %(targets)s · 项目 %(projects)s",
                name=view.node.name,
                status=vocabulary_label(STATUSES[view.status]),
                local=counts.local + counts.leaders,
                targets=counts.targets,
                projects=counts.active_projects + counts.landed_projects,
            ),
            "segment": vocabulary_label(SEGMENTS[view.node.segment]),
            "local": counts.local + counts.leaders,
            "targets": counts.targets,
            "projects": counts.active_projects + counts.landed_projects,
            "children": [as_tree(child) for child in view.children],
        }

    roots = chain_tree(chain, _zone_filter())
    data = {
        "name": chain.name,
        "children": [
            {
                "name": vocabulary_label(label),
                "status": "segment",
                "children": [as_tree(v) for v in roots if v.node.segment == segment],
            }
            for segment, label in SEGMENTS.items()
        ],
    }
    return jsonify(data)


@bp.get("/<id:chain_id>/roadmap")
@allow(*SIGNED_IN)
def roadmap(chain_id: int):
    """The roadmap: gap nodes by priority, their targets, zones, owners and milestones."""
    chain = get_or_404(Chain, chain_id)
    return render_template(
        "chains/roadmap.html",
        chain=chain,
        rows=chain_roadmap(chain),
        statuses=STATUSES,
        milestone_statuses=MILESTONE_STATUSES,
        next_quarter=next_quarter(),
        can_edit=lambda m: can_edit_milestone(m, current_user),
    )


@bp.get("/<id:chain_id>/roadmap.xlsx")
@allow(*SIGNED_IN)
def roadmap_export(chain_id: int):
    """The roadmap as an Excel workbook."""
    from crm.chains.transfer import roadmap_workbook

    chain = get_or_404(Chain, chain_id)
    if not chain.nodes:
        abort(404)
    return roadmap_workbook(chain, chain_roadmap(chain))

"""API: industry chains and their node trees with counts."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.chains.models import SEGMENTS, STATUSES, STRATEGIES, Chain
from crm.chains.services import Coverage, chain_coverages, chain_tree, coverage
from crm.core.access import SIGNED_IN, get_or_404

bp = Blueprint("api_chains", __name__, url_prefix=API_PREFIX, description="产业链图谱")


class ChainSummarySchema(Schema):
    id = fields.Int()
    name = fields.Str()
    lead_industry = fields.Str()
    chain_leader = fields.Str()
    zones = fields.List(fields.Str())
    nodes = fields.Int()
    completeness = fields.Float(metadata={"description": "完整度（%）"})
    local_supply = fields.Float(metadata={"description": "本地配套率（%）"})
    gaps = fields.Int()


class NodeSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    segment = fields.Str()
    segment_label = fields.Str()
    strategy = fields.Str()
    strategy_label = fields.Str()
    status = fields.Str()
    status_label = fields.Str()
    computed_status = fields.Str()
    key_products = fields.Str()
    local_enterprises = fields.Int()
    leaders = fields.Int()
    targets = fields.Int()
    active_projects = fields.Int()
    landed_projects = fields.Int()
    children = fields.List(fields.Nested(lambda: NodeSchema()))


class ChainDetailSchema(ChainSummarySchema):
    tree = fields.List(fields.Nested(NodeSchema))


def _summary(chain: Chain, cover: Coverage) -> dict:
    return {
        "id": chain.id,
        "name": chain.name,
        "lead_industry": chain.lead_industry,
        "chain_leader": chain.chain_leader,
        "zones": [z.code for z in chain.zones],
        "nodes": cover.nodes,
        "completeness": cover.completeness,
        "local_supply": cover.local_supply,
        "gaps": len(cover.gaps),
    }


def _node(view) -> dict:
    node, counts = view.node, view.counts
    return {
        "id": node.id,
        "name": node.name,
        "segment": node.segment,
        "segment_label": SEGMENTS[node.segment],
        "strategy": node.strategy,
        "strategy_label": STRATEGIES.get(node.strategy, ""),
        "status": view.status,
        "status_label": STATUSES[view.status],
        "computed_status": view.computed_status,
        "key_products": node.key_products,
        "local_enterprises": counts.local,
        "leaders": counts.leaders,
        "targets": counts.targets,
        "active_projects": counts.active_projects,
        "landed_projects": counts.landed_projects,
        "children": [_node(child) for child in view.children],
    }


@bp.get("/chains")
@api_allow(*SIGNED_IN)
@bp.response(200, ChainSummarySchema(many=True))
def chains():
    """Every chain with its coverage."""
    return [_summary(chain, cover) for chain, cover in chain_coverages(g.api_user)]


@bp.get("/chains/<id:chain_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, ChainDetailSchema)
def chain(chain_id: int):
    """One chain: its node tree with counts of enterprises, targets and projects."""
    item = get_or_404(Chain, chain_id, g.api_user)
    views = chain_tree(item)
    return {**_summary(item, coverage(views)), "tree": [_node(v) for v in views]}

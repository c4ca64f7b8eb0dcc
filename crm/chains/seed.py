"""Load the plan's chains (crm/chains/seed_data.py); existing chains are left as edited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm.chains.models import Chain, ChainNode
from crm.chains.seed_data import CHAINS
from crm.extensions import db
from crm.zones.models import Zone


def _add_nodes(
    chain: Chain, specs: list[tuple], parent: ChainNode | None, order: list[int]
) -> None:
    for segment, name, strategy, products, children in specs:
        order[0] += 10
        node = ChainNode(
            chain=chain,
            parent=parent,
            name=name,
            segment=segment,
            strategy=strategy,
            key_products=products,
            sort_order=order[0],
            priority=2 if strategy == "fill" else 3,
        )
        db.session.add(node)
        _add_nodes(chain, children, node, order)


def build_chain(spec: dict[str, Any], zones_by_code: dict[str, Zone], sort_order: int) -> Chain:
    """A Chain with its node tree from a seed/import spec (not yet flushed)."""
    chain = Chain(
        name=spec["name"],
        lead_industry=spec.get("lead_industry", ""),
        chain_leader=spec.get("chain_leader", ""),
        description=spec.get("description", ""),
        sort_order=sort_order,
    )
    chain.zones = [zones_by_code[c] for c in spec.get("zones", []) if c in zones_by_code]
    db.session.add(chain)
    _add_nodes(chain, spec["nodes"], None, [0])
    return chain


def seed_chains() -> int:
    """Create the plan's chains that are missing."""
    existing = set(db.session.scalars(select(Chain.name)))
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    created = 0
    for index, spec in enumerate(CHAINS):
        if spec["name"] in existing:
            continue
        build_chain(spec, zones, (index + 1) * 10)
        created += 1
    db.session.flush()
    return created

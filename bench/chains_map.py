"""Chain maps at scale: ``python -m bench.chains_map [bench.run options]``.

One chain of 60 nodes (12 first-level links with 4 sub-links each, spread over the four
segments) assigned to 高新区, with ``min(10 000, enterprises)`` enterprises linked to its nodes
(70 % 本地企业, 25 % 目标企业, 5 % 链主), every tenth target and every fifth project linked to
a node. Run it with ``--scale 2`` (10 000 enterprises: the issue's 10 000 links) so the
query counts are compared with city scale (5 000 links): the map, the graph data, a node's
detail list, the roadmap and the API must not issue more statements when a chain holds more.

Runs ``bench.run`` on the floor and the chain endpoints only; p50 and p95 are printed beside
the floor measured in the same run.
"""

from __future__ import annotations

import sys

from sqlalchemy import select

from bench.generate import Context, bulk_insert, generator
from bench.queries import Endpoint

CHAIN_ENTERPRISES = 10_000
FIRST_LEVEL, CHILDREN = 12, 4  # 12 + 12 × 4 = 60 nodes
SEGMENT_ORDER = ("upstream", "midstream", "downstream", "support")
CHAIN_ID = 1  # the only chain in a benchmark database
NODE_ID = 2  # a first-level node's first sub-link


@generator("chain map", order=80)
def generate_chain(ctx: Context) -> int:
    """The 60-node chain and its links to enterprises, targets and projects."""
    from crm.chains.models import (
        Chain,
        ChainNode,
        ChainZone,
        NodeEnterprise,
        NodeProject,
        NodeTarget,
    )
    from crm.extensions import db
    from crm.projects.models import Project
    from crm.targets.models import Target

    chain = Chain(name="有色金属材料（基准）", lead_industry="有色金属", chain_leader="市领导")
    db.session.add(chain)
    db.session.flush()
    db.session.add(ChainZone(chain_id=chain.id, zone_id=ctx.ids["zones"]["gxq"]))
    node_ids: list[int] = []
    for i in range(FIRST_LEVEL):
        segment = SEGMENT_ORDER[i % len(SEGMENT_ORDER)]
        parent = ChainNode(
            chain_id=chain.id, name=f"环节{i + 1:02d}", segment=segment, sort_order=i
        )
        db.session.add(parent)
        db.session.flush()
        node_ids.append(parent.id)
        for j in range(CHILDREN):
            child = ChainNode(
                chain_id=chain.id,
                parent_id=parent.id,
                name=f"环节{i + 1:02d}-{j + 1}",
                segment=segment,
                strategy=("strengthen", "fill", "extend")[j % 3],
                priority=1 + j,
                sort_order=j,
            )
            db.session.add(child)
            db.session.flush()
            node_ids.append(child.id)
    rng = ctx.rng
    enterprises = list(ctx.ids["enterprise_ids"][:CHAIN_ENTERPRISES])
    # Leave every fifth node without enterprises so the map has gaps to show.
    filled = [n for k, n in enumerate(node_ids) if k % 5]

    def role() -> str:
        draw = rng.random()
        return "local" if draw < 0.7 else "target" if draw < 0.95 else "leader"

    links = bulk_insert(
        NodeEnterprise,
        (
            {"node_id": filled[k % len(filled)], "enterprise_id": e, "role": role()}
            for k, e in enumerate(enterprises)
        ),
    )
    targets = db.session.scalars(select(Target.id).order_by(Target.id)).all()[::10]
    links += bulk_insert(
        NodeTarget,
        ({"node_id": node_ids[k % len(node_ids)], "target_id": t} for k, t in enumerate(targets)),
    )
    projects = db.session.scalars(select(Project.id).order_by(Project.id)).all()[::5]
    links += bulk_insert(
        NodeProject,
        ({"node_id": filled[k % len(filled)], "project_id": p} for k, p in enumerate(projects)),
    )
    return len(node_ids) + links


def chain_endpoints() -> list[Endpoint]:
    base = f"/chains/{CHAIN_ID}"
    return [
        Endpoint("chains: GET /chains/", "/chains/"),
        Endpoint("chains: map", base),
        Endpoint("chains: map, zone filter", f"{base}?zone=1"),
        Endpoint("chains: map with a node's lists", f"{base}?node={NODE_ID}"),
        Endpoint("chains: graph.json", f"{base}/graph.json"),
        Endpoint("chains: roadmap", f"{base}/roadmap"),
        Endpoint("api: GET /api/v1/chains/1", f"/api/v1{base}", auth="token"),
    ]


def main(argv: list[str] | None = None) -> int:
    from bench import run

    run.ENDPOINTS[:] = [run.FLOOR, *chain_endpoints()]
    return run.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    # `python -m` ran this file as __main__, whose decorator registered the generator once;
    # keep only the importable module's registration.
    import importlib

    from bench.generate import GENERATORS

    GENERATORS[:] = [entry for entry in GENERATORS if entry[2].__module__ != "__main__"]
    sys.exit(importlib.import_module("bench.chains_map").main())

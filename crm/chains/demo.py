"""Demo links on the seeded chains so strengths and gaps show: local enterprises and 链主 on
some nodes, targets courted for gap nodes, projects on the nodes they fill."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from crm.chains.models import Chain, ChainNode, NodeEnterprise, NodeProject, NodeTarget
from crm.enterprises.models import Enterprise
from crm.enterprises.services import EnterpriseError, create_enterprise
from crm.enterprises.uscc import JIYUAN_REGION, generate_uscc
from crm.extensions import db
from crm.projects.models import Project
from crm.targets.demo import INDUSTRIES, LEGAL_FORMS
from crm.targets.models import Target

SEED = 20261129
COVERED_SHARE = 0.45  # about half of each chain's nodes get local enterprises
# Brands of the invented local enterprises (other characters than the target list's brands).
LOCAL_FIRST = "沁钰祺珏璇琨瑄峪岫嵩"
LOCAL_SECOND = "源丰晟泰禾润臻峰隆昊"


def load_demo_chains() -> int:
    """Link demo enterprises, targets and projects to chain nodes once; returns links made."""
    if db.session.scalar(select(func.count()).select_from(NodeEnterprise)):
        return 0
    rng = random.Random(SEED)
    made = 0
    for chain in db.session.scalars(select(Chain).order_by(Chain.sort_order, Chain.id)):
        nodes = list(chain.nodes)
        if not nodes:
            continue
        rng.shuffle(nodes)
        covered = nodes[: max(1, int(len(nodes) * COVERED_SHARE))]
        gaps = [n for n in nodes if n not in covered] or nodes
        enterprises = db.session.scalars(
            select(Enterprise)
            .where(Enterprise.industry == chain.name, Enterprise.deleted_at.is_(None))
            .order_by(Enterprise.id)
        ).all()
        local = _new_locals(chain, covered, rng) + [e for e in enterprises if e.is_local]
        for index, enterprise in enumerate(local):
            role = "leader" if index == 0 else "local"
            db.session.add(
                NodeEnterprise(
                    node_id=covered[index % len(covered)].id, enterprise_id=enterprise.id, role=role
                )
            )
            made += 1
        targets = db.session.scalars(
            select(Target)
            .where(
                Target.enterprise_id.in_([e.id for e in enterprises if not e.is_local]),
                Target.deleted_at.is_(None),
            )
            .order_by(Target.id)
        ).all()
        for index, target in enumerate(targets):
            db.session.add(NodeTarget(node_id=gaps[index % len(gaps)].id, target_id=target.id))
            if not target.chain_position:
                target.chain_position = f"{chain.name} / {gaps[index % len(gaps)].name}"
            made += 1
        projects = db.session.scalars(
            select(Project)
            .where(Project.industry == chain.name, Project.deleted_at.is_(None))
            .order_by(Project.id)
        ).all()
        for index, project in enumerate(projects):
            db.session.add(NodeProject(node_id=gaps[index % len(gaps)].id, project_id=project.id))
            made += 1
    db.session.flush()
    return made


def _new_locals(chain: Chain, covered: list[ChainNode], rng: random.Random) -> list[Enterprise]:
    """One or two invented 济源 enterprises for each covered node (so the map shows strong
    links as well as gaps), in the order of the nodes they go to."""
    words = INDUSTRIES.get(chain.name, ("", ("新材料",)))[1]
    made: list[Enterprise] = []
    for _node in covered:
        for _ in range(rng.choice((1, 1, 2))):
            brand = rng.choice(LOCAL_FIRST) + rng.choice(LOCAL_SECOND)
            values = {
                "name": f"济源市{brand}{rng.choice(words)}{rng.choice(LEGAL_FORMS)}",
                "uscc": generate_uscc(rng, JIYUAN_REGION),
                "hq_province": "河南",
                "hq_city": "济源",
                "industry": chain.name,
                "is_local": True,
                "tier": rng.choice(("骨干", "配套", "配套")),
            }
            try:
                made.append(create_enterprise(values, None, confirm_duplicate=True))
            except EnterpriseError:
                continue  # the same invented name or code twice: one is enough
    return made

"""Chain maps: seed, tree rules, computed status with override, coverage, roadmap, gap targets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.chains.editing import (
    ChainError,
    delete_node,
    link_enterprise,
    link_project,
    link_target,
    save_node,
    set_status_override,
)
from crm.chains.models import Chain, ChainNode, NodeTarget
from crm.chains.roadmap import add_targets_for_node, chain_roadmap
from crm.chains.seed import seed_chains
from crm.chains.services import chain_tree, coverage, flatten
from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.services import create_project
from crm.projects.transitions import change_stage
from crm.zones.seed import seed_zones
from tests.factories import make_user


@pytest.fixture
def seeded(app):
    seed_zones()
    seed_chains()
    db.session.commit()
    chain = db.session.scalars(select(Chain).where(Chain.name == "有色金属材料")).one()
    return chain, make_user("coordinator")


def _node(chain, name):
    return next(n for n in chain.nodes if n.name == name)


def test_seed_has_the_plans_chains_and_is_idempotent(seeded):
    names = set(db.session.scalars(select(Chain.name)))
    assert {
        "有色金属材料",
        "先进钢铁材料",
        "高端化工材料",
        "氢能",
        "电子信息",
        "新型储能",
        "节能环保",
        "现代物流",
    } <= names
    assert seed_chains() == 0
    chain, _ = seeded
    assert [z.code for z in chain.zones] == ["jkq"]
    child = _node(chain, "电子铜箔")
    assert child.parent.name == "有色新材料"


def test_cycles_and_other_chains_are_refused(seeded):
    chain, city = seeded
    parent = _node(chain, "有色新材料")
    child = _node(chain, "电子铜箔")
    with pytest.raises(ChainError):
        save_node(chain, parent, {"parent_id": child.id}, city)
    with pytest.raises(ChainError):
        save_node(chain, parent, {"parent_id": parent.id}, city)
    other = db.session.scalars(select(Chain).where(Chain.name == "氢能")).one()
    with pytest.raises(ChainError):
        save_node(chain, child, {"parent_id": other.nodes[0].id}, city)
    with pytest.raises(ChainError):
        save_node(chain, child, {"chain_id": other.id}, city)


def test_duplicate_names_and_unknown_segments_are_refused(seeded):
    chain, city = seeded
    with pytest.raises(ChainError):
        save_node(chain, None, {"name": "铅冶炼", "segment": "midstream"}, city)
    with pytest.raises(ChainError):
        save_node(chain, None, {"name": "新环节", "segment": "sideways"}, city)


def test_status_follows_coverage_and_override(seeded):
    chain, city = seeded
    node = _node(chain, "电子铜箔")
    status = {v.node.id: v.status for v in flatten(chain_tree(chain))}
    assert status[node.id] == "missing"
    for i in range(2):
        ent = create_enterprise(
            {"name": f"济源铜箔{i}号有限公司", "is_local": True}, None, confirm_duplicate=True
        )
        link_enterprise(node, ent.id, "local", city)
    db.session.commit()
    status = {v.node.id: v.status for v in flatten(chain_tree(chain))}
    assert status[node.id] == "normal"
    with pytest.raises(ChainError):
        set_status_override(node, "risk", "", city)
    set_status_override(node, "risk", "单一供应商依赖", city)
    view = next(v for v in flatten(chain_tree(chain)) if v.node.id == node.id)
    assert view.status == "risk" and view.computed_status == "normal"


def test_coverage_and_gap_list(seeded):
    chain, city = seeded
    views = chain_tree(chain)
    before = coverage(views)
    assert before.completeness == 0.0 and len(before.gaps) == before.nodes
    leader = create_enterprise({"name": "河南豫光金铅股份有限公司"}, None)
    link_enterprise(_node(chain, "铅冶炼"), leader.id, "leader", city)
    db.session.commit()
    after = coverage(chain_tree(chain))
    assert after.covered == 1 and after.local == 1
    assert after.completeness == round(100 / after.nodes, 1)
    assert all(g.node.name != "铅冶炼" for g in after.gaps)


def test_delete_refused_while_holding_links_unless_rehomed(seeded):
    chain, city = seeded
    node = _node(chain, "银粉银浆")
    ent = create_enterprise({"name": "某银浆科技有限公司"}, None)
    link_enterprise(node, ent.id, "target", city)
    db.session.commit()
    with pytest.raises(ChainError):
        delete_node(node, city)
    with pytest.raises(ChainError):
        delete_node(_node(chain, "有色新材料"), city)  # has children
    home = _node(chain, "高纯金属与靶材")
    delete_node(node, city, rehome_to=home)
    db.session.commit()
    assert db.session.get(ChainNode, home.id) is not None
    tree = flatten(chain_tree(chain))
    assert next(v for v in tree if v.node.id == home.id).counts.targets == 1


def test_gap_node_adds_targets_and_roadmap_follows(seeded):
    chain, city = seeded
    staff = make_user("staff", zone=chain.zones[0])
    node = _node(chain, "高强高导铜合金")
    ent = create_enterprise({"name": "宁波某铜合金股份有限公司"}, None)
    targets = add_targets_for_node(node, [ent], chain.zones[0].id, city)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(NodeTarget)) == 1
    row = next(r for r in chain_roadmap(chain, city) if r.view.node.id == node.id)
    assert row.targets == targets and row.progress == "targeted"
    project = create_project(
        ent,
        None,
        {"name": "铜合金项目", "planned_total_wan": 50000},
        staff,
        target=targets[0],
        stage="negotiation",
    )
    link_project(node, project.id, city)
    link_target(node, targets[0].id, city)  # idempotent
    db.session.commit()
    row = next(r for r in chain_roadmap(chain, city) if r.view.node.id == node.id)
    assert row.progress == "project"
    change_stage(
        project,
        "signed",
        None,
        {"contract_signed_on": local_today(), "contract_amount_wan": 50000},
        "",
        project.version,
        staff,
    )
    db.session.commit()
    row = next(r for r in chain_roadmap(chain, city) if r.view.node.id == node.id)
    assert row.progress == "landed" and row.view.status == "weak"  # one landed: still thin

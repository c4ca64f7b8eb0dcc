"""Chain-map pages, the chains API and the import/export CLI."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from crm.auth.services import create_api_token
from crm.chains.editing import link_enterprise
from crm.chains.models import Chain, ChainNode, NodeTarget
from crm.chains.seed import seed_chains
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.targets.models import Target
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.conftest import post
from tests.factories import make_user


@pytest.fixture
def chain(app):
    seed_zones()
    seed_chains()
    db.session.commit()
    return db.session.scalars(select(Chain).where(Chain.name == "有色金属材料")).one()


def _node(chain, name):
    return next(n for n in chain.nodes if n.name == name)


def _jkq():
    return db.session.scalars(select(Zone).where(Zone.code == "jkq")).one()


def test_index_and_map(chain, client, login_as):
    login_as(make_user("viewer"))
    html = client.get("/chains/").get_data(as_text=True)
    assert "有色金属材料" in html and "氢能" in html and "完整度" in html
    node = _node(chain, "电子铜箔")
    html = client.get(f"/chains/{chain.id}?node={node.id}").get_data(as_text=True)
    assert "上游" in html and "下游" in html and "配套" in html
    assert "电子铜箔" in html and "chain-node-missing" in html


def test_map_query_count_does_not_grow_with_links(chain, app, client, login_as):
    login_as(make_user("coordinator"))
    node = _node(chain, "铅冶炼")
    url = f"/chains/{chain.id}"

    def count_queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements

    count_queries()  # warm up
    before = count_queries()
    for i in range(30):
        ent = create_enterprise(
            {"name": f"测试本地企业{i}号有限公司"}, None, confirm_duplicate=True
        )
        link_enterprise(node, ent.id, "local", None)
    db.session.commit()
    assert len(count_queries()) == len(before)


def test_graph_data(chain, client, login_as):
    login_as(make_user("staff", zone=_jkq()))
    data = client.get(f"/chains/{chain.id}/graph.json").get_json()
    assert [c["name"] for c in data["children"]] == ["上游", "中游", "下游", "配套"]
    assert client.get(f"/chains/{chain.id}/graph").status_code == 200


def test_staff_adds_a_target_for_a_gap_node_and_sees_it_on_the_roadmap(chain, client, login_as):
    staff = make_user("staff", zone=_jkq())
    login_as(staff)
    ent = create_enterprise({"name": "江苏某高纯金属股份有限公司"}, None)
    db.session.commit()
    node = _node(chain, "高纯金属与靶材")
    response = post(
        client,
        f"/chains/nodes/{node.id}/targets",
        {"enterprise_ids": str(ent.id), "zone_id": str(staff.zone_id)},
    )
    assert response.status_code == 302
    target = db.session.scalars(select(Target)).one()
    assert target.zone_id == staff.zone_id and target.owner_id == staff.id
    assert db.session.get(NodeTarget, (node.id, target.id)) is not None
    html = client.get(f"/chains/{chain.id}/roadmap").get_data(as_text=True)
    assert "江苏某高纯金属股份有限公司" in html and "已列入目标" in html
    export = client.get(f"/chains/{chain.id}/roadmap.xlsx")
    sheet = load_workbook(__import__("io").BytesIO(export.data)).active
    assert any("江苏某高纯金属股份有限公司" in str(c.value) for row in sheet for c in row)


def test_gap_targets_with_unknown_ids_change_nothing(chain, client, login_as):
    login_as(make_user("coordinator"))
    node = _node(chain, "银粉银浆")
    response = post(
        client,
        f"/chains/nodes/{node.id}/targets",
        {"enterprise_ids": "99999", "zone_id": ""},
        follow_redirects=True,
    )
    assert "选择的企业有的已不存在" in response.get_data(as_text=True)
    assert db.session.scalars(select(Target)).all() == []


def test_only_the_city_edits_the_tree(chain, client, login_as):
    login_as(make_user("manager", zone=_jkq()))
    assert client.get(f"/chains/{chain.id}/nodes/new").status_code == 403
    node = _node(chain, "电子铜箔")
    assert post(client, f"/chains/nodes/{node.id}/delete").status_code == 403


def test_node_cycle_is_refused_on_the_form(chain, client, login_as):
    login_as(make_user("coordinator"))
    parent, child = _node(chain, "有色新材料"), _node(chain, "电子铜箔")
    response = post(
        client,
        f"/chains/nodes/{parent.id}/edit",
        {
            "name": parent.name,
            "segment": "midstream",
            "parent_id": str(child.id),
            "strategy": "fill",
            "priority": "2",
        },
    )
    assert response.status_code == 400
    assert "下级环节" in response.get_data(as_text=True)
    db.session.refresh(parent)
    assert parent.parent_id is None


def test_delete_with_links_refused_then_rehomed(chain, client, login_as):
    login_as(make_user("coordinator"))
    node, home = _node(chain, "银粉银浆"), _node(chain, "高纯金属与靶材")
    ent = create_enterprise({"name": "某银浆有限公司"}, None)
    link_enterprise(node, ent.id, "local", None)
    db.session.commit()
    response = post(client, f"/chains/nodes/{node.id}/delete", follow_redirects=True)
    assert "请先转移" in response.get_data(as_text=True)
    assert db.session.get(ChainNode, node.id) is not None
    node_id = node.id
    response = post(client, f"/chains/nodes/{node_id}/delete", {"rehome_to": str(home.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChainNode, node_id) is None


def test_api_chains(chain, client):
    user = make_user("staff", zone=_jkq())
    token = create_api_token(user, "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/chains", headers=headers).get_json()
    assert "有色金属材料" in [c["name"] for c in listing]
    detail = client.get(f"/api/v1/chains/{chain.id}", headers=headers).get_json()
    assert detail["tree"][0]["segment_label"] in ("上游", "中游", "下游", "配套")
    assert client.get("/api/v1/chains/999999", headers=headers).status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/chains/{chain_id}" in spec["paths"]


def test_cli_export_import_roundtrip(chain, runner, tmp_path):
    for suffix in ("json", "xlsx"):
        path = tmp_path / f"chains.{suffix}"
        result = runner.invoke(args=["chains", "export", str(path)])
        assert result.exit_code == 0, result.output
        db.session.execute(Chain.__table__.delete().where(Chain.name == "氢能"))
        db.session.commit()
        result = runner.invoke(args=["chains", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert "1 created" in result.output
        hydrogen = db.session.scalars(select(Chain).where(Chain.name == "氢能")).one()
        assert "膜电极与电堆" in [n.name for n in hydrogen.nodes]


@pytest.mark.parametrize(
    "nodes,message",
    [
        ([["旁游", "某环节", "", "", []]], "位置"),
        ([["上游", "甲", "", "", []], ["中游", "甲", "", "", []]], "重复"),
        ([["上游", "甲", "乱链", "", []]], "策略"),
    ],
)
def test_cli_import_refuses_bad_definitions(chain, runner, tmp_path, nodes, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"name": "新链", "zones": [], "nodes": nodes}], ensure_ascii=False))
    result = runner.invoke(args=["chains", "import", str(path)])
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalars(select(Chain).where(Chain.name == "新链")).first() is None


def test_gap_targets_by_name_reuse_existing_enterprises(chain, client, login_as):
    login_as(make_user("coordinator"))
    existing = create_enterprise({"name": "河南某靶材科技有限公司"}, None)
    db.session.commit()
    node = _node(chain, "高纯金属与靶材")
    response = post(
        client,
        f"/chains/nodes/{node.id}/targets",
        {"names": "某靶材科技有限公司\n上海全新钨铜材料有限公司", "zone_id": ""},
    )
    assert response.status_code == 302
    targets = db.session.scalars(select(Target).order_by(Target.id)).all()
    assert [t.enterprise.name for t in targets] == [existing.name, "上海全新钨铜材料有限公司"]
    assert all(t.zone_id is None for t in targets)


def test_gap_targets_need_a_name_or_an_id(chain, client, login_as):
    login_as(make_user("coordinator"))
    node = _node(chain, "高纯金属与靶材")
    response = post(
        client, f"/chains/nodes/{node.id}/targets", {"zone_id": ""}, follow_redirects=True
    )
    assert "请选择已有企业或填写企业名称" in response.get_data(as_text=True)

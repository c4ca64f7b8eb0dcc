"""Chain nodes set from the target and project pages, and the list filters by chain and node."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.auth.services import create_api_token
from crm.chains.links import LinkError, set_links
from crm.chains.models import Chain, NodeProject, NodeTarget
from crm.chains.seed import seed_chains
from crm.chains.services import node_counts
from crm.core.models import AuditLog
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.services import create_project
from crm.targets.services import create_target
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.conftest import post
from tests.factories import make_user


@pytest.fixture
def world(app):
    seed_zones()
    seed_chains()
    db.session.commit()
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    chain = db.session.scalars(select(Chain).where(Chain.name == "有色金属材料")).one()
    other = db.session.scalars(select(Chain).where(Chain.name == "氢能")).one()
    staff = make_user("staff", zone=zones["gxq"])
    enterprise = create_enterprise({"name": "江苏某高纯金属股份有限公司"}, None)
    target = create_target(enterprise, None, {}, staff)
    project = create_project(enterprise, zones["gxq"].id, {"name": "高纯金属项目"}, staff)
    db.session.commit()
    return {
        "zones": zones,
        "chain": chain,
        "other": other,
        "node": chain.nodes[1],
        "node2": other.nodes[0],
        "staff": staff,
        "target": target,
        "project": project,
    }


def _links(model, column, owner_id) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(model.node_id).where(column == owner_id)))


def test_staff_link_their_target_to_nodes_and_the_map_counts_it(client, login_as, world):
    login_as(world["staff"])
    target, node, node2 = world["target"], world["node"], world["node2"]
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert 'data-testid="chain-links"' in page and "尚未关联产业链环节" in page
    url = f"/chains/links/target/{target.id}"
    response = post(
        client, url, {"node_ids": [str(node.id), str(node2.id)]}, token_page=f"/targets/{target.id}"
    )
    assert response.status_code == 302 and response.location.endswith("#chain")
    assert _links(NodeTarget, NodeTarget.target_id, target.id) == {node.id, node2.id}
    assert node_counts([world["chain"].id])[node.id].targets == 1
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert f"有色金属材料 · {node.name}" in page
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "target")).all()
    assert any("chain_nodes" in (a.changes or {}) for a in audit)
    # clearing the selection removes the links
    post(client, url, {}, token_page=f"/targets/{target.id}")
    assert _links(NodeTarget, NodeTarget.target_id, target.id) == set()


@pytest.mark.parametrize("bad", ["999999", "abc", "-1", "²", "99999999999999999999"])
def test_unknown_or_malformed_nodes_change_nothing(client, login_as, world, bad):
    login_as(world["staff"])
    target = world["target"]
    post(client, f"/chains/links/target/{target.id}", {"node_ids": [str(world["node"].id)]},
         token_page=f"/targets/{target.id}")  # fmt: skip
    response = post(
        client,
        f"/chains/links/target/{target.id}",
        {"node_ids": [str(world["node2"].id), bad]},
        token_page=f"/targets/{target.id}",
    )
    assert response.status_code == 302
    assert _links(NodeTarget, NodeTarget.target_id, target.id) == {world["node"].id}
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert "环节" in page  # the flashed reason


def test_too_many_nodes_are_refused(world):
    ids = [n.id for n in world["chain"].nodes[:21]]
    assert len(ids) == 21
    with pytest.raises(LinkError, match="最多"):
        set_links("target", world["target"].id, ids, world["staff"])


def test_other_zones_cannot_link(client, login_as, world):
    target, project = world["target"], world["project"]
    login_as(make_user("staff", zone=world["zones"]["jkq"]))
    data = {"node_ids": [str(world["node"].id)]}
    assert post(client, f"/chains/links/target/{target.id}", data).status_code == 404
    assert post(client, f"/chains/links/project/{project.id}", data).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(NodeProject)) == 0


def test_readers_cannot_link(client, login_as, world):
    login_as(make_user("viewer"))
    data = {"node_ids": [str(world["node"].id)]}
    assert post(client, f"/chains/links/project/{world['project'].id}", data).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(NodeProject)) == 0


def test_project_links_and_list_filters(client, login_as, world):
    login_as(make_user("manager", zone=world["zones"]["gxq"]))
    project, node = world["project"], world["node"]
    response = post(
        client,
        f"/chains/links/project/{project.id}",
        {"node_ids": [str(node.id)]},
        token_page=f"/projects/{project.id}",
    )
    assert response.status_code == 302
    assert _links(NodeProject, NodeProject.project_id, project.id) == {node.id}
    chain, other = world["chain"], world["other"]
    listed = client.get(f"/projects/?chain={chain.id}").get_data(as_text=True)
    assert "高纯金属项目" in listed
    assert "高纯金属项目" not in client.get(f"/projects/?chain={other.id}").get_data(as_text=True)
    assert "高纯金属项目" in client.get(f"/projects/?node={node.id}").get_data(as_text=True)
    assert client.get("/projects/?chain=²").status_code == 200  # ignored, never a 500


def test_target_list_and_api_filter_by_chain(client, login_as, world):
    staff, target, chain = world["staff"], world["target"], world["chain"]
    set_links("target", target.id, [world["node"].id], staff)
    db.session.commit()
    login_as(staff)
    listed = client.get(f"/targets/?chain={chain.id}").get_data(as_text=True)
    assert "江苏某高纯金属股份有限公司" in listed
    empty = client.get(f"/targets/?chain={world['other'].id}").get_data(as_text=True)
    assert "江苏某高纯金属股份有限公司" not in empty
    for odd in ("²", "abc", "99999999999999999999"):  # ignored, never a 500
        assert client.get(f"/targets/?chain={odd}&node={odd}").status_code == 200
    token = create_api_token(staff, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/targets?chain={chain.id}", headers=headers).get_json()
    assert body["total"] == 1 and body["items"][0]["id"] == target.id
    body = client.get(f"/api/v1/targets?chain={world['other'].id}", headers=headers).get_json()
    assert body["total"] == 0
    response = client.get("/api/v1/targets?chain=abc", headers=headers)
    assert response.status_code == 422 and "chain" in str(response.get_json())


# --- the 产业链环节 import column --------------------------------------------------------------


def test_the_resolver_reads_the_ways_people_write_a_node(world):
    from crm.chains.links import NodeResolver
    from crm.chains.models import ChainNode

    chain, other = world["chain"], world["other"]
    copper = next(n for n in chain.nodes if n.name == "电子铜箔")
    lead = next(n for n in chain.nodes if n.name == "铅冶炼")
    twin = ChainNode(chain_id=other.id, name="铅冶炼", segment="support")  # a name in two chains
    db.session.add(twin)
    db.session.commit()
    resolver = NodeResolver()
    assert resolver.resolve("电子铜箔") == [copper.id]
    assert resolver.resolve("有色金属材料-电子铜箔") == [copper.id]
    assert resolver.resolve("有色金属材料产业链 / 铜冶炼 / 电子铜箔") == [copper.id]
    assert resolver.resolve("电子铜箔、有色金属材料-铅冶炼；电子铜箔") == [copper.id, lead.id]
    assert resolver.resolve("铅冶炼") == []  # two chains have it: left as text only
    assert resolver.resolve("氢能-铅冶炼") == [twin.id]
    assert resolver.resolve("铅锌冶炼-精深加工") == [] and resolver.resolve("") == []


def test_a_target_import_links_the_nodes_its_cells_name(world, tmp_path):
    from crm.targets.importer import import_file
    from tests.test_imports_helpers import code, row, write_csv

    copper = next(n for n in world["chain"].nodes if n.name == "电子铜箔")
    rows = [
        row("测试1新材料有限公司", uscc=code(1), chain_position="有色金属材料-电子铜箔"),
        row("测试2新材料有限公司", uscc=code(2), chain_position="某个不存在的环节"),
    ]
    path = write_csv(tmp_path / "list.csv", rows)
    result, batch = import_file(path, world["zones"]["gxq"].id, dry_run=False)
    assert batch is not None and result.created == 2, result.errors
    linked = db.session.execute(select(NodeTarget.node_id, NodeTarget.target_id)).all()
    assert len(linked) == 1 and linked[0].node_id == copper.id
    # importing the same file again adds nothing twice
    import_file(path, world["zones"]["gxq"].id, dry_run=False)
    assert db.session.scalar(select(func.count()).select_from(NodeTarget)) == 1


def test_a_ledger_links_its_projects_to_nodes(world, tmp_path):
    from crm.projects.importing import LedgerImporter
    from tests.test_projects_import import HEADER, ROWS, ledger

    copper = next(n for n in world["chain"].nodes if n.name == "电子铜箔")
    rows = [[*r, "电子铜箔" if i == 0 else ""] for i, r in enumerate(ROWS[:2])]
    for r in rows:
        r[-2] = ""  # no owner: the rows' staff do not exist in this world
    path = ledger(tmp_path, rows, header=[*HEADER, "产业链环节"])
    result = LedgerImporter(path, path.name, world["zones"]["gxq"]).run(write=True)
    assert result.written, result.errors
    db.session.commit()
    (link,) = db.session.scalars(select(NodeProject)).all()
    assert link.node_id == copper.id
    assert db.session.get(type(world["project"]), link.project_id).name == "高端铜箔项目"


def test_a_nodes_panel_caps_its_lists_and_links_to_the_filtered_lists(
    client, login_as, world, monkeypatch
):
    import crm.chains.views as chain_views

    monkeypatch.setattr(chain_views, "NODE_LIST_LIMIT", 1)
    staff, node = world["staff"], world["node"]
    second = create_target(create_enterprise({"name": "浙江某铜材有限公司"}, None), None, {}, staff)
    for target in (world["target"], second):
        set_links("target", target.id, [node.id], staff)
    db.session.commit()
    login_as(staff)
    page = client.get(f"/chains/{world['chain'].id}?node={node.id}").get_data(as_text=True)
    assert "仅列前 1 家" in page
    assert f"/targets/?node={node.id}" in page and f"/projects/?node={node.id}" in page
    listed = client.get(f"/targets/?node={node.id}").get_data(as_text=True)
    assert "江苏某高纯金属股份有限公司" in listed and "浙江某铜材有限公司" in listed


def test_the_city_dashboard_shows_coverage_per_chain_in_constant_queries(
    app, client, login_as, world
):
    from sqlalchemy import event

    from crm.chains.editing import link_enterprise

    login_as(make_user("coordinator"))

    def city_page() -> tuple[str, int]:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            html = client.get("/").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return html, len(statements)

    html, before = city_page()
    section = html[html.index('data-testid="chain-coverage"') :]
    assert section.count('data-testid="chain-row"') == 8  # the plan's eight chains
    assert "有色金属材料" in section and "0.0%" in section
    enterprise = create_enterprise({"name": "济源某铅业有限公司"}, None)
    for node in world["chain"].nodes[:5]:
        link_enterprise(node, enterprise.id, "local", world["staff"])
    db.session.commit()
    html, after = city_page()
    assert after == before  # more links, the same statements
    row = html[html.index("有色金属材料", html.index('data-testid="chain-coverage"')) :]
    assert "0.0%" not in row.split("</tr>")[0]


def test_the_chain_list_api_does_not_query_per_chain(app, client, world):
    from sqlalchemy import event

    from crm.auth.services import create_api_token

    token = create_api_token(world["staff"], "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def listing() -> tuple[list, int]:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            body = client.get("/api/v1/chains", headers=headers).get_json()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return body, len(statements)

    listing()  # the first call also records the token's use
    body, eight = listing()
    assert len(body) == 8 and body[0]["nodes"] > 0
    for chain in db.session.scalars(select(Chain).where(Chain.name != "有色金属材料")):
        db.session.delete(chain)
    db.session.commit()
    listing()
    body, one = listing()
    assert len(body) == 1 and one == eight  # the same statements for one chain or eight

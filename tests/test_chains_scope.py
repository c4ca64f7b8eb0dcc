"""Chain maps count only the projects the user may see, whatever ``?zone=`` asks for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.auth.services import create_api_token
from crm.chains.editing import link_project
from crm.chains.models import Chain
from crm.chains.seed import seed_chains
from crm.extensions import db
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.factories import make_user
from tests.test_reminders_support import make_project

NODE = "电子铜箔"


def _zone(code: str) -> Zone:
    return db.session.scalars(select(Zone).where(Zone.code == code)).one()


@pytest.fixture
def world(app):
    """A gxq project in talks and a landed one on one node of a chain both zones share."""
    seed_zones()
    seed_chains()
    db.session.commit()
    chain = db.session.scalars(select(Chain).where(Chain.name == "有色金属材料")).one()
    node = next(n for n in chain.nodes if n.name == NODE)
    gxq_staff = make_user("staff", zone=_zone("gxq"))
    for stage in ("negotiation", "signed"):
        project = make_project(gxq_staff, None, stage=stage)
        link_project(node, project.id, None)
    db.session.commit()
    return chain, node


def _find(items: list[dict]) -> dict | None:
    for item in items:
        if item["name"] == NODE:
            return item
        found = _find(item.get("children", []))
        if found:
            return found
    return None


def _graph_node(data: dict) -> dict:
    return _find(data["children"])


def _projects_on_map(client, url: str) -> tuple[int, int]:
    html = client.get(url).get_data(as_text=True)
    card = html[html.index(f'data-testid="node-{NODE}"') :]
    card = card[: card.index("</a>")]
    active = int(card.split("在谈")[1].split("·")[0])
    landed = int(card.split("落地")[1].split("<")[0])
    return active, landed


def test_zone_staff_sees_no_counts_of_another_zones_projects(world, client, login_as):
    chain, _node = world
    gxq, jkq = _zone("gxq"), _zone("jkq")
    login_as(make_user("staff", zone=jkq))
    for query in ("", f"?zone={gxq.id}", f"?zone={jkq.id}"):
        data = client.get(f"/chains/{chain.id}/graph.json{query}").get_json()
        assert _graph_node(data)["projects"] == 0, query
        assert _projects_on_map(client, f"/chains/{chain.id}{query}") == (0, 0), query


def test_own_zone_and_city_level_see_the_projects(world, app, client, login_as):
    chain, _node = world
    gxq, jkq = _zone("gxq"), _zone("jkq")
    login_as(make_user("staff", zone=gxq))
    assert _graph_node(client.get(f"/chains/{chain.id}/graph.json").get_json())["projects"] == 2
    assert _projects_on_map(client, f"/chains/{chain.id}?zone={gxq.id}") == (1, 1)
    city = app.test_client()
    from tests.conftest import login

    assert login(city, make_user("coordinator")).status_code == 302
    assert _projects_on_map(city, f"/chains/{chain.id}?zone={gxq.id}") == (1, 1)
    assert _projects_on_map(city, f"/chains/{chain.id}?zone={jkq.id}") == (0, 0)
    data = city.get(f"/chains/{chain.id}/graph.json").get_json()
    assert _graph_node(data)["projects"] == 2


def test_api_chain_counts_follow_the_token_users_scope(world, client):
    chain, _node = world
    for zone, expected in (("jkq", 0), ("gxq", 2)):
        token = create_api_token(make_user("staff", zone=_zone(zone)), "t")
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        body = client.get(f"/api/v1/chains/{chain.id}", headers=headers).get_json()
        found = _find(body["tree"])
        counts = {k: v for k, v in found.items() if "project" in k}
        assert counts and sum(counts.values()) == expected, (zone, found)

"""Target → project: the 转为项目 action, the pages that link both ways, and the offer to
convert an open target when a project is created from 项目库."""

from __future__ import annotations

from sqlalchemy import select

from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.targets.models import Target
from crm.targets.services import create_target
from tests.test_projects_views import send, signed_in, world  # noqa: F401 — fixture

NEW = {"project_type": "new", "stage": "lead", "amount_unit": "亿元"}


def _target(world, name="转化测试科技有限公司", status="contacted"):  # noqa: F811
    ent = create_enterprise({"name": name}, None)
    target = create_target(ent, world["a"].id, {"status": status}, world["staff_a"])
    db.session.commit()
    return ent, target


def test_convert_from_the_target_page_and_the_list_then_both_pages_link(app, world):  # noqa: F811
    ent, target = _target(world)
    client = signed_in(app, world["staff_a"])
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    action = f'href="/projects/new?target_id={target.id}"'
    assert 'data-testid="convert-target"' in page and action in page
    listing = client.get("/targets/").get_data(as_text=True)
    assert action in listing
    response = send(client, f"/projects/new?target_id={target.id}", {"name": "转化项目", **NEW})
    assert response.status_code == 302
    project = db.session.scalars(select(Project)).one()
    db.session.expire_all()
    assert db.session.get(Target, target.id).status == "converted"
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in page and "由本目标转入" in page
    assert 'data-testid="convert-target"' not in page  # converted: nothing more to convert
    assert action not in client.get("/targets/").get_data(as_text=True)
    detail = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'href="/targets/{target.id}"' in detail
    enterprise = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in enterprise
    # another zone sees the enterprise but not the project
    other = signed_in(app, world["staff_b"]).get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' not in other


def test_a_project_from_the_library_offers_to_convert_the_open_target(app, world):  # noqa: F811
    ent, target = _target(world)
    client = signed_in(app, world["manager_a"])
    data = {"enterprise_name": ent.name, "name": "库里新建项目", **NEW}
    first = send(client, "/projects/new", data)
    assert first.status_code == 400  # the duplicate check: choose the existing enterprise
    second = send(client, "/projects/new", {**data, "use_enterprise": str(ent.id)})
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and 'data-testid="convert-offer"' in html
    assert 'value="库里新建项目"' in html and db.session.scalars(select(Project)).all() == []
    third = send(
        client,
        "/projects/new",
        {**data, "use_enterprise": str(ent.id), "convert_target": "convert"},
    )
    assert third.status_code == 302
    project = db.session.scalars(select(Project)).one()
    db.session.expire_all()
    assert project.target_id == target.id
    assert db.session.get(Target, target.id).status == "converted"


def test_declining_the_offer_keeps_the_target_and_the_offer_shows_on_a_preset(app, world):  # noqa: F811
    ent, target = _target(world, status="interested")
    client = signed_in(app, world["manager_a"])
    page = client.get(f"/projects/new?enterprise_id={ent.id}").get_data(as_text=True)
    assert 'data-testid="convert-offer"' in page and "有意向" in page
    response = send(
        client,
        f"/projects/new?enterprise_id={ent.id}",
        {"name": "单独项目", "convert_target": "separate", **NEW},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, target.id).status == "interested"
    assert db.session.scalars(select(Project)).one().target_id is None


def test_no_offer_for_another_zone_or_a_closed_target(app, world):  # noqa: F811
    ent, _target_a = _target(world, status="dropped")
    client = signed_in(app, world["manager_a"])
    page = client.get(f"/projects/new?enterprise_id={ent.id}").get_data(as_text=True)
    assert 'data-testid="convert-offer"' not in page
    _ent, open_a = _target(world, name="甲区在跟企业有限公司")
    other = signed_in(app, world["staff_b"])
    page = other.get(f"/projects/new?enterprise_id={open_a.enterprise_id}").get_data(as_text=True)
    assert 'data-testid="convert-offer"' not in page

"""Target → project: the 转为项目 action, the pages that link both ways, and the offer to
convert an open target when a project is created from 项目库."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.targets.models import Target
from crm.targets.services import create_target
from tests.test_projects_views import send, signed_in, world  # noqa: F401 — fixture

TODAY = local_today()
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
        {**data, "use_enterprise": str(ent.id), "convert_target": "convert", "offered": target.id},
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
        {"name": "单独项目", "convert_target": "separate", "offered": target.id, **NEW},
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


def test_the_library_form_picks_the_enterprise_and_offers_its_open_target(app, world):  # noqa: F811
    ent, target = _target(world)
    client = signed_in(app, world["manager_a"])
    page = client.get("/projects/new").get_data(as_text=True)
    assert 'data-picker="/enterprises/search.json"' in page  # the pickers' search, scoped
    assert 'data-testid="project-enterprise-picker"' in page
    assert 'name="enterprise_name"' in page  # without JavaScript, or a new enterprise
    data = {"enterprise_id": str(ent.id), "name": "选中企业项目", **NEW}
    first = send(client, "/projects/new", data)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and 'data-testid="convert-offer"' in html
    assert f'<option selected value="{ent.id}">{ent.name}</option>' in html  # still picked
    assert 'value="选中企业项目"' in html and db.session.scalars(select(Project)).all() == []
    assert f'name="offered" type="hidden" value="{target.id}"' in html
    second = send(
        client, "/projects/new", {**data, "convert_target": "convert", "offered": target.id}
    )
    assert second.status_code == 302
    project = db.session.scalars(select(Project)).one()
    db.session.expire_all()
    assert project.enterprise_id == ent.id and project.target_id == target.id
    assert db.session.get(Target, target.id).status == "converted"
    assert db.session.query(Enterprise).count() == 1


def test_a_picked_enterprise_without_a_target_is_used_and_a_new_one_is_typed(app, world):  # noqa: F811
    ent = create_enterprise({"name": "无目标选中实业有限公司"}, None)
    db.session.commit()
    client = signed_in(app, world["staff_a"])
    picked = {"enterprise_id": str(ent.id), "enterprise_name": "", "name": "选中项目", **NEW}
    assert send(client, "/projects/new", picked).status_code == 302
    typed = {"enterprise_id": "", "enterprise_name": "全新名称科技有限公司", "name": "新企业项目"}
    assert send(client, "/projects/new", {**typed, **NEW}).status_code == 302
    projects = db.session.scalars(select(Project).order_by(Project.id)).all()
    assert projects[0].enterprise_id == ent.id
    assert projects[1].enterprise.name == "全新名称科技有限公司"
    assert db.session.query(Enterprise).count() == 2


def test_a_picked_value_that_is_no_visible_enterprise_is_refused_keeping_the_form(app, world):  # noqa: F811
    gone = create_enterprise({"name": "已删除企业有限公司"}, None)
    gone.deleted_at = gone.created_at
    db.session.commit()
    client = signed_in(app, world["staff_a"])
    for value in ("abc", "²", "١", "2147483648", "99999999999999999999", "1;DROP", gone.id):
        data = {"enterprise_id": str(value), "name": "保留的项目名", **NEW}
        response = send(client, "/projects/new", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, value
        assert "请从列表中选择企业，或填写新企业的名称" in html, value
        assert 'value="保留的项目名"' in html, value
    nul = send(client, "/projects/new", {"enterprise_id": "1\x00", "name": "空字符", **NEW})
    assert nul.status_code == 400  # refused at the boundary, before the form
    assert db.session.scalars(select(Project)).all() == []


def test_the_converted_targets_follow_up_carries_on_as_the_projects(app, world):  # noqa: F811
    _ent, target = _target(world, name="跟进延续科技有限公司")
    target.owner_id = world["staff_a"].id
    target.next_step = "寄送供地方案"
    target.next_follow_up = TODAY + timedelta(days=3)
    db.session.commit()
    client = signed_in(app, world["staff_a"])
    form = client.get(f"/projects/new?target_id={target.id}").get_data(as_text=True)
    assert 'value="寄送供地方案"' in form  # the next step, shown and editable
    data = {"name": "延续项目", "next_step": "寄送供地方案", **NEW}
    assert send(client, f"/projects/new?target_id={target.id}", data).status_code == 302
    project = db.session.scalars(select(Project)).one()
    assert project.next_follow_up == TODAY + timedelta(days=3)
    assert project.next_step == "寄送供地方案"
    mine = client.get("/reminders/?view=open").get_data(as_text=True)
    assert "延续项目" in mine and "寄送供地方案" in mine


def test_an_answer_given_for_one_target_is_not_taken_for_another(app, world):  # noqa: F811
    _ent, first = _target(world)
    other, second = _target(world, name="另一家在跟企业有限公司")
    client = signed_in(app, world["manager_a"])
    data = {"enterprise_id": str(other.id), "name": "换了企业的项目", **NEW}
    for answer in ("convert", "separate"):  # the page had offered the first target
        response = send(
            client, "/projects/new", {**data, "convert_target": answer, "offered": first.id}
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'data-testid="convert-offer"' in html
        assert f'name="offered" type="hidden" value="{second.id}"' in html  # asked again
    assert db.session.scalars(select(Project)).all() == []
    db.session.expire_all()
    assert {db.session.get(Target, t.id).status for t in (first, second)} == {"contacted"}

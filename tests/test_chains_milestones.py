"""Roadmap milestones: quarters as people write them; add, edit, complete, remove (audited)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm.chains.milestones import MilestoneError, next_quarter, parse_quarter
from crm.chains.models import Chain, RoadmapMilestone
from crm.chains.seed import seed_chains
from crm.core.models import AuditLog
from crm.extensions import db
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.conftest import login, post
from tests.factories import make_user


@pytest.mark.parametrize(
    "text",
    [
        "2027Q1",
        "2027q1",
        "2027 Q1",
        "2027-Q1",
        "27Q1",
        "２０２７Ｑ１",
        "2027年一季度",
        "2027年第1季度",
        "2027年第一季度",
        "2027年1季度",
        "2027年 第一季",
        "2027年Q1",
    ],
)
def test_quarters_as_people_write_them(text):
    assert parse_quarter(text) == "2027Q1"


@pytest.mark.parametrize("text", ["2027Q5", "2027年五季度", "Q1", "下季度", "", "1999Q1x"])
def test_a_wrong_quarter_is_refused_with_a_message(text):
    with pytest.raises(MilestoneError) as exc:
        parse_quarter(text)
    assert "2027Q1" in str(exc.value) and exc.value.field == "quarter"


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 12, 3), "2027Q1"), (date(2026, 1, 1), "2026Q2"), (date(2026, 9, 30), "2026Q4")],
)
def test_the_example_is_the_next_quarter(today, expected):
    assert next_quarter(today) == expected


@pytest.fixture
def roadmap(app):
    seed_zones()
    seed_chains()
    db.session.commit()
    chain = db.session.scalars(select(Chain).where(Chain.name == "有色金属材料")).one()
    node = next(n for n in chain.nodes if n.name == "高纯金属与靶材")
    return chain, node


def _zone(code):
    return db.session.scalars(select(Zone).where(Zone.code == code)).one()


def _milestone():
    db.session.expire_all()
    return db.session.scalars(select(RoadmapMilestone)).one()


def test_manager_adds_completes_edits_and_removes_a_milestone(roadmap, client, login_as):
    chain, node = roadmap
    login_as(make_user("manager", zone=_zone("jkq")))
    page = client.get(f"/chains/{chain.id}/roadmap").get_data(as_text=True)
    assert f'placeholder="{next_quarter()}"' in page and 'placeholder="2026Q3"' not in page
    roadmap_url = f"/chains/{chain.id}/roadmap"
    data = {"quarter": "2027年一季度", "title": "签约一家靶材企业", "status": "planned"}
    response = post(client, f"/chains/nodes/{node.id}/milestones", data, token_page=roadmap_url)
    assert response.status_code == 302
    milestone = _milestone()
    assert (milestone.quarter, milestone.title) == ("2027Q1", "签约一家靶材企业")

    response = post(client, f"/chains/milestones/{milestone.id}/done", token_page=roadmap_url)
    assert response.status_code == 302 and _milestone().status == "done"

    edit = f"/chains/milestones/{milestone.id}/edit"
    assert "签约一家靶材企业" in client.get(edit).get_data(as_text=True)
    data = {"quarter": "2027年第2季度", "title": "签约两家靶材企业", "status": "done"}
    assert post(client, edit, data, token_page=edit).status_code == 302
    assert (_milestone().quarter, _milestone().title) == ("2027Q2", "签约两家靶材企业")

    delete = f"/chains/milestones/{milestone.id}/delete"
    assert post(client, delete, token_page=roadmap_url).status_code == 302
    assert db.session.scalars(select(RoadmapMilestone)).all() == []
    audits = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "roadmap_milestone").order_by(AuditLog.id)
    ).all()
    assert [a.action for a in audits] == ["create", "update", "update", "delete"]
    assert audits[2].changes["quarter"] == ["2027Q1", "2027Q2"]
    assert audits[3].changes["title"] == "签约两家靶材企业"


def test_a_wrong_quarter_keeps_what_was_typed(roadmap, client, login_as):
    chain, node = roadmap
    login_as(make_user("coordinator"))
    data = {"quarter": "2027Q5", "title": "引进一家企业", "status": "planned"}
    response = post(
        client,
        f"/chains/nodes/{node.id}/milestones",
        data,
        token_page=f"/chains/{chain.id}/roadmap",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="2027Q5"' in page and 'value="引进一家企业"' in page and "2027年一季度" in page
    assert db.session.scalars(select(RoadmapMilestone)).all() == []


def test_another_zones_milestone_answers_404_and_staff_may_not_edit(app, roadmap, client, login_as):
    chain, node = roadmap
    owner = make_user("manager", zone=_zone("jkq"))
    db.session.add(
        RoadmapMilestone(node_id=node.id, quarter="2027Q1", title="甲", zone_id=owner.zone_id)
    )
    db.session.commit()
    milestone = _milestone()
    login_as(make_user("manager", zone=_zone("gxq")))
    page = client.get(f"/chains/{chain.id}/roadmap").get_data(as_text=True)
    assert f"/chains/milestones/{milestone.id}/edit" not in page
    assert client.get(f"/chains/milestones/{milestone.id}/edit").status_code == 404
    response = post(
        client,
        f"/chains/milestones/{milestone.id}/delete",
        token_page=f"/chains/{chain.id}/roadmap",
    )
    assert response.status_code == 404 and _milestone() is not None
    staff = make_user("staff", zone=_zone("jkq"))
    other = app.test_client()
    login(other, staff)
    assert other.get(f"/chains/milestones/{milestone.id}/edit").status_code == 403

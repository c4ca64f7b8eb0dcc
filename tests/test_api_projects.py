"""The project API: list and filters, create, patch with versions, stage changes, events,
activities, zone scoping (404) and confidential naming."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.auth.services import create_api_token
from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.services import create_project
from tests.factories import make_user, make_zone

TODAY = local_today()


def _headers(user) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app):
    zone_a = make_zone(code="za", short_name="甲区")
    zone_b = make_zone(code="zb", short_name="乙区")
    people = {
        "staff_a": make_user("staff", zone=zone_a, display_name="甲专员"),
        "staff_a2": make_user("staff", zone=zone_a, display_name="甲专员二"),
        "manager_a": make_user("manager", zone=zone_a, display_name="甲主任"),
        "staff_b": make_user("staff", zone=zone_b),
        "city": make_user("coordinator", display_name="王统筹"),
        "viewer": make_user("viewer"),
    }
    return {"a": zone_a, "b": zone_b, **people, "h": {k: _headers(u) for k, u in people.items()}}


def _project(
    actor, name="铜箔项目", enterprise="河南某某铜业有限公司", stage="negotiation", **values
):
    ent = create_enterprise({"name": enterprise}, None, confirm_duplicate=True)
    project = create_project(
        ent,
        None,
        {"name": name, **values},
        actor,
        stage=stage,
        started_on=TODAY - timedelta(days=60),
    )
    db.session.commit()
    return project


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


# --- list ------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(client, world):
    big = _project(world["staff_a"], "大项目", planned_total_wan=300000, project_type="new")
    _project(
        world["staff_a"],
        "扩产项目",
        "某某化工有限公司",
        planned_total_wan=50000,
        project_type="expansion",
        is_manufacturing=False,
        stage="lead",
    )
    _project(world["staff_b"], "乙区项目", "乙区企业有限公司", planned_total_wan=500000)
    url = "/api/v1/projects"
    assert sorted(_names(client.get(url, headers=world["h"]["staff_a"]))) == ["大项目", "扩产项目"]
    assert len(_names(client.get(url, headers=world["h"]["city"]))) == 3
    by_zone = client.get(url, query_string={"zone": "zb"}, headers=world["h"]["city"])
    assert _names(by_zone) == ["乙区项目"]
    cases = [
        ({"stage": "lead"}, ["扩产项目"]),
        ({"type": "expansion"}, ["扩产项目"]),
        ({"manufacturing": "true"}, ["大项目"]),
        ({"min_amount": "30亿"}, ["大项目"]),
        ({"min_amount": "300000"}, ["大项目"]),
        ({"min_amount": "5亿", "sort": "amount"}, ["大项目", "扩产项目"]),
        ({"owner": str(world["staff_a"].id), "q": "大"}, ["大项目"]),
        ({"q": "某某化工"}, ["扩产项目"]),  # the enterprise's name
        ({"owner": "none"}, []),
    ]
    for args, expected in cases:
        response = client.get(url, query_string=args, headers=world["h"]["staff_a"])
        assert _names(response) == expected, args
    page = client.get(url, query_string={"per_page": 1}, headers=world["h"]["staff_a"]).get_json()
    assert page["total"] == 2 and page["pages"] == 2 and len(page["items"]) == 1
    item = client.get(f"{url}?q=大", headers=world["h"]["staff_a"]).get_json()["items"][0]
    assert item["id"] == big.id and item["quota_amount_yi"] == "30.00"
    assert item["signals"]["first_report_missing"] is True and item["version"] == big.version


@pytest.mark.parametrize(
    "args", [{"min_amount": "约30亿"}, {"stage": "nowhere"}, {"per_page": 1000}]
)
def test_bad_list_arguments_are_422(client, world, args):
    response = client.get("/api/v1/projects", query_string=args, headers=world["h"]["staff_a"])
    assert response.status_code == 422 and response.is_json


def test_confidential_project_shows_its_code_name_in_lists(client, world):
    secret = _project(
        world["staff_a"], "某上市公司新能源基地项目", "某某新能源股份有限公司", code_name="A-01"
    )
    listed = client.get("/api/v1/projects", headers=world["h"]["city"]).get_json()["items"]
    assert listed[0]["name"] == "A-01" and listed[0]["confidential"] is True
    assert listed[0]["enterprise"] is None and "某上市公司" not in str(listed)
    for q, found in (("新能源", 0), ("某某新能源", 0), ("A-01", 1)):
        response = client.get("/api/v1/projects", query_string={"q": q}, headers=world["h"]["city"])
        assert len(_names(response)) == found, q
    detail = client.get(f"/api/v1/projects/{secret.id}", headers=world["h"]["staff_a"]).get_json()
    assert detail["name"] == "某上市公司新能源基地项目" and detail["code_name"] == "A-01"
    assert detail["enterprise"]["name"] == "某某新能源股份有限公司"


# --- create ----------------------------------------------------------------------------


def test_create_with_amounts_in_yi_and_an_inline_enterprise(client, world):
    body = {
        "name": "高端铜箔项目",
        "enterprise": {"name": "江苏某某铜业有限公司"},
        "planned_total_wan": "30亿",
        "contract_amount_wan": 250000,
        "stage": "negotiation",
        "started_on": (TODAY - timedelta(days=10)).isoformat(),
        "zone_id": world["a"].id,
    }
    response = client.post("/api/v1/projects", json=body, headers=world["h"]["staff_a"])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["planned_total_wan"] == 300000 and data["contract_amount_wan"] == 250000
    assert data["zone"]["code"] == "za" and data["owner"]["display_name"] == "甲专员"
    assert data["stage"] == "negotiation" and data["stage_since"] == body["started_on"]
    events = client.get(f"/api/v1/projects/{data['id']}/events", headers=world["h"]["staff_a"])
    assert [e["to_stage"] for e in events.get_json()] == ["negotiation"]


@pytest.mark.parametrize(
    "who,changes,field,words",
    [
        ("staff_a", {"planned_total_wan": "约30亿"}, "planned_total_wan", "不是确切数字"),
        ("staff_a", {"planned_total_wan": -5}, "planned_total_wan", "负数"),
        ("staff_a", {"planned_total_wan": "3,000,000,000元", "zone_id": "B"}, "zone_id", "开发区"),
        ("staff_a", {"stage": "signed"}, "stage", ""),
        ("staff_a", {"started_on": (TODAY + timedelta(days=1)).isoformat()}, "started_on", "今天"),
        ("city", {}, "zone_id", "请选择开发区"),
        ("staff_a", {"owner_id": "STAFF_B"}, "owner_id", "负责人"),
    ],
)
def test_create_refuses_bad_input_with_422(client, world, who, changes, field, words):
    ent = create_enterprise({"name": "某某钢铁有限公司"}, None)
    db.session.commit()
    body = {"name": "特钢项目", "enterprise_id": ent.id, **changes}
    if body.get("zone_id") == "B":
        body["zone_id"] = world["b"].id
    if body.get("owner_id") == "STAFF_B":
        body["owner_id"] = world["staff_b"].id
    response = client.post("/api/v1/projects", json=body, headers=world["h"][who])
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert field in errors and words in str(errors[field])
    assert db.session.query(Project).count() == 0


def test_create_with_a_duplicate_inline_enterprise_is_409(client, world):
    create_enterprise({"name": "河南某某铜业有限公司"}, None)
    db.session.commit()
    body = {"name": "项目", "enterprise": {"name": "河南某某铜业有限公司"}}
    response = client.post("/api/v1/projects", json=body, headers=world["h"]["staff_a"])
    assert response.status_code == 409 and response.get_json()["duplicates"]


# --- read, patch, scope ----------------------------------------------------------------


def test_another_zones_project_is_404_everywhere(client, world):
    project = _project(world["staff_b"], "乙区项目")
    base = f"/api/v1/projects/{project.id}"
    headers = world["h"]["staff_a"]
    assert client.get(base, headers=headers).status_code == 404
    assert client.get(f"{base}/events", headers=headers).status_code == 404
    assert client.get(f"{base}/activities", headers=headers).status_code == 404
    patched = client.patch(base, json={"name": "x", "version": 1}, headers=headers)
    assert patched.status_code == 404 and patched.is_json
    staged = {"to_stage": "inspection", "version": project.version}
    assert client.post(f"{base}/stage", json=staged, headers=headers).status_code == 404
    activity = {"kind": "phone", "occurred_on": TODAY.isoformat(), "summary": "电话"}
    assert client.post(f"{base}/activities", json=activity, headers=headers).status_code == 404
    db.session.refresh(project)
    assert project.name == "乙区项目" and project.stage == "negotiation"
    assert client.get(base, headers=world["h"]["viewer"]).status_code == 200


def test_staff_cannot_change_a_colleagues_project(client, world):
    project = _project(world["staff_a2"])
    body = {"next_step": "x", "version": project.version}
    response = client.patch(
        f"/api/v1/projects/{project.id}", json=body, headers=world["h"]["staff_a"]
    )
    assert response.status_code == 404
    response = client.patch(
        f"/api/v1/projects/{project.id}", json=body, headers=world["h"]["manager_a"]
    )
    assert response.status_code == 200


def test_patch_needs_the_version_and_a_stale_one_is_409_naming_who(client, world):
    project = _project(world["staff_a"])
    url, opened = f"/api/v1/projects/{project.id}", project.version
    missing = client.patch(url, json={"next_step": "约见"}, headers=world["h"]["staff_a"])
    assert missing.status_code == 422 and "version" in missing.get_json()["errors"]["json"]
    first = client.patch(
        url,
        json={"next_step": "报规划", "planned_total_wan": "12亿", "version": opened},
        headers=world["h"]["city"],
    )
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["planned_total_wan"] == 120000
    assert first.get_json()["version"] == opened + 1
    second = client.patch(
        url, json={"next_step": "我的修改", "version": opened}, headers=world["h"]["staff_a"]
    )
    assert second.status_code == 409
    body = second.get_json()
    assert "王统筹" in body["message"] and body["updated_by"]["display_name"] == "王统筹"
    assert body["version"] == opened + 1
    db.session.refresh(project)
    assert project.next_step == "报规划"


def test_patch_with_a_vague_amount_is_422_in_chinese(client, world):
    project = _project(world["staff_a"])
    body = {"contract_amount_wan": "约30亿", "version": project.version}
    response = client.patch(
        f"/api/v1/projects/{project.id}", json=body, headers=world["h"]["staff_a"]
    )
    assert response.status_code == 422
    assert "不是确切数字" in str(response.get_json()["errors"]["json"]["contract_amount_wan"])


# --- stage, events, activities ---------------------------------------------------------


def test_stage_change_needs_its_evidence_and_answers_warnings(client, world):
    project = _project(world["staff_a"], planned_total_wan=150000)
    url = f"/api/v1/projects/{project.id}/stage"
    headers = world["h"]["staff_a"]
    response = client.post(
        url, json={"to_stage": "signed", "version": project.version}, headers=headers
    )
    assert response.status_code == 422
    body = response.get_json()
    assert "evidence.contract_signed_on" in body["errors"]["json"] and "签约日期" in body["message"]
    signed_on = (TODAY - timedelta(days=3)).isoformat()
    evidence = {"contract_signed_on": signed_on, "contract_amount_wan": "15亿"}
    response = client.post(
        url,
        json={"to_stage": "signed", "evidence": evidence, "version": project.version},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["project"]["stage"] == "signed" and data["project"]["contract_amount_wan"] == 150000
    assert data["event"]["effective_on"] == signed_on and data["event"]["amount_wan"] == 150000
    assert data["warnings"] and "首报" in data["warnings"][0]
    stale = client.post(
        url, json={"to_stage": "registered", "version": project.version}, headers=headers
    )
    assert stale.status_code == 409 and "甲专员" in stale.get_json()["message"]
    events = client.get(f"/api/v1/projects/{project.id}/events", headers=headers).get_json()
    assert [(e["from_stage"], e["to_stage"]) for e in events] == [
        (None, "negotiation"),
        ("negotiation", "signed"),
    ]
    assert events[0]["days_in_stage"] == 57 and events[1]["to_label"] == "签约"
    assert events[1]["evidence"]["contract_amount_wan"] == "150000"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"to_stage": "inspection", "effective_on": "FUTURE"}, "effective_on"),
        ({"to_stage": "contact"}, "note"),  # a step back needs a reason
        ({"to_stage": "terminated"}, "note"),
        (
            {
                "to_stage": "land",
                "evidence": {"contract_signed_on": "TODAY", "contract_amount_wan": 1000},
            },
            "evidence.registered_company_name",
        ),
        (
            {
                "to_stage": "signed",
                "evidence": {"contract_signed_on": "TODAY", "contract_amount_wan": "约3亿"},
            },
            "contract_amount_wan",
        ),
        ({"to_stage": "nowhere"}, "to_stage"),
    ],
)
def test_bad_stage_changes_are_422(client, world, body, field):
    project = _project(world["staff_a"])
    dates = {"FUTURE": (TODAY + timedelta(days=1)).isoformat(), "TODAY": TODAY.isoformat()}
    body = {**body, "version": project.version}
    body = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    if "evidence" in body:
        body["evidence"] = {k: dates.get(v, v) for k, v in body["evidence"].items()}
    response = client.post(
        f"/api/v1/projects/{project.id}/stage", json=body, headers=world["h"]["staff_a"]
    )
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])
    db.session.refresh(project)
    assert project.stage == "negotiation"


def test_activities_set_the_next_follow_up(client, world):
    project = _project(world["staff_a"])
    url = f"/api/v1/projects/{project.id}/activities"
    headers = world["h"]["staff_a"]
    follow_up = (TODAY + timedelta(days=7)).isoformat()
    body = {
        "kind": "visit",
        "occurred_on": TODAY.isoformat(),
        "summary": "拜访董事长",
        "next_step": "报送方案",
        "next_follow_up": follow_up,
    }
    created = client.post(url, json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["project_id"] == project.id
    bad = client.post(url, json={**body, "occurred_on": follow_up}, headers=headers)
    assert bad.status_code == 422 and "occurred_on" in bad.get_json()["errors"]["json"]
    listed = client.get(url, headers=world["h"]["city"]).get_json()
    assert listed["total"] == 1 and listed["items"][0]["summary"] == "拜访董事长"
    detail = client.get(f"/api/v1/projects/{project.id}", headers=headers).get_json()
    assert detail["next_follow_up"] == follow_up and detail["next_step"] == "报送方案"


def test_the_project_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/stage",
        "/api/v1/projects/{project_id}/events",
        "/api/v1/projects/{project_id}/activities",
    ):
        assert path in spec["paths"], path
    assert "409" in spec["paths"]["/api/v1/projects/{project_id}"]["patch"]["responses"]

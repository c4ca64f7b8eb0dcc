"""GET /api/v1/quota: the quota report in the CLI's JSON shape, scoped to the token's user."""

from __future__ import annotations

import pytest

from crm.auth.services import create_api_token
from crm.extensions import db
from tests.test_dashboard_data import YEAR, make_plan, move, signed


@pytest.fixture
def plan(app):
    return make_plan()


def _get(client, user, query: str = ""):
    token = create_api_token(user, "test")
    db.session.commit()
    return client.get(f"/api/v1/quota{query}", headers={"Authorization": f"Bearer {token}"})


def test_the_city_gets_every_zone_in_the_report_shape(plan, client):
    _zones, people = plan
    big = signed(people["gxq_staff"], "大项目", 300000)
    gone = signed(people["gxq_staff"], "退出项目", 120000)
    move(gone, people["gxq_staff"], "terminated", note="撤资")
    db.session.commit()
    response = _get(client, people["viewer"], f"?year={YEAR}")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["year"] == YEAR
    assert [z["zone"] for z in data["zones"]] == ["gxq", "jkq", "xdfw"]
    gxq = data["zones"][0]
    assert gxq["tiers"][0] == {
        "label": "30亿元以上制造业项目",
        "threshold_wan": 300000,
        "required": 1,
        "achieved": 1,
        "gap": 0,
        "surplus": 0,
        "projects": [big.id],
        "surplus_projects": [],
    }
    assert gxq["withdrawn"] == [gone.id]
    assert set(gxq["forecast"]["10亿元以上制造业项目"]) == {"expected", "candidates", "at_risk"}
    assert data["zones"][2]["tiers"] == []


def test_zone_users_get_their_own_zone_only(plan, client):
    _zones, people = plan
    signed(people["jkq_staff"], "经开项目", 300000)
    db.session.commit()
    data = _get(client, people["gxq_staff"]).get_json()
    assert [z["zone"] for z in data["zones"]] == ["gxq"]
    assert data["year"] == YEAR
    assert all(t["achieved"] == 0 for t in data["zones"][0]["tiers"])
    response = _get(client, people["gxq_manager"], "?zone=jkq")
    assert response.status_code == 404 and response.is_json
    assert _get(client, people["gxq_manager"], "?zone=gxq").status_code == 200


def test_one_zone_by_code_for_the_city(plan, client):
    _zones, people = plan
    data = _get(client, people["city"], "?zone=jkq").get_json()
    assert [z["zone"] for z in data["zones"]] == ["jkq"]
    assert _get(client, people["city"], "?zone=nowhere").status_code == 404


@pytest.mark.parametrize("year,message", [("1990", "年份应在"), ("abc", "年份应为数字")])
def test_a_bad_year_is_a_422_with_a_chinese_message(plan, client, year, message):
    _zones, people = plan
    response = _get(client, people["city"], f"?year={year}")
    assert response.status_code == 422
    assert message in response.get_json()["message"]


def test_without_a_token_the_api_answers_401(plan, client):
    response = client.get("/api/v1/quota")
    assert response.status_code == 401 and response.is_json


def test_the_endpoint_is_in_the_openapi_document(plan, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/quota" in spec["paths"]

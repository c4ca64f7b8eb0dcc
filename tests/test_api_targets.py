"""The enterprise, target and activity API: lists, search, create, patch, errors, scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.auth.services import create_api_token
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.targets.models import Activity, Conflict, Target
from crm.targets.services import create_target, log_activity
from tests.factories import make_user, make_zone

CODE = make_uscc("91419001MA4000001")
OTHER_CODE = make_uscc("91410100MA4000002")


def auth(user) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    people = {
        "a": zone_a,
        "b": zone_b,
        "staff_a": make_user("staff", zone=zone_a),
        "staff_a2": make_user("staff", zone=zone_a),
        "staff_b": make_user("staff", zone=zone_b),
        "manager_a": make_user("manager", zone=zone_a),
        "city": make_user("coordinator"),
        "viewer": make_user("viewer"),
    }
    people["h"] = {k: auth(v) for k, v in people.items() if k not in ("a", "b")}
    return people


def _enterprise(name="河南豫光金铅股份有限公司", **extra) -> Enterprise:
    row = create_enterprise({"name": name, **extra}, None)
    db.session.commit()
    return row


def _target(world, enterprise=None, who="staff_a", **raw) -> Target:
    actor = world[who]
    row = create_target(enterprise or _enterprise(), actor.zone_id, raw, actor)
    db.session.commit()
    return row


# --- enterprises -----------------------------------------------------------------------


def test_enterprise_list_search_and_pagination(client, world):
    _enterprise(uscc=CODE)
    for n in range(5):
        _enterprise(f"江苏澜拓{'一二三四五'[n]}号电子有限公司")
    headers = world["h"]["staff_b"]
    for q in ("豫光", "ygjq", "yuguang", CODE[:10], "YGJQ"):
        body = client.get("/api/v1/enterprises", query_string={"q": q}, headers=headers).get_json()
        assert [e["name"] for e in body["items"]] == ["河南豫光金铅股份有限公司"], q
    page = client.get("/api/v1/enterprises?per_page=2&page=2", headers=headers).get_json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (6, 3, 2, 2)


@pytest.mark.parametrize("q", ["%", "_", "/", "'", "豫光\x00"])
def test_search_takes_wildcards_and_quotes_literally(client, world, q):
    _target(world, _enterprise())
    for path in ("/api/v1/enterprises", "/api/v1/targets"):
        response = client.get(path, query_string={"q": q}, headers=world["h"]["city"])
        if "\x00" in q:  # the API refuses control characters, as its document says
            assert response.status_code == 422 and "q" in response.get_json()["errors"]["query"]
            continue
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["total"] == 0, (path, q)


@pytest.mark.parametrize("per_page", ["0", "201", "abc"])
def test_enterprise_list_rejects_bad_page_size(client, world, per_page):
    response = client.get(f"/api/v1/enterprises?per_page={per_page}", headers=world["h"]["city"])
    assert response.status_code == 422
    assert "per_page" in str(response.get_json()["errors"])


def test_create_enterprise(client, world):
    payload = {"name": "深圳岚擎氢能科技有限公司", "uscc": CODE, "labels": ["专精特新"]}
    response = client.post("/api/v1/enterprises", json=payload, headers=world["h"]["staff_a"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["uscc"] == CODE and body["labels"] == ["专精特新"] and body["targets"] == []
    assert db.session.get(Enterprise, body["id"]).normalized_name == "岚擎氢能科技"


def test_duplicate_credit_code_is_409_and_never_forced(client, world):
    first = _enterprise(uscc=CODE)
    payload = {"name": "完全不同的名字", "uscc": CODE, "confirm_duplicate": True}
    response = client.post("/api/v1/enterprises", json=payload, headers=world["h"]["staff_a"])
    assert response.status_code == 409
    body = response.get_json()
    assert body["can_confirm"] is False
    assert body["duplicates"][0] == {
        "id": first.id,
        "name": first.name,
        "uscc": CODE,
        "reason": "uscc",
        "reason_label": "统一社会信用代码相同",
        "score": 100.0,
    }
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_similar_name_is_409_then_may_be_confirmed(client, world):
    first = _enterprise("河南豫光金铅股份有限公司")
    payload = {"name": "济源豫光金铅有限公司"}
    headers = world["h"]["staff_a"]
    response = client.post("/api/v1/enterprises", json=payload, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["can_confirm"] is True
    assert response.get_json()["duplicates"][0]["id"] == first.id
    confirmed = {**payload, "confirm_duplicate": True}
    assert client.post("/api/v1/enterprises", json=confirmed, headers=headers).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"name": "甲", "uscc": CODE[:17] + ("0" if CODE[17] != "0" else "1")}, "uscc", "第18位"),
        ({"name": "甲", "uscc": "91419001MA4OOOOO1X"}, "uscc", "第12位"),
        ({"name": "甲", "uscc": CODE.lower()}, "uscc", "小写"),
        ({"name": "   "}, "name", "企业名称"),
        ({"name": "甲", "labels": ["不存在的标签"]}, "labels", "只能是"),
        ({"name": "甲", "tier": "巨头"}, "tier", "只能是"),
        ({"name": "甲", "website": "javascript:alert(1)"}, "website", "http"),
        ({}, "name", "必填"),
        ({"name": "甲", "id": 5}, "id", "不允许"),
        ({"name": 5}, "name", "字符串"),
    ],
)
def test_create_enterprise_errors_are_422_in_chinese(client, world, payload, field, fragment):
    response = client.post("/api/v1/enterprises", json=payload, headers=world["h"]["city"])
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert fragment in str(errors[field]), errors
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_patch_enterprise_and_credit_code_clash(client, world):
    _enterprise("北京朔衡机械有限公司", uscc=OTHER_CODE)
    row = _enterprise()
    headers = world["h"]["staff_b"]
    url = f"/api/v1/enterprises/{row.id}"
    response = client.patch(url, json={"hq_city": "济源", "is_local": True}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["hq_city"] == "济源"
    clash = client.patch(url, json={"uscc": OTHER_CODE}, headers=headers)
    assert clash.status_code == 422 and "已属于" in str(clash.get_json()["errors"])
    db.session.refresh(row)
    assert row.uscc is None
    assert client.patch(url, json={"hq_city": "x"}, headers=world["h"]["viewer"]).status_code == 403


def test_enterprise_detail_lists_the_zones_that_pursue_it(client, world):
    ent = _enterprise()
    _target(world, ent)
    _target(world, ent, who="staff_b")
    body = client.get(f"/api/v1/enterprises/{ent.id}", headers=world["h"]["viewer"]).get_json()
    assert sorted(t["zone"]["short_name"] for t in body["targets"]) == ["乙区", "甲区"]


# --- targets ---------------------------------------------------------------------------


def test_target_list_fields_filters_and_pagination(client, world):
    owned = _target(world, _enterprise(), priority="A")
    _target(world, _enterprise("江苏澜拓电子有限公司", industry="电子信息"), who="staff_b")
    pool = create_target(_enterprise("上海翊川物流有限公司"), None, {}, world["city"])
    db.session.commit()
    headers = world["h"]["staff_b"]
    body = client.get("/api/v1/targets", headers=headers).get_json()
    assert body["total"] == 3
    item = next(i for i in body["items"] if i["id"] == owned.id)
    assert item["enterprise"]["name"] == "河南豫光金铅股份有限公司"
    assert item["zone"]["short_name"] == "甲区"
    assert item["owner"] == {
        "id": world["staff_a"].id,
        "display_name": world["staff_a"].display_name,
    }
    assert (item["status"], item["status_label"], item["is_stale"]) == ("new", "待接触", False)

    def ids(**query):
        response = client.get("/api/v1/targets", query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    assert ids(zone="pool") == [pool.id]
    assert ids(zone=str(world["a"].id)) == [owned.id]
    assert ids(priority="A") == [owned.id]
    assert ids(q="ygjq") == [owned.id]
    assert ids(industry="电子信息") != [] and owned.id not in ids(industry="电子信息")
    assert ids(owner="none") == [pool.id]
    assert len(ids(per_page=1, page=3)) == 1
    pool_item = client.get(f"/api/v1/targets/{pool.id}", headers=headers).get_json()
    assert pool_item["zone"] is None and pool_item["owner"] is None


def test_stale_filter(client, world):
    old = _target(world)
    fresh = _target(world, _enterprise("江苏澜拓电子有限公司"))
    log_activity(
        old,
        {"kind": "phone", "occurred_on": local_today() - timedelta(days=45), "summary": "x"},
        world["staff_a"],
    )
    db.session.commit()
    body = client.get("/api/v1/targets?stale=true", headers=world["h"]["city"]).get_json()
    assert [i["id"] for i in body["items"]] == [old.id] and body["items"][0]["is_stale"] is True
    assert fresh.id in [
        i["id"]
        for i in client.get("/api/v1/targets?stale=false", headers=world["h"]["city"]).get_json()[
            "items"
        ]
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=won", "status"),
        ("priority=D", "priority"),
        ("zone=abc", "zone"),
        ("sort=random", "sort"),
        ("per_page=500", "per_page"),
        ("label=巨头", "label"),
    ],
)
def test_target_list_rejects_unknown_filter_values(client, world, query, field):
    response = client.get(f"/api/v1/targets?{query}", headers=world["h"]["staff_a"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_create_target_for_an_existing_enterprise(client, world):
    ent = _enterprise()
    payload = {
        "enterprise_id": ent.id,
        "priority": "A",
        "attraction_modes": ["资本招商"],
        "next_follow_up": (local_today() + timedelta(days=3)).isoformat(),
    }
    response = client.post("/api/v1/targets", json=payload, headers=world["h"]["staff_a"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["zone"]["id"] == world["a"].id and body["owner"]["id"] == world["staff_a"].id
    assert body["attraction_modes"] == ["资本招商"]
    again = client.post("/api/v1/targets", json=payload, headers=world["h"]["staff_a"])
    assert again.status_code == 422 and "已在" in str(again.get_json()["errors"])


def test_create_target_with_an_inline_enterprise_and_duplicates(client, world):
    payload = {"enterprise": {"name": "深圳岚擎氢能科技有限公司", "uscc": CODE}}
    headers = world["h"]["manager_a"]
    response = client.post("/api/v1/targets", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["enterprise"]["uscc"] == CODE
    assert response.get_json()["owner"] is None
    response = client.post("/api/v1/targets", json=payload, headers=world["h"]["staff_b"])
    assert response.status_code == 409 and response.get_json()["duplicates"][0]["reason"] == "uscc"
    assert db.session.scalar(select(func.count()).select_from(Target)) == 1


def test_inline_enterprise_errors_are_nested_422(client, world):
    payload = {"enterprise": {"name": "甲", "uscc": CODE[:17] + "?"}, "priority": "A"}
    response = client.post("/api/v1/targets", json=payload, headers=world["h"]["staff_a"])
    assert response.status_code == 422
    assert "第18位" in response.get_json()["errors"]["json"]["enterprise"]["uscc"][0]
    both = {"enterprise": {"name": "甲"}, "enterprise_id": 1}
    response = client.post("/api/v1/targets", json=both, headers=world["h"]["staff_a"])
    assert response.status_code == 422 and "enterprise_id" in response.get_json()["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_second_zone_raises_a_conflict_through_the_api(client, world):
    ent = _enterprise()
    _target(world, ent)
    response = client.post(
        "/api/v1/targets", json={"enterprise_id": ent.id}, headers=world["h"]["staff_b"]
    )
    assert response.status_code == 201
    assert db.session.scalar(select(Conflict.status)) == "open"


def test_city_pool_and_zone_choice(client, world):
    ent = _enterprise()
    city = world["h"]["city"]
    pool = client.post("/api/v1/targets", json={"enterprise_id": ent.id}, headers=city)
    assert pool.status_code == 201 and pool.get_json()["zone"] is None
    chosen = {"enterprise_id": ent.id, "zone_id": world["b"].id}
    assert client.post("/api/v1/targets", json=chosen, headers=city).get_json()["zone"]["id"] == (
        world["b"].id
    )
    missing = client.post("/api/v1/targets", json={**chosen, "zone_id": 99999}, headers=city)
    assert missing.status_code == 422
    # a zone user cannot put it into another zone or the pool: refused, nothing created
    for zone_id in (world["b"].id, None):
        response = client.post(
            "/api/v1/targets",
            json={"enterprise_id": ent.id, "zone_id": zone_id},
            headers=world["h"]["staff_a"],
        )
        assert response.status_code == 422 and "zone_id" in response.get_json()["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(Target)) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "won"}, "status"),
        ({"status": "converted"}, "status"),
        ({"priority": "D"}, "priority"),
        ({"next_follow_up": "2026-13-01"}, "next_follow_up"),
        ({"next_follow_up": "05/03/2026"}, "next_follow_up"),
        ({"next_follow_up": "1999-01-01"}, "next_follow_up"),
        ({"attraction_modes": ["招商引资"]}, "attraction_modes"),
        ({"owner_id": 99999}, "owner_id"),
        ({"zone_id": 1}, "zone_id"),
        ({"id": 1}, "id"),
        ({"enterprise_id": 1}, "enterprise_id"),
    ],
)
def test_patch_target_validation(client, world, payload, field):
    row = _target(world, status="contacted")
    response = client.patch(
        f"/api/v1/targets/{row.id}", json=payload, headers=world["h"]["staff_a"]
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]
    db.session.refresh(row)
    assert (row.status, row.priority, row.next_follow_up, row.zone_id) == (
        "contacted",
        "B",
        None,
        world["a"].id,
    )


def test_patch_target(client, world):
    row = _target(world)
    day = local_today() + timedelta(days=10)
    payload = {"status": "interested", "next_follow_up": day.isoformat(), "owner_id": None}
    response = client.patch(
        f"/api/v1/targets/{row.id}", json=payload, headers=world["h"]["manager_a"]
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status_label"], body["next_follow_up"], body["owner"]) == (
        "有意向",
        day.isoformat(),
        None,
    )


@pytest.mark.parametrize("who", ["staff_b", "staff_a2", "viewer"])
def test_target_is_visible_but_patch_is_404_for_others(client, world, who):
    row = _target(world)
    headers = world["h"][who]
    assert client.get(f"/api/v1/targets/{row.id}", headers=headers).status_code == 200
    response = client.patch(f"/api/v1/targets/{row.id}", json={"priority": "A"}, headers=headers)
    assert response.status_code == (403 if who == "viewer" else 404)
    db.session.refresh(row)
    assert row.priority == "B"


# --- activities ------------------------------------------------------------------------


def test_log_and_list_activities(client, world):
    row = _target(world)
    today = local_today()
    url = f"/api/v1/targets/{row.id}/activities"
    payload = {
        "kind": "visit",
        "occurred_on": today.isoformat(),
        "summary": "拜访总部",
        "next_follow_up": (today + timedelta(days=7)).isoformat(),
    }
    response = client.post(url, json=payload, headers=world["h"]["staff_a"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind_label"] == "拜访"
    target = client.get(f"/api/v1/targets/{row.id}", headers=world["h"]["city"]).get_json()
    assert target["last_activity_on"] == today.isoformat() and target["status"] == "contacted"
    assert target["next_follow_up"] == (today + timedelta(days=7)).isoformat()
    for who in ("manager_a", "city", "viewer", "staff_a2"):
        body = client.get(url, headers=world["h"][who]).get_json()
        assert [a["summary"] for a in body["items"]] == ["拜访总部"] and body["total"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "email", "occurred_on": "2026-01-05", "summary": "x"}, "kind"),
        ({"kind": "phone", "occurred_on": "2026-02-30", "summary": "x"}, "occurred_on"),
        ({"kind": "phone", "occurred_on": "2999-01-01", "summary": "x"}, "occurred_on"),
        ({"kind": "phone", "summary": "x"}, "occurred_on"),
        ({"kind": "phone", "occurred_on": "2026-01-05", "summary": "   "}, "summary"),
        (
            {
                "kind": "phone",
                "occurred_on": "2026-01-05",
                "summary": "x",
                "next_follow_up": "2025-12-01",
            },
            "next_follow_up",
        ),
    ],
)
def test_activity_validation(client, world, payload, field):
    row = _target(world)
    response = client.post(
        f"/api/v1/targets/{row.id}/activities", json=payload, headers=world["h"]["staff_a"]
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_activities_are_private_to_the_zone(client, world):
    row = _target(world)
    today = local_today().isoformat()
    log_activity(
        row, {"kind": "phone", "occurred_on": local_today(), "summary": "内部"}, world["staff_a"]
    )
    db.session.commit()
    url = f"/api/v1/targets/{row.id}/activities"
    headers = world["h"]["staff_b"]
    assert client.get(url, headers=headers).status_code == 404
    payload = {"kind": "phone", "occurred_on": today, "summary": "越权"}
    response = client.post(url, json=payload, headers=headers)
    assert response.status_code == 404 and response.is_json
    # staff of the same zone read the timeline but log only on targets they own
    assert client.post(url, json=payload, headers=world["h"]["staff_a2"]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 1


def test_pool_timeline_is_city_level(client, world):
    pool = create_target(_enterprise(), None, {}, world["city"])
    db.session.commit()
    url = f"/api/v1/targets/{pool.id}/activities"
    assert client.get(url, headers=world["h"]["staff_a"]).status_code == 404
    payload = {"kind": "meeting", "occurred_on": local_today().isoformat(), "summary": "对接会"}
    assert client.post(url, json=payload, headers=world["h"]["city"]).status_code == 201
    assert client.get(url, headers=world["h"]["viewer"]).get_json()["total"] == 1


def test_missing_and_deleted_targets_are_404(client, world):
    row = _target(world)
    row.deleted_at = row.created_at
    db.session.commit()
    for url in (
        f"/api/v1/targets/{row.id}",
        f"/api/v1/targets/{row.id}/activities",
        "/api/v1/targets/99999",
        "/api/v1/enterprises/99999",
    ):
        response = client.get(url, headers=world["h"]["city"])
        assert response.status_code == 404 and response.get_json()["code"] == 404


def test_openapi_lists_the_target_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/targets",
        "/api/v1/targets/{target_id}",
        "/api/v1/targets/{target_id}/activities",
    } <= set(paths)
    assert "409" in paths["/api/v1/enterprises"]["post"]["responses"]

"""Land pages: forms keep input, another zone's parcel is 404, bad polygons and images are
answered 400, the project page's candidates and reserving from there, the dashboards."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.land.demo import plan_png
from crm.land.models import LandClaim, Parcel, ZonePlan
from crm.land.services import create_parcel
from crm.projects.services import create_project
from tests.conftest import csrf_token, login
from tests.factories import make_user, make_zone


@pytest.fixture
def world(app):
    gxq = make_zone(code="gxq", short_name="高新区")
    other = make_zone(code="jkq", short_name="经开区")
    manager = make_user("manager", zone=gxq)
    stranger = make_user("manager", zone=other)
    on = min(date(2025, 12, 16), local_today())
    parcel = create_parcel(
        gxq.id,
        {"code": "GX-1", "name": "智慧岛东片", "area_mu": "100", "land_use": "industrial"},
        None,
        on=on,
    )
    ent = create_enterprise({"name": "用地测试有限公司"}, None)
    project = create_project(
        ent, None, {"name": "需地项目", "land_need_mu": "98"}, manager, stage="negotiation"
    )
    db.session.commit()
    return {
        "zone": gxq,
        "other": other,
        "manager": manager,
        "stranger": stranger,
        "city": make_user("coordinator"),
        "parcel": parcel,
        "project": project,
    }


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_a_parcel_form_with_a_bad_area_keeps_what_was_typed(app, world):
    client = signed_in(app, world["manager"])
    data = {
        "csrf_token": csrf_token(client, "/land/parcels/new"),
        "zone_id": str(world["zone"].id),
        "code": "GX-2",
        "name": "新登记地块",
        "area_mu": "十二亩",
        "land_use": "industrial",
        "status": "approved",
    }
    response = client.post("/land/parcels/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "新登记地块" in page and "十二亩" in page and "请输入数字" in page
    data["area_mu"] = "12.5"
    response = client.post("/land/parcels/new", data=data)
    assert response.status_code == 302
    assert db.session.scalar(select(Parcel.area_mu).where(Parcel.code == "GX-2")) == 12.5
    data["csrf_token"] = csrf_token(client, "/land/parcels/new")
    response = client.post("/land/parcels/new", data=data)
    assert response.status_code == 400 and "本开发区已有这个地块编号" in response.get_data(
        as_text=True
    )


def test_another_zones_parcel_answers_404(app, world):
    parcel = world["parcel"]
    client = signed_in(app, world["stranger"])
    token = csrf_token(client, "/about")
    assert client.get(f"/land/parcels/{parcel.id}").status_code == 404
    assert client.get(f"/land/parcels/{parcel.id}/edit").status_code == 404
    status = {"csrf_token": token, "status": "supplied"}
    assert client.post(f"/land/parcels/{parcel.id}/status", data=status).status_code == 404
    polygon = client.post(
        f"/land/parcels/{parcel.id}/polygon",
        json={"points": [[0, 0], [1, 0], [1, 1]]},
        headers={"X-CSRFToken": token},
    )
    assert polygon.status_code == 404
    assert client.get(f"/land/zones/{world['zone'].id}/map.json").status_code == 404
    listing = client.get("/land/").get_data(as_text=True)
    assert "GX-1" not in listing
    city = signed_in(app, world["city"])
    assert city.get(f"/land/parcels/{parcel.id}").status_code == 200
    assert "GX-1" in city.get("/land/").get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        {"points": [[0, 0], [1, 1]]},
        {"points": [[0, 0], [1, 1], ["x", 1]]},
        {"points": [[0, 0], [1, 1], [1e308 * 10, 1]]},
        {"points": [[0, 0]] * 600},
        {"points": "M0 0"},
        {"nothing": 1},
        [1, 2, 3],
    ],
)
def test_bad_polygons_are_answered_400(app, world, body):
    client = signed_in(app, world["manager"])
    token = csrf_token(client, "/about")
    url = f"/land/parcels/{world['parcel'].id}/polygon"
    response = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_polygon_is_saved_with_the_csrf_token_only(app, world):
    client = signed_in(app, world["manager"])
    url = f"/land/parcels/{world['parcel'].id}/polygon"
    body = {"points": [[10, 10], [200, 10], [200, 120]]}
    assert client.post(url, json=body).status_code == 400  # no CSRF token
    token = csrf_token(client, "/about")
    response = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["points"] == body["points"]
    features = client.get(f"/land/zones/{world['zone'].id}/map.json").get_json()["features"]
    assert features[0]["polygon"] == body["points"]


def upload(client, zone, data: bytes, name: str):
    return client.post(
        f"/land/zones/{zone.id}/plan",
        data={"csrf_token": csrf_token(client, "/about"), "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_planning_image_upload_checks_the_content_and_size(app, world):
    client = signed_in(app, world["manager"])
    zone = world["zone"]
    assert upload(client, zone, b"<html>not an image</html>", "plan.png").status_code == 400
    assert upload(client, zone, b"%PDF-1.4\n", "plan.pdf").status_code == 400
    assert upload(client, zone, b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "plan.png").status_code == 400
    app.config["LAND_PLAN_MAX_BYTES"] = 1024
    big = upload(client, zone, plan_png(0), "plan.png")
    assert big.status_code == 400 and "图片过大" in big.get_data(as_text=True)
    app.config["LAND_PLAN_MAX_BYTES"] = 10 * 1024 * 1024
    assert db.session.scalar(select(ZonePlan.id)) is None
    assert upload(client, zone, plan_png(0), "规划图.png").status_code == 302
    plan = db.session.scalar(select(ZonePlan))
    assert (plan.width, plan.height) == (1200, 800)
    image = client.get(f"/land/zones/{zone.id}/plan")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert signed_in(app, world["stranger"]).get(f"/land/zones/{zone.id}/plan").status_code == 404
    outside = {"points": [[0, 0], [1300, 0], [10, 10]]}  # wider than the uploaded image
    token = csrf_token(client, "/about")
    url = f"/land/parcels/{world['parcel'].id}/polygon"
    assert client.post(url, json=outside, headers={"X-CSRFToken": token}).status_code == 400
    page = client.get(f"/land/map?zone={zone.id}").get_data(as_text=True)
    assert "land_map.js" in page and "<script>" not in page


def test_the_project_page_lists_fitting_parcels_and_reserves_one(app, world):
    client = signed_in(app, world["manager"])
    project, parcel = world["project"], world["parcel"]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="land-section"' in page and "GX-1" in page
    response = client.post(
        f"/land/parcels/{parcel.id}/claims",
        data={
            "csrf_token": csrf_token(client, f"/projects/{project.id}"),
            "project_id": str(project.id),
            "kind": "reserve",
            "back": "project",
        },
    )
    assert response.status_code == 302 and f"/projects/{project.id}" in response.location
    held = db.session.scalars(select(LandClaim)).all()
    assert [(c.parcel_id, c.project_id, c.kind) for c in held] == [
        (parcel.id, project.id, "reserve")
    ]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="land-held"' in page


def test_a_claim_for_another_zones_project_keeps_the_form(app, world):
    ent = create_enterprise({"name": "外区企业有限公司"}, None)
    foreign = create_project(ent, None, {"name": "外区项目"}, world["stranger"])
    db.session.commit()
    client = signed_in(app, world["city"])
    response = client.post(
        f"/land/parcels/{world['parcel'].id}/claims",
        data={
            "csrf_token": csrf_token(client, "/about"),
            "project_id": str(foreign.id),
            "kind": "supply",
        },
    )
    assert response.status_code == 400 and "请选择本开发区的项目" in response.get_data(as_text=True)


def test_supplying_moves_the_dashboards_activation(app, world):
    client = signed_in(app, world["manager"])
    zone, parcel = world["zone"], world["parcel"]
    dashboard = client.get(f"/dashboard/zones/{zone.id}").get_data(as_text=True)
    assert 'data-testid="land-goals"' in dashboard and "0.0%" in dashboard
    response = client.post(
        f"/land/parcels/{parcel.id}/claims",
        data={
            "csrf_token": csrf_token(client, "/about"),
            "project_id": str(world["project"].id),
            "kind": "supply",
        },
    )
    assert response.status_code == 302
    dashboard = client.get(f"/dashboard/zones/{zone.id}").get_data(as_text=True)
    assert "7.7%" in dashboard  # 100 of the plan's 1 296 亩
    city = signed_in(app, world["city"]).get("/dashboard/city").get_data(as_text=True)
    assert 'data-testid="land-goals"' in city and "7.7%" in city


def test_status_form_errors_are_answered_400_with_the_reason(app, world):
    client = signed_in(app, world["manager"])
    url = f"/land/parcels/{world['parcel'].id}/status"
    token = csrf_token(client, "/about")
    same = client.post(url, data={"csrf_token": token, "status": "approved"})
    assert same.status_code == 400 and "状态没有变化" in same.get_data(as_text=True)
    future = client.post(
        url, data={"csrf_token": token, "status": "supplied", "effective_on": "2999-01-01"}
    )
    assert future.status_code == 400 and "不能晚于今天" in future.get_data(as_text=True)
    bad = client.post(url, data={"csrf_token": token, "status": "bogus"})
    assert bad.status_code == 400


def test_the_conflict_list_shows_two_projects_on_one_parcel(app, world):
    client = signed_in(app, world["manager"])
    ent = create_enterprise({"name": "第二家有限公司"}, None)
    second = create_project(ent, None, {"name": "第二项目"}, world["manager"])
    db.session.commit()
    for project in (world["project"], second):
        response = client.post(
            f"/land/parcels/{world['parcel'].id}/claims",
            data={
                "csrf_token": csrf_token(client, "/about"),
                "project_id": str(project.id),
                "kind": "reserve",
            },
        )
        assert response.status_code == 302
    city = signed_in(app, world["city"]).get("/land/conflicts").get_data(as_text=True)
    assert city.count('data-testid="land-conflict-row"') == 1 and "第二项目" in city
    stranger = signed_in(app, world["stranger"]).get("/land/conflicts").get_data(as_text=True)
    assert 'data-testid="land-conflict-row"' not in stranger


def test_editing_a_parcel_and_registering_a_building(app, world):
    client = signed_in(app, world["manager"])
    parcel = world["parcel"]
    url = f"/land/parcels/{parcel.id}/edit"
    assert client.get(url).status_code == 200
    data = {"csrf_token": csrf_token(client, url), "code": "GX-1", "name": "改名地块"}
    data.update({"area_mu": "0", "land_use": "industrial"})
    response = client.post(url, data=data)
    assert response.status_code == 400 and "改名地块" in response.get_data(as_text=True)
    data["area_mu"] = "101.5"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Parcel, parcel.id).name == "改名地块"
    new = "/land/buildings/new"
    building = {
        "csrf_token": csrf_token(client, new),
        "zone_id": str(world["zone"].id),
        "name": "标准厂房 9 号",
        "kind": "standard",
        "parcel_id": str(parcel.id),
        "floor_area_sqm": "abc",
        "floors": "2",
    }
    response = client.post(new, data=building)
    assert response.status_code == 400 and "标准厂房 9 号" in response.get_data(as_text=True)
    building["floor_area_sqm"] = "5200"
    response = client.post(new, data=building)
    assert response.status_code == 302
    assert client.get(response.location).status_code == 200
    stranger = signed_in(app, world["stranger"])
    assert stranger.get(response.location).status_code == 404
    building["zone_id"] = str(world["other"].id)  # not the manager's zone
    building["csrf_token"] = csrf_token(client, new)
    assert client.post(new, data=building).status_code == 400


def _statements(app, client, url: str) -> int:
    from sqlalchemy import event

    count = [0]

    def tick(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", tick)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", tick)
    return count[0]


def test_the_ledger_and_the_map_take_the_same_statements_at_any_size(app, world):
    client = signed_in(app, world["city"])
    zone = world["zone"]
    urls = ("/land/", f"/land/zones/{zone.id}/map.json", f"/land/map?zone={zone.id}")
    small = [_statements(app, client, url) for url in urls]
    for n in range(40):
        create_parcel(zone.id, {"code": f"B{n}", "name": f"批量{n}", "area_mu": "5"}, None)
    db.session.commit()
    assert [_statements(app, client, url) for url in urls] == small


def test_a_parcel_drawn_on_the_map_is_registered_with_its_outline(app, world):
    client = signed_in(app, world["manager"])
    zone = world["zone"]
    drawn = "[[10,10],[300,10],[300,200]]"
    page = client.get(f"/land/parcels/new?zone={zone.id}&drawn=1").get_data(as_text=True)
    assert 'id="polygon"' in page and "land_parcel_form.js" in page  # filled in the browser
    assert 'data-testid="drawn-outline" hidden' in page
    data = {
        "csrf_token": csrf_token(client, "/land/parcels/new"),
        "zone_id": str(zone.id),
        "code": "GX-9",
        "name": "图上画的地块",
        "area_mu": "45",
        "land_use": "industrial",
        "status": "approved",
        "polygon": "[[10,10],[300,10],[30000,200]]",
    }
    response = client.post("/land/parcels/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "坐标超出规划图范围" in page and "图上画的地块" in page
    assert db.session.scalar(select(Parcel.id).where(Parcel.code == "GX-9")) is None
    response = client.post("/land/parcels/new", data=data | {"polygon": drawn})
    assert response.status_code == 302
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == "GX-9"))
    assert parcel.polygon == [[10, 10], [300, 10], [300, 200]] and parcel.status == "approved"
    features = client.get(f"/land/zones/{zone.id}/map.json").get_json()["features"]
    assert [f["polygon"] for f in features if f["code"] == "GX-9"] == [parcel.polygon]


def test_the_map_data_sends_each_outline_as_written(app, world):
    """The stored JSON text follows every outline write, and the map's data is valid JSON with
    the same points (a name with quotes and markup stays a string)."""
    parcel = world["parcel"]
    parcel.name = '东片 "A" </script><b>'
    db.session.commit()
    client = signed_in(app, world["manager"])
    token = csrf_token(client, "/about")
    url = f"/land/parcels/{parcel.id}/polygon"
    for points in ([[10, 10], [200, 10], [200, 120]], [[1, 1], [5.25, 1], [5, 9], [1, 9]], []):
        response = client.post(url, json={"points": points}, headers={"X-CSRFToken": token})
        assert response.status_code == 200
        db.session.expire_all()
        stored = db.session.get(Parcel, parcel.id)
        assert (json.loads(stored.outline_json) if stored.outline_json else None) == (
            stored.polygon
        )
        data = client.get(f"/land/zones/{world['zone'].id}/map.json").get_json()
        (feature,) = [f for f in data["features"] if f["id"] == parcel.id]
        assert feature["polygon"] == stored.polygon and feature["name"] == parcel.name
        assert feature["status"] == "approved" and feature["area"] == "100.00"
        kind = data["kinds"]["parcel"]
        assert kind["url"].replace("{id}", str(parcel.id)) == f"/land/parcels/{parcel.id}"
        assert kind["polygon_url"].replace("{id}", str(parcel.id)) == url
        assert kind["statuses"]["approved"]["label"] == "批而未供"


def test_a_carriers_status_and_claims_go_through_the_shared_views(app, world):
    from crm.land.models import Building
    from crm.land.services import create_building

    building = create_building(
        world["zone"].id, {"name": "标准厂房 B1", "floor_area_sqm": "5000"}, None
    )
    db.session.commit()
    client = signed_in(app, world["manager"])
    token = csrf_token(client, f"/land/buildings/{building.id}")
    url = f"/land/buildings/{building.id}"
    bad = client.post(f"{url}/status", data={"csrf_token": token, "status": "demolished"})
    assert bad.status_code == 400 and "标准厂房 B1" in bad.get_data(as_text=True)
    same = client.post(f"{url}/status", data={"csrf_token": token, "status": "vacant", "note": "x"})
    assert same.status_code == 400 and "状态没有变化" in same.get_data(as_text=True)
    moved = client.post(f"{url}/status", data={"csrf_token": token, "status": "sold"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"{url}#history")
    project = world["project"]
    claim = {"csrf_token": token, "project_id": str(project.id), "kind": "reserve"}
    back = client.post(f"{url}/claims", data=claim | {"back": "project"})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/projects/{project.id}")
    again = client.post(f"{url}/claims", data=claim)
    assert again.status_code == 400 and "该项目已有这条记录" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Building, building.id).status == "sold"  # a sold carrier stays sold
    stranger = signed_in(app, world["stranger"])
    other = csrf_token(stranger, "/about")
    response = stranger.post(f"{url}/status", data={"csrf_token": other, "status": "vacant"})
    assert response.status_code == 404
    assert stranger.post(f"{url}/claims", data=claim | {"csrf_token": other}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "zone=abc&drawn=1&polygon=not json",
        "zone=99999999999999&polygon=[[1,2]",
        "zone=%EF%BC%91&drawn=%00&polygon=" + "9" * 7000,
        "polygon=[[1e999,0],[1,1],[2,2]]",
    ],
)
def test_bad_drawn_outlines_never_answer_500(app, world, query):
    client = signed_in(app, world["manager"])
    page = client.get(f"/land/parcels/new?{query}")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(client, "/land/parcels/new"),
        "zone_id": str(world["zone"].id),
        "code": "GX-BAD",
        "name": "坏轮廓",
        "area_mu": "10",
        "land_use": "industrial",
        "status": "approved",
        "polygon": query.split("polygon=", 1)[1],
    }
    response = client.post("/land/parcels/new", data=data)
    assert response.status_code == 400 and "坏轮廓" in response.get_data(as_text=True)
    assert db.session.scalar(select(Parcel.id).where(Parcel.code == "GX-BAD")) is None

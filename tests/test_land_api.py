"""The parcel API: list with zone and status filters, read, create and patch scoped like the
pages (zone users their zone, the city all, another zone's parcel 404, a viewer 403),
validation answering 422, status changes as dated events, and the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.auth.services import create_api_token
from crm.core.models import AuditLog
from crm.extensions import db
from crm.land.models import LandEvent, Parcel
from crm.land.services import create_parcel
from tests.factories import make_user, make_zone


def _headers(user) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app):
    zone_a = make_zone(code="za", short_name="甲区")
    zone_b = make_zone(code="zb", short_name="乙区")
    people = {
        "staff_a": make_user("staff", zone=zone_a),
        "manager_b": make_user("manager", zone=zone_b),
        "city": make_user("coordinator"),
        "viewer": make_user("viewer"),
    }
    a1 = create_parcel(
        zone_a.id, {"code": "A-1", "name": "甲一", "area_mu": "50"}, None, on=date(2025, 12, 1)
    )
    create_parcel(zone_a.id, {"code": "A-2", "name": "甲二", "area_mu": "8.25"}, None, "reserve")
    b1 = create_parcel(zone_b.id, {"code": "B-1", "name": "乙一", "area_mu": "20"}, None)
    db.session.commit()
    return {"a": zone_a, "b": zone_b, "a1": a1, "b1": b1,
            "h": {k: _headers(u) for k, u in people.items()}}  # fmt: skip


def test_list_is_scoped_filtered_and_paginated(client, world):
    h = world["h"]
    own = client.get("/api/v1/parcels", headers=h["staff_a"]).get_json()
    assert [p["code"] for p in own["items"]] == ["A-1", "A-2"] and own["total"] == 2
    assert own["items"][1]["area_mu"] == "8.25" and own["items"][1]["status_label"] == "储备"
    city = client.get("/api/v1/parcels?per_page=2", headers=h["city"]).get_json()
    assert (city["total"], city["pages"], len(city["items"])) == (3, 2, 2)
    by_code = client.get("/api/v1/parcels?zone=zb", headers=h["viewer"]).get_json()
    assert [p["code"] for p in by_code["items"]] == ["B-1"]
    reserve = client.get("/api/v1/parcels?status=reserve", headers=h["city"]).get_json()
    assert [p["code"] for p in reserve["items"]] == ["A-2"]
    other = client.get(f"/api/v1/parcels?zone={world['b'].id}", headers=h["staff_a"]).get_json()
    assert other["items"] == []
    assert client.get("/api/v1/parcels?status=sold", headers=h["city"]).status_code == 422
    assert client.get("/api/v1/parcels?per_page=100000", headers=h["city"]).status_code == 422


def test_read_answers_404_for_another_zone(client, world):
    h, a1, b1 = world["h"], world["a1"], world["b1"]
    assert client.get(f"/api/v1/parcels/{a1.id}", headers=h["staff_a"]).get_json()["code"] == "A-1"
    assert client.get(f"/api/v1/parcels/{b1.id}", headers=h["staff_a"]).status_code == 404
    assert client.get(f"/api/v1/parcels/{b1.id}", headers=h["viewer"]).status_code == 200
    assert client.get("/api/v1/parcels/99999999999", headers=h["city"]).status_code == 404
    assert client.get("/api/v1/parcels").status_code == 401


def test_create_is_scoped_validated_and_audited(client, world):
    h = world["h"]
    body = {"code": "A-3", "name": "甲三", "area_mu": "12.34", "land_use": "storage"}
    made = client.post("/api/v1/parcels", json=body, headers=h["staff_a"])
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["zone"]["code"] == "za" and made.get_json()["status"] == "approved"
    parcel_id = made.get_json()["id"]
    audit = (
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.entity == "land_parcel", AuditLog.entity_id == str(parcel_id))
    )
    assert db.session.scalar(audit) == 1
    again = client.post("/api/v1/parcels", json=body, headers=h["staff_a"])
    assert again.status_code == 422 and "code" in again.get_json()["errors"]["json"]
    elsewhere = {**body, "code": "X", "zone_id": world["b"].id}
    assert client.post("/api/v1/parcels", json=elsewhere, headers=h["staff_a"]).status_code == 422
    assert client.post("/api/v1/parcels", json=elsewhere, headers=h["city"]).status_code == 201
    no_zone = client.post("/api/v1/parcels", json={**body, "code": "Y"}, headers=h["city"])
    assert no_zone.status_code == 422 and "zone_id" in no_zone.get_json()["errors"]["json"]
    assert client.post("/api/v1/parcels", json=body, headers=h["viewer"]).status_code == 403
    for bad in (
        {**body, "area_mu": "0"},
        {**body, "area_mu": "1e9"},
        {**body, "area_mu": "NaN"},
        {**body, "area_mu": True},
        {**body, "code": "x" * 41},
        {**body, "land_use": "farm"},
        {**body, "status": "sold"},
        {**body, "unknown": 1},
        {**body, "effective_on": "2999-01-01"},
        {"name": "无编号", "area_mu": "1"},
    ):
        answer = client.post("/api/v1/parcels", json={**bad}, headers=h["staff_a"])
        assert answer.status_code == 422, (bad, answer.get_json())


def test_patch_changes_fields_and_moves_status_by_event(client, world):
    h, a1, b1 = world["h"], world["a1"], world["b1"]
    url = f"/api/v1/parcels/{a1.id}"
    body = {"name": "甲一（东）", "status": "supplied", "effective_on": "2025-12-20"}
    answer = client.patch(url, json=body, headers=h["staff_a"])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "supplied"
    assert answer.get_json()["status_since"] == "2025-12-20"
    events = db.session.execute(
        select(LandEvent.from_status, LandEvent.to_status, LandEvent.effective_on)
        .where(LandEvent.parcel_id == a1.id).order_by(LandEvent.id)
    ).all()  # fmt: skip
    assert [tuple(e) for e in events] == [
        (None, "approved", date(2025, 12, 1)),
        ("approved", "supplied", date(2025, 12, 20)),
    ]
    changes = db.session.scalars(
        select(AuditLog.changes).where(
            AuditLog.entity == "land_parcel", AuditLog.entity_id == str(a1.id)
        )
    ).all()
    assert any("name" in c for c in changes) and any("status" in c for c in changes)
    earlier = client.patch(url, json={"status": "idle", "effective_on": "2025-12-02"},
                           headers=h["staff_a"])  # fmt: skip
    assert earlier.status_code == 422 and "effective_on" in earlier.get_json()["errors"]["json"]
    db.session.expire_all()
    assert db.session.get(Parcel, a1.id).status == "supplied"  # nothing saved
    assert client.patch(url, json={"name": "x"}, headers=h["manager_b"]).status_code == 404
    assert client.patch(url, json={"name": "x"}, headers=h["viewer"]).status_code == 403
    b_url = f"/api/v1/parcels/{b1.id}"
    assert client.patch(b_url, json={"notes": "市里"}, headers=h["city"]).status_code == 200
    assert client.patch(b_url, json={"area_mu": -1}, headers=h["city"]).status_code == 422
    assert client.patch(b_url, headers=h["city"]).status_code == 422  # no body

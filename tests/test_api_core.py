"""The API base: bearer tokens, JSON errors, OpenAPI, /me and /zones."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.auth.models import ApiToken
from crm.auth.services import create_api_token, revoke_api_token
from crm.extensions import db
from tests.factories import make_user, make_zone


@pytest.fixture
def staff_token(app):
    user = make_user("staff", display_name="接口用户")
    token = create_api_token(user, "test")
    db.session.commit()
    return user, {"Authorization": f"Bearer {token}"}


def test_me(app, client, staff_token):
    user, headers = staff_token
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["login"] == user.login
    assert body["zone"]["code"] == user.zone.code
    assert "password_hash" not in body


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer crm_unknown", "Basic abc", "Bearer " + "x" * 500],
)
def test_missing_or_unknown_token_is_401_json(app, client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == 401 and "令牌" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working(app, client, staff_token):
    user, headers = staff_token
    token = db.session.scalars(select(ApiToken)).one()
    revoke_api_token(token, user)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabled_user_token_stops_working(app, client, staff_token):
    user, headers = staff_token
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_is_stored_hashed(app, staff_token):
    _user, headers = staff_token
    plaintext = headers["Authorization"].split()[1]
    row = db.session.scalars(select(ApiToken)).one()
    assert plaintext not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


def test_malformed_json_is_400_json(app, client, staff_token):
    _user, headers = staff_token
    response = client.patch(
        "/api/v1/me", data="{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.is_json and response.get_json()["code"] == response.status_code


def test_invalid_fields_are_422_with_field_errors(app, client, staff_token):
    user, headers = staff_token
    response = client.patch("/api/v1/me", json={"email": "nope", "locale": "xx"}, headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "email" in str(errors) and "locale" in str(errors)
    db.session.refresh(user)
    assert user.email != "nope"


def test_role_cannot_be_set_through_me(app, client, staff_token):
    user, headers = staff_token
    response = client.patch("/api/v1/me", json={"role": "admin"}, headers=headers)
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.role == "staff"


def test_update_me(app, client, staff_token):
    _user, headers = staff_token
    response = client.patch("/api/v1/me", json={"display_name": "新名字"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "新名字"


def test_zones_list_and_detail(app, client, staff_token):
    _user, headers = staff_token
    make_zone(code="second")
    body = client.get("/api/v1/zones", headers=headers).get_json()
    assert "second" in [z["code"] for z in body]
    zone_id = body[0]["id"]
    assert client.get(f"/api/v1/zones/{zone_id}", headers=headers).status_code == 200
    missing = client.get("/api/v1/zones/999999", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == 404


def test_unknown_api_path_and_wrong_method_answer_json(app, client, staff_token):
    _user, headers = staff_token
    assert client.get("/api/v1/nothing-here", headers=headers).get_json()["code"] == 404
    response = client.delete("/api/v1/me", headers=headers)
    assert response.status_code == 405 and response.is_json


def test_session_cookie_does_not_authenticate_the_api(app, client, login_as):
    login_as(make_user("staff"))
    assert client.get("/api/v1/me").status_code == 401


def test_openapi_document(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/zones"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"

"""The OpenAPI document says what the API answers: types, nullability, limits, error bodies;
405 names the allowed methods; an over-long URL and a missing body get JSON errors."""

from __future__ import annotations

import re

import pytest

from crm.api.base import TEXT_PATTERN
from crm.auth.services import create_api_token
from crm.core.boundary import CONTROL_RE
from crm.extensions import db
from tests.conftest import login
from tests.factories import make_user


@pytest.fixture
def doc(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def headers(app):
    user = make_user("staff")
    token = create_api_token(user, "doc")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _props(doc, name):
    return doc["components"]["schemas"][name]["properties"]


def test_decimal_areas_are_documented_as_the_strings_they_are(doc):
    for schema in ("ProjectDetail", "StageEvent"):
        for name, prop in _props(doc, schema).items():
            if name.endswith("_mu"):
                assert prop["type"] == "string" or "string" in prop["type"], (schema, name)


def test_nullable_and_error_fields_are_documented(doc):
    target_id = _props(doc, "ProjectActivity")["target_id"]
    assert target_id.get("nullable") is True or "null" in target_id.get("type", [])
    for schema in ("Error", "DuplicateError", "StaleError"):
        assert "status" in _props(doc, schema), schema


def test_limits_are_documented(doc):
    assert _props(doc, "EnterpriseCreate")["name"]["minLength"] == 1
    assert _props(doc, "ProjectCreate")["name"]["minLength"] == 1
    ids = _props(doc, "TargetCreate")
    assert ids["zone_id"]["maximum"] == 2**31 - 1 and ids["enterprise_id"]["minimum"] == 1
    assert _props(doc, "ProjectPatch")["version"]["maximum"] == 2**31 - 1
    amount = _props(doc, "ProjectCreate")["planned_total_wan"]["oneOf"]
    assert any(a["type"] == "string" and a["minLength"] == 1 for a in amount)


def test_free_text_carries_the_boundary_pattern(doc):
    assert _props(doc, "EnterpriseCreate")["description"]["pattern"] == TEXT_PATTERN
    pattern = re.compile(TEXT_PATTERN)
    for ch in map(chr, range(0x80)):
        assert bool(pattern.match(ch)) == (CONTROL_RE.search(ch) is None), repr(ch)


def test_a_patch_without_a_body_is_422(client, headers):
    response = client.patch("/api/v1/me", headers=headers)
    assert response.status_code == 422 and response.is_json
    empty = client.patch("/api/v1/me", headers={**headers, "Content-Type": "application/json"})
    assert empty.status_code in (400, 422)


def test_wrongly_typed_json_values_are_422(client, headers):
    for body in ({"is_local": 0, "name": "甲"}, {"is_local": "yes", "name": "甲"}):
        response = client.post("/api/v1/enterprises", json=body, headers=headers)
        assert response.status_code == 422 and "is_local" in response.get_json()["errors"]["json"]
    response = client.patch("/api/v1/projects/1", json={"version": True}, headers=headers)
    assert response.status_code in (404, 422)


def test_every_405_names_the_allowed_methods(client, app):
    api = client.delete("/api/v1/me")
    assert api.status_code == 405 and api.is_json and "GET" in api.headers["Allow"]
    page = client.put("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    login(client, make_user("staff"))
    assert "POST" in client.delete("/targets/new").headers["Allow"]


def test_an_over_long_url_on_the_api_answers_json(client, headers):
    response = client.get("/api/v1/targets?q=" + "x" * 9000, headers=headers)
    assert response.status_code == 414 and response.get_json()["code"] == 414
    page = client.get("/targets/?q=" + "x" * 9000)
    assert page.status_code == 414 and "过长" in page.get_data(as_text=True)

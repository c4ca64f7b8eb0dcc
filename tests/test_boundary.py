"""The request boundary: integers beyond the column, Unicode digits and control characters in
paths, query strings, forms and JSON answer 404 / 400 / 422 (or are cleaned), never 500."""

from __future__ import annotations

import io
import json

import pytest
from crm.cli import load_seed
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from crm.auth.services import create_api_token
from crm.chains.models import Chain
from crm.core.audit import record_audit
from crm.core.boundary import IdConverter, coerce_id, parse_id, parse_int
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.services import create_project, writable_project_or_404
from crm.targets.models import Activity
from crm.targets.services import create_target
from tests.conftest import login, post
from tests.factories import make_user, make_zone

HUGE = ["2147483648", "9223372036854775808", "9" * 40]
UNICODE_DIGITS = ["²", "١٢", "３", "⑤"]


def _headers(user) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app):
    zone = make_zone(code="za", short_name="甲区")
    staff = make_user("staff", zone=zone, login="staff-a")
    city = make_user("coordinator", login="city-a")
    admin = make_user("admin", login="admin-a")
    enterprise = create_enterprise({"name": "河南边界测试有限公司"}, None, confirm_duplicate=True)
    target = create_target(enterprise, zone.id, {}, staff)
    project = create_project(enterprise, zone.id, {"name": "边界项目"}, staff, stage="lead")
    db.session.commit()
    return {
        "zone": zone,
        "staff": staff,
        "city": city,
        "admin": admin,
        "enterprise": enterprise,
        "target": target,
        "project": project,
        "h": {"staff": _headers(staff), "city": _headers(city)},
    }


# --- the helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), (" 7 ", 7), (42, 42), ("2147483647", 2147483647), ("0", None), ("-3", None)]
    + [(v, None) for v in [*HUGE, *UNICODE_DIGITS, "", None, "1.5", "1e3", True, "0x10"]],
)
def test_parse_id_takes_ascii_digits_within_the_column(raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_bounds_and_signs():
    assert parse_int("-5", minimum=-10) == -5
    assert parse_int("2026", minimum=1000, maximum=9999) == 2026
    assert parse_int("20260", minimum=1000, maximum=9999) is None
    assert coerce_id("") is None and coerce_id("12") == 12
    with pytest.raises(ValueError):
        coerce_id("²")


def test_every_integer_in_a_route_is_a_bounded_id(app):
    """No route takes werkzeug's unbounded int; each integer argument is an ``<id:...>``."""
    for rule in app.url_map.iter_rules():
        for name, converter in (rule._converters or {}).items():
            assert not isinstance(converter, IntegerConverter), f"{rule.rule}: {name}"
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/projects/12")[1] == {"project_id": 12}
    for value in [*HUGE, "0", "١٢"]:
        with pytest.raises(NotFound):
            adapter.match(f"/projects/{value}")
    assert IdConverter(app.url_map).to_url(5) == "5"


# --- 1. integers beyond the column ---------------------------------------------------------


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_api_paths_are_404_json(client, world, huge):
    h = world["h"]["city"]
    for method, path in [
        ("patch", f"/api/v1/targets/{huge}"),
        ("get", f"/api/v1/projects/{huge}"),
        ("patch", f"/api/v1/projects/{huge}"),
        ("get", f"/api/v1/enterprises/{huge}"),
        ("post", f"/api/v1/projects/{huge}/activities"),
    ]:
        response = getattr(client, method)(path, json={"note": "x", "version": 1}, headers=h)
        assert response.status_code == 404, (path, response.status_code)
        assert response.get_json()["code"] == 404


@pytest.mark.parametrize("field", ["owner_id", "enterprise_id", "zone_id", "target_id"])
@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_huge_integers_in_api_bodies_are_422_naming_the_field(client, world, field, huge):
    h = world["h"]["city"]
    base = {"enterprise_id": world["enterprise"].id, "zone_id": world["zone"].id}
    bodies = [("/api/v1/projects", {**base, "name": "新项目", field: huge})]
    if field != "target_id":
        bodies.append(("/api/v1/targets", {**base, field: huge}))
    for path, body in bodies:
        response = client.post(path, json=body, headers=h)
        assert response.status_code == 422, (path, response.get_json())
        assert field in response.get_json()["errors"]["json"]
    patches = [
        (f"/api/v1/targets/{world['target'].id}", {"owner_id": huge}),
        (f"/api/v1/projects/{world['project'].id}", {"owner_id": huge, "version": 1}),
        (f"/api/v1/projects/{world['project'].id}", {"version": huge}),
    ]
    for path, body in patches:
        response = client.patch(path, json=body, headers=h)
        assert response.status_code == 422, (path, response.get_json())


@pytest.mark.parametrize("bad", [*HUGE, *UNICODE_DIGITS])
def test_bad_integers_in_api_query_args_are_422_or_ignored(client, world, bad):
    h = world["h"]["city"]
    for path in ["/api/v1/projects", "/api/v1/targets", "/api/v1/enterprises"]:
        for arg in ["zone", "owner", "chain", "node", "page", "per_page"]:
            response = client.get(path, query_string={arg: bad}, headers=h)
            assert response.status_code in (200, 422), (path, arg, response.status_code)


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_pages_are_404_and_in_forms_a_message(client, world, huge):
    login(client, world["city"])
    for path in [
        f"/projects/{huge}/edit",
        f"/projects/{huge}/stage",
        f"/projects/new?target_id={huge}",
        f"/projects/new?enterprise_id={huge}",
        f"/targets/{huge}",
    ]:
        assert client.get(path).status_code == 404, path
    for path in [f"/projects/?zone={huge}", f"/projects/?owner={huge}", f"/targets/?zone={huge}"]:
        assert client.get(path).status_code == 200, path
    target_id = str(world["target"].id)
    for field, action in [("zone_id", "move_zone"), ("owner_id", "assign")]:
        response = post(client, "/targets/bulk", {"ids": target_id, "action": action, field: huge})
        assert response.status_code == 302
    upload = post(
        client,
        "/imports/",
        {"kind": "targets", "zone": huge, "file": (io.BytesIO(b"a,b\n1,2\n"), "t.csv")},
        token_page="/imports/",
        content_type="multipart/form-data",
    )
    assert upload.status_code in (200, 400, 422)
    assert "开发区" in upload.get_data(as_text=True)


def test_writable_project_or_404_refuses_huge_ids(app, world):
    for huge in [2**31, "9" * 30, "²"]:
        with pytest.raises(NotFound):
            writable_project_or_404(huge, world["staff"])


# --- 2. Unicode digits ---------------------------------------------------------------------


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_unicode_digits_in_query_args_and_forms_never_500(client, world, digit):
    load_seed()
    chain_id = db.session.scalars(select(Chain.id)).first()
    login(client, world["city"])
    for path in [
        f"/chains/{chain_id}?zone={digit}",
        f"/chains/{chain_id}?node={digit}",
        f"/chains/{chain_id}/graph?zone={digit}",
        f"/chains/{chain_id}/graph.json?zone={digit}",
        f"/projects/?zone={digit}",
        f"/projects/board?year={digit}",
        f"/targets/?zone={digit}&page={digit}",
    ]:
        assert client.get(path).status_code == 200, path
    response = post(
        client,
        "/imports/",
        {"kind": "targets", "zone": digit, "file": (io.BytesIO(b"a\n1\n"), "t.csv")},
        token_page="/imports/",
        content_type="multipart/form-data",
    )
    assert response.status_code < 500


# --- 3. control characters -----------------------------------------------------------------


def test_nul_in_the_sign_in_form_is_stripped(client, world):
    response = login(client, world["staff"].login + "\x00")
    assert response.status_code == 302  # the same user, without the NUL
    anonymous = client.application.test_client()
    assert login(anonymous, "admin\x00", "wrong").status_code == 401  # refused, not 500


def test_nul_in_list_filters_is_ignored(client, world):
    login(client, world["admin"])
    record_audit("update", "project", 1, {}, actor=world["admin"])
    db.session.commit()
    for path in [
        "/projects/?q=%00",
        "/targets/?status=%00&q=a%00b",
        "/admin/audit?entity=%00",
        "/admin/audit?actor=%00%01",
        "/targets/conflicts?state=%00",
    ]:
        assert client.get(path).status_code == 200, path


def test_control_characters_in_forms_are_removed_and_line_breaks_kept(client, world):
    login(client, world["staff"])
    target = world["target"]
    response = post(
        client,
        f"/targets/{target.id}/activities",
        {
            "kind": "visit",
            "occurred_on": "2026-10-10",
            "summary": "第一行\x00\r\n第二行\t末尾\x07\x1b",
            "participants": "张三\x00",
        },
        token_page=f"/targets/{target.id}",
    )
    assert response.status_code == 302
    activity = db.session.scalars(select(Activity).where(Activity.target_id == target.id)).one()
    assert activity.summary == "第一行\r\n第二行\t末尾"
    assert activity.participants == "张三"


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "\x1b[31m", "\ud800"])
def test_control_characters_in_api_json_are_422_naming_the_field(client, world, bad):
    h = world["h"]["city"]
    response = client.post(
        "/api/v1/enterprises",
        data=json.dumps({"name": bad, "aliases": "ok"}),
        headers={**h, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]["json"]) == ["name"]
    nested = client.post(
        "/api/v1/targets",
        data=json.dumps({"enterprise": {"name": "x", "labels": [bad]}, "zone_id": 1}),
        headers={**h, "Content-Type": "application/json"},
    )
    assert nested.status_code == 422
    assert "enterprise.labels.0" in nested.get_json()["errors"]["json"]
    assert len(db.session.scalars(select(Enterprise)).all()) == 1  # nothing was created


def test_tabs_and_line_breaks_in_api_json_are_kept(client, world):
    response = client.post(
        "/api/v1/enterprises",
        json={"name": "河南换行测试有限公司", "description": "一\r\n二\t三"},
        headers=world["h"]["city"],
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"] == "一\r\n二\t三"


def test_control_characters_in_paths_and_headers(client, world):
    assert client.get("/reminders/feed/%00abc.ics").status_code == 404
    assert (
        client.get("/api/v1/me", headers={**world["h"]["staff"], "X-Note": "a\x00"}).status_code
        == 400
    )

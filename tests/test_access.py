"""The URL map walk and the role × zone access matrix (QUALITY: Access)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.auth.services import create_api_token
from crm.core.access import AccessRule, get_or_404, registered_models, scoped_select
from crm.core.roles import ROLES
from crm.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_user, make_zone


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _url(rule) -> str:
    values = {arg: 1 for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_route_has_an_access_rule(app):
    missing = [
        rule.rule
        for rule, view in _routes(app)
        if not isinstance(getattr(view, "access_rule", None), AccessRule)
    ]
    assert missing == [], f"routes without an access rule: {missing}"


def test_anonymous_requests_are_sent_to_login_or_get_401(app, client):
    for rule, view in _routes(app):
        access = view.access_rule
        if access.roles is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method)
            if access.api:
                assert response.status_code == 401, rule.rule
                assert response.is_json
            elif method == "GET":
                assert response.status_code == 302, rule.rule
                assert "/login" in response.headers["Location"]
            else:  # unsafe methods are refused before anything runs (CSRF or sign-in)
                assert response.status_code in (302, 400), (rule.rule, method)


@pytest.fixture
def people(app):
    zone = make_zone()
    return {
        role: make_user(role, zone=zone if role in ("staff", "manager") else None) for role in ROLES
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_for_pages(app, people, role):
    client = app.test_client()
    assert login(client, people[role]).status_code == 302
    token = csrf_token(client, "/about")
    for rule, view in _routes(app):
        access = view.access_rule
        if access.roles is None or access.api:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "auth.logout":
                continue
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(_url(rule), method=method, data=data)
            if role in access.roles:
                assert response.status_code not in (401, 403), (rule.rule, method, role)
            else:
                assert response.status_code == 403, (rule.rule, method, role)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_for_the_api(app, people, role):
    client = app.test_client()
    token = create_api_token(people[role], "matrix")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for rule, view in _routes(app):
        access = view.access_rule
        if not access.api:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method, headers=headers, json={})
            if role in access.roles:
                assert response.status_code not in (401, 403), (rule.rule, method, role)
            else:
                assert response.status_code == 403, (rule.rule, method, role)
            assert response.is_json, rule.rule


def test_every_model_with_rows_of_a_zone_has_a_scope_rule(app):
    assert User in registered_models()


def test_zone_users_see_only_their_zone(app):
    zone_a, zone_b = make_zone(), make_zone()
    staff_a = make_user("staff", zone=zone_a)
    staff_b = make_user("staff", zone=zone_b)
    coordinator = make_user("coordinator")
    seen_by_a = set(db.session.scalars(scoped_select(User, staff_a)))
    assert staff_a in seen_by_a and staff_b not in seen_by_a
    seen_by_city = set(db.session.scalars(scoped_select(User, coordinator)))
    assert {staff_a, staff_b, coordinator} <= seen_by_city


def test_get_or_404_hides_other_zones_records(app):
    from werkzeug.exceptions import NotFound

    staff_a = make_user("staff")
    staff_b = make_user("staff")
    assert get_or_404(User, staff_a.id, staff_a) is staff_a
    with pytest.raises(NotFound):
        get_or_404(User, staff_b.id, staff_a)
    with pytest.raises(NotFound):
        get_or_404(User, "not-a-number", staff_a)


def test_anonymous_scope_is_empty(app):
    from flask_login import AnonymousUserMixin

    make_user("staff")
    assert db.session.scalars(scoped_select(User, AnonymousUserMixin())).all() == []


def test_staff_opening_admin_is_forbidden_and_audited(app, client, login_as):
    from crm.core.models import AuditLog

    staff = make_user("staff")
    login_as(staff)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.get_data(as_text=True)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "forbidden")).one()
    assert entry.actor_id == staff.id


def test_get_or_404_refuses_ids_beyond_an_integer_column(app):
    from werkzeug.exceptions import NotFound

    user = make_user("admin")
    with pytest.raises(NotFound):
        get_or_404(User, 2**63, user)

"""Admin pages: users, zones, settings, audit (every change audited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.core.models import AuditLog
from crm.core.settings import get_setting
from crm.extensions import db
from crm.zones.models import Zone
from tests.conftest import login, post
from tests.factories import PASSWORD, make_user, make_zone


@pytest.fixture
def admin(app, login_as):
    user = make_user("admin", login="root")
    login_as(user)
    return user


def _audits(action: str, entity: str) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.action == action, AuditLog.entity == entity)
    return list(db.session.scalars(stmt))


def test_create_user_must_change_password(app, client, admin):
    zone = make_zone()
    response = post(
        client,
        "/admin/users/new",
        {
            "login": "gxq-new",
            "display_name": "新同事",
            "email": "new@example.gov.cn",
            "role": "staff",
            "zone_id": str(zone.id),
            "password": "Initial-2026-pass",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.login == "gxq-new")).one()
    assert user.must_change_password and user.zone_id == zone.id
    assert _audits("create", "user")


@pytest.mark.parametrize(
    "values,error",
    [
        ({"role": "staff", "zone_id": ""}, "必须属于一个开发区"),
        ({"role": "coordinator", "zone_id": "ZONE"}, "市级角色不属于任何开发区"),
        ({"password": "123"}, "密码至少 8 个字符"),
        ({"login": "bad login!"}, "用户名只能包含"),
        ({"email": "not-an-email"}, "电子邮箱格式不正确"),
    ],
)
def test_create_user_refusals_keep_what_was_typed(app, client, admin, values, error):
    zone = make_zone()
    data = {
        "login": "keepme",
        "display_name": "保留的姓名",
        "email": "",
        "role": "staff",
        "zone_id": str(zone.id),
        "password": "Initial-2026-pass",
    }
    data.update({k: (str(zone.id) if v == "ZONE" else v) for k, v in values.items()})
    response = post(client, "/admin/users/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error in html
    assert "保留的姓名" in html
    assert db.session.scalars(select(User).where(User.login == data["login"])).first() is None


def test_duplicate_login_is_refused(app, client, admin):
    make_user("viewer", login="taken")
    response = post(
        client,
        "/admin/users/new",
        {
            "login": "taken",
            "display_name": "x",
            "role": "viewer",
            "zone_id": "",
            "password": "Initial-2026-p",
        },
    )
    assert response.status_code == 400
    assert "已存在" in response.get_data(as_text=True)


def test_edit_user_role_and_disable_ends_sessions(app, admin):
    staff = make_user("staff")
    other_client = app.test_client()
    login(other_client, staff)
    assert other_client.get("/").status_code == 200
    admin_client = app.test_client()
    login(admin_client, admin)
    response = post(
        admin_client,
        f"/admin/users/{staff.id}",
        {
            "display_name": "改名后",
            "email": "",
            "role": "staff",
            "zone_id": str(staff.zone_id),
        },  # no "active": the box is unchecked
    )
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.display_name == "改名后" and staff.active is False
    assert other_client.get("/").status_code == 302
    changes = _audits("update", "user")[-1].changes
    assert changes["active"] == [True, False]


def test_admin_cannot_demote_themselves(app, client, admin):
    response = post(
        client,
        f"/admin/users/{admin.id}",
        {"display_name": "x", "role": "viewer", "zone_id": "", "active": "y"},
    )
    assert response.status_code == 400
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_reset_password_forces_change(app, client, admin):
    staff = make_user("staff")
    response = post(client, f"/admin/users/{staff.id}/password", {"password": "Temp-pass-2026"})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.must_change_password and staff.check_password("Temp-pass-2026")
    assert not staff.check_password(PASSWORD)


def test_zone_create_edit_reorder_delete(app, client, admin):
    response = post(
        client,
        "/admin/zones/new",
        {"code": "hkq", "name": "测试航空港区", "short_name": "航空港", "kind": "services"},
    )
    assert response.status_code == 302
    zone = db.session.scalars(select(Zone).where(Zone.code == "hkq")).one()
    response = post(
        client,
        f"/admin/zones/{zone.id}",
        {
            "code": "hkq",
            "name": "测试航空港区",
            "short_name": "港区",
            "kind": "services",
            "active": "y",
        },
    )
    assert response.status_code == 302
    first = make_zone(sort_order=1)
    post(client, f"/admin/zones/{zone.id}/move", {"direction": "up"})
    post(client, f"/admin/zones/{zone.id}/move", {"direction": "up"})
    db.session.expire_all()
    ordered = db.session.scalars(select(Zone).order_by(Zone.sort_order)).all()
    assert ordered[0].code == "hkq" and first in ordered
    zone_id = zone.id
    assert post(client, f"/admin/zones/{zone_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Zone, zone_id) is None
    actions = {
        a.action for a in db.session.scalars(select(AuditLog).where(AuditLog.entity == "zone"))
    }
    assert {"create", "update", "reorder", "delete"} <= actions


def test_zone_with_users_cannot_be_deleted(app, client, admin):
    staff = make_user("staff")
    response = post(client, f"/admin/zones/{staff.zone_id}/delete", follow_redirects=True)
    assert "不能删除" in response.get_data(as_text=True)
    assert db.session.get(Zone, staff.zone_id) is not None


def test_duplicate_zone_code_is_refused(app, client, admin):
    make_zone(code="dup")
    response = post(
        client,
        "/admin/zones/new",
        {"code": "dup", "name": "另一个", "short_name": "另", "kind": "manufacturing"},
    )
    assert response.status_code == 400
    assert "已被使用" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "value,error", [("abc", "请输入整数"), ("1", "不能小于 5"), ("99999", "不能大于 1440")]
)
def test_settings_are_validated(app, client, admin, value, error):
    response = post(client, "/admin/settings", {"session.idle_minutes": value})
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert get_setting("session.idle_minutes") == 120


def test_settings_save_is_audited(app, client, admin):
    assert post(client, "/admin/settings", {"session.idle_minutes": "60"}).status_code == 302
    db.session.expire_all()
    from flask import g

    g.pop("settings_cache", None)
    assert get_setting("session.idle_minutes") == 60
    assert _audits("update", "setting")


def test_user_names_are_escaped(app, client, admin):
    make_user("viewer", display_name="<script>alert(1)</script>")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_audit_page_lists_changes(app, client, admin):
    make_user("viewer")
    post(client, "/admin/settings", {"session.idle_minutes": "30"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "session.idle_minutes" in html


def test_mapping_settings_still_accept_json_from_scripts(app, client, admin):
    response = post(client, "/admin/settings", {"projects.rot_days": "{not json"})
    assert response.status_code == 400 and "格式不正确" in response.get_data(as_text=True)
    response = post(client, "/admin/settings", {"projects.rot_days": '{"lead": 10}'})
    assert response.status_code == 302
    from flask import g

    g.pop("settings_cache", None)
    assert get_setting("projects.rot_days") == {"lead": 10}

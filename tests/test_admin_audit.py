"""The audit log reads in the admin's language and is filtered by the labels people see."""

from __future__ import annotations

import pytest

from crm.core.audit import record_audit
from crm.core.audit_labels import ACTION_LABELS, ENTITY_LABELS, matching_codes
from crm.extensions import db
from tests.factories import make_user


@pytest.fixture
def admin(app, login_as):
    user = make_user("admin", login="root", display_name="管理员甲")
    login_as(user)
    return user


@pytest.fixture
def entries(app, admin):
    colleague = make_user("staff", login="gxq-a", display_name="赵一帆")
    record_audit("login_failed", "user", colleague.id, note="wrong password")
    record_audit("update", "user", colleague.id, {"active": [True, False]}, actor=admin)
    record_audit("update", "target", 7, {"owner_id": [None, colleague.id]}, actor=admin)
    db.session.commit()
    return colleague


def _rows(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_actions_entities_users_and_values_in_chinese(client, entries):
    rows = _rows(client.get("/admin/audit").get_data(as_text=True))
    assert "登录失败" in rows and "login_failed" not in rows.replace('"login_failed"', "")
    assert "用户 赵一帆" in rows  # the user entity by display name, not by number
    assert "启用</span>: 是 → 否" in rows  # not [True, False]
    assert "负责人</span>: — → 赵一帆" in rows
    assert "管理员甲" in rows
    assert "True" not in rows and "[" not in rows


def test_english_admin_reads_english(client, admin, entries):
    admin.locale = "en"
    db.session.commit()
    rows = _rows(client.get("/admin/audit").get_data(as_text=True))
    assert "Failed sign-in" in rows
    assert "Yes → No" in rows
    assert "登录失败" not in rows and "是" not in rows
    filtered = _rows(client.get("/admin/audit?entity=users").get_data(as_text=True))
    assert filtered.count("<tr>") == filtered.count('data-entity="user"') >= 3


@pytest.mark.parametrize("text", ["用户", "user", " 用 "])
def test_entity_filter_takes_the_label(client, entries, text):
    rows = _rows(client.get("/admin/audit", query_string={"entity": text}).get_data(as_text=True))
    # the sign-in of the admin, the failed sign-in and the update: every one a user entry
    assert rows.count("<tr>") == rows.count('data-entity="user"') == 3
    assert "目标企业" not in rows


def test_action_filter_takes_the_label(client, entries):
    rows = _rows(client.get("/admin/audit?action=登录失败").get_data(as_text=True))
    assert rows.count("<tr>") == 1 and "登录失败" in rows


def test_unknown_filter_finds_nothing_without_error(client, entries):
    response = client.get("/admin/audit?entity=不存在的对象&action=%00")
    assert response.status_code == 200
    assert "没有符合条件的记录" in response.get_data(as_text=True)


def test_every_recorded_action_and_entity_has_a_label():
    """The registry covers every code the code base records (read from the sources)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    actions, entities = set(), set()
    for path in [*root.joinpath("crm").rglob("*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            func = getattr(node, "func", None)
            name = getattr(func, "id", getattr(func, "attr", None))
            if isinstance(node, ast.Call) and name == "record_audit" and len(node.args) >= 2:
                for target, arg in ((actions, node.args[0]), (entities, node.args[1])):
                    target.update(
                        c.value
                        for c in ast.walk(arg)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    )
    actions = {a for a in actions if a != "bulk_"} | {f"bulk_{a}" for a in ("assign", "status")}
    assert actions - set(ACTION_LABELS) == set()
    assert entities - set(ENTITY_LABELS) == set()


def test_matching_codes():
    assert matching_codes("user", ENTITY_LABELS) == ["user"]
    assert "user" in matching_codes("用户", ENTITY_LABELS)
    assert matching_codes("", ENTITY_LABELS) == []

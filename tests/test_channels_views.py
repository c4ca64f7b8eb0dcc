"""Channel pages: a user's own accounts and choices, the admin's provider settings with
write-only secrets, robot groups, test messages (sent through the local provider server) and
the outbox filtered by channel."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.channels.models import ChannelConfig, ChannelLink, RobotGroup
from crm.core.models import AuditLog
from crm.extensions import db
from tests import channel_servers as cs
from tests.channels_support import configure, link, messages
from tests.conftest import post
from tests.factories import make_user, make_zone


@pytest.fixture
def server():
    with cs.ProviderServer() as running:
        yield running


def test_user_sets_own_accounts_and_choices(app, login_as):
    user = make_user("staff", zone=make_zone())
    client = login_as(user)
    assert client.get("/channels/preferences").status_code == 200
    response = post(
        client,
        "/channels/preferences",
        {
            "wecom_userid": "zhao.zy",
            "dingtalk_userid": "",
            "daily": "app",
            "weekly": "both",
            "alert": "none",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(ChannelLink, user.id)
    assert stored.wecom_userid == "zhao.zy" and stored.dingtalk_userid is None
    assert stored.prefs == {"daily": "app", "weekly": "both", "alert": "none"}
    assert db.session.get(type(user), user.id).notify == {"daily": False, "weekly": True}
    page = client.get("/channels/preferences").get_data(as_text=True)
    assert 'value="zhao.zy"' in page


def test_bad_account_id_keeps_the_input_and_says_why(app, login_as):
    client = login_as(make_user("staff", zone=make_zone()))
    response = post(
        client,
        "/channels/preferences",
        {"wecom_userid": "赵 专员<x>", "daily": "both", "weekly": "both", "alert": "app"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "账号只能包含字母" in page and "赵 专员&lt;x&gt;" in page
    response = post(
        client,
        "/channels/preferences",
        {"wecom_userid": "ok", "daily": "bogus", "weekly": "both", "alert": "app"},
    )
    assert response.status_code == 200


def test_secrets_are_write_only(app, login_as, caplog):
    admin = make_user("admin")
    client = login_as(admin)
    assert client.get("/channels/admin").status_code == 200
    values = {
        "wecom-enabled": "y",
        "wecom-base_url": "https://zwwx.example.gov.cn",
        "wecom-corp_id": "ww123",
        "wecom-agent_id": "1000002",
        "wecom-secret": "TOP-SECRET-VALUE-1",
    }
    assert post(client, "/channels/admin/config/wecom", values).status_code == 302
    values["wecom-secret"] = ""  # saved again without retyping it
    assert post(client, "/channels/admin/config/wecom", values).status_code == 302
    db.session.expire_all()
    config = db.session.get(ChannelConfig, "wecom")
    assert (
        config.secret == "TOP-SECRET-VALUE-1" and config.base_url == "https://zwwx.example.gov.cn"
    )
    page = client.get("/channels/admin").get_data(as_text=True)
    assert "TOP-SECRET-VALUE-1" not in page and "已保存密钥" in page
    audits = " ".join(str(a.changes) for a in db.session.scalars(select(AuditLog)))
    assert "TOP-SECRET-VALUE-1" not in audits and "secret" in audits
    assert "TOP-SECRET-VALUE-1" not in caplog.text


def test_enabling_without_credentials_is_refused_kindly(app, login_as):
    client = login_as(make_user("admin"))
    response = post(
        client,
        "/channels/admin/config/dingtalk",
        {"dingtalk-enabled": "y", "dingtalk-corp_id": "", "dingtalk-base_url": "ftp://x"},
    )
    assert response.status_code == 400
    assert "http://" in response.get_data(as_text=True)
    assert post(client, "/channels/admin/config/nope", {}).status_code == 302


def test_non_admin_cannot_open_admin_pages(app, login_as):
    client = login_as(make_user("coordinator"))
    for path in ("/channels/admin", "/channels/admin/outbox", "/channels/admin/groups/new"):
        assert client.get(path).status_code == 403


def test_group_webhook_key_is_hidden_and_test_message_is_sent(app, server, login_as):
    client = login_as(make_user("admin"))
    zone = make_zone(short_name="甲区")
    response = post(
        client,
        "/channels/admin/groups/new",
        {
            "name": "甲区招商群",
            "provider": "wecom_robot",
            "zone_id": str(zone.id),
            "webhook_url": server.wecom_robot_url,
            "events": ["zone_due", "big_deal"],
            "active": "y",
        },
    )
    assert response.status_code == 302
    group = db.session.scalar(select(RobotGroup))
    assert group.events == ["zone_due", "big_deal"]
    page = client.get("/channels/admin").get_data(as_text=True)
    assert cs.ROBOT_KEY not in page and "/cgi-bin/webhook/send?…" in page
    edit = client.get(f"/channels/admin/groups/{group.id}").get_data(as_text=True)
    assert cs.ROBOT_KEY not in edit
    assert post(client, f"/channels/admin/groups/{group.id}/test").status_code == 302
    (sent,) = server.provider.messages["wecom_robot"]
    assert "测试消息" in sent["markdown"]["content"]
    (row,) = messages()
    assert row.status == "sent" and row.kind == "test"
    outbox = client.get("/channels/admin/outbox?channel=wecom_robot").get_data(as_text=True)
    assert "甲区招商群" in outbox
    assert "甲区招商群" not in client.get("/channels/admin/outbox?channel=wecom").get_data(
        as_text=True
    )
    assert client.get("/channels/admin/groups/99999999999").status_code == 404
    assert client.get("/channels/admin/outbox?channel=x&status=%00&page=-5").status_code == 200


def test_personal_test_message_and_failure_shown(app, server, login_as):
    admin = make_user("admin")
    client = login_as(admin)
    configure(server, dingtalk=False)
    link(admin, wecom="nobody")
    response = post(
        client, "/channels/admin/test", {"test-channel": "wecom", "test-login": admin.login}
    )
    assert response.status_code == 302
    (row,) = messages()
    assert row.status == "skipped" and "81013" in row.last_error
    page = client.get("/channels/admin/outbox?channel=wecom").get_data(as_text=True)
    assert "81013" in page
    response = post(
        client, "/channels/admin/test", {"test-channel": "dingtalk", "test-login": admin.login}
    )
    assert response.status_code == 302  # not linked to 钉钉: said, nothing queued
    assert len(messages()) == 1


def test_admin_sets_a_users_accounts(app, login_as):
    client = login_as(make_user("admin"))
    staff = make_user("staff", zone=make_zone())
    assert client.get(f"/channels/admin/users/{staff.id}").status_code == 200
    response = post(
        client,
        f"/channels/admin/users/{staff.id}",
        {"wecom_userid": "ZhaoZY", "dingtalk_userid": "0312345"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChannelLink, staff.id).dingtalk_userid == "0312345"
    assert client.get("/channels/admin/users/0").status_code == 404
    assert "企业微信 / 钉钉账号" in client.get(f"/admin/users/{staff.id}").get_data(as_text=True)


def test_bad_group_input_is_refused_with_the_input_kept(app, login_as):
    client = login_as(make_user("admin"))
    response = post(
        client,
        "/channels/admin/groups/new",
        {
            "name": "城市群",
            "provider": "wecom_robot",
            "zone_id": "",
            "webhook_url": "javascript:alert(1)",
            "events": ["zone_due"],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "http://" in page and 'value="城市群"' in page
    response = post(
        client,
        "/channels/admin/groups/new",
        {
            "name": "城市群",
            "provider": "smoke_signal",
            "zone_id": "99999999999",
            "webhook_url": "https://x.example",
            "events": ["nope"],
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(RobotGroup)) is None

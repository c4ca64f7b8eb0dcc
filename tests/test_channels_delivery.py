"""The channel outbox against a real local HTTP server speaking the providers' shapes:
exactly once per channel under duplicate ticks, redelivery, token expiry, rate limits, 5xx,
invalid users and over-long messages; secrets never in the logs."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from crm.channels import delivery
from crm.channels.delivery import deliver
from crm.channels.models import ChannelToken
from crm.channels.scans import scan
from crm.extensions import db
from crm.reminders.periods import as_utc
from tests import channel_servers as cs
from tests.channels_support import configure, link, messages
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_target, shanghai

DAY = date(2026, 10, 15)  # a working day
AT = shanghai(2026, 10, 15, 9, 0)
NOW = as_utc(AT)


@pytest.fixture
def server():
    with cs.ProviderServer() as running:
        yield running


@pytest.fixture
def staff(app):
    user = make_user("staff", zone=make_zone(short_name="甲区"), display_name="赵专员")
    make_target(user, DAY, enterprise_name="济源示例新材料有限公司")
    return user


def _send_all(now=NOW) -> list[str]:
    return [deliver(m.id, now=now).status for m in messages()]


def test_daily_goes_to_wecom_once_with_a_link_back(app, server, staff, caplog):
    caplog.set_level(logging.DEBUG)
    app.config["BASE_URL"] = "https://crm.example.cn"
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    for _tick in range(3):  # duplicate beat ticks
        scan(now=AT)
        db.session.commit()
    (row,) = messages()
    assert (row.channel, row.dest, row.kind, row.period_key) == (
        "wecom",
        f"u{staff.id}",
        "daily",
        "2026-10-15",
    )
    assert deliver(row.id, now=NOW).status == "sent"
    assert deliver(row.id, now=NOW).status == "done"  # the task delivered again
    (sent,) = server.provider.messages["wecom"]
    assert sent["touser"] == "zhaozy" and sent["msgtype"] == "markdown"
    content = sent["markdown"]["content"]
    assert "今日跟进提醒" in content and "济源示例新材料有限公司" in content
    assert "](https://crm.example.cn/targets/" in content
    assert "](https://crm.example.cn/reminders/" in content
    assert server.provider.token_requests["wecom"] == 1
    assert messages()[0].status == "sent" and messages()[0].attempts == 1
    assert cs.CORP_SECRET not in caplog.text and "wecom-token-" not in caplog.text


def test_token_is_cached_for_every_send_and_refreshed_once_when_it_expires(app, server, staff):
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    other = make_user("staff", zone=staff.zone)
    make_target(other, DAY)
    link(other, wecom="qianzy")
    third = make_user("staff", zone=staff.zone)
    make_target(third, DAY)
    link(third, wecom="sunzy")
    scan(now=AT)
    db.session.commit()
    first, second, last = messages()
    assert deliver(first.id, now=NOW).status == "sent"
    server.provider.faults["wecom_send"] = ["expire"]  # the token dies mid-run
    assert deliver(second.id, now=NOW).status == "sent"
    assert deliver(last.id, now=NOW).status == "sent"
    assert server.provider.token_requests["wecom"] == 2  # refreshed once, then shared
    assert len(server.provider.messages["wecom"]) == 3
    assert [m.attempts for m in messages()] == [1, 1, 1]


def test_token_is_refreshed_before_it_expires(app, server, staff):
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    db.session.add(
        ChannelToken(
            name=f"wecom:{cs.CORP_ID}:{cs.AGENT_ID}",
            token="old-token",
            expires_at=NOW.replace(tzinfo=None) + timedelta(seconds=60),
        )
    )
    db.session.commit()
    scan(now=AT)
    db.session.commit()
    from crm.core.timeutil import utcnow

    (row,) = messages()
    # the stored token has under five minutes left (by the real clock): fetched afresh
    db.session.get(ChannelToken, f"wecom:{cs.CORP_ID}:{cs.AGENT_ID}").expires_at = (
        utcnow() + timedelta(seconds=200)
    )
    db.session.commit()
    assert deliver(row.id, now=NOW).status == "sent"
    assert server.provider.token_requests["wecom"] == 1
    assert db.session.get(ChannelToken, f"wecom:{cs.CORP_ID}:{cs.AGENT_ID}").token != "old-token"


def test_rate_limit_backs_off_then_sends(app, server, staff):
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    scan(now=AT)
    db.session.commit()
    (row,) = messages()
    server.provider.faults["wecom_send"] = ["rate"]
    outcome = deliver(row.id, now=NOW)
    assert outcome.status == "retry" and outcome.later >= 60
    waiting = messages()[0]
    assert waiting.status == "retry" and "45009" in waiting.last_error
    assert deliver(row.id, now=NOW).status == "busy"  # not before its time
    assert deliver(row.id, now=NOW + timedelta(seconds=61)).status == "sent"
    assert len(server.provider.messages["wecom"]) == 1


def test_5xx_retries_until_attempts_run_out(app, server, staff):
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    scan(now=AT)
    db.session.commit()
    (row,) = messages()
    server.provider.faults["wecom_send"] = ["5xx"] * 10
    at = NOW
    for _ in range(delivery.MAX_ATTEMPTS):
        outcome = deliver(row.id, now=at)
        at += timedelta(seconds=(outcome.later or 0) + 1)
    final = messages()[0]
    assert final.status == "failed" and "HTTP 502" in final.last_error
    assert final.attempts == delivery.MAX_ATTEMPTS
    assert server.provider.messages["wecom"] == []


def test_invalid_userid_is_skipped_with_the_reason(app, server, staff):
    configure(server)
    link(staff, wecom="nobody", dingtalk="nobody")
    scan(now=AT)
    db.session.commit()
    assert sorted(_send_all()) == ["skipped", "skipped"]
    wecom, ding = sorted(messages(), key=lambda m: m.channel, reverse=True)
    assert "81013" in wecom.last_error and "33012" in ding.last_error


def test_dingtalk_work_notice_and_email_choice(app, server, staff):
    configure(server, wecom=False)
    link(staff, dingtalk="manager4721", daily="app", weekly="both")
    scan(now=AT)
    db.session.commit()
    assert _send_all() == ["sent"]
    (sent,) = server.provider.messages["dingtalk"]
    assert sent["userid_list"] == "manager4721" and sent["agent_id"] == int(cs.DING_AGENT)
    assert (
        sent["msg"]["msgtype"] == "markdown" and "今日跟进提醒" in sent["msg"]["markdown"]["title"]
    )


def test_over_long_digest_is_cut_utf8_safe_with_a_link(app, server, staff):
    app.config["BASE_URL"] = "https://crm.example.cn"
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    for n in range(40):
        make_target(
            staff,
            DAY - timedelta(days=n % 9),
            enterprise_name=f"济源超长名称测试第{n}号高端装备制造有限公司",
        )
    scan(now=AT)
    db.session.commit()
    assert _send_all() == ["sent"]
    content = server.provider.messages["wecom"][0]["markdown"]["content"]
    assert len(content.encode()) <= 2048
    assert content.rstrip().endswith("(https://crm.example.cn/reminders/)")
    assert "查看全部" in content


def test_no_link_or_disabled_channel_creates_nothing(app, server, staff):
    configure(server, wecom=False, dingtalk=False)
    link(staff, wecom="zhaozy")
    scan(now=AT)
    assert messages() == []


def test_cut_keeps_whole_lines_and_characters(app):
    from crm.channels.compose import cut

    text = "\n".join(f"- 第{n}项 济源示范区高新技术产业开发区跟进事项" for n in range(200))
    short = cut(text, 2048, "https://crm.example.cn/reminders/")
    assert len(short.encode()) <= 2048 and short.endswith("(https://crm.example.cn/reminders/)")
    assert all(line.startswith(("- 第", "……")) or not line for line in short.split("\n"))
    one_line = "跟" * 3000  # a single line of 9 000 bytes: cut between characters
    cut_line = cut(one_line, 4096, "https://x.example/")
    assert len(cut_line.encode()) <= 4096 and cut_line.startswith("跟" * 1000)
    assert cut("短", 10, "https://x.example/") == "短"


def test_app_message_needs_no_email_but_an_active_user(app, server, staff):
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    staff.email = None
    db.session.commit()
    scan(now=AT)
    db.session.commit()
    assert _send_all() == ["sent"]
    staff.active = False
    db.session.commit()
    from crm.channels.services import queue_test

    admin = make_user("admin")
    message_id = queue_test(admin, "wecom", user=staff)
    db.session.commit()
    from crm.core.timeutil import utcnow

    assert deliver(message_id, now=utcnow()).status == "skipped"
    assert "停用" in messages()[-1].last_error

"""Group robots against the local server: the zone's due list (counts and owner names only),
the city's summary, 加签 and keyword checks, the 20-a-minute limit (queued, not dropped), a
≥ 10亿 签约 alert and a new cross-zone conflict, each once per group."""

from __future__ import annotations

import logging
import urllib.parse
from datetime import date, timedelta

import pytest

from crm.channels.delivery import deliver
from crm.channels.providers import dingtalk_sign
from crm.channels.scans import insert_rows, row, scan
from crm.extensions import db
from crm.projects.models import StageEvent
from crm.reminders.periods import as_utc
from crm.targets.conflicts import detect_conflict
from crm.targets.models import Target
from tests import channel_servers as cs
from tests.channels_support import group, messages
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_enterprise, make_project, make_target, shanghai

DAY = date(2026, 10, 15)
AT = shanghai(2026, 10, 15, 9, 0)
NOW = as_utc(AT)


@pytest.fixture
def server():
    with cs.ProviderServer() as running:
        yield running


@pytest.fixture
def zones(app):
    east, west = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    zhao = make_user("staff", zone=east, display_name="赵专员")
    qian = make_user("staff", zone=west, display_name="钱专员")
    make_target(zhao, DAY, enterprise_name="保密的甲公司")
    make_target(zhao, DAY - timedelta(days=3), enterprise_name="保密的乙公司")
    make_target(qian, DAY, enterprise_name="保密的丙公司")
    return east, west, zhao, qian


def test_zone_and_city_groups_get_counts_and_owner_names_once(app, server, zones):
    east, _west, _zhao, _qian = zones
    zone_group = group(server, "wecom_robot", ["zone_due"], zone=east)
    city_group = group(server, "dingtalk_robot", ["zone_due"])
    for _tick in range(2):
        scan(now=AT)
        db.session.commit()
    rows = messages()
    assert sorted((m.dest, m.kind) for m in rows) == [
        (f"g{zone_group.id}", "zone_due"),
        (f"g{city_group.id}", "zone_due"),
    ]
    assert sorted(deliver(m.id, now=NOW).status for m in rows) == ["sent", "sent"]
    assert [deliver(m.id, now=NOW).status for m in rows] == ["done", "done"]
    (zone_text,) = [m["markdown"]["content"] for m in server.provider.messages["wecom_robot"]]
    assert "甲区今日待跟进 2 项" in zone_text and "赵专员 2 项（逾期 1）" in zone_text
    assert "钱专员" not in zone_text
    (city,) = server.provider.messages["dingtalk_robot"]
    city_text = city["markdown"]["text"]
    assert "全市今日待跟进 3 项" in city_text and "乙区" in city_text and "钱专员" in city_text
    for text in (zone_text, city_text):
        assert "保密的" not in text  # no enterprise names in a group


def test_signature_mismatch_fails_with_the_providers_reason(app, server, zones, caplog):
    caplog.set_level(logging.DEBUG)
    group(server, "dingtalk_robot", ["zone_due"], secret="SEC-wrong-secret")
    scan(now=AT)
    db.session.commit()
    (m,) = messages()
    assert deliver(m.id, now=NOW).status == "failed"
    failed = messages()[0]
    assert "310000" in failed.last_error and "sign not match" in failed.last_error
    assert server.provider.messages["dingtalk_robot"] == []
    assert "SEC-wrong-secret" not in caplog.text and cs.DING_ROBOT_TOKEN not in caplog.text


def test_sign_follows_the_documented_recipe():
    # base64(HMAC-SHA256(secret, "timestamp\nsecret")), then URL-encoded
    sign = dingtalk_sign("this is secret", 1577262236757)
    assert urllib.parse.unquote_plus(sign) == cs._sign("this is secret", "1577262236757")
    assert "=" not in sign and "+" not in sign and "/" not in sign
    assert dingtalk_sign("other secret", 1577262236757) != sign


def test_keyword_is_added_when_the_text_lacks_it(app, server, zones):
    group(server, "dingtalk_robot", ["zone_due"], keyword="周报提醒")
    scan(now=AT)
    db.session.commit()
    (m,) = messages()
    # the server's keyword is 招商 (in every title); the group's own keyword is prepended
    assert deliver(m.id, now=NOW).status == "sent"
    assert server.provider.messages["dingtalk_robot"][0]["markdown"]["text"].startswith("周报提醒")


def test_robot_limit_of_twenty_a_minute_queues_the_rest(app, server, zones):
    city = group(server, "dingtalk_robot", ["conflict"])
    rows = [
        row(
            "dingtalk_robot",
            f"g{city.id}",
            "test",
            f"test-{n}",
            AT,
            group_id=city.id,
            title="【招商引资】测试",
            body=f"**【招商引资】测试 {n}**",
        )
        for n in range(25)
    ]
    insert_rows(rows)
    db.session.commit()
    outcomes = [deliver(m.id, now=NOW).status for m in messages()]
    assert outcomes.count("sent") == 20 and outcomes.count("retry") == 5
    waiting = messages(status="retry")
    assert all("限速" in m.last_error and m.attempts == 0 for m in waiting)
    later = NOW + timedelta(seconds=61)
    server.provider.robot_times.clear()  # the provider's minute has passed too
    assert [deliver(m.id, now=later).status for m in waiting] == ["sent"] * 5
    assert len(server.provider.messages["dingtalk_robot"]) == 25


def test_provider_rate_answer_is_retried_not_dropped(app, server, zones):
    city = group(server, "wecom_robot", ["conflict"])
    insert_rows(
        [
            row(
                "wecom_robot",
                f"g{city.id}",
                "test",
                "t1",
                AT,
                group_id=city.id,
                title="t",
                body="**【招商引资】测试**",
            )
        ]
    )
    db.session.commit()
    server.provider.faults["wecom_robot"] = ["rate"]
    (m,) = messages()
    first = deliver(m.id, now=NOW)
    assert first.status == "retry" and first.later >= 60
    assert deliver(m.id, now=NOW + timedelta(seconds=61)).status == "sent"


def test_big_signing_alerts_the_city_and_zone_groups_once(app, server, zones):
    east, west, zhao, _qian = zones
    city = group(server, "wecom_robot", ["big_deal"])
    east_group = group(server, "wecom_robot", ["big_deal"], zone=east)
    group(server, "wecom_robot", ["big_deal"], zone=west)  # another zone's group: nothing
    project = make_project(
        zhao, None, name="年产十万吨新材料项目", stage="signed", contract_amount_wan=150000
    )
    small = make_project(zhao, None, name="小项目", stage="signed", contract_amount_wan=5000)
    for p in (project, small):
        db.session.add(
            StageEvent(
                project_id=p.id,
                from_stage="inspection",
                to_stage="signed",
                effective_on=DAY,
                amount_wan=p.contract_amount_wan,
            )
        )
    db.session.commit()
    rows = messages(kind="big_deal")
    assert sorted(m.dest for m in rows) == sorted([f"g{city.id}", f"g{east_group.id}"])
    for m in rows:
        assert deliver(m.id, now=NOW).status == "sent"
        assert deliver(m.id, now=NOW).status == "done"
    texts = [m["markdown"]["content"] for m in server.provider.messages["wecom_robot"]]
    assert len(texts) == 2 and all("150,000万元" in t and "签约" in t for t in texts)


def test_new_cross_zone_conflict_alerts_once(app, server, zones):
    east, west, zhao, qian = zones
    city = group(server, "wecom_robot", ["conflict"])
    enterprise = make_enterprise("争抢的丁公司")
    for owner, zone in ((zhao, east), (qian, west)):
        db.session.add(Target(enterprise_id=enterprise.id, zone_id=zone.id, owner_id=owner.id))
    db.session.commit()
    detect_conflict(enterprise, zhao)
    db.session.commit()
    detect_conflict(enterprise, zhao)  # seen again: no second alert
    db.session.commit()
    (m,) = messages(kind="conflict")
    assert m.dest == f"g{city.id}"
    assert deliver(m.id, now=NOW).status == "sent"
    text = server.provider.messages["wecom_robot"][0]["markdown"]["content"]
    assert "争抢的丁公司" in text and "甲区" in text and "乙区" in text


def test_weekly_gap_report_goes_to_each_subscribed_zone_group_once(app, server, zones):
    east, west, _zhao, _qian = zones
    east_group = group(server, "wecom_robot", ["weekly_gap"], zone=east)
    group(server, "wecom_robot", ["zone_due"], zone=west)  # not subscribed to the report
    monday = shanghai(2026, 10, 12, 9, 0)
    for _tick in range(2):
        scan(now=monday, kinds=("weekly",))
        db.session.commit()
    (m,) = messages()
    assert (m.dest, m.kind) == (f"g{east_group.id}", "weekly_gap")
    assert deliver(m.id, now=as_utc(monday)).status == "sent"
    text = server.provider.messages["wecom_robot"][0]["markdown"]["content"]
    assert "甲区指标缺口周报" in text and "乙区" not in text

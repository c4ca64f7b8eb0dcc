"""What the e-mails say: the daily list, the three weekly digests, the access scope, code
names, MIME encoding, escaping and the recipient's language."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from crm.core.audit import record_audit
from crm.extensions import db
from crm.projects.models import StageEvent
from crm.quotas.models import Quota, QuotaTier
from crm.reminders.rendering import render_digest
from crm.reminders.tasks import daily_task, weekly_task
from crm.targets.models import Conflict, ConflictZone
from tests.factories import make_user, make_zone
from tests.test_reminders_support import (  # noqa: F401 — fixtures
    frozen,
    mail_app_fixture,
    make_project,
    make_target,
    rows,
    smtp_fixture,
)

MONDAY = date(2026, 10, 12)


@pytest.fixture
def world(app):
    zone_a = make_zone(short_name="甲区", name="甲开发区")
    zone_b = make_zone(short_name="乙区", name="乙开发区")
    app.config["BASE_URL"] = "https://crm.example.cn"
    return {
        "a": zone_a,
        "b": zone_b,
        "staff": make_user("staff", zone=zone_a, display_name="赵专员"),
        "staff2": make_user("staff", zone=zone_a, display_name="孙专员"),
        "manager": make_user("manager", zone=zone_a, display_name="钱主任"),
        "staff_b": make_user("staff", zone=zone_b, display_name="周专员"),
        "city": make_user("coordinator", display_name="王统筹"),
        "viewer": make_user("viewer", display_name="李领导"),
    }


def test_daily_lists_overdue_first_with_days_late_then_today(app, world):
    staff = world["staff"]
    make_target(staff, MONDAY, enterprise_name="今日企业有限公司")
    make_target(staff, MONDAY - timedelta(days=2), enterprise_name="两天前企业有限公司")
    make_target(staff, MONDAY - timedelta(days=9), enterprise_name="九天前企业有限公司")
    make_target(staff, MONDAY + timedelta(days=1), enterprise_name="明天企业有限公司")
    make_target(staff, MONDAY, enterprise_name="已放弃企业有限公司", status="dropped")
    make_target(world["staff2"], MONDAY, enterprise_name="别人的企业有限公司")
    digest = render_digest(staff, "daily", MONDAY)
    text = digest.text
    order = [text.index(n) for n in ("九天前企业", "两天前企业", "今日企业")]
    assert order == sorted(order)
    assert "逾期 9 天" in text and "逾期 2 天" in text
    for absent in ("明天企业", "已放弃企业", "别人的企业"):
        assert absent not in text
    assert digest.subject == "【招商引资】今日跟进提醒：3 项待跟进（其中逾期 2 项）"
    links = re.findall(r'href="([^"]+)"', digest.html)
    assert links and all(link.startswith("https://crm.example.cn/") for link in links)
    assert "https://crm.example.cn/targets/" in text


def test_nothing_due_means_no_daily_email(app, world):
    make_target(world["staff"], MONDAY + timedelta(days=3))
    assert render_digest(world["staff"], "daily", MONDAY) is None
    with frozen(2026, 10, 12, 8, 30):
        daily_task.delay()
    assert rows() == []


def test_confidential_projects_appear_by_code_name_only(app, world):
    staff = world["staff"]
    project = make_project(staff, MONDAY, name="宁德某电池基地项目", code_name="青鸟")
    db.session.add(
        StageEvent(
            project_id=project.id,
            from_stage="lead",
            to_stage="contact",
            effective_on=MONDAY - timedelta(days=3),
        )
    )
    record_audit("update", "project", project.id, {"name": ["旧名", "宁德某电池基地项目"]})
    db.session.commit()
    for user, kind in ((staff, "daily"), (staff, "weekly"), (world["manager"], "weekly")):
        digest = render_digest(user, kind, MONDAY)
        assert "青鸟" in digest.text + digest.html, (user.role, kind)
        assert "宁德" not in digest.text + digest.html + digest.subject, (user.role, kind)
    city = render_digest(world["city"], "weekly", MONDAY)
    assert "青鸟" in city.text and "宁德" not in city.text + city.html


def test_digests_pass_through_the_recipients_access_scope(app, world):
    make_project(world["staff_b"], MONDAY, name="乙区保密项目", zone=world["b"])
    make_project(world["staff_b"], MONDAY - timedelta(days=5), name="乙区逾期项目", zone=world["b"])
    # a project the staff member still owns in the other zone (moved zones): out of scope
    make_project(world["staff"], MONDAY, name="越界项目", zone=world["b"])
    make_target(world["staff"], MONDAY, enterprise_name="本区企业有限公司")
    texts = [
        render_digest(world["staff"], "daily", MONDAY).text,
        render_digest(world["staff"], "weekly", MONDAY).text,
        render_digest(world["manager"], "weekly", MONDAY).text,
    ]
    for text in texts:
        assert "乙区" not in text and "越界项目" not in text
    assert "本区企业" in texts[0]
    city = render_digest(world["city"], "weekly", MONDAY).text
    assert "乙区" in city and "甲区" in city


def test_weekly_staff_digest_sections(app, world):
    staff = world["staff"]
    make_target(staff, MONDAY + timedelta(days=3), enterprise_name="本周企业有限公司")
    make_target(staff, MONDAY + timedelta(days=10), enterprise_name="下周企业有限公司")
    stale = make_target(
        staff,
        None,
        enterprise_name="停滞企业有限公司",
        last_activity_on=MONDAY - timedelta(days=45),
    )
    make_project(
        staff, None, name="停滞项目", stage="contact", stage_since=MONDAY - timedelta(days=90)
    )
    with frozen(2026, 10, 7, 10, 0):  # last week
        record_audit("update", "target", stale.id, {"priority": ["B", "A"]}, actor=world["manager"])
        db.session.commit()
    text = render_digest(staff, "weekly", MONDAY).text
    assert "本周企业" in text and "下周企业" not in text
    assert "停滞的目标企业" in text and "停滞企业" in text and "45" in text
    assert "停滞的项目" in text and "停滞项目" in text
    assert "上周您负责的记录的变更" in text and "优先级" in text and "钱主任" in text


def test_an_empty_weekly_staff_digest_is_not_sent(app, world):
    assert render_digest(world["staff2"], "weekly", MONDAY) is None


def test_weekly_manager_digest_attainment_gap_candidates_changes(app, world):
    zone = world["a"]
    quota = Quota(zone_id=zone.id, year=2026)
    quota.tiers = [
        QuotaTier(label="30亿元以上", threshold_wan=300000, required=1),
        QuotaTier(label="10亿元以上", threshold_wan=100000, required=5),
    ]
    db.session.add(quota)
    candidate = make_project(
        world["staff"],
        None,
        name="候选项目",
        stage="inspection",
        planned_total_wan=120000,
        expected_landing_on=date(2026, 12, 1),
    )
    db.session.add(
        StageEvent(
            project_id=candidate.id,
            from_stage="negotiation",
            to_stage="inspection",
            effective_on=MONDAY - timedelta(days=2),
        )
    )
    db.session.commit()
    with frozen(2026, 10, 8, 10, 0):
        make_target(world["staff2"], None, enterprise_name="新增企业有限公司")
    make_target(world["staff"], MONDAY - timedelta(days=4), enterprise_name="逾期甲有限公司")
    make_target(world["staff2"], MONDAY - timedelta(days=1), enterprise_name="逾期乙有限公司")
    digest = render_digest(world["manager"], "weekly", MONDAY)
    assert digest.subject == "【招商引资】甲开发区招商周报（10.12–10.18）"
    text = digest.text
    assert "30亿元以上：目标 1，已完成 0，缺口 1" in text
    assert "10亿元以上：目标 5，已完成 0，缺口 5；后期候选项目：候选项目" in text
    assert "候选项目：洽谈 → 考察" in text
    assert "新增企业" in text
    assert "赵专员（1）" in text and "孙专员（1）" in text
    assert "逾期甲" in text and "逾期 4 天" in text


def test_weekly_city_digest_zones_side_by_side_and_conflicts(app, world):
    from crm.enterprises.models import Enterprise

    make_target(world["staff"], MONDAY - timedelta(days=1))
    enterprise = db.session.get(Enterprise, make_target(world["staff_b"], None).enterprise_id)
    conflict = Conflict(enterprise_id=enterprise.id, reason="两区同时跟进")
    db.session.add(conflict)
    db.session.flush()
    for zone in (world["a"], world["b"]):
        db.session.add(ConflictZone(conflict_id=conflict.id, zone_id=zone.id))
    db.session.commit()
    for user in (world["city"], world["viewer"]):
        digest = render_digest(user, "weekly", MONDAY)
        assert digest.variant == "weekly_city"
        assert "甲区：" in digest.text and "乙区：" in digest.text
        assert "逾期跟进 1" in digest.text
        assert f"{enterprise.name}：甲区、乙区" in digest.text
        assert "产业链薄弱环节" in digest.text  # the chain maps area is installed


def test_mime_headers_are_encoded_and_parts_complete(app, world, mail_app):
    staff = world["staff"]
    staff.display_name = "赵专员\r\nBcc: evil@example.com"
    db.session.commit()
    make_target(staff, MONDAY, enterprise_name='<script>alert(1)</script>" onmouseover=x')
    with frozen(2026, 10, 12, 8, 30):
        daily_task.delay()
    (message,) = mail_app.messages
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower()  # RFC 2047 encoded headers
    assert message["Subject"].startswith("【招商引资】今日跟进提醒")
    assert "Bcc" not in message  # the CR/LF was stripped: no header was injected
    assert [a.addr_spec for a in message["To"].addresses] == [staff.email]
    assert mail_app.envelopes[0][1] == [staff.email]  # exactly the intended recipient
    assert message["To"].addresses[0].display_name == "赵专员Bcc: evil@example.com"
    assert message["From"].addresses[0].display_name == "招商引资管理平台"
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&#34; onmouseover=x" in html or "&quot; onmouseover=x" in html
    assert 'style="' in html
    assert "<script>alert(1)</script>" in text  # plain text is not HTML


def test_the_recipients_language_is_used(app, world):
    staff = world["staff"]
    make_target(staff, MONDAY)
    assert 'lang="zh-CN"' in render_digest(staff, "daily", MONDAY).html
    staff.locale = "en"
    db.session.commit()
    digest = render_digest(staff, "daily", MONDAY)
    assert digest.locale == "en" and 'lang="en"' in digest.html


def test_weekly_task_sends_each_role_its_digest(app, world, mail_app):
    make_target(world["staff"], MONDAY + timedelta(days=1))
    with frozen(2026, 10, 12, 8, 0):
        weekly_task.delay()
    subjects = sorted(str(m["Subject"]) for m in mail_app.messages)
    assert subjects == sorted(
        [
            "【招商引资】个人工作周报（10.12–10.18）",  # staff with a follow-up this week
            "【招商引资】甲开发区招商周报（10.12–10.18）",
            "【招商引资】全市招商周报（10.12–10.18）",
            "【招商引资】全市招商周报（10.12–10.18）",
        ]
    )  # staff with nothing to report get nothing; zone B's manager does not exist


def test_shared_sections_give_the_same_digests_as_fresh_ones(app, world):
    quota = Quota(zone_id=world["a"].id, year=2026)
    quota.tiers = [QuotaTier(label="10亿元以上", threshold_wan=100000, required=2)]
    db.session.add(quota)
    db.session.commit()
    make_project(
        world["staff"],
        MONDAY - timedelta(days=1),
        name="候选项目",
        stage="inspection",
        planned_total_wan=120000,
        expected_landing_on=date(2026, 12, 1),
    )
    for user in (world["manager"], world["city"], world["viewer"], world["city"]):
        shared = render_digest(user, "weekly", MONDAY, shared=True)
        fresh = render_digest(user, "weekly", MONDAY)
        assert shared.text == fresh.text and shared.html == fresh.html
    assert "候选项目" in render_digest(world["manager"], "weekly", MONDAY, shared=True).text

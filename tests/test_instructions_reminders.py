"""A leader's instruction to a zone reaches the assignee's daily reminder, is answered and
closed; open ones appear in the manager's and the city's weekly digests (overdue in red)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from crm.extensions import db
from crm.instructions import services
from crm.reminders.rendering import render_digest
from tests.factories import make_user, make_zone
from tests.test_reminders_support import frozen, make_target

MONDAY = date(2026, 10, 12)


@pytest.fixture(autouse=True)
def clock():
    with frozen(2026, 10, 12, 8, 30):
        yield


@pytest.fixture
def world(app):
    a = make_zone(short_name="甲区", name="甲开发区")
    b = make_zone(short_name="乙区", name="乙开发区")
    app.config["BASE_URL"] = "https://crm.example.cn"
    return {
        "a": a,
        "b": b,
        "leader": make_user("viewer", display_name="李领导"),
        "city": make_user("coordinator", display_name="王统筹"),
        "manager": make_user("manager", zone=a, display_name="钱主任"),
        "staff": make_user("staff", zone=a, display_name="赵专员"),
        "staff2": make_user("staff", zone=a, display_name="孙专员"),
        "manager_b": make_user("manager", zone=b, display_name="吴主任"),
    }


def issue(world, zone="a", **kwargs):
    values = {"content": "请梳理本区重点项目用地需求", "due_on": MONDAY + timedelta(days=3)}
    values.update(kwargs)
    instruction = services.create_instruction(world["leader"], "zone", world[zone], **values)
    db.session.commit()
    return instruction


def test_an_instruction_to_a_zone_reaches_the_assignee_is_answered_and_closed(app, world):
    instruction = issue(world, assignee_id=world["staff"].id)
    digest = render_digest(world["staff"], "daily", MONDAY)
    assert digest is not None, "nothing else is due: the instruction alone makes the e-mail"
    assert "待办理的批示" in digest.text and "请梳理本区重点项目用地需求" in digest.text
    assert "李领导" in digest.text and "2026-10-15" in digest.text
    assert f"https://crm.example.cn/instructions/{instruction.id}" in digest.text
    assert f'data-instruction="{instruction.id}"' in digest.html
    assert digest.subject == "【招商引资】今日跟进提醒：1 项待跟进"
    assert render_digest(world["staff2"], "daily", MONDAY) is None  # named to someone else
    assert render_digest(world["manager_b"], "daily", MONDAY) is None  # another zone

    services.add_report(instruction, world["staff"], "已召集专班摸排", MONDAY)
    db.session.commit()
    assert "请梳理本区" in render_digest(world["staff"], "daily", MONDAY).text  # still open
    services.close_instruction(instruction, world["leader"], "同意办结")
    db.session.commit()
    assert render_digest(world["staff"], "daily", MONDAY) is None


def test_an_overdue_instruction_is_counted_overdue_and_red(app, world):
    instruction = issue(world)
    instruction.due_on = MONDAY - timedelta(days=4)
    db.session.commit()
    make_target(world["manager"], MONDAY, enterprise_name="今日企业有限公司")
    digest = render_digest(world["manager"], "daily", MONDAY)  # nobody named: the manager's
    assert digest.subject == "【招商引资】今日跟进提醒：2 项待跟进（其中逾期 1 项）"
    assert "逾期 4 天" in digest.text and "今日企业" in digest.text
    assert "#b91c1c" in digest.html.split("待办理的批示")[0][-300:]


def test_the_managers_weekly_digest_lists_the_zones_open_instructions(app, world):
    late = issue(world, content="逾期的批示")
    late.due_on = MONDAY - timedelta(days=1)
    issue(world, zone="b", content="乙区的批示")
    db.session.commit()
    digest = render_digest(world["manager"], "weekly", MONDAY)
    assert "督办中的批示" in digest.text and "逾期的批示" in digest.text
    assert "乙区的批示" not in digest.text
    assert "未办结 1 件，其中逾期 1 件" in digest.html
    city = render_digest(world["city"], "weekly", MONDAY)
    assert "逾期的批示" in city.text and "乙区的批示" in city.text


def _queries(fn) -> int:
    statements = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_daily_costs_the_same_queries_for_one_or_many_instructions(app, world):
    issue(world, assignee_id=world["staff"].id)
    render_digest(world["staff"], "daily", MONDAY)  # warm up (settings, templates)
    db.session.expire_all()
    one = _queries(lambda: render_digest(world["staff"], "daily", MONDAY))
    for n in range(6):
        issue(world, assignee_id=world["staff"].id, content=f"第{n}件")
    db.session.expire_all()
    many = _queries(lambda: render_digest(world["staff"], "daily", MONDAY))
    assert many == one


def test_the_daily_scan_sends_to_an_assignee_with_only_instructions(app, world):
    from crm.reminders.scans import daily_candidates

    issue(world, assignee_id=world["staff"].id)
    issue(world, zone="b")  # nobody named: the zone's manager
    done = issue(world, assignee_id=world["staff2"].id)
    services.close_instruction(done, world["leader"])
    db.session.commit()
    assert {u.id for u in daily_candidates(MONDAY)} == {world["staff"].id, world["manager_b"].id}


def test_the_daily_tick_puts_the_assignees_e_mail_in_the_outbox(app, world):
    from crm.reminders.tasks import daily_task
    from tests.test_reminders_support import rows

    issue(world, assignee_id=world["staff"].id)
    daily_task.delay()
    daily = [r for r in rows() if r.kind == "daily"]
    assert [r.recipient_id for r in daily] == [world["staff"].id]

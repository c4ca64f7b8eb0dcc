"""批示 rules: who writes, who answers, who closes and reopens, what each user sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.core.access import scoped_select
from crm.core.models import AuditLog
from crm.extensions import db
from crm.instructions import queries, services
from crm.instructions.models import Instruction
from crm.instructions.services import InstructionError
from tests.factories import make_user, make_zone
from tests.test_reminders_support import frozen, make_project, make_target

TODAY = date(2026, 10, 12)


@pytest.fixture(autouse=True)
def clock():
    with frozen(2026, 10, 12, 9, 0):
        yield


@pytest.fixture
def world(app):
    a, b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    people = {
        "a": a,
        "b": b,
        "leader": make_user("viewer", display_name="李领导"),
        "leader2": make_user("viewer", display_name="张领导"),
        "city": make_user("coordinator", display_name="王统筹"),
        "admin": make_user("admin"),
        "manager": make_user("manager", zone=a, display_name="钱主任"),
        "staff": make_user("staff", zone=a, display_name="赵专员"),
        "staff2": make_user("staff", zone=a, display_name="孙专员"),
        "staff_b": make_user("staff", zone=b, display_name="周专员"),
    }
    return people


def issue(world, actor="leader", subject="zone", record=None, **kwargs):
    values = {"content": "请尽快梳理用地需求", "due_on": TODAY + timedelta(days=7)}
    values.update(kwargs)
    instruction = services.create_instruction(
        world[actor], subject, record or world["a"], today=TODAY, **values
    )
    db.session.commit()
    return instruction


def test_a_leader_writes_an_instruction_on_a_zone_and_it_is_audited(world):
    instruction = issue(world, assignee_id=world["staff"].id)
    assert instruction.status == "pending" and instruction.zone_id == world["a"].id
    assert instruction.issued_by_id == world["leader"].id
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "instruction")).one()
    assert entry.action == "create" and entry.actor_id == world["leader"].id
    assert entry.changes["assignee_id"] == world["staff"].id


def test_a_coordinator_writes_on_a_project_and_the_project_zone_handles_it(world):
    project = make_project(world["staff"], None)
    instruction = issue(world, "city", "project", project)
    assert (instruction.project_id, instruction.zone_id) == (project.id, world["a"].id)


def test_a_city_pool_target_needs_a_zone_chosen(world):
    target = make_target(world["city"], None, zone_id=None)
    with pytest.raises(InstructionError) as exc:
        issue(world, subject="target", record=target)
    assert exc.value.field == "zone_id"
    db.session.rollback()
    instruction = issue(world, subject="target", record=target, zone_id=world["b"].id)
    assert instruction.zone_id == world["b"].id


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_only_leaders_and_coordinators_issue(world, role):
    actor = {"staff": "staff", "manager": "manager", "admin": "admin"}[role]
    with pytest.raises(InstructionError):
        issue(world, actor)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"content": "   "}, "content"),
        ({"content": "长" * 2001}, "content"),
        ({"due_on": None}, "due_on"),
        ({"due_on": TODAY - timedelta(days=1)}, "due_on"),
        ({"due_on": date(9999, 12, 31)}, "due_on"),
        ({"assignee_id": 2**40}, "assignee_id"),
        ({"assignee_id": -1}, "assignee_id"),
    ],
)
def test_bad_input_is_refused_with_the_field(world, values, field):
    with pytest.raises(InstructionError) as exc:
        issue(world, **values)
    assert exc.value.field == field


def test_an_assignee_of_another_zone_is_refused(world):
    with pytest.raises(InstructionError) as exc:
        issue(world, assignee_id=world["staff_b"].id)
    assert exc.value.field == "assignee_id" and "承办开发区" in str(exc.value)


def test_a_project_instruction_cannot_move_to_another_zone(world):
    project = make_project(world["staff"], None)
    with pytest.raises(InstructionError) as exc:
        issue(world, "city", "project", project, zone_id=world["b"].id)
    assert exc.value.field == "zone_id"


def test_the_due_day_itself_is_accepted_and_overdue_only_after(world):
    instruction = issue(world, due_on=TODAY)
    assert not instruction.is_overdue(TODAY)
    assert instruction.is_overdue(TODAY + timedelta(days=1))


def test_the_named_assignee_and_the_zone_manager_report_others_do_not(world):
    instruction = issue(world, assignee_id=world["staff"].id)
    for name in ("staff", "manager"):
        assert services.may_report(instruction, world[name])
    for name in ("staff2", "staff_b", "leader", "city", "admin"):
        assert not services.may_report(instruction, world[name])
    with pytest.raises(InstructionError):
        services.add_report(instruction, world["staff2"], "我来办", today=TODAY)


def test_with_only_the_zone_named_its_staff_and_managers_report(world):
    instruction = issue(world)
    assert services.may_report(instruction, world["staff2"])
    assert not services.may_report(instruction, world["staff_b"])


def test_a_report_moves_it_to_in_progress_dated_and_audited(world):
    instruction = issue(world, assignee_id=world["staff"].id)
    services.add_report(instruction, world["staff"], "已对接企业", TODAY, today=TODAY)
    db.session.commit()
    assert instruction.status == "in_progress"
    (entry,) = instruction.entries
    assert (entry.kind, entry.reported_on, entry.note) == ("report", TODAY, "已对接企业")
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "instruction")
    ).all()
    assert actions == ["create", "report"]


@pytest.mark.parametrize(
    ("note", "on", "field"),
    [("", None, "note"), ("好", TODAY + timedelta(days=1), "reported_on")],
)
def test_a_bad_report_is_refused(world, note, on, field):
    instruction = issue(world)
    with pytest.raises(InstructionError) as exc:
        services.add_report(instruction, world["staff"], note, on, today=TODAY)
    assert exc.value.field == field


def test_only_the_issuer_or_a_coordinator_closes_and_reopens(world):
    instruction = issue(world)
    for name in ("leader2", "manager", "staff", "admin"):
        with pytest.raises(InstructionError):
            services.close_instruction(instruction, world[name], today=TODAY)
    services.close_instruction(instruction, world["leader"], "办结", today=TODAY)
    db.session.commit()
    assert instruction.status == "closed" and instruction.closed_at is not None
    assert not services.may_report(instruction, world["staff"])
    with pytest.raises(InstructionError):
        services.add_report(instruction, world["staff"], "补充", today=TODAY)
    with pytest.raises(InstructionError):
        services.close_instruction(instruction, world["leader"], today=TODAY)
    with pytest.raises(InstructionError):
        services.reopen_instruction(instruction, world["leader2"], today=TODAY)
    services.reopen_instruction(instruction, world["leader"], "还需补充材料", today=TODAY)
    db.session.commit()
    assert instruction.status == "pending" and instruction.closed_at is None
    services.close_instruction(instruction, world["city"], today=TODAY)  # any coordinator
    db.session.commit()
    assert [e.kind for e in instruction.entries] == ["close", "reopen", "close"]


def test_reopening_an_answered_instruction_goes_back_to_in_progress(world):
    instruction = issue(world)
    services.add_report(instruction, world["staff"], "已办", today=TODAY)
    services.close_instruction(instruction, world["leader"], today=TODAY)
    services.reopen_instruction(instruction, world["city"], today=TODAY)
    assert instruction.status == "in_progress"


def test_zone_users_see_their_zone_city_roles_all(world):
    mine = issue(world)
    theirs = issue(world, record=world["b"])
    seen = set(db.session.scalars(scoped_select(Instruction, world["staff"])))
    assert seen == {mine}
    for name in ("leader", "city", "admin"):
        assert set(db.session.scalars(scoped_select(Instruction, world[name]))) == {mine, theirs}


def test_the_daily_items_reach_the_named_assignee_or_the_zone_manager(world):
    named = issue(world, assignee_id=world["staff"].id, due_on=TODAY)
    unnamed = issue(world, due_on=TODAY + timedelta(days=3))
    issue(world, record=world["b"])
    later = TODAY + timedelta(days=2)
    assert [i.id for i in queries.assigned_to(world["staff"], later)] == [named.id]
    assert queries.assigned_to(world["staff"], later)[0].days_late == 2
    assert [i.id for i in queries.assigned_to(world["manager"], later)] == [unnamed.id]
    assert queries.assigned_to(world["staff2"], later) == []
    assert queries.assigned_to(world["leader"], later) == []


def test_counts_and_the_filters(world):
    late = issue(world, due_on=TODAY)
    issue(world, due_on=TODAY + timedelta(days=9))
    done = issue(world, record=world["b"])
    services.close_instruction(done, world["leader"], today=TODAY)
    db.session.commit()
    later = TODAY + timedelta(days=1)
    assert queries.counts(world["city"], later) == (2, 1)
    assert queries.counts(world["staff_b"], later) == (0, 0)
    overdue = db.session.scalars(queries.filtered(world["city"], overdue=True, today=later))
    assert list(overdue) == [late]
    closed = db.session.scalars(queries.filtered(world["city"], "closed", today=later))
    assert list(closed) == [done]

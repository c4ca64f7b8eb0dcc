"""批示 pages: the form on project, target and zone pages, the list and its filters, the
detail with its timeline, scoping (404) and bad input answered without a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions import services
from crm.instructions.models import Instruction
from tests.conftest import login, post
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_project, make_target


@pytest.fixture
def world(app):
    a, b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    return {
        "a": a,
        "b": b,
        "leader": make_user("viewer", display_name="李领导"),
        "city": make_user("coordinator", display_name="王统筹"),
        "manager": make_user("manager", zone=a, display_name="钱主任"),
        "staff": make_user("staff", zone=a, display_name="赵专员"),
        "staff_b": make_user("staff", zone=b, display_name="周专员"),
    }


def issue(world, record=None, subject="zone", **kwargs) -> Instruction:
    values = {"content": "请梳理用地需求", "due_on": local_today() + timedelta(days=5)}
    values.update(kwargs)
    instruction = services.create_instruction(
        world["leader"], subject, record or world["a"], **values
    )
    db.session.commit()
    return instruction


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Instruction))


def test_a_leader_sees_the_button_on_a_project_and_writes_an_instruction(world, client, login_as):
    project = make_project(world["staff"], None, name="锂电池项目")
    login_as(world["leader"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="instructions-section"' in page and 'data-testid="instruct"' in page
    form = client.get(f"/instructions/new/project/{project.id}")
    assert form.status_code == 200 and "赵专员" in form.get_data(as_text=True)
    due = (local_today() + timedelta(days=10)).isoformat()
    response = post(
        client,
        f"/instructions/new/project/{project.id}",
        {"content": "请倒排工期", "due_on": due, "assignee_id": str(world["staff"].id)},
    )
    assert response.status_code == 302
    instruction = db.session.scalars(select(Instruction)).one()
    assert instruction.project_id == project.id and instruction.assignee_id == world["staff"].id
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请倒排工期" in detail and "锂电池项目" in detail
    assert "请倒排工期" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_zone_users_see_the_section_without_the_button(world, client, login_as):
    project = make_project(world["staff"], None)
    issue(world, project, "project")
    login_as(world["staff"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "请梳理用地需求" in page and 'data-testid="instruct"' not in page


def test_a_target_page_has_the_section(world, client, login_as):
    target = make_target(world["staff"], None)
    login_as(world["city"])
    page = client.get(f"/targets/{target.id}").get_data(as_text=True)
    assert f"/instructions/new/target/{target.id}" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"content": "", "due_on": "+5"}, "请填写批示内容"),
        ({"content": "督办甲", "due_on": "2020-01-01"}, "时限不能早于今天"),
        ({"content": "督办乙", "due_on": "明天"}, "日期格式不正确"),
        ({"content": "督办丙", "due_on": ""}, "请填写时限"),
        ({"content": "督办丁", "due_on": "+5", "assignee_id": "99999999999999"}, "请选择承办人"),
        ({"content": "督办戊", "due_on": "+5", "assignee_id": "other"}, "承办开发区的在岗人员"),
        ({"content": "督办己", "due_on": "+5", "zone_id": "abc"}, "该事项由甲区承办"),
    ],
)
def test_form_errors_keep_the_input(world, client, login_as, data, message):
    data = dict(data)
    if data.get("due_on") == "+5":
        data["due_on"] = (local_today() + timedelta(days=5)).isoformat()
    if data.get("assignee_id") == "other":
        data["assignee_id"] = str(world["staff_b"].id)
    login_as(world["leader"])
    response = post(client, f"/instructions/new/zone/{world['a'].id}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if data["content"]:
        assert data["content"] in page  # what was typed stays
    assert count() == 0


def test_a_city_pool_target_asks_for_the_zone(world, client, login_as):
    target = make_target(world["city"], None, zone_id=None)
    login_as(world["leader"])
    due = (local_today() + timedelta(days=5)).isoformat()
    url = f"/instructions/new/target/{target.id}"
    response = post(client, url, {"content": "请接洽", "due_on": due})
    assert response.status_code == 400 and "请选择承办开发区" in response.get_data(as_text=True)
    response = post(client, url, {"content": "请接洽", "due_on": due, "zone_id": world["b"].id})
    assert response.status_code == 302 and count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/instructions/new/enterprise/1",
        "/instructions/new/project/2147483647",
        "/instructions/new/zone/99999999999999999999",
        "/instructions/99999999999999999999",
        "/instructions/2147483647",
    ],
)
def test_unknown_records_and_huge_ids_answer_404(world, client, login_as, path):
    login_as(world["leader"])
    assert client.get(path).status_code == 404


def test_another_zones_instruction_answers_404(world, client, login_as):
    theirs = issue(world, world["b"])
    login_as(world["staff"])
    assert client.get(f"/instructions/{theirs.id}").status_code == 404
    response = post(client, f"/instructions/{theirs.id}/report", {"note": "x"})
    assert response.status_code == 404
    assert "请梳理用地需求" not in client.get("/instructions/").get_data(as_text=True)


def signed_in(app, user):
    other = app.test_client()
    assert login(other, user).status_code == 302
    return other


def test_the_assignee_reports_and_the_issuer_closes_and_reopens(app, world):
    instruction = issue(world, assignee_id=world["staff"].id)
    url = f"/instructions/{instruction.id}"
    staff = signed_in(app, world["staff"])
    page = staff.get(url).get_data(as_text=True)
    assert 'data-testid="report-form"' in page and 'data-testid="close-form"' not in page
    late = post(staff, f"{url}/report", {"note": "已完成摸排", "reported_on": "2999-01-01"})
    assert late.status_code == 400 and "已完成摸排" in late.get_data(as_text=True)
    empty = post(staff, f"{url}/report", {"note": "  "})
    assert empty.status_code == 400 and "请填写办理情况" in empty.get_data(as_text=True)
    assert post(staff, f"{url}/report", {"note": "已完成摸排"}).status_code == 302
    assert post(staff, f"{url}/close").status_code == 403

    other_leader = signed_in(app, make_user("viewer"))
    refused = post(other_leader, f"{url}/close", {"note": ""})
    assert refused.status_code == 400
    assert "只有批示人或市级统筹可以办结" in refused.get_data(as_text=True)

    leader = signed_in(app, world["leader"])
    page = leader.get(url).get_data(as_text=True)
    assert "已完成摸排" in page and 'data-testid="entry-report"' in page
    assert post(leader, f"{url}/close", {"note": "同意"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Instruction, instruction.id).status == "closed"
    assert post(leader, f"{url}/close", {"note": ""}).status_code == 400  # said, not a 500
    assert post(staff, f"{url}/report", {"note": "补充"}).status_code == 400
    assert post(leader, f"{url}/reopen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Instruction, instruction.id).status == "in_progress"


def test_the_list_filters_and_marks_overdue_in_red(world, client, login_as):
    late = issue(world, content="逾期的批示", due_on=local_today())
    late.due_on = local_today() - timedelta(days=2)
    issue(world, world["b"], content="乙区的批示")
    done = issue(world, content="办结的批示")
    services.close_instruction(done, world["leader"])
    db.session.commit()
    login_as(world["city"])
    page = client.get("/instructions/").get_data(as_text=True)
    assert page.count('data-testid="instruction-row"') == 3
    assert "table-danger" in page and "逾期 2 天" in page
    overdue = client.get("/instructions/?overdue=1").get_data(as_text=True)
    assert "逾期的批示" in overdue and "乙区的批示" not in overdue
    by_zone = client.get(f"/instructions/?zone={world['b'].id}").get_data(as_text=True)
    assert "乙区的批示" in by_zone and "逾期的批示" not in by_zone
    closed = client.get("/instructions/?state=closed").get_data(as_text=True)
    assert "办结的批示" in closed and "逾期的批示" not in closed
    for odd in ("?state=bogus", "?zone=99999999999999999", "?page=-5&per_page=10000000"):
        assert client.get("/instructions/" + odd).status_code == 200


def test_dashboards_show_overdue_instructions_in_red(world, client, login_as):
    late = issue(world, content="逾期的批示")
    late.due_on = local_today() - timedelta(days=1)
    issue(world, world["b"], content="乙区的批示")
    db.session.commit()
    login_as(world["leader"])
    city = client.get("/dashboard/city").get_data(as_text=True)
    assert 'data-testid="instructions-panel"' in city and 'data-overdue="1"' in city
    assert "逾期的批示" in city and "乙区的批示" in city
    zone_page = client.get(f"/dashboard/zones/{world['b'].id}").get_data(as_text=True)
    assert "乙区的批示" in zone_page and "逾期的批示" not in zone_page
    assert f"/instructions/new/zone/{world['b'].id}" in zone_page


def test_the_zone_dashboard_of_a_zone_user_lists_its_instructions(world, client, login_as):
    late = issue(world, content="逾期的批示")
    late.due_on = local_today() - timedelta(days=1)
    db.session.commit()
    login_as(world["manager"])
    page = client.get("/").get_data(as_text=True)
    assert "逾期的批示" in page and 'data-overdue="1"' in page
    assert "/instructions/new/zone/" not in page


def test_the_list_is_390px_friendly(world, client, login_as):
    issue(world)
    login_as(world["staff"])
    page = client.get("/instructions/").get_data(as_text=True)
    assert "table-responsive" in page and "col-6" in page


def test_the_audit_log_names_instruction_entries(world, client, login_as):
    instruction = issue(world, assignee_id=world["staff"].id)
    services.add_report(instruction, world["staff"], "已对接")
    db.session.commit()
    login_as(make_user("admin"))
    page = client.get("/admin/audit?entity=批示").get_data(as_text=True)
    assert "办理情况" in page and "承办人" in page and "赵专员" in page

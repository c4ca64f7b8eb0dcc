"""The 月度进展 card on the project page: entry, errors that keep the input, scoping (another
zone's project 404, a viewer reads only), and the readers: the monthly report's 本期 / 累计
rows, 资金到位率 on the dashboard, the demo months."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from crm.core.period_lock import lock_period
from crm.extensions import db
from crm.progress.models import MonthlyProgress
from crm.progress.recording import current_rows, save_progress
from crm.projects.models import Project
from tests.conftest import post
from tests.test_dashboard_data import YEAR, client_of, make_plan, new_project, signed
from tests.test_progress_services import P1, P2, figures


@pytest.fixture
def world(app):
    zones, people = make_plan()
    copper = signed(people["gxq_staff"], "铜箔项目", 100000, on=date(YEAR, 1, 1))
    talks = new_project(people["gxq_staff"], "在谈项目", 20000)
    db.session.commit()
    return {"people": people, "zones": zones, "copper": copper, "talks": talks}


def form(**values):
    base = {
        "period": P1,
        "month_investment_wan": "500",
        "total_investment_wan": "",
        "month_funds_wan": "0.02亿",
        "total_funds_wan": "",
        "image_progress": "主体封顶",
        "problems": "",
        "coordination": "",
        "note": "",
    }
    return {**base, **values}


def test_staff_enter_a_month_on_the_project_page(world, app):
    staff, copper = world["people"]["gxq_staff"], world["copper"]
    client = client_of(app, staff)
    page = client.get(f"/projects/{copper.id}").get_data(as_text=True)
    assert 'data-testid="progress-form"' in page and "还没有填报月度进展" in page
    response = post(client, f"/progress/projects/{copper.id}", form(), f"/projects/{copper.id}")
    assert response.status_code == 302 and response.location.endswith("#progress")
    rows = current_rows(copper.id)
    assert [(r.period, r.total_investment_wan, r.total_funds_wan) for r in rows] == [(P1, 500, 200)]
    page = client.get(f"/projects/{copper.id}").get_data(as_text=True)
    assert "主体封顶" in page and "月度进展已保存" in page
    assert 'data-testid="progress-rate">0.2%' in page  # 200万元 / 合同 100000万元
    db.session.expire_all()
    assert db.session.get(Project, copper.id).actual_in_place_wan == 200


def test_a_refused_month_keeps_what_was_typed_and_says_why(world, app):
    staff, copper = world["people"]["gxq_staff"], world["copper"]
    save_progress(copper, P2, figures(1000, 1000, 100, 100), staff)
    db.session.commit()
    client = client_of(app, staff)
    bad = form(month_investment_wan="500", total_investment_wan="1800", image_progress="保留的文字")
    response = post(client, f"/progress/projects/{copper.id}", bad, f"/projects/{copper.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "累计完成投资应为上月累计 1000万元 + 本月 500万元 = 1500万元，填写的是 1800万元" in page
    assert 'value="1800"' in page and "保留的文字" in page
    for typed, reason in (("-3", "负数"), ("约500", "确切数字")):
        response = post(
            client, f"/progress/projects/{copper.id}", form(month_funds_wan=typed),
            f"/projects/{copper.id}",
        )  # fmt: skip
        assert response.status_code == 400 and reason in response.get_data(as_text=True)
    response = post(client, f"/progress/projects/{copper.id}", form(period="2026年13月"))
    assert response.status_code == 400 and "无法识别的月份" in response.get_data(as_text=True)
    assert len(current_rows(copper.id)) == 1


def test_a_locked_month_is_corrected_as_a_new_version(world, app):
    people, copper = world["people"], world["copper"]
    save_progress(copper, P1, figures(500, 500, 100, 100), people["gxq_staff"])
    lock_period(copper.zone_id, P1, people["city"].id)
    db.session.commit()
    client = client_of(app, people["gxq_manager"])
    data = form(month_investment_wan="600", month_funds_wan="100", note="统计局核定")
    post(client, f"/progress/projects/{copper.id}", data, f"/projects/{copper.id}")
    page = client.get(f"/projects/{copper.id}").get_data(as_text=True)
    assert "已锁定" in page and "第 2 版" in page
    versions = db.session.scalar(select(func.count()).select_from(MonthlyProgress))
    assert versions == 2


def test_scoping_another_zone_404_a_viewer_reads_only_unsigned_has_no_form(world, app):
    people, copper, talks = world["people"], world["copper"], world["talks"]
    other = client_of(app, people["jkq_manager"])
    assert other.get(f"/projects/{copper.id}").status_code == 404
    response = post(other, f"/progress/projects/{copper.id}", form())
    assert response.status_code == 404
    response = post(client_of(app, people["viewer"]), f"/progress/projects/{copper.id}", form())
    assert response.status_code == 403
    viewer_page = client_of(app, people["viewer"]).get(f"/projects/{copper.id}")
    assert 'data-testid="progress"' in viewer_page.get_data(as_text=True)
    assert 'data-testid="progress-form"' not in viewer_page.get_data(as_text=True)
    staff = client_of(app, people["gxq_staff"])
    assert 'data-testid="progress"' not in staff.get(f"/projects/{talks.id}").get_data(as_text=True)
    response = post(staff, f"/progress/projects/{talks.id}", form(), f"/projects/{talks.id}")
    assert response.status_code == 400 and "签约后" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MonthlyProgress)) == 0


def test_the_project_page_reads_its_months_in_fixed_statements(world, app):
    staff, copper = world["people"]["gxq_staff"], world["copper"]
    client = client_of(app, staff)

    def statements() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/projects/{copper.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    save_progress(copper, P2, figures(100, 100, 10, 10), staff)
    db.session.commit()
    one = statements()
    save_progress(copper, P1, figures(100, 200, 10, 20), staff)
    db.session.commit()
    assert statements() == one


def test_the_monthly_report_and_the_dashboard_read_progress(world, app):
    people, copper = world["people"], world["copper"]
    save_progress(copper, P2, figures(20000, 20000, 5000, 5000), people["gxq_staff"])
    save_progress(copper, P1, figures(10000, 30000, 15000, 20000), people["gxq_staff"])
    db.session.commit()
    city = client_of(app, people["city"])
    html = city.get(f"/dashboard/reports/monthly?month={P1}").get_data(as_text=True)
    row = html[html.index("完成投资（固定资产投资）") :][:400]
    this_year = P2[:4] == P1[:4]
    assert ">1.00<" in row and (">3.00<" if this_year else ">1.00<") in row
    funds = html[html.index("<td>实际到位资金</td>") :][:300]
    assert ">1.50<" in funds
    earlier = city.get(f"/dashboard/reports/monthly?month={P2}").get_data(as_text=True)
    assert ">0.50<" in earlier[earlier.index("<td>实际到位资金</td>") :][:300]
    board = client_of(app, people["gxq_manager"]).get("/").get_data(as_text=True)
    if P1[:4] == str(YEAR):
        rate = board[board.index('data-testid="funds-rate"') :][:60]
        assert "20.0%" in rate  # 20000 / 100000


def test_the_demo_gives_signed_projects_months(app):
    from crm.progress.demo import load_demo_progress
    from crm.projects.demo import load_demo_projects
    from tests.test_projects_demo import _demo_people

    _demo_people()
    load_demo_projects()
    db.session.commit()
    before = {p.id: p.actual_in_place_wan for p in db.session.scalars(select(Project))}
    created = load_demo_progress()
    db.session.commit()
    assert created > 0 and load_demo_progress() == 0  # a second run adds nothing
    reporting = set(db.session.scalars(select(MonthlyProgress.project_id)))
    for project in db.session.scalars(select(Project).where(Project.id.in_(reporting))):
        assert project.actual_in_place_wan == before[project.id]  # 资金到位率 keeps its story
        rows = current_rows(project.id)
        assert rows[-1].total_funds_wan == project.actual_in_place_wan


def test_once_a_project_reports_its_in_place_figure_is_kept_by_progress(world, app):
    from tests.test_projects_views import _edit_data

    people, copper = world["people"], world["copper"]
    client = client_of(app, people["gxq_manager"])
    edit = client.get(f"/projects/{copper.id}/edit").get_data(as_text=True)
    assert 'name="actual_in_place_wan"' in edit  # no months yet: typed on the form
    save_progress(copper, P1, figures(500, 500, 300, 300), people["gxq_staff"])
    db.session.commit()
    edit = client.get(f"/projects/{copper.id}/edit").get_data(as_text=True)
    assert 'name="actual_in_place_wan"' not in edit and "由月度进展的累计到位资金维护" in edit
    db.session.expire_all()
    project = db.session.get(Project, copper.id)
    data = _edit_data(project, next_step="办理规划许可", actual_in_place_wan="9999")
    assert post(client, f"/projects/{copper.id}/edit", data).status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, copper.id)
    assert (project.next_step, project.actual_in_place_wan) == ("办理规划许可", 300)

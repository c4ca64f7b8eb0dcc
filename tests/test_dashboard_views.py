"""Dashboards: the zone's (home of managers and staff) and the city's league; scoping, the year
selector, what the quota numbers are made of, and the indicators."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Blueprint
from sqlalchemy import select

from crm.core.access import allow
from crm.dashboard.queries import indicators
from crm.extensions import db
from crm.projects.models import Project
from tests.test_dashboard_data import (
    YEAR,
    client_of,
    make_plan,
    move,
    new_project,
    signed,
)


@pytest.fixture
def plan(app):
    return make_plan()


def achieved(html: str) -> list[int]:
    """The achieved count of each tier row, highest tier first."""
    return [int(n) for n in re.findall(r'data-testid="tier-achieved">(\d+)<', html)]


def test_a_manager_lands_on_the_zone_dashboard_and_sees_the_tier_count_move(app, plan):
    zones, people = plan
    manager = client_of(app, people["gxq_manager"])
    html = manager.get("/").get_data(as_text=True)
    assert zones["gxq"].name in html and 'data-testid="home-zone"' in html
    assert achieved(html) == [0, 0]
    signed(people["gxq_staff"], "铜基新材料项目", 120000)
    db.session.commit()
    html = manager.get("/").get_data(as_text=True)
    assert achieved(html) == [0, 1]
    assert "铜基新材料项目" in html and "12.00亿元" in html


@pytest.mark.parametrize("role", ["coordinator", "viewer", "admin"])
def test_city_level_lands_on_the_city_league(app, plan, role):
    _zones, people = plan
    key = {"coordinator": "city", "viewer": "viewer", "admin": "admin"}[role]
    html = client_of(app, people[key]).get("/").get_data(as_text=True)
    assert 'data-testid="league-table"' in html
    assert re.findall(r'data-testid="league-row" data-zone="(\w+)"', html) == [
        "gxq",
        "jkq",
        "xdfw",
    ]


def test_zone_users_never_see_another_zones_numbers_or_projects(app, plan):
    zones, people = plan
    signed(people["jkq_staff"], "经开保密大项目", 350000, code_name="经开-北辰")
    signed(people["jkq_staff"], "经开公开项目", 110000)
    signed(people["gxq_staff"], "高新自己的项目", 100000)
    db.session.commit()
    client = client_of(app, people["gxq_manager"])
    jkq = zones["jkq"].id
    for path in (
        f"/dashboard/zones/{jkq}",
        f"/dashboard/reports/weekly?zone={jkq}",
        f"/dashboard/reports/monthly?zone={jkq}",
        f"/quotas/export.xlsx?zone={jkq}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/dashboard/city").status_code == 403
    for path in (
        "/",
        "/dashboard/",
        "/dashboard/reports/weekly",
        "/dashboard/reports/monthly",
        "/quotas/",
        "/quotas/goals",
    ):
        html = client.get(path).get_data(as_text=True)
        assert "经开" not in html.replace("经开区", ""), path  # no project of the other zone
        assert "经开-北辰" not in html and "经开公开项目" not in html, path
    html = client.get("/").get_data(as_text=True)
    assert "高新自己的项目" in html and achieved(html) == [0, 1]


def test_confidential_projects_show_their_code_name_only(app, plan):
    _zones, people = plan
    project = signed(people["gxq_staff"], "真实名称项目", 300000, code_name="高新-星河")
    db.session.commit()
    for who in ("gxq_manager", "city"):
        client = client_of(app, people[who])
        path = "/" if who == "gxq_manager" else f"/dashboard/zones/{project.zone_id}"
        html = client.get(path).get_data(as_text=True)
        assert "高新-星河" in html and "真实名称项目" not in html


def test_withdrawn_candidates_at_risk_and_surplus_are_explained(app, plan):
    _zones, people = plan
    staff = people["gxq_staff"]
    signed(staff, "三十亿甲", 300000)
    surplus = signed(staff, "三十亿乙", 320000)
    gone = signed(staff, "撤资项目", 150000)
    move(gone, staff, "terminated", note="投资方撤资")
    back = signed(staff, "退回项目", 130000)
    move(back, staff, "negotiation", note="合同条款重谈")
    new_project(
        staff, "候选项目", 200000, stage="inspection", expected_landing_on=date(YEAR, 12, 31)
    )
    db.session.commit()
    html = client_of(app, people["gxq_manager"]).get("/").get_data(as_text=True)
    assert achieved(html) == [1, 1]  # the second ≥ 30亿 fills a ≥ 10亿 slot (disjoint)
    assert "未计入年度目标（2 个）" in html
    assert "撤资项目" in html and "投资方撤资" in html
    assert "退回到“洽谈”" in html
    assert "候选项目" in html and "考察（概率 40%）" in html
    assert 'data-testid="at-risk"' in html  # 4 open ≥ 10亿 slots, 1 late-stage candidate
    assert surplus.name in html


def test_the_year_selector_and_a_bad_year(app, plan):
    _zones, people = plan
    signed(people["gxq_staff"], "今年的项目", 120000)
    db.session.commit()
    client = client_of(app, people["gxq_manager"])
    last_year = client.get(f"/?year={YEAR - 1}").get_data(as_text=True)
    assert "今年的项目" not in last_year and f"{YEAR - 1} 年招商驾驶舱" in last_year
    bad = client.get("/?year=1900")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "年份应在" in html and f"已显示 {YEAR} 年" in html
    assert "今年的项目" in html
    assert client.get("/?year=abc").status_code == 200


def test_indicators_are_computed_in_sql(app, plan):
    zones, people = plan
    staff = people["gxq_staff"]
    a = signed(staff, "甲", 100000)
    b = signed(staff, "乙", 50000)
    c = signed(staff, "丙", 30000)
    signed(staff, "丁", 20000)
    move(a, staff, "construction")
    move(b, staff, "registered")
    move(c, staff, "terminated", note="取消")
    a.actual_in_place_wan = 40000
    b.actual_in_place_wan = 10000
    db.session.commit()
    result = indicators([zones["gxq"].id], date(YEAR, 1, 1), date(YEAR, 12, 31))[zones["gxq"].id]
    assert (result.signed, result.signed_wan, result.started, result.performing) == (
        4,
        200000,
        1,
        2,
    )
    assert (str(result.start_rate), str(result.performance_rate), str(result.funds_rate)) == (
        "0.250",
        "0.500",
        "0.250",
    )
    html = client_of(app, people["gxq_manager"]).get("/").get_data(as_text=True)
    assert 'data-testid="start-rate">25.0%' in html
    assert 'data-testid="performance-rate">50.0%' in html
    assert 'data-testid="funds-rate">25.0%' in html


def test_the_city_league_ranks_and_totals(app, plan):
    _zones, people = plan
    for n in range(2):
        signed(people["jkq_staff"], f"经开项目{n}", 100000 + n)
    signed(people["gxq_staff"], "高新项目", 100000)
    db.session.commit()
    html = client_of(app, people["viewer"]).get("/dashboard/city").get_data(as_text=True)
    order = re.findall(r'data-testid="league-row" data-zone="(\w+)"', html)
    assert order == ["jkq", "gxq", "xdfw"]
    total = html[html.index('data-testid="league-total"') :]
    assert "3/10" in total  # ≥ 10亿: 2 + 1 of 5 + 5


def test_the_chain_section_renders_only_with_a_chains_blueprint(app, plan):
    _zones, people = plan
    if "chains" not in app.blueprints:
        html = client_of(app, people["city"]).get("/").get_data(as_text=True)
        assert 'data-testid="chain-coverage"' not in html
        chains = Blueprint("chains", __name__, url_prefix="/chains-test")
        chains.add_url_rule("/", "index", allow("coordinator")(lambda: "chains"))
        app.register_blueprint(chains)
    html = client_of(app, people["city"]).get("/").get_data(as_text=True)
    assert 'data-testid="chain-coverage"' in html


def test_a_staff_member_without_a_zone_still_gets_a_home_page(app, plan):
    from tests.factories import make_user

    loner = make_user("staff", zone=None)
    loner.zone_id = None
    db.session.commit()
    response = client_of(app, loner).get("/")
    assert response.status_code == 200
    assert db.session.scalar(select(Project.id)) is None

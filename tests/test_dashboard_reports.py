"""Weekly and monthly reports (per zone and for the city) and the Excel export of the quota
report with its counted projects."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.dashboard.queries import week_bounds
from crm.extensions import db
from crm.land.services import change_status, create_parcel
from crm.quotas.indicators import seed_indicators
from tests.test_dashboard_data import (
    TODAY,
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


def test_the_weekly_report_of_a_zone(app, plan):
    _zones, people = plan
    staff = people["gxq_staff"]
    key = signed(staff, "重点铜箔项目", 150000)
    new_project(staff, "小项目", 5000)
    rotting = new_project(staff, "停滞项目", 20000)
    rotting.stage_since = TODAY - timedelta(days=200)
    unreported = new_project(staff, "未首报大项目", 200000)
    signed(people["jkq_staff"], "经开重点项目", 400000)
    db.session.commit()
    html = (
        client_of(app, people["gxq_manager"])
        .get("/dashboard/reports/weekly")
        .get_data(as_text=True)
    )
    monday, sunday = week_bounds(TODAY)
    assert f"{monday} 至 {sunday}" in html
    assert "济源高新技术产业开发区招商周报" in html
    sections = {
        name: html[html.index(f'data-testid="{name}"') :]
        for name in ("new-items", "stage-changes", "key-projects", "coordination")
    }
    assert "洽谈 → 签约" in sections["stage-changes"] and key.name in sections["stage-changes"]
    key_part = sections["key-projects"][: sections["key-projects"].index("coordination")]
    assert key.name in key_part and unreported.name in key_part and "小项目" not in key_part
    assert "停滞项目" in sections["coordination"] and unreported.name in sections["coordination"]
    assert "经开重点项目" not in html
    assert "@page" not in html  # print rules live in the stylesheet (CSP: no inline styles)


def test_the_city_weekly_and_monthly_reports_name_the_zones(app, plan):
    _zones, people = plan
    signed(people["jkq_staff"], "经开重点项目", 400000)
    signed(people["gxq_staff"], "高新签约项目", 120000)
    db.session.commit()
    client = client_of(app, people["viewer"])
    weekly = client.get("/dashboard/reports/weekly").get_data(as_text=True)
    assert "全市招商周报" in weekly and "经开重点项目" in weekly and "高新签约项目" in weekly
    monthly = client.get(f"/dashboard/reports/monthly?month={TODAY:%Y-%m}").get_data(as_text=True)
    assert "全市招商月报" in monthly
    table = monthly[monthly.index('data-testid="quota-table"') :]
    assert "高新区" in table and "经开区" in table and "现代服务业开发区" in table
    assert "经开重点项目" in table


def test_the_monthly_report_has_period_total_target_and_rate(app, plan):
    zones, people = plan
    seed_indicators()
    land = create_parcel(
        zones["gxq"].id,
        {"code": "G1", "name": "盘活地块", "area_mu": "648", "land_use": "industrial"},
        None,
        status="approved",
        on=min(date(2025, 12, 16), TODAY),
    )
    change_status(land, "supplied", people["city"], TODAY)  # 批而未供土地盘活 from the parcel
    signed(people["gxq_staff"], "本月签约项目", 120000)
    db.session.commit()
    html = (
        client_of(app, people["gxq_manager"])
        .get("/dashboard/reports/monthly")
        .get_data(as_text=True)
    )
    table = html[
        html.index('data-testid="quota-table"') : html.index('data-testid="indicator-table"')
    ]
    cells = [c.strip() for c in table.split("<td")]
    assert any("10亿元以上制造业项目" in c for c in cells)
    # 本期 1 / 累计 1 / 目标 5 / 完成率 20.0%
    assert ">1</td>" in table and ">5</td>" in table and "20.0%" in table
    indicators = html[html.index('data-testid="indicator-table"') :]
    assert "签约项目数" in indicators and "批而未供土地盘活" in indicators
    assert "50.0%" in indicators  # 648 of 1296 亩
    assert "营业收入" not in indicators  # a zone's report lists its own goals only


def test_a_bad_month_or_date_falls_back_with_a_message(app, plan):
    _zones, people = plan
    client = client_of(app, people["city"])
    html = client.get("/dashboard/reports/monthly?month=1990-01").get_data(as_text=True)
    assert "年份应在" in html and f"{TODAY.year} 年 {TODAY.month} 月" in html
    html = client.get("/dashboard/reports/monthly?month=2026-13").get_data(as_text=True)
    assert "月份应写作" in html
    html = client.get("/dashboard/reports/weekly?date=yesterday").get_data(as_text=True)
    assert "日期应写作" in html
    assert client.get("/dashboard/reports/weekly?zone=abc").status_code == 404


def test_the_excel_export_lists_counted_projects_safely(app, plan):
    _zones, people = plan
    staff = people["gxq_staff"]
    big = signed(staff, '=HYPERLINK("http://evil","点我")', 300000)
    secret = signed(staff, "保密真名", 150000, code_name="高新-星河")
    gone = signed(staff, "@SUM(1+1)", 110000)
    move(gone, staff, "terminated", note="撤资")
    db.session.commit()
    response = client_of(app, people["gxq_manager"]).get(f"/quotas/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    tiers, projects = book.worksheets
    rows = list(tiers.iter_rows(values_only=True))
    assert rows[0][:4] == ("开发区", "档次", "门槛（亿元）", "目标个数")
    assert [r[:6] for r in rows[1:]] == [
        ("高新区", "30亿元以上制造业项目", 30, 1, 1, 0),
        ("高新区", "10亿元以上制造业项目", 10, 5, 1, 4),
    ]
    cells = {row[0].row: row for row in projects.iter_rows(min_row=2)}
    by_name = {row[3].value: row for row in cells.values()}
    formula = by_name[big.name]
    assert formula[3].data_type == "s"  # text, never run as a formula
    assert formula[4].value == 30 and formula[4].data_type == "n"
    assert formula[7].value == "计入"
    assert "高新-星河" in by_name and "保密真名" not in by_name
    assert by_name["@SUM(1+1)"][7].value == "已退出统计"
    assert secret.id in {row[2].value for row in cells.values()}
    assert all(row[0].value == "高新区" for row in cells.values())  # the manager's zone only
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
    assert entry.entity == "quota_report" and entry.actor_id == people["gxq_manager"].id

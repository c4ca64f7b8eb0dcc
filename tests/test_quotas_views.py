"""Quota pages: editing tiers (coordinators, audited; bad input refused at the field with what
was typed kept) and the goal list (目标清单) with actuals per period."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.extensions import db
from crm.quotas.indicators import goal_rows, seed_indicators
from crm.quotas.models import Indicator, IndicatorActual, Quota
from tests.conftest import post
from tests.test_dashboard_data import TODAY, YEAR, client_of, make_plan


@pytest.fixture
def plan(app):
    return make_plan()


EDIT = "/quotas/zones/{}/edit"


def _tiers(zone, year=YEAR):
    quota = db.session.scalar(select(Quota).where(Quota.zone_id == zone.id, Quota.year == year))
    db.session.refresh(quota) if quota else None
    return [(t.label, t.threshold_wan, t.required) for t in quota.tiers] if quota else []


def _rows(*rows, year=YEAR):
    data = {"year": str(year)}
    for index, (title, threshold, unit, required) in enumerate(rows):
        data.update(
            {
                f"tiers-{index}-title": title,
                f"tiers-{index}-threshold": threshold,
                f"tiers-{index}-unit": unit,
                f"tiers-{index}-required": required,
            }
        )
    return data


def test_the_edit_form_shows_the_plan_tiers_in_yi(plan, client, login_as):
    zones, people = plan
    login_as(people["city"])
    html = client.get(EDIT.format(zones["gxq"].id) + "?year=2026").get_data(as_text=True)
    assert 'value="30亿元以上制造业项目"' in html
    assert 'name="tiers-0-threshold" type="text" value="30"' in html
    assert 'name="tiers-1-required" type="text" value="5"' in html


def test_coordinator_saves_tiers_in_yi_or_wan_audited(plan, client, login_as):
    zones, people = plan
    login_as(people["city"])
    data = _rows(("大项目", "30", "亿元", "1"), ("", "100000", "万元", "4"), ("", "", "亿元", ""))
    response = post(client, EDIT.format(zones["gxq"].id), data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _tiers(zones["gxq"]) == [("大项目", 300000, 1), ("10亿元以上项目", 100000, 4)]
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "quota").order_by(AuditLog.id.desc())
    ).first()
    assert entry.actor_id == people["city"].id and entry.changes["year"] == YEAR


def test_a_unit_typed_in_the_threshold_wins_over_the_select(plan, client, login_as):
    zones, people = plan
    login_as(people["city"])
    response = post(client, EDIT.format(zones["xdfw"].id), _rows(("物流", "5亿元", "万元", "2")))
    assert response.status_code == 302
    assert _tiers(zones["xdfw"]) == [("物流", 50000, 2)]


@pytest.mark.parametrize(
    "rows,year,message,kept",
    [
        ((("零", "0", "亿元", "1"),), YEAR, "金额门槛必须大于 0", 'value="0"'),
        ((("负", "-5", "亿元", "1"),), YEAR, "金额不能为负数", 'value="-5"'),
        (
            (("甲", "10", "亿元", "1"), ("乙", "100000", "万元", "2")),
            YEAR,
            "与第 1 档的金额门槛相同",
            'value="100000"',
        ),
        ((("多", "10", "亿元", "101"),), YEAR, "项目个数应为 1 到 100 之间的整数", 'value="101"'),
        ((("多", "10", "亿元", "两个"),), YEAR, "项目个数应为 1 到 100 之间的整数", 'value="两个"'),
        ((("远", "10", "亿元", "1"),), 1990, "年份应在", 'value="1990"'),
        ((("远", "10", "亿元", "1"),), 2099, "年份应在", 'value="2099"'),
        ((("约", "约30亿", "亿元", "1"),), YEAR, "不是确切数字", 'value="约30亿"'),
    ],
)
def test_bad_quota_input_is_refused_at_the_field(plan, client, login_as, rows, year, message, kept):
    zones, people = plan
    login_as(people["city"])
    before = _tiers(zones["gxq"])
    response = post(client, EDIT.format(zones["gxq"].id), _rows(*rows, year=year))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "invalid-feedback" in html
    assert kept in html  # what was typed stays in the form
    assert _tiers(zones["gxq"]) == before


def test_a_distant_year_in_the_address_is_shown_at_the_field(plan, client, login_as):
    zones, people = plan
    login_as(people["city"])
    html = client.get(EDIT.format(zones["gxq"].id) + "?year=1900").get_data(as_text=True)
    assert "年份应在" in html


def test_clearing_every_row_removes_the_quota(plan, client, login_as):
    zones, people = plan
    login_as(people["city"])
    response = post(client, EDIT.format(zones["jkq"].id), _rows(("", "", "亿元", "")))
    assert response.status_code == 302
    assert _tiers(zones["jkq"]) == []


@pytest.mark.parametrize("who", ["gxq_manager", "gxq_staff", "viewer"])
def test_only_the_city_edits_quotas(plan, client, login_as, who):
    zones, people = plan
    login_as(people[who])
    assert client.get(EDIT.format(zones["gxq"].id)).status_code == 403
    response = post(client, EDIT.format(zones["gxq"].id), _rows(("x", "1", "亿元", "1")))
    assert response.status_code == 403
    assert _tiers(zones["gxq"], 2026)[0][1] == 300000


def test_zone_users_see_only_their_zone_on_the_quota_page(app, plan):
    _zones, people = plan
    html = client_of(app, people["jkq_manager"]).get("/quotas/?year=2026").get_data(as_text=True)
    assert 'data-zone="jkq"' in html and 'data-zone="gxq"' not in html
    assert "修改" not in html
    html = client_of(app, people["viewer"]).get("/quotas/?year=2026").get_data(as_text=True)
    assert all(f'data-zone="{code}"' in html for code in ("gxq", "jkq", "xdfw"))


# --- the goal list ---------------------------------------------------------------------------


@pytest.fixture
def goals(plan):
    seed_indicators()
    db.session.commit()
    return {(i.code, i.zone_id): i for i in db.session.scalars(select(Indicator))}


def test_the_plan_goal_list_is_seeded_once(plan, goals):
    zones, _people = plan
    assert seed_indicators() == 0
    revenue = goals[("revenue", None)]
    assert (revenue.name, revenue.unit, revenue.target_value, revenue.comparison) == (
        "营业收入",
        "亿元",
        Decimal("2800"),
        ">",
    )
    assert goals[("rd_ratio", None)].target_value == Decimal("1.35")
    assert goals[("patents", None)].target_value == Decimal("1435")
    land = {code: goals[("land_activation", zones[code].id)] for code in ("gxq", "jkq", "xdfw")}
    assert {c: int(i.target_value) for c, i in land.items()} == {
        "gxq": 1296,
        "jkq": 174,
        "xdfw": 900,
    }
    assert land["gxq"].target_year == 2026 and revenue.target_year == 2027


def _actual(client, indicator, period, value):
    return post(
        client,
        f"/quotas/goals/{indicator.id}/actuals",
        {"zone": "", "period": period, "value": value},
    )


def test_coordinator_enters_an_actual_audited_and_sees_progress(plan, goals, client, login_as):
    _zones, people = plan
    login_as(people["city"])
    revenue = goals[("revenue", None)]
    assert _actual(client, revenue, f"{YEAR}-01", "1,400").status_code == 302
    assert _actual(client, revenue, str(YEAR - 1), "2100亿元").status_code == 302
    stored = db.session.scalars(select(IndicatorActual).order_by(IndicatorActual.id)).all()
    assert [(a.period, a.value) for a in stored] == [
        (f"{YEAR}-01", Decimal("1400")),
        (str(YEAR - 1), Decimal("2100")),
    ]
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "indicator")).all()
    assert len(audit) == 2 and audit[0].actor_id == people["city"].id
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert "50.0%" in html  # the latest period (this year's January) 1400 of 2800


@pytest.mark.parametrize(
    "period,value,message",
    [
        (f"{YEAR}-01", "约30亿", "不是确切数字"),
        (f"{YEAR}-01", "三十", "请只填写阿拉伯数字"),
        (f"{YEAR}-01", "较上年增长", "请只填写阿拉伯数字"),
        (f"{YEAR}-01", "30万元", "单位不对"),
        (f"{YEAR}-01", "-3", "不能为负数"),
        (f"{YEAR}-01", "", "请填写数值"),
        ("1990", "3", "年份应在"),
        (f"{YEAR}-13", "3", "月份应在 1 到 12 之间"),
        ("九月", "3", "期间应写作"),
        (f"{YEAR + 1}-01", "3", "尚未开始"),
    ],
)
def test_bad_actuals_are_refused_with_a_clear_message(
    plan, goals, client, login_as, period, value, message
):
    _zones, people = plan
    login_as(people["city"])
    revenue = goals[("revenue", None)]
    response = _actual(client, revenue, period, value)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'value="{value}"' in html if value else True
    assert db.session.scalar(select(IndicatorActual.id)) is None


def test_zone_staff_read_the_goal_list_but_cannot_enter(plan, goals, client, login_as):
    _zones, people = plan
    login_as(people["gxq_staff"])
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert "营业收入" in html and "/actuals" not in html
    assert html.count('data-code="land_activation"') == 1  # their own zone's land only
    rows = goal_rows(people["gxq_staff"])
    assert {r.zone.code for r in rows if r.zone} == {"gxq"}
    revenue = goals[("revenue", None)]
    assert _actual(client, revenue, f"{YEAR}-01", "1").status_code == 403


def test_a_goal_target_is_edited_by_the_city(plan, goals, client, login_as):
    zones, people = plan
    login_as(people["city"])
    land = goals[("land_activation", zones["jkq"].id)]
    response = post(
        client, f"/quotas/goals/{land.id}/edit", {"target_value": "约200", "target_year": "2026"}
    )
    assert response.status_code == 400 and "不是确切数字" in response.get_data(as_text=True)
    response = post(
        client, f"/quotas/goals/{land.id}/edit", {"target_value": "200", "target_year": "2026"}
    )
    assert response.status_code == 302
    db.session.refresh(land)
    assert land.target_value == Decimal("200")
    assert TODAY.year == YEAR

"""Goal-list pages: progress and trends per zone and city, the entry form (keeps input, says
what is wrong), scoping (another zone's actual is 404), computed indicators refused, the
supporting file served through the scope, no 500 on bad input; and the demo's actuals."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.quotas.indicator_demo import load_demo_actuals
from crm.quotas.indicator_entry import record_actual
from crm.quotas.indicator_progress import goal_rows
from crm.quotas.indicators import seed_indicators
from crm.quotas.models import Indicator, IndicatorActual
from tests.conftest import post
from tests.test_dashboard_data import TODAY, YEAR, make_plan

MONTH = f"{YEAR}-{TODAY.month:02d}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan(app):
    zones, people = make_plan()
    seed_indicators()
    db.session.commit()
    goals = {(i.code, i.zone_id): i for i in db.session.scalars(select(Indicator))}
    return zones, people, goals


def _enter(client, indicator, zone="", period=MONTH, value="1", note="", **extra):
    data = {"zone": str(zone), "period": period, "value": value, "source_note": note, **extra}
    path = f"/quotas/goals/{indicator.id}/actuals"
    return post(client, path, data, token_page=path, content_type="multipart/form-data")


def test_a_coordinator_enters_a_zone_value_with_its_source_and_file(plan, client, login_as):
    zones, people, goals = plan
    login_as(people["city"])
    revenue = goals[("revenue", None)]
    form = client.get(f"/quotas/goals/{revenue.id}/actuals").get_data(as_text=True)
    assert "来源说明" in form and "全市" in form and f'value="{MONTH}"' in form
    response = _enter(
        client,
        revenue,
        zones["gxq"].id,
        value="1,200",
        note="统计局快报",
        attachment=(io.BytesIO(PDF), "快报.pdf"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    actual = db.session.scalar(select(IndicatorActual))
    assert (actual.zone_id, actual.value, actual.source_note) == (
        zones["gxq"].id,
        Decimal("1200"),
        "统计局快报",
    )
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert 'data-zone="gxq"' in html and "统计局快报" in html and "42.9%" in html  # 1200 / 2800
    download = client.get(f"/quotas/goals/actuals/{actual.id}/file")
    assert download.status_code == 200 and download.get_data() == PDF
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"value": "约30亿"}, "不是确切数字"),
        ({"value": ""}, "请填写数值"),
        ({"period": "九月"}, "期间应写作"),
        ({"period": f"{YEAR}-13"}, "月份应在 1 到 12 之间"),
        ({"zone": "999999"}, "请从列表中选择"),
        ({"zone": "abc"}, "请从列表中选择"),
        ({"note": "长" * 501}, "不能超过"),
        ({"value": "9" * 5000}, "数值过大"),
        ({"period": "2" * 5000}, "期间应写作"),
        ({"value": "1e5"}, "单位不对"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_kept(plan, client, login_as, fields, message):
    _zones, people, goals = plan
    login_as(people["city"])
    response = _enter(client, goals[("revenue", None)], **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    for value in fields.values():
        if value and len(value) < 100 and value not in ("999999", "abc"):
            assert f'value="{value}"' in html
    assert db.session.scalar(select(func.count()).select_from(IndicatorActual)) == 0


def test_a_bad_file_is_refused_and_the_values_stay_in_the_form(plan, client, login_as):
    _zones, people, goals = plan
    login_as(people["city"])
    upload = (io.BytesIO(b"MZ\x90\x00"), "快报.pdf")
    response = _enter(client, goals[("revenue", None)], value="1300", attachment=upload)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "可执行程序" in html and 'value="1300"' in html


def test_a_manager_enters_their_zone_and_another_zones_actual_is_404(plan, client, login_as):
    zones, people, goals = plan
    revenue = goals[("revenue", None)]
    theirs = record_actual(revenue, MONTH, "600", people["city"], zone_id=zones["jkq"].id)
    city = record_actual(revenue, MONTH, "2000", people["city"])
    db.session.commit()
    login_as(people["gxq_manager"])
    form = client.get(f"/quotas/goals/{revenue.id}/actuals").get_data(as_text=True)
    assert "高新" in form and "经开" not in form
    assert _enter(client, revenue, zones["gxq"].id, value="1200").status_code == 302
    refused = _enter(client, revenue, zones["jkq"].id, value="1")
    assert refused.status_code == 400 and "请从列表中选择" in refused.get_data(as_text=True)
    assert client.get(f"/quotas/goals/actuals/{theirs.id}/edit").status_code == 404
    path = f"/quotas/goals/actuals/{theirs.id}/edit"
    assert post(client, path, {"value": "1"}).status_code == 404
    assert client.get(f"/quotas/goals/actuals/{theirs.id}/file").status_code == 404
    assert client.get(f"/quotas/goals/actuals/{city.id}/edit").status_code == 403
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert 'data-zone="jkq"' not in html and 'data-zone="gxq"' in html
    mine = db.session.scalar(
        select(IndicatorActual).where(IndicatorActual.zone_id == zones["gxq"].id)
    )
    path = f"/quotas/goals/actuals/{mine.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'value="1200"' in page
    bad = post(client, path, {"value": "一千三"}, token_page=path)
    assert bad.status_code == 400 and 'value="一千三"' in bad.get_data(as_text=True)
    assert post(client, path, {"value": "1300"}, token_page=path).status_code == 302
    db.session.refresh(mine)
    assert mine.value == Decimal("1300")


def test_a_computed_indicator_refuses_entry_with_a_clear_message(plan, client, login_as):
    _zones, people, goals = plan
    login_as(people["city"])
    high_tech = goals[("high_tech", None)]
    page = client.get(f"/quotas/goals/{high_tech.id}/actuals")
    assert page.status_code == 200 and "自动计算" in page.get_data(as_text=True)
    assert 'name="value"' not in page.get_data(as_text=True)
    response = _enter(client, high_tech, value="30")
    assert response.status_code == 400 and "不能手工录入" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IndicatorActual)) == 0
    html = client.get("/quotas/goals").get_data(as_text=True)
    # the four label counts, each zone's land activation and the city's land reserve
    assert html.count('data-testid="computed-badge"') == 4 + 3 + 1
    assert post(client, "/quotas/goals/recount").status_code == 302
    # the reserve is kept for the city and each of the three zones
    assert db.session.scalar(select(func.count()).select_from(IndicatorActual)) == 4 + 3 + 4


@pytest.mark.parametrize(
    "path",
    [
        "/quotas/goals/99999999999999999999/actuals",
        "/quotas/goals/0/actuals",
        "/quotas/goals/actuals/424242/edit",
        "/quotas/goals/actuals/424242/file",
        "/quotas/goals/-1/edit",
    ],
)
def test_unknown_ids_are_404(plan, client, login_as, path):
    _zones, people, _goals = plan
    login_as(people["city"])
    assert client.get(path).status_code == 404


def test_staff_and_leaders_read_only(plan, client, login_as):
    _zones, people, goals = plan
    login_as(people["viewer"])
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert "营业收入" in html and 'data-testid="enter-actual"' not in html
    assert client.get(f"/quotas/goals/{goals[('revenue', None)].id}/actuals").status_code == 403
    assert post(client, "/quotas/goals/recount").status_code == 403


def test_the_demo_fills_the_goal_list_with_progress_and_trends(plan, client, login_as):
    from crm.land.demo import load_demo_land
    from crm.projects.demo import load_demo_projects
    from tests.test_projects_demo import _demo_people

    _zones, people, _goals = plan
    _demo_people()
    load_demo_projects()
    load_demo_land()
    created = load_demo_actuals()
    db.session.commit()
    assert created > 50 and load_demo_actuals() == 0
    rows = goal_rows(people["city"])
    shown = [r for r in rows if r.latest() is not None]
    assert len(shown) >= 15
    assert all(r.latest().value > 0 for r in rows if r.computed)
    login_as(people["city"])
    html = client.get("/quotas/goals").get_data(as_text=True)
    assert html.count('data-testid="goal-trend"') >= 12
    assert not re.search(r"(?<![\d.])0\.0%", html)

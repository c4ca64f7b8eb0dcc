"""Dashboards in a real browser: a manager signs a ≥ 10亿 project through the stage form and
sees the tier count move on the home dashboard; a viewer sees the city league table."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from crm.core.timeutil import local_today
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def tier_numbers(page, threshold: int) -> tuple[int, int]:
    """(achieved, surplus) of the tier with this threshold on the dashboard."""
    row = page.locator(f"[data-testid=tier-row][data-threshold='{threshold}']")
    expect(row).to_have_count(1)
    achieved = int(row.get_by_test_id("tier-achieved").inner_text())
    surplus = int(row.get_by_test_id("tier-surplus").inner_text())
    return achieved, surplus


def test_a_manager_signs_a_big_project_and_the_tier_count_moves(page, live_server, tmp_path):
    log_in(page, live_server, "jkq-manager")
    expect(page.get_by_test_id("home-zone")).to_contain_text("济源经济技术开发区")
    expect(page.get_by_test_id("tier-chart")).to_be_visible()
    before = tier_numbers(page, 100000)

    name = f"浏览器驾驶舱测试{secrets.token_hex(3)}项目"
    page.goto(f"{live_server}/projects/new")
    page.fill("input[name=enterprise_name]", f"济源{name}材料有限公司")
    page.fill("input[name=name]", name)
    page.select_option("select[name=amount_unit]", "亿元")
    page.fill("input[name=planned_total_wan]", "12")
    page.select_option("select[name=stage]", "negotiation")
    page.get_by_role("button", name="保存").click()
    if page.get_by_test_id("duplicates").count():
        page.check("input[name=confirm_duplicate]")
        page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    project_id = int(page.url.rsplit("/", 1)[1])

    page.goto(f"{live_server}/projects/{project_id}/stage?to=signed")
    form = page.get_by_test_id("stage-form")
    page.fill("input[name=contract_signed_on]", local_today().isoformat())
    page.fill("input[name=contract_amount_wan]", "12亿")
    form.get_by_role("button", name="确认变更").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}"))

    page.goto(f"{live_server}/")
    after = tier_numbers(page, 100000)
    assert sum(after) == sum(before) + 1, (before, after)
    if before[0] < 5:
        assert after[0] == before[0] + 1  # an open slot of the ≥ 10亿 tier is filled
    card = page.get_by_test_id("tier-card").filter(has_text="10亿元以上")
    expect(card.get_by_role("link", name=name)).to_be_visible()
    page.screenshot(path=str(tmp_path / "zone-dashboard.png"), full_page=True)


def test_a_viewer_sees_the_city_league_table(page, live_server, tmp_path):
    log_in(page, live_server, "leader")
    expect(page.get_by_test_id("home-zone")).to_contain_text("全市招商驾驶舱")
    table = page.get_by_test_id("league-table")
    expect(table).to_be_visible()
    rows = table.get_by_test_id("league-row")
    expect(rows).to_have_count(3)
    expect(table).to_contain_text("高新区")
    expect(table).to_contain_text("经开区")
    expect(table).to_contain_text("现代服务业开发区")
    expect(page.get_by_test_id("league-total")).to_contain_text("合计")
    expect(page.get_by_test_id("league-chart")).to_be_visible()
    page.get_by_role("link", name="经开区").first.click()
    expect(page.get_by_test_id("home-zone")).to_contain_text("济源经济技术开发区")
    page.screenshot(path=str(tmp_path / "city-league.png"), full_page=True)

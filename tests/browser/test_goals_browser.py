"""The goal list in a real browser on a 390 px phone: the demo's progress and trends show, a
zone manager enters their zone's value (a vague value is refused and kept), and the page is
never wider than the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WIDTH_JS = "document.documentElement.scrollWidth"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_manager_enters_their_zones_value_on_a_phone(phone, live_server):
    page = phone
    log_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/quotas/goals")
    table = page.get_by_test_id("goal-table")
    expect(table).to_be_visible()
    revenue = page.locator("[data-testid=goal-row][data-code=revenue]")
    expect(revenue.get_by_test_id("goal-progress")).to_contain_text("%")
    expect(page.locator("[data-testid=goal-zone-row][data-zone=jkq]")).to_have_count(0)
    assert page.evaluate(WIDTH_JS) <= 390
    revenue.get_by_test_id("enter-actual").click()
    expect(page).to_have_url(re.compile(r"/quotas/goals/\d+/actuals$"))
    assert page.evaluate(WIDTH_JS) <= 390
    page.fill("input[name=value]", "约1500亿")
    page.fill("textarea[name=source_note]", "浏览器测试")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("不是确切数字")
    expect(page.locator("input[name=value]")).to_have_value("约1500亿")
    expect(page.locator("textarea[name=source_note]")).to_have_value("浏览器测试")
    page.fill("input[name=value]", "1500")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/quotas/goals#goal-\d+$"))
    zone_row = page.locator("[data-testid=goal-row][data-code=revenue]").locator(
        "[data-testid=goal-zone-row][data-zone=gxq]"
    )
    expect(zone_row).to_contain_text("1500")
    expect(zone_row).to_contain_text("浏览器测试")


def test_the_city_sees_trends_on_a_desk(page, live_server):
    log_in(page, live_server, "city")
    page.goto(f"{live_server}/quotas/goals")
    expect(page.get_by_test_id("goal-trend").first).to_be_visible()
    assert page.get_by_test_id("goal-trend").count() >= 12
    # the label counts, each zone's land activation and the city's land reserve
    expect(page.get_by_test_id("computed-badge")).to_have_count(4 + 3 + 1)

"""报送 in the browser: the zone manager submits this month's report, the city returns it with
a comment, the manager corrects and resubmits, the city accepts; the month is then closed and
what was submitted downloads as Word. The page also fits a 390 px phone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, log_in

pytestmark = pytest.mark.browser

COMMENT = "请补充重点项目的形象进度"


def _month() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


def _new_page(browser, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_submit_return_resubmit_accept(browser, live_server):
    manager_ctx, manager = _new_page(browser, viewport=VIEWPORT)
    city_ctx, city = _new_page(browser, viewport=VIEWPORT)
    try:
        log_in(manager, live_server, "gxq-manager")
        manager.goto(f"{live_server}/reporting/?month={_month()}")
        rows = manager.get_by_test_id("report-status-row")
        expect(rows).to_have_count(1)
        rows.get_by_role("link").click()
        month_url = manager.url
        expect(manager.get_by_test_id("month-status")).to_have_text("未报")

        manager.get_by_role("button", name="报送", exact=True).click()  # empty: refused, kept
        expect(manager.get_by_text("请填写本月工作开展情况")).to_be_visible()
        manager.get_by_label("本月工作开展情况").fill("本月签约铜箔项目一个。")
        manager.get_by_role("button", name="报送", exact=True).click()
        expect(manager.get_by_role("alert")).to_contain_text("月报已报送")
        expect(manager.get_by_test_id("month-status")).to_have_text("已报")
        expect(manager.get_by_test_id("submit-card")).to_have_count(0)

        log_in(city, live_server, "city")
        city.goto(month_url)
        city.get_by_test_id("return-report").click()  # no comment: refused
        expect(city.get_by_text("退回时请填写退回意见")).to_be_visible()
        city.get_by_label("退回意见").fill(COMMENT)
        city.get_by_test_id("return-report").click()
        expect(city.get_by_role("alert")).to_contain_text("已退回")
        expect(city.get_by_test_id("month-status")).to_have_text("退回")

        manager.goto(month_url)
        expect(manager.get_by_test_id("return-comment")).to_contain_text(COMMENT)
        expect(manager.get_by_label("本月工作开展情况")).to_have_value("本月签约铜箔项目一个。")
        manager.get_by_label("本月工作开展情况").fill("本月签约铜箔项目一个，已开工，形象进度30%。")
        manager.get_by_role("button", name="报送", exact=True).click()
        expect(manager.get_by_role("alert")).to_contain_text("月报已报送")

        city.goto(month_url)
        city.get_by_test_id("accept-report").click()
        expect(city.get_by_role("alert")).to_contain_text("已接收，该月数据已锁定")
        expect(city.get_by_test_id("month-status")).to_have_text("已接收")
        expect(city.get_by_test_id("submission")).to_have_count(2)
        expect(city.get_by_test_id("review-card")).to_have_count(0)
        with city.expect_download() as download:
            city.get_by_test_id("submission-docx").first.click()
        assert download.value.suggested_filename.endswith(".docx")

        manager.goto(month_url)
        expect(manager.get_by_test_id("month-status")).to_have_text("已接收")
        expect(manager.get_by_test_id("submit-card")).to_have_count(0)
        city.goto(live_server + "/dashboard/city")
        expect(city.get_by_test_id("report-panel")).to_be_visible()
    finally:
        manager_ctx.close()
        city_ctx.close()


def test_the_month_page_fits_a_phone(browser, live_server):
    context, page = _new_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        log_in(page, live_server, "city")
        page.goto(f"{live_server}/reporting/")
        page.get_by_test_id("report-status-row").first.get_by_role("link").click()
        expect(page.get_by_test_id("month-status")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()

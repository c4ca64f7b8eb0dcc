"""A leader instructs a zone from its dashboard; the zone's manager answers on a phone; the
leader closes it. Overdue demo instructions are red on the city dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm.core.timeutil import local_today
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_instruct_answer_close(page, browser, live_server):
    log_in(page, live_server, "leader")
    page.goto(f"{live_server}/dashboard/city")
    panel = page.get_by_test_id("instructions-panel")
    expect(panel.locator("tr[data-overdue='1']").first).to_be_visible()  # the demo's overdue one
    page.get_by_role("link", name="经开区", exact=True).first.click()
    page.get_by_test_id("instructions-panel").get_by_test_id("instruct").click()

    form = page.get_by_test_id("instruction-form")
    form.locator("textarea[name=content]").fill("请于本周内报送重点项目能耗指标缺口")
    form.locator("input[name=due_on]").fill("2020-01-01")
    form.get_by_role("button", name="交办").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("时限不能早于今天")
    expect(form.locator("textarea[name=content]")).to_have_value(
        "请于本周内报送重点项目能耗指标缺口"
    )
    due = (local_today() + timedelta(days=5)).isoformat()
    form.locator("input[name=due_on]").fill(due)
    form.get_by_role("button", name="交办").click()
    expect(page.get_by_role("alert")).to_contain_text("批示已交办")
    detail_url = page.url

    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    mobile = phone.new_page()
    log_in(mobile, live_server, "jkq-manager")
    mobile.goto(f"{live_server}/instructions/")
    row = mobile.get_by_test_id("instruction-row").filter(has_text="能耗指标缺口")
    expect(row).to_be_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    row.get_by_role("link").click()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    report = mobile.get_by_test_id("report-form")
    report.locator("textarea[name=note]").fill("已汇总三个项目的能耗缺口，报市发改委")
    report.get_by_role("button", name="提交办理情况").click()
    expect(mobile.get_by_role("alert")).to_contain_text("办理情况已记录")
    expect(mobile.get_by_test_id("timeline")).to_contain_text("已汇总三个项目的能耗缺口")
    phone.close()

    page.goto(detail_url)
    expect(page.get_by_test_id("timeline")).to_contain_text("已汇总三个项目的能耗缺口")
    page.get_by_test_id("close-form").get_by_role("button", name="办结").click()
    expect(page.get_by_role("alert")).to_contain_text("批示已办结")
    expect(page.get_by_test_id("close-form").get_by_role("button")).to_have_text("重新打开")

"""A day's work, end to end, at a desk (1440 px) and on a phone (390 px, touch), for the parts
that exist: staff find a target by pinyin; a manager opens and prints the monthly report; the
city fills a gap node with the picker; an admin changes a setting through its form and finds
the change in the audit log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypinyin import Style, lazy_pinyin

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

SCREENS = {
    "desk": {"viewport": {"width": 1440, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    options = SCREENS[request.param]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen_width = options["viewport"]["width"]
    yield page
    context.close()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.screen_width


def _open_filters(page) -> None:
    toggle = page.get_by_test_id("filter-toggle")
    if toggle.is_visible():  # folded on a phone
        toggle.click()


def test_staff_find_a_target_by_pinyin(screen, live_server):
    page = screen
    log_in(page, live_server, "gxq-staff1")
    page.goto(f"{live_server}/targets/")
    name = page.locator(".target-table tbody tr a.fw-semibold").first.inner_text()
    _open_filters(page)
    initials = "".join(lazy_pinyin(name[:4], style=Style.FIRST_LETTER))
    page.fill("#f-q", initials)
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator(".target-table tbody")).to_contain_text(name[:4])
    _fits(page)


def test_a_manager_opens_and_prints_the_monthly_report(screen, live_server):
    page = screen
    log_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/dashboard/reports/monthly")
    expect(page.get_by_test_id("report-title")).to_contain_text("招商月报")
    _fits(page)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".report-head .btn").first).to_be_hidden()
    page.emulate_media(media="screen")


def test_the_city_fills_a_gap_node_with_the_picker(screen, live_server):
    page = screen
    log_in(page, live_server, "city")
    page.goto(f"{live_server}/chains/")
    page.get_by_role("link", name="有色金属材料").first.click()
    page.locator("a.chain-node-missing").last.click()
    form = page.get_by_test_id("gap-targets-form")
    form.locator(".ts-control input").fill("洛阳")
    option = page.locator(".ts-dropdown .option").first
    expect(option).to_contain_text("洛阳")
    name = option.inner_text().split("\n")[0]
    option.click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="加入目标企业清单").click()
    expect(page.get_by_role("alert")).to_contain_text("已加入目标企业清单")
    expect(page.get_by_test_id("node-targets")).to_contain_text(name)
    page.get_by_test_id("node-target-list").click()
    expect(page).to_have_url(re.compile(r"/targets/\?.*node="))
    _fits(page)


def test_an_admin_changes_a_setting_and_finds_it_in_the_audit_log(screen, live_server):
    page = screen
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/settings")
    _fits(page)
    field = page.locator("[name='projects.stage_probability[negotiation]']")
    old = field.input_value()
    field.fill("101")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("setting-error")).to_contain_text("洽谈：不能大于 100")
    expect(field).to_have_value("101")  # what was typed stays
    new = "31" if old != "31" else "32"
    field.fill(new)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("设置已保存")
    expect(field).to_have_value(new)
    page.goto(f"{live_server}/admin/audit?entity=setting")
    expect(page.locator("table tbody tr").first).to_contain_text(
        re.compile("stage_probability|各阶段成功概率")
    )
    _fits(page)
    page.goto(f"{live_server}/admin/settings")
    field.fill(old)  # leave the shared server as it was
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("设置已保存")

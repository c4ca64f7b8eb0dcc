"""A day's work, end to end, at a desk (1440 px) and on a phone (390 px, touch), in Chinese and
in English, for the parts that exist: staff find a target by pinyin; a manager opens and prints
the monthly report; the city fills a gap node with the picker; an admin changes a setting
through its form and finds the change in the audit log. English is chosen with the language
switch after signing in and switched back at the end (the demo users are shared)."""

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


# What the pages say, in each language (the English of the catalog).
WORDS = {
    "zh": {
        "switch": "中文",
        "filter": "筛选",
        "monthly": "招商月报",
        "add": "加入目标企业清单",
        "added": "已加入目标企业清单",
        "save": "保存",
        "too_big": "洽谈：不能大于 100",
        "saved": "设置已保存",
    },
    "en": {
        "switch": "English",
        "filter": "Filter",
        "monthly": "monthly investment report",
        "add": "Add to target list",
        "added": "Added to the target list",
        "save": "Save",
        "too_big": "Negotiation: cannot be more than 100",
        "saved": "Settings saved.",
    },
}


@pytest.fixture(params=[(s, lang) for s in SCREENS for lang in WORDS], ids="-".join)
def screen(request, browser, live_server):
    name, language = request.param
    options = SCREENS[name]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen_width = options["viewport"]["width"]
    page.language = language
    page.words = WORDS[language]
    yield page
    if language != "zh" and "/login" not in page.url:
        page.goto(f"{live_server}/about")
        _switch(page, "zh")
    context.close()


def _switch(page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=WORDS[language]["switch"], exact=True).click()


def _sign_in(page, base: str, login: str) -> None:
    """Sign in, then choose the walk's language with the switch at the foot of the page."""
    log_in(page, base, login)
    if page.language != "zh":
        _switch(page, page.language)
        expect(page.locator("html")).to_have_attribute("lang", page.language)


# What reaches past the screen's edge: elements, or the text overflowing an element's box.
WIDER_JS = """(width) => [...document.querySelectorAll('body *')]
  .filter(el => { const r = el.getBoundingClientRect();
    return (r.right > width + 1
            && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
      || (r.left + el.scrollWidth > width + 1 && el.scrollWidth > el.clientWidth + 1
          && getComputedStyle(el).overflowX === 'visible'); })
  .slice(-5).map(el => el.tagName.toLowerCase() + '.' + el.className + ': '
    + (el.textContent || '').trim().slice(0, 40))"""


def _fits(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.screen_width, page.evaluate(WIDER_JS, page.screen_width)


def _open_filters(page) -> None:
    toggle = page.get_by_test_id("filter-toggle")
    if toggle.is_visible():  # folded on a phone
        toggle.click()


def test_staff_find_a_target_by_pinyin(screen, live_server):
    page = screen
    _sign_in(page, live_server, "gxq-staff1")
    page.goto(f"{live_server}/targets/")
    name = page.locator(".target-table tbody tr a.fw-semibold").first.inner_text()
    _open_filters(page)
    initials = "".join(lazy_pinyin(name[:4], style=Style.FIRST_LETTER))
    page.fill("#f-q", initials)
    page.get_by_role("button", name=page.words["filter"], exact=True).click()
    expect(page.locator(".target-table tbody")).to_contain_text(name[:4])
    _fits(page)


def test_a_manager_opens_and_prints_the_monthly_report(screen, live_server):
    page = screen
    _sign_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/dashboard/reports/monthly")
    expect(page.get_by_test_id("report-title")).to_contain_text(page.words["monthly"])
    _fits(page)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".report-head .btn").first).to_be_hidden()
    page.emulate_media(media="screen")


def test_the_city_fills_a_gap_node_with_the_picker(screen, live_server):
    page = screen
    _sign_in(page, live_server, "city")
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
    form.get_by_role("button", name=page.words["add"]).click()
    expect(page.get_by_role("alert")).to_contain_text(page.words["added"])
    expect(page.get_by_test_id("node-targets")).to_contain_text(name)
    page.get_by_test_id("node-target-list").click()
    expect(page).to_have_url(re.compile(r"/targets/\?.*node="))
    _fits(page)


def test_an_admin_changes_a_setting_and_finds_it_in_the_audit_log(screen, live_server):
    page = screen
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/settings")
    _fits(page)
    field = page.locator("[name='projects.stage_probability[negotiation]']")
    old = field.input_value()
    field.fill("101")
    page.get_by_role("button", name=page.words["save"], exact=True).click()
    expect(page.get_by_test_id("setting-error")).to_contain_text(page.words["too_big"])
    expect(field).to_have_value("101")  # what was typed stays
    new = "31" if old != "31" else "32"
    field.fill(new)
    page.get_by_role("button", name=page.words["save"], exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(page.words["saved"])
    expect(field).to_have_value(new)
    page.goto(f"{live_server}/admin/audit?entity=setting")
    expect(page.locator("table tbody tr").first).to_contain_text(
        re.compile("stage_probability|各阶段成功概率|Success probability")
    )
    _fits(page)
    page.goto(f"{live_server}/admin/settings")
    field.fill(old)  # leave the shared server as it was
    page.get_by_role("button", name=page.words["save"], exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(page.words["saved"])

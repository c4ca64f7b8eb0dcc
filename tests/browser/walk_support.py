"""The day's walk: screens (a desk at 1440 px, a phone at 390 px with touch), the words the
pages say in each language, and the steps every role takes (sign in, switch the language,
use the menu, check nothing reaches past the screen's edge)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

SCREENS = {
    "desk": {"viewport": {"width": 1440, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

# What the pages say, in each language (the English of the catalog).
WORDS = {
    "zh": {
        "switch": "中文",
        "filter": "筛选",
        "targets": "目标企业",
        "log": "记录跟进",
        "save_log": "保存跟进记录",
        "logged": "跟进记录已保存",
        "convert": "转为项目",
        "created": "已创建",
        "mine": "我的跟进",
        "next_week": "下周",
        "projects": "项目库",
        "new_project": "新建项目",
        "change_stage": "变更阶段",
        "confirm": "确认变更",
        "moved": "已转到“签约”阶段",
        "home": "首页",
        "not_counted": "未计入年度目标",
        "expansion": "增资扩产项目：年度目标只计新引进项目",
        "report": "月报",
        "monthly": "招商月报",
        "chains": "产业链图谱",
        "add": "加入目标企业清单",
        "added": "已加入目标企业清单",
        "roadmap": "招商路线图",
        "milestone_added": "里程碑已添加",
        "done": "完成",
        "milestone_done": "里程碑已标记为完成",
        "completed": "已完成",
        "save": "保存",
        "too_big": "洽谈：不能大于 100",
        "saved": "设置已保存",
    },
    "en": {
        "switch": "English",
        "filter": "Filter",
        "targets": "Targets",
        "log": "Log follow-up",
        "save_log": "Save follow-up",
        "logged": "Follow-up saved.",
        "convert": "Convert to project",
        "created": "created",
        "mine": "Follow-ups",
        "next_week": "Next week",
        "projects": "Projects",
        "new_project": "New project",
        "change_stage": "Change stage",
        "confirm": "Confirm change",
        "moved": "Moved to stage “Signed”.",
        "home": "Home",
        "not_counted": "Not counted towards the quota",
        "expansion": "Expansion project: the yearly quota counts newly attracted projects only",
        "report": "Monthly report",
        "monthly": "monthly investment report",
        "chains": "Chains",
        "add": "Add to target list",
        "added": "Added to the target list",
        "roadmap": "Investment roadmap",
        "milestone_added": "Milestone added.",
        "done": "Done",
        "milestone_done": "Milestone marked as done",
        "completed": "Completed",
        "save": "Save",
        "too_big": "Negotiation: cannot be more than 100",
        "saved": "Settings saved.",
    },
}
RUNS = [(s, lang) for s in SCREENS for lang in WORDS]
MD = 768  # Bootstrap's md: narrower, the menu and the filters are folded


@pytest.fixture(params=RUNS, ids="-".join)
def screen(request, browser, live_server):
    """A page on one screen, walking in one language; ``page.run`` numbers the run (0–3) so
    each run can pick its own rows of the shared demo data."""
    name, language = request.param
    options = SCREENS[name]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen_width = options["viewport"]["width"]
    page.language = language
    page.words = WORDS[language]
    page.run = RUNS.index(request.param)
    page.tag = f"{name}-{language}"
    yield page
    if language != "zh" and "/login" not in page.url:
        page.goto(f"{live_server}/about")
        switch(page, "zh")  # the demo users are shared: leave them in Chinese
    context.close()


def switch(page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=WORDS[language]["switch"], exact=True).click()


# Signed-in cookies by login, taken after the first sign-in of the session and reused by the
# later runs (the form once per user, not once per run); a session ended meanwhile signs in again.
SIGNED_IN: dict[str, list] = {}


def sign_in(page, base: str, login: str) -> None:
    """Sign in, then choose the walk's language with the switch at the foot of the page."""
    cookies = SIGNED_IN.get(login)
    if cookies:
        page.context.add_cookies(cookies)
        page.goto(f"{base}/about")
    if not cookies or "/login" in page.url:
        log_in(page, base, login)
        SIGNED_IN[login] = page.context.cookies()
    if page.language != "zh":
        switch(page, page.language)
        expect(page.locator("html")).to_have_attribute("lang", page.language)


def menu(page, label: str) -> None:
    """Follow an item of the main menu (unfolded first on a phone)."""
    page.wait_for_load_state("load")  # the style sheets decide what is folded
    nav = page.locator("#main-nav")
    if page.screen_width < MD:
        page.locator("button.navbar-toggler").click()
        # the menu slides open; a click during the slide can miss the link
        expect(nav).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    with page.expect_navigation():
        nav.get_by_role("link", name=label, exact=True).click()


# What reaches past the screen's edge: elements, or the text overflowing an element's box.
WIDER_JS = """(width) => [...document.querySelectorAll('body *')]
  .filter(el => { const r = el.getBoundingClientRect();
    return (r.right > width + 1
            && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
      || (r.left + el.scrollWidth > width + 1 && el.scrollWidth > el.clientWidth + 1
          && getComputedStyle(el).overflowX === 'visible'); })
  .slice(-5).map(el => el.tagName.toLowerCase() + '.' + el.className + ': '
    + (el.textContent || '').trim().slice(0, 40))"""


def fits(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.screen_width, page.evaluate(WIDER_JS, page.screen_width)


def open_filters(page) -> None:
    if page.screen_width < MD:  # folded on a phone
        page.get_by_test_id("filter-toggle").click()


def alert(page):
    return page.get_by_role("alert").first

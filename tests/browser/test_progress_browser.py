"""The 月度进展 card on a 390 px phone: it fits, a refused month keeps what was typed, a
correction of the newest month is saved."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _reporting_project(page, base_url: str) -> int:
    """A demo project of the staff member's zone that reports monthly progress."""
    for project_id in range(1, 80):
        response = page.goto(f"{base_url}/projects/{project_id}")
        rows = page.locator("[data-testid=progress-history] tr[data-period]")
        ok = response is not None and response.ok
        if ok and page.get_by_test_id("progress-form").count() and rows.count():
            return project_id
    raise AssertionError("no demo project with monthly progress")


def test_the_progress_card_on_a_phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "gxq-manager")
    project_id = _reporting_project(page, live_server)
    card = page.get_by_test_id("progress")
    expect(card.get_by_test_id("progress-rate")).to_have_text(re.compile(r"^\d+\.\d%$"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a phone"

    form = page.get_by_test_id("progress-form")
    form.locator("input[name=period]").fill("2026年13月")
    form.locator("input[name=month_investment_wan]").fill("123")
    form.get_by_role("button", name="保存月度进展").click()
    expect(form.locator(".invalid-feedback").first).to_contain_text("无法识别的月份")
    expect(form.locator("input[name=month_investment_wan]")).to_have_value("123")

    newest = page.locator("[data-testid=progress-history] tr[data-period]").first
    period = newest.get_attribute("data-period")
    cells = newest.locator("td")
    note = f"浏览器测试{secrets.token_hex(2)}"
    form = page.get_by_test_id("progress-form")
    form.locator("input[name=period]").fill(period)
    form.locator("input[name=month_investment_wan]").fill(cells.nth(1).inner_text())
    form.locator("input[name=month_funds_wan]").fill(cells.nth(3).inner_text())
    form.locator("textarea[name=image_progress]").fill(note)
    form.get_by_role("button", name="保存月度进展").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}#progress$"))
    # an open month is corrected in place, an accepted (locked) one as a new revision
    expect(page.locator(".alert").first).to_contain_text(period)
    expect(page.get_by_test_id("progress-history")).to_contain_text(note)
    context.close()

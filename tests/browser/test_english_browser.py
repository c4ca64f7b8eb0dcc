"""The English interface in a real browser: the navigation bar fits one line at 1440 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u3400-\u9fff]")


def _switch(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("login", ["admin", "gxq-manager", "city"])
def test_english_navigation_fits_one_line_at_1440(page, live_server, login):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, login)
    _switch(page, "English")
    try:
        expect(page.locator("html")).to_have_attribute("lang", "en")
        items = page.locator("nav.navbar .nav-item")
        assert items.count() >= 8
        boxes = items.evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom] })"
        )
        # one line: a horizontal line crosses every item
        assert max(t for t, _b in boxes) < min(b for _t, b in boxes), f"nav wraps: {boxes}"
        bar = page.locator("nav.navbar").evaluate("e => e.getBoundingClientRect().height")
        assert bar < 70, f"navigation bar is {bar}px high"
        overflow = page.locator("nav.navbar").evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"the navigation is {overflow}px wider than the window"
        nav_text = page.locator("nav.navbar").inner_text()
        who = page.get_by_test_id("current-user").inner_text()  # name and zone are user data
        assert not HAN.search(nav_text.replace(who, "")), nav_text
        assert re.search(r"(Administrator|coordinator|manager) ?\)", who), who
    finally:
        _switch(page, "中文")  # the demo users are shared by the other browser tests
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

"""The board at a desk: on a 1440 px screen every pipeline column and the folded side states
fit without scrolling sideways; each column says how many projects it holds."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_whole_pipeline_fits_a_1440_px_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, live_server, "gxq-manager")
        page.goto(f"{live_server}/projects/board")
        columns = page.get_by_test_id("board-column")
        assert columns.count() == 12
        width = page.evaluate("window.innerWidth")
        for i in range(12):
            box = columns.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, i
            assert columns.nth(i).get_by_test_id("column-count").is_visible()
        board = page.locator("[data-board]")
        assert board.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # the side states are folded; opening one shows the link to its projects
        paused = page.locator('[data-stage="paused"]')
        assert paused.evaluate("el => el.tagName") == "DETAILS"
        assert not paused.evaluate("el => el.open")
        # the drag hint is shown to mouse users
        assert page.locator(".mouse-hint").first.is_visible()
    finally:
        context.close()


def test_on_a_phone_the_board_scrolls_inside_and_hides_the_drag_hint(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        page = context.new_page()
        log_in(page, live_server, "gxq-staff1")
        page.goto(f"{live_server}/projects/board")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not page.locator(".mouse-hint").first.is_visible()
        assert page.get_by_test_id("board-column").first.get_by_test_id("column-count").is_visible()
    finally:
        context.close()

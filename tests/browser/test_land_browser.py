"""The zone's planning map: the uploaded image loads, parcels are drawn as polygons coloured by
status, a click opens the parcel's panel, a manager draws an outline that is saved, and the
page fits a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
WIDTH_JS = "document.documentElement.scrollWidth"


def test_the_map_loads_the_plan_image_and_draws_the_parcels(page, live_server):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/land/map")
    expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
    image = page.locator("img.land-plan-image")
    expect(image).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.land-plan-image');"
        " return i && i.complete && i.naturalWidth === 1200; }"
    )
    polygons = page.locator("path.land-polygon")
    assert polygons.count() >= 8  # the demo's parcels of 高新区
    expect(page.get_by_test_id("map-legend")).to_contain_text("批而未供")

    polygons.first.click()
    expect(page.get_by_test_id("panel-link")).to_be_visible()

    before = polygons.count()
    page.get_by_test_id("draw-target").select_option(label="智慧岛标准厂房 A2")
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.get_by_test_id("land-map").bounding_box()
    x, y = box["x"], box["y"]
    for dx, dy in ((420, 300), (600, 300), (600, 440)):  # clear of the toolbar
        page.mouse.click(x + dx, y + dy)
    page.locator(".button-container.active .action-finish").click()
    expect(page.get_by_test_id("draw-status")).to_contain_text("轮廓已保存")
    expect(polygons).to_have_count(before + 1)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]

    page.reload()
    expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("path.land-polygon")).to_have_count(before + 1)  # it was saved


def test_the_map_fits_a_phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    try:
        log_in(page, live_server, "city")
        page.goto(f"{live_server}/land/map")
        expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
        assert page.locator("path.land-polygon").count() >= 1
        assert page.evaluate(WIDTH_JS) <= 390
        assert page.get_by_test_id("land-map").bounding_box()["width"] <= 390
    finally:
        context.close()

"""Issue 16's done-when flow, through the UI only: a zone manager uploads a planning image,
draws a new parcel on it, registers it as 批而未供 with an area that fits a project's land need,
reserves it from the project page's matching section, supplies it, and the zone dashboard's
批而未供 activation figure goes up by exactly that area — on a desktop and at a 390 px phone."""

from __future__ import annotations

import re
import struct
import zlib
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.core.timeutil import local_today
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
PROJECT = "钼铜电子封装材料项目"  # the demo's 经开区 project that needs 45 亩
WIDTH_JS = "document.documentElement.scrollWidth"


def png(width: int, height: int) -> bytes:
    """A small valid PNG: a pale ground with a darker band (zlib + struct, no imaging library)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + (b"\xb0\xc4\xde" if height // 3 <= y < height // 3 + 20 else b"\xf4\xf1\xe8") * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def activated(page, base: str) -> Decimal:
    """The zone dashboard's 已盘活 figure (亩) of the signed-in manager's zone."""
    page.goto(f"{base}/")
    cell = page.get_by_test_id("land-activated")
    expect(cell).to_have_count(1)
    return Decimal(re.search(r"[\d.]+", cell.inner_text().replace(",", "")).group())


def draw_triangle(page, points) -> None:
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.get_by_test_id("land-map").bounding_box()
    for dx, dy in points:
        page.mouse.click(box["x"] + dx, box["y"] + dy)
    page.locator(".button-container.active .action-finish").click()


def run_flow(page, base: str, code: str, tmp_path, phone: bool = False) -> None:
    before = activated(page, base)

    # 1. upload the zone's planning image
    page.goto(f"{base}/land/map")
    expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
    image = tmp_path / f"plan-{code}.png"
    image.write_bytes(png(900, 600))
    page.get_by_test_id("plan-upload").locator("input[type=file]").set_input_files(image)
    page.get_by_test_id("plan-upload").get_by_role("button", name="上传规划图").click()
    expect(page.locator(".alert")).to_contain_text("规划图已上传")
    expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
    page.wait_for_function(
        "() => { const i = document.querySelector('img.land-plan-image');"
        " return i && i.complete && i.naturalWidth === 900; }"
    )
    if phone:
        assert page.evaluate(WIDTH_JS) <= 390

    outlines = page.locator("path.land-polygon").count()

    # 2. draw a new parcel on it with the Geoman polygon tool
    page.get_by_test_id("draw-target").select_option("new")
    box = page.get_by_test_id("land-map").bounding_box()
    w, h = box["width"], box["height"]
    with page.expect_navigation():
        draw_triangle(page, ((w * 0.45, h * 0.35), (w * 0.8, h * 0.35), (w * 0.8, h * 0.7)))
    assert "/land/parcels/new" in page.url
    expect(page.get_by_test_id("drawn-outline")).to_contain_text("已在规划图上画好轮廓")

    # 3. register it: 批而未供, 45 亩 (the project's 用地需求)
    form = page.get_by_test_id("parcel-form")
    form.locator("select[name=status]").select_option(label="批而未供")
    form.locator("input[name=code]").fill(code)
    form.locator("input[name=name]").fill(f"图上新画地块 {code}")
    form.locator("input[name=area_mu]").fill("45")
    form.locator("select[name=land_use]").select_option("industrial")
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("parcel-name")).to_contain_text(code)
    expect(page.get_by_test_id("land-status").first).to_have_text("批而未供")
    if phone:
        assert page.evaluate(WIDTH_JS) <= 390
    parcel_url = page.url

    # its outline is on the map
    page.goto(f"{base}/land/map")
    expect(page.get_by_test_id("land-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("path.land-polygon")).to_have_count(outlines + 1)

    # 4. the project page lists it as a candidate; reserve it there
    page.goto(f"{base}/projects/?q={PROJECT}")
    with page.expect_navigation():
        page.get_by_role("link", name=PROJECT).first.click()
    candidate = page.get_by_test_id("land-candidate").filter(has_text=code)
    expect(candidate).to_have_count(1)
    with page.expect_navigation():
        candidate.get_by_test_id("reserve-parcel").click()
    expect(page.get_by_test_id("land-held").filter(has_text=code)).to_contain_text("预留")
    if phone:
        assert page.evaluate(WIDTH_JS) <= 390

    # 5. supply it to the project: 批而未供 → 已供
    page.goto(parcel_url)
    claim = page.get_by_test_id("claim-form")
    claim.locator("select[name=project_id]").select_option(label=PROJECT)
    claim.locator("select[name=kind]").select_option(label="供应")
    with page.expect_navigation():
        claim.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("land-status").first).to_have_text("已供")

    # 6. the zone's activation figure went up by exactly the parcel's area
    assert activated(page, base) == before + Decimal("45")


@pytest.fixture
def live_server(live_app):
    """The server, with the plan's activation deadline not yet passed: a supply today counts
    (the plan's year is 2026; after it the zones' new deadline is a setting)."""
    year = max(2026, local_today().year)
    live_app.flask("settings", "set", "land.activation_deadline_year", str(year))
    return live_app.url


def test_a_manager_draws_registers_reserves_and_supplies_a_parcel(page, live_server, tmp_path):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, "jkq-manager")
    run_flow(page, live_server, "JK-D01", tmp_path)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]


def test_the_same_flow_at_a_390_px_phone_width(browser, live_server, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server, "jkq-manager")
        run_flow(page, live_server, "JK-D02", tmp_path, phone=True)
    finally:
        context.close()

"""Pickers in a real browser: a coordinator fills a gap node by typing an enterprise's pinyin
and picking it; without JavaScript the same forms still work with names typed by hand."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _open_gap_node(page, base_url: str, which: int) -> str:
    page.goto(f"{base_url}/chains/")
    page.get_by_role("link", name="有色金属材料").first.click()
    gap = page.locator("a.chain-node-missing").nth(which)
    name = gap.locator("strong").inner_text()
    gap.click()
    expect(page.locator("#node h2")).to_contain_text(name)
    return name


def test_a_gap_node_is_filled_by_picking_an_enterprise_by_pinyin(page, live_server):
    log_in(page, live_server, "city")
    _open_gap_node(page, live_server, 1)
    form = page.get_by_test_id("gap-targets-form")
    expect(form.get_by_text("已有企业编号")).to_have_count(0)
    picker = form.locator(".ts-control input")
    picker.fill("shenzhen")  # full pinyin of 深圳: the server-side search
    option = page.locator(".ts-dropdown .option").first
    expect(option).to_contain_text("深圳")
    name = option.inner_text().split("\n")[0]
    option.click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="加入目标企业清单").click()
    expect(page.get_by_role("alert")).to_contain_text("已加入目标企业清单")
    expect(page.get_by_test_id("node-targets")).to_contain_text(name)


def test_the_link_picker_searches_and_an_unknown_word_says_so(page, live_server):
    log_in(page, live_server, "city")
    _open_gap_node(page, live_server, 2)
    picker = page.locator("[data-testid=link-enterprise-picker] + .ts-wrapper .ts-control input")
    expect(page.locator("#link-ent-name")).to_be_hidden()  # the no-JS fallback is hidden
    picker.fill("完全不存在的词汇")
    expect(page.locator(".ts-dropdown .no-results").first).to_contain_text("没有找到")


def test_without_javascript_the_gap_form_takes_typed_names(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, live_server, "city")
        _open_gap_node(page, live_server, 3)
        form = page.get_by_test_id("gap-targets-form")
        expect(form.locator("select[name=enterprise_ids]")).to_be_hidden()
        expect(page.locator("#link-ent-name")).to_be_visible()
        form.locator("textarea[name=names]").fill("河南无脚本新材料有限公司")
        form.get_by_role("button", name="加入目标企业清单").click()
        expect(page.get_by_role("alert")).to_contain_text("已加入目标企业清单")
        expect(page.get_by_test_id("node-targets")).to_contain_text("河南无脚本新材料有限公司")
    finally:
        context.close()


def test_the_digest_preview_picks_its_recipient_by_pinyin(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/reminders/preview/daily")
    expect(page.locator("#pv-login")).to_be_hidden()  # the no-JS fallback is hidden
    expect(page.get_by_text("用户编号")).to_have_count(0)
    picker = page.locator("[data-testid=preview-user-picker] + .ts-wrapper .ts-control input")
    picker.fill("zyf")  # 赵一帆 by the initials of its pinyin
    option = page.locator(".ts-dropdown .option", has_text="赵一帆")
    expect(option).to_contain_text("赵一帆")
    option.click()
    with page.expect_navigation():
        page.get_by_role("button", name="刷新").click()
    expect(page.locator("p.text-muted").first).to_contain_text("赵一帆")


def test_a_picked_owner_stays_put_beside_its_button(page, live_server):
    """The bulk owner picker keeps its width as it loses focus, so the button beside it is
    where the pointer is when the click lands."""
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/targets/?zone=1")  # 高新区, the first zone of the seed
    button = page.locator("button[value=assign]")
    before = button.bounding_box()
    page.locator("[data-testid=bulk-owner-picker] + .ts-wrapper .ts-control input").click()
    page.keyboard.type("钱")
    page.locator(".ts-dropdown .option", has_text="钱二宝").first.click()
    page.locator("h1").first.click()  # focus leaves the picker
    assert button.bounding_box()["x"] == before["x"]


def _new_target(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/targets/new")
    page.get_by_label("企业名称", exact=True).fill(name)
    page.get_by_label("企业招商").check()
    page.get_by_role("button", name="加入目标清单").click()
    if page.get_by_test_id("duplicate-warning").count():  # a rerun on the same server
        page.get_by_label("确认不是同一家企业，继续创建").check()
        page.get_by_role("button", name="加入目标清单").click()
    expect(page.get_by_test_id("target-name")).to_have_text(name)


def test_a_project_from_the_library_picks_its_enterprise_and_converts_the_target(page, live_server):
    name = "济渎湖畔光电有限公司"  # fictional; initials jdhpgd
    log_in(page, live_server, "gxq-manager")
    _new_target(page, live_server, name)
    page.goto(f"{live_server}/projects/new")
    picker = page.locator("[data-testid=project-enterprise-picker] + .ts-wrapper .ts-control input")
    picker.fill("jdhpgd")  # pinyin initials: the server-side search
    page.locator(".ts-dropdown .option", has_text=name).first.click()
    page.fill("input[name=name]", "光电扩产项目")
    page.get_by_role("button", name="保存").click()
    offer = page.get_by_test_id("convert-offer")
    expect(offer).to_contain_text("目标企业清单")
    expect(offer.locator("input[value=convert]")).to_be_checked()
    expect(page.locator("input[name=name]")).to_have_value("光电扩产项目")  # kept
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("project-name")).to_have_text("光电扩产项目")
    page.get_by_test_id("source-target").click()
    expect(page.get_by_test_id("target-name")).to_have_text(name)
    expect(page.get_by_test_id("convert-target")).to_have_count(0)  # converted


def test_without_javascript_a_project_takes_its_enterprise_by_name(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, live_server, "gxq-manager")
        page.goto(f"{live_server}/projects/new")
        expect(page.locator("select[name=enterprise_id]")).to_be_hidden()
        page.fill("input[name=enterprise_name]", "济源无脚本项目光电有限公司")
        page.fill("input[name=name]", "无脚本项目")
        page.get_by_role("button", name="保存").click()
        if page.get_by_test_id("duplicates").count():  # a rerun on the same server
            page.check("input[name=confirm_duplicate]")
            page.get_by_role("button", name="保存").click()
        expect(page.get_by_test_id("project-name")).to_have_text("无脚本项目")
    finally:
        context.close()

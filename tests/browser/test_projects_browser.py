"""The pipeline in a real browser: create a project, drag it to 签约 on the board, record the
evidence, see the history; then a stale save from a second browser is refused."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from crm.core.timeutil import local_today
from tests.browser.conftest import VIEWPORT, log_in

pytestmark = pytest.mark.browser

MANAGER_NAME = "张高新"  # gxq-manager in the demo data


def create_project(page, base_url: str, name: str) -> int:
    """Create a project in 洽谈 through the form; returns its id."""
    page.goto(f"{base_url}/projects/new")
    page.fill("input[name=enterprise_name]", f"济源{name}科技有限公司")
    page.fill("input[name=name]", name)
    page.select_option("select[name=amount_unit]", "亿元")
    page.fill("input[name=planned_total_wan]", "12")
    page.select_option("select[name=stage]", "negotiation")
    page.get_by_role("button", name="保存").click()
    if page.get_by_test_id("duplicates").count():  # a similar name from another run
        page.check("input[name=confirm_duplicate]")
        page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.get_by_test_id("project-name")).to_have_text(name)
    return int(page.url.rsplit("/", 1)[1])


def test_board_drag_to_signed_with_evidence_then_stale_save_is_refused(
    page, browser, live_server, tmp_path
):
    log_in(page, live_server, "gxq-manager")
    name = f"浏览器看板测试{secrets.token_hex(3)}项目"
    project_id = create_project(page, live_server, name)

    page.goto(f"{live_server}/projects/board")
    card = page.get_by_test_id("board-card").filter(has_text=name)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("12.00亿元")
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
    column = page.locator("[data-testid=board-column][data-stage=negotiation]")
    expect(column.get_by_test_id("board-card").filter(has_text=name)).to_have_count(1)
    signed_column = page.locator("[data-testid=board-column][data-stage=signed]")
    stage_form = re.compile(rf"/projects/{project_id}/stage\?to=signed")
    card.drag_to(signed_column)  # board.js opens the stage form with 签约 preselected
    try:
        page.wait_for_url(stage_form, timeout=5_000)
    except PlaywrightTimeoutError:  # synthetic mouse moves can lose a drag on a loaded machine
        card.drag_to(signed_column)
    expect(page).to_have_url(stage_form)
    expect(page.get_by_test_id("to-stage")).to_have_value("signed")

    form = page.get_by_test_id("stage-form")
    form.get_by_role("button", name="确认变更").click()  # no evidence: refused, nothing lost
    expect(form.locator(".invalid-feedback").first).to_contain_text("须填写签约日期")
    page.fill("input[name=contract_signed_on]", local_today().isoformat())
    page.fill("input[name=contract_amount_wan]", "12亿")
    page.get_by_test_id("stage-form").get_by_role("button", name="确认变更").click()

    expect(page).to_have_url(re.compile(rf"/projects/{project_id}#history$"))
    expect(page.locator(".alert-success")).to_contain_text("签约")
    expect(page.locator(".alert-warning")).to_contain_text("首报")
    history = page.get_by_test_id("stage-history")
    expect(history).to_contain_text("洽谈 → 签约")
    expect(history).to_contain_text("合同投资额：12.00亿元")
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)

    second = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        other = second.new_page()
        other.set_default_timeout(10_000)
        log_in(other, live_server, "city")
        other.goto(f"{live_server}/projects/{project_id}/edit")

        page.goto(f"{live_server}/projects/{project_id}/edit")
        page.fill("input[name=next_step]", "第一个窗口：约企业董事长面谈")
        page.get_by_role("button", name="保存").click()
        expect(page).to_have_url(re.compile(rf"/projects/{project_id}$"))

        other.fill("input[name=next_step]", "第二个窗口：报送项目测算")
        other.get_by_role("button", name="保存").click()
        expect(other.get_by_test_id("form-error")).to_contain_text(MANAGER_NAME)
        expect(other.locator("input[name=next_step]")).to_have_value("第二个窗口：报送项目测算")
        other.screenshot(path=str(tmp_path / "stale.png"), full_page=True)
    finally:
        second.close()

    page.goto(f"{live_server}/projects/{project_id}")
    expect(page.locator("body")).to_contain_text("第一个窗口：约企业董事长面谈")
    expect(page.locator("body")).not_to_contain_text("第二个窗口：报送项目测算")

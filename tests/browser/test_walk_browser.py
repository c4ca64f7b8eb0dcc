"""Each role's day, end to end, at a desk (1440 px) and on a phone (390 px, touch), in Chinese
and in English (issue 10's Done-when walk), through the real pages: menus, forms, pickers.

- staff: find a target by pinyin, log a visit with a next step, convert the target to a
  project, see it in 我的跟进;
- manager: move a project a stage with evidence, read why a project is 未计入, open and print
  the monthly report;
- city: follow a gap node to the target list with the picker, add and complete a roadmap
  milestone;
- admin: change a setting through its form and find it in the audit log.

The demo users and the live server are shared with the other browser tests: each run picks
or creates its own rows (a target still 已接触, a project of its own, a milestone of its own)
and leaves the users in Chinese and the setting as it was."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypinyin import Style, lazy_pinyin

from tests.browser.walk_support import alert, fits, menu, open_filters, screen, sign_in

pytestmark = pytest.mark.browser
__all__ = ["screen"]  # the fixture, parametrised over screens and languages


def _today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _next_week_wednesday():
    today = _today()
    return today - timedelta(days=today.weekday()) + timedelta(days=9)


def test_staff_day(screen, live_server):
    page, words = screen, screen.words
    sign_in(page, live_server, "gxq-staff1")
    # a target of theirs still 已接触 (each run converts its own, so the next run finds another)
    page.goto(f"{live_server}/targets/?status=contacted")
    rows = page.locator(".target-table tbody tr").filter(has=page.get_by_test_id("convert-target"))
    name = rows.first.locator("a.fw-semibold").inner_text()

    menu(page, words["targets"])
    open_filters(page)
    page.fill("#f-q", "".join(lazy_pinyin(name[:4], style=Style.FIRST_LETTER)))
    page.get_by_role("button", name=words["filter"], exact=True).click()
    page.locator(".target-table tbody").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_test_id("target-name")).to_have_text(name)
    fits(page)

    step, due = f"寄送供地方案 {page.tag}", _next_week_wednesday()
    page.get_by_text(words["log"], exact=True).click()
    form = page.get_by_test_id("activity-form")
    form.locator("select[name=kind]").select_option("visit")
    form.locator("textarea[name=summary]").fill("拜访企业总经理，介绍园区政策")
    form.locator("input[name=next_step]").fill(step)
    form.locator("input[name=next_follow_up]").fill(due.isoformat())
    form.get_by_role("button", name=words["save_log"]).click()
    expect(alert(page)).to_contain_text(words["logged"])
    expect(page.get_by_test_id("next-step")).to_have_text(step)

    page.get_by_test_id("convert-target").click()
    expect(page.get_by_test_id("preset-enterprise")).to_have_text(name)
    expect(page.locator("input[name=next_step]")).to_have_value(step)  # carried over
    fits(page)
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(alert(page)).to_contain_text(words["created"])
    project = page.get_by_test_id("project-name").inner_text()

    menu(page, words["mine"])
    page.get_by_test_id("agenda-views").get_by_role("link", name=words["next_week"]).click()
    row = page.get_by_test_id("next").locator("tr", has_text=project)
    expect(row).to_contain_text(step)
    expect(row).to_contain_text(due.isoformat())
    fits(page)


def test_manager_day(screen, live_server):
    page, words = screen, screen.words
    sign_in(page, live_server, "gxq-manager")
    menu(page, words["projects"])
    page.get_by_role("link", name=words["new_project"]).click()
    name = f"扩产项目{secrets.token_hex(3)}"
    page.fill("input[name=enterprise_name]", f"济源{name}精密有限公司")
    page.fill("input[name=name]", name)
    page.select_option("select[name=project_type]", "expansion")
    page.select_option("select[name=amount_unit]", "亿元")
    page.fill("input[name=planned_total_wan]", "12")
    page.select_option("select[name=stage]", "negotiation")
    page.get_by_role("button", name=words["save"], exact=True).click()
    if page.get_by_test_id("duplicates").count():  # a similar name from another run
        page.check("input[name=confirm_duplicate]")
        page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_test_id("project-name")).to_have_text(name)

    # 洽谈 → 签约, with the contract's date and amount as evidence
    with page.expect_navigation():  # and its scripts run: choosing a stage submits itself
        page.get_by_role("link", name=words["change_stage"]).click()
    with page.expect_navigation():
        page.get_by_test_id("to-stage").select_option("signed")
    form = page.get_by_test_id("stage-form")
    form.locator("input[name=contract_signed_on]").fill(_today().isoformat())
    form.locator("input[name=contract_amount_wan]").fill("12亿")
    fits(page)
    form.get_by_role("button", name=words["confirm"]).click()
    expect(alert(page)).to_contain_text(words["moved"])

    # why it is 未计入 the year's quota: an expansion project
    menu(page, words["home"])
    excluded = page.get_by_test_id("excluded")
    expect(excluded).to_contain_text(words["not_counted"])
    item = excluded.get_by_test_id("excluded-project").filter(has_text=name)
    expect(item).to_contain_text(words["expansion"])
    fits(page)

    page.get_by_role("link", name=words["report"], exact=True).first.click()
    expect(page.get_by_test_id("report-title")).to_contain_text(words["monthly"])
    fits(page)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".report-head .btn").first).to_be_hidden()
    page.emulate_media(media="screen")


def test_city_day(screen, live_server):
    page, words = screen, screen.words
    sign_in(page, live_server, "city")
    menu(page, words["chains"])
    page.get_by_role("link", name="有色金属材料").first.click()
    page.locator("a.chain-node-missing").last.click()
    form = page.get_by_test_id("gap-targets-form")
    form.locator(".ts-control input").fill("luoyang")  # full pinyin of 洛阳: the picker
    option = page.locator(".ts-dropdown .option").nth(page.run)
    expect(option).to_contain_text("洛阳")
    enterprise = option.inner_text().split("\n")[0]
    option.click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name=words["add"]).click()
    expect(alert(page)).to_contain_text(words["added"])
    expect(page.get_by_test_id("node-targets")).to_contain_text(enterprise)
    page.get_by_test_id("node-target-list").click()
    expect(page).to_have_url(re.compile(r"/targets/\?.*node="))
    expect(page.locator(".target-table tbody")).to_contain_text(enterprise)
    fits(page)

    menu(page, words["chains"])
    page.locator("tr", has_text="有色金属材料").get_by_role("link", name=words["roadmap"]).click()
    row = page.get_by_test_id("roadmap").locator("tbody tr").first
    quarter = row.locator("input[name=quarter]")
    title = f"拜访链主企业 {page.tag} {secrets.token_hex(2)}"
    quarter.fill(quarter.get_attribute("placeholder"))
    row.locator("input[name=title]").fill(title)
    row.locator("input[name=title]").press("Enter")
    expect(alert(page)).to_contain_text(words["milestone_added"])
    milestone = page.get_by_test_id("milestone").filter(has_text=title)
    milestone.get_by_role("button", name=words["done"], exact=True).click()
    expect(alert(page)).to_contain_text(words["milestone_done"])
    expect(page.get_by_test_id("milestone").filter(has_text=title)).to_contain_text(
        words["completed"]
    )
    fits(page)


def test_admin_day(screen, live_server):
    page, words = screen, screen.words
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/settings")
    fits(page)
    field = page.locator("[name='projects.stage_probability[negotiation]']")
    old = field.input_value()
    field.fill("101")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_test_id("setting-error")).to_contain_text(words["too_big"])
    expect(field).to_have_value("101")  # what was typed stays
    new = "31" if old != "31" else "32"
    field.fill(new)
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(alert(page)).to_contain_text(words["saved"])
    expect(field).to_have_value(new)
    page.goto(f"{live_server}/admin/audit?entity=setting")
    expect(page.locator("table tbody tr").first).to_contain_text(
        re.compile("stage_probability|各阶段成功概率|Success probability")
    )
    fits(page)
    page.goto(f"{live_server}/admin/settings")
    field.fill(old)  # leave the shared server as it was
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(alert(page)).to_contain_text(words["saved"])

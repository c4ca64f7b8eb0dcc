"""A staff member's day: log a visit with a next step, see it in 我的跟进 (next week and the
month view), then convert the target into a project and follow the links both ways."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

NAME = "济水河畔新材料有限公司"  # fictional, unlike any demo enterprise
NEXT_STEP = "寄送园区供地方案"


def _today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_next_step_in_my_follow_ups_then_convert_the_target(page, live_server):
    log_in(page, live_server, "gxq-staff1")
    page.goto(f"{live_server}/targets/new")
    page.get_by_label("企业名称", exact=True).fill(NAME)
    page.get_by_label("企业招商").check()
    page.get_by_role("button", name="加入目标清单").click()
    if page.get_by_test_id("duplicate-warning").count():
        page.get_by_label("确认不是同一家企业，继续创建").check()
        page.get_by_role("button", name="加入目标清单").click()
    expect(page.get_by_test_id("target-name")).to_have_text(NAME)
    target_url = page.url

    # a visit with a next step, due next week
    today = _today()
    due = today - timedelta(days=today.weekday()) + timedelta(days=9)  # next Wednesday
    page.get_by_text("记录跟进", exact=True).click()
    form = page.get_by_test_id("activity-form")
    form.get_by_label("跟进方式").select_option(label="拜访")
    form.get_by_label("跟进情况").fill("拜访企业总经理，介绍园区政策")
    form.get_by_label("下一步计划").fill(NEXT_STEP)
    form.get_by_label("下次跟进日期").fill(due.isoformat())
    form.get_by_role("button", name="保存跟进记录").click()
    expect(page.get_by_role("alert")).to_contain_text("跟进记录已保存")
    expect(page.get_by_test_id("next-step")).to_have_text(NEXT_STEP)

    # 我的跟进: next week lists it with its next step; the month view has it on its day
    page.goto(f"{live_server}/reminders/")
    views = page.get_by_test_id("agenda-views")
    views.get_by_role("link", name="下周").click()
    row = page.get_by_test_id("next").locator("tr", has_text=NAME)
    expect(row).to_contain_text(NEXT_STEP)
    expect(row).to_contain_text(due.isoformat())
    page.get_by_test_id("agenda-views").get_by_role("link", name="月视图").click()
    if due.month != today.month:
        page.get_by_role("link", name="下个月").click()
    expect(page.get_by_test_id("month-title")).to_contain_text(f"{due.month}月")
    expect(page.locator(f'td[data-day="{due.isoformat()}"]')).to_contain_text(NAME)

    # the list row offers 转为项目; the target page converts it
    page.goto(f"{live_server}/targets/?q={NAME}")
    list_row = page.get_by_test_id("target-table").locator("tbody tr", has_text=NAME)
    expect(list_row.get_by_test_id("convert-target")).to_be_visible()
    page.goto(target_url)
    page.get_by_test_id("convert-target").click()
    expect(page.get_by_test_id("preset-enterprise")).to_have_text(NAME)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("已创建")
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    project_url = page.url

    page.get_by_test_id("source-target").click()
    expect(page.get_by_test_id("target-name")).to_have_text(NAME)
    expect(page.get_by_test_id("convert-target")).to_have_count(0)
    projects = page.get_by_test_id("target-projects")
    expect(projects).to_contain_text("由本目标转入")
    projects.get_by_role("link").first.click()
    expect(page).to_have_url(project_url)

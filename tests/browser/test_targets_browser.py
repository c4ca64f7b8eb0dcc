"""The target list in a real browser: find a target by pinyin initials and log a visit.

(The import half of the issue's journey lives with the import pages' browser test.)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

# fictional, and unlike any demo enterprise: initials qhysjmyqyxgs
NAME = "沁河云杉精密仪器有限公司"
INITIALS = "qhysjm"


def _shanghai_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _add_target(page, base_url: str) -> None:
    """Put NAME on the signed-in zone's list through the create form."""
    page.goto(f"{base_url}/targets/new")
    page.get_by_label("企业名称", exact=True).fill(NAME)
    page.get_by_label("所属行业").fill("仪器仪表")
    page.get_by_label("企业招商").check()
    page.get_by_role("button", name="加入目标清单").click()
    if page.get_by_test_id("duplicate-warning").count():  # a look-alike from an earlier run
        page.get_by_label("确认不是同一家企业，继续创建").check()
        page.get_by_role("button", name="加入目标清单").click()
    expect(page.get_by_test_id("target-name")).to_have_text(NAME)


def test_find_by_pinyin_initials_and_log_a_visit(page, live_server, tmp_path):
    log_in(page, live_server, "gxq-staff1")
    _add_target(page, live_server)

    # the list: search by pinyin initials
    page.get_by_role("link", name="目标企业", exact=True).click()
    expect(page.get_by_role("heading", name="目标企业清单")).to_be_visible()
    page.get_by_label("搜索", exact=True).fill(INITIALS)
    page.get_by_label("搜索", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={INITIALS}"))
    table = page.get_by_test_id("target-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(NAME)
    expect(table).to_contain_text("高新区")
    expect(table).to_contain_text("赵一帆")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)

    # the target page: log a visit
    table.get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("target-name")).to_have_text(NAME)
    next_date = (_shanghai_today() + timedelta(days=14)).isoformat()
    expect(page.get_by_test_id("next-follow-up")).not_to_contain_text(next_date)
    page.get_by_text("记录跟进", exact=True).click()
    form = page.get_by_test_id("activity-form")
    form.get_by_label("跟进方式").select_option(label="拜访")
    expect(form.get_by_label("跟进日期", exact=True)).to_have_value(_shanghai_today().isoformat())
    form.get_by_label("参与人员").fill("赵一帆、企业总经理")
    form.get_by_label("跟进情况").fill("上门拜访总经理，介绍园区用地和能耗政策")
    form.get_by_label("下一步计划").fill("寄送园区用地资料")
    form.get_by_label("下次跟进日期").fill(next_date)
    form.get_by_role("button", name="保存跟进记录").click()

    expect(page.get_by_role("alert")).to_contain_text("跟进记录已保存")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("拜访")
    expect(timeline).to_contain_text("上门拜访总经理，介绍园区用地和能耗政策")
    expect(timeline).to_contain_text("寄送园区用地资料")
    expect(page.get_by_test_id("next-follow-up")).to_contain_text(next_date)
    expect(page.get_by_test_id("last-activity")).to_contain_text(_shanghai_today().isoformat())
    page.screenshot(path=str(tmp_path / "target.png"), full_page=True)

    # back on the list, the row shows the new follow-up date; tick all and raise its priority
    page.goto(f"{live_server}/targets/?q={INITIALS}")
    table = page.get_by_test_id("target-table")
    expect(table).to_contain_text(next_date)
    page.get_by_label("全选本页").check()
    expect(table.locator('input[name="ids"]')).to_be_checked()
    expect(page.locator("[data-bulk-count]")).to_contain_text("已选 1 条")
    page.locator('#bulk-form select[name="priority"]').select_option("A")
    page.get_by_role("button", name="修改优先级").click()
    expect(page.get_by_role("alert").first).to_contain_text("已修改 1 条")
    expect(page).to_have_url(re.compile(rf"[?&]q={INITIALS}"))  # back on the same filter
    row = page.get_by_test_id("target-table").locator("tbody tr").first
    expect(row.locator('span[title="优先级"]')).to_have_text("A")

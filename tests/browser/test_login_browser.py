"""Sign-in and sign-out in a real browser against a real server (QUALITY: Authentication)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

GXQ_FULL_NAME = "济源高新技术产业开发区"
BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"


def test_login_home_logout(page, live_server, tmp_path):
    page.goto(f"{live_server}/login")
    expect(page).to_have_title(re.compile("登录"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录招商引资管理平台")).to_be_visible()

    log_in(page, live_server, "gxq-staff1")

    expect(page.get_by_test_id("home-zone")).to_contain_text(GXQ_FULL_NAME)
    expect(page.get_by_test_id("current-user")).to_contain_text("赵一帆")
    expect(page.get_by_test_id("current-user")).to_contain_text("高新区")
    navbar_colour = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_colour == BOOTSTRAP_PRIMARY, "Bootstrap's stylesheet did not load"
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page).to_have_title(re.compile("登录"))
    expect(page.get_by_role("alert")).to_contain_text("您已安全退出")

    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_wrong_password_keeps_the_user_name(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "gxq-staff1")
    page.fill("input[name=password]", "not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page.locator("input[name=login]")).to_have_value("gxq-staff1")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.get_by_test_id("current-user")).to_have_count(0)

    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))

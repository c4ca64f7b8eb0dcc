"""A coordinator fills a gap of a chain from the map and sees it on the roadmap."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_gap_node_to_target_to_roadmap(page, live_server):
    log_in(page, live_server, "city")
    page.goto(f"{live_server}/chains/")
    page.get_by_role("link", name="有色金属材料").first.click()
    expect(page.get_by_role("heading", name="有色金属材料")).to_be_visible()

    gap = page.locator("a.chain-node-missing").first
    node_name = gap.locator("strong").inner_text()
    gap.click()
    expect(page.locator("#node h2")).to_contain_text(node_name)

    form = page.get_by_test_id("gap-targets-form")
    form.locator("textarea[name=names]").fill("浙江示例补链材料有限公司")
    form.locator("select[name=zone_id]").select_option(label="经开区")
    form.get_by_role("button", name="加入目标企业清单").click()
    expect(page.get_by_role("alert")).to_contain_text("已加入目标企业清单")
    expect(page.get_by_test_id("node-targets")).to_contain_text("浙江示例补链材料有限公司")

    page.get_by_role("link", name="招商路线图").first.click()
    expect(page).to_have_url(re.compile(r"/roadmap$"))
    row = page.get_by_test_id("roadmap").locator("tr", has_text=node_name)
    expect(row).to_contain_text("浙江示例补链材料有限公司")
    expect(row).to_contain_text("经开区")


def test_a_manager_links_a_target_to_a_node_and_finds_it_from_the_map(page, live_server):
    log_in(page, live_server, "gxq-manager")
    page.goto(f"{live_server}/targets/")
    page.locator("#f-zone").select_option(label="高新区")  # a manager changes any of these
    page.get_by_role("button", name="筛选").click()
    page.locator("table tbody tr").first.locator("a[href^='/targets/']").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    card = page.get_by_test_id("chain-links")
    picker = card.locator(".ts-control input")  # search-as-you-type, not a Ctrl-click list
    picker.fill("电子铜箔")
    page.locator(".ts-dropdown .option", has_text="有色金属材料 · 电子铜箔").first.click()
    card.get_by_role("button", name="保存环节").click()
    expect(page.get_by_role("alert")).to_contain_text("产业链环节已更新")
    link = page.get_by_test_id("chain-links").get_by_role("link", name="有色金属材料 · 电子铜箔")
    link.click()
    expect(page.locator("#node h2")).to_contain_text("电子铜箔")
    page.get_by_test_id("node-target-list").click()
    expect(page.locator("table")).to_contain_text(name.split("\n")[0].strip())


def test_graph_has_its_legend_and_a_click_opens_the_node_panel(page, live_server):
    log_in(page, live_server, "city")
    page.goto(f"{live_server}/chains/")
    page.get_by_role("link", name="有色金属材料").first.click()
    page.get_by_role("link", name="图谱视图").first.click()
    legend = page.get_by_test_id("graph-legend")
    for label in ("强", "一般", "弱", "缺", "风险"):
        expect(legend).to_contain_text(label)
    page.wait_for_function(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('chain-graph'));"
        " return c && c.getModel() && c.getModel().getSeriesByIndex(0); }"
    )
    page.wait_for_timeout(800)  # the tree's entry animation
    node = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chain-graph'));
          const data = chart.getModel().getSeriesByIndex(0).getData();
          for (let i = 0; i < data.count(); i++) {
            const item = data.getRawDataItem(i);
            const el = data.getItemGraphicEl(i);
            if (item && item.id && el) {
              const p = el.parent;
              const [x, y] = p ? p.transformCoordToGlobal(el.x, el.y) : [el.x, el.y];
              return {id: item.id, name: item.name, x: x, y: y};
            }
          }
          return null;
        }"""
    )
    assert node is not None
    box = page.locator("#chain-graph").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + node["x"], box["y"] + node["y"])
    expect(page).to_have_url(re.compile(rf"[?&]node={node['id']}"))
    expect(page.locator("#node h2")).to_contain_text(node["name"])

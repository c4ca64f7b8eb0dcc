"""报送 pages and the Word downloads: scoping (another zone answers 404), bad input kept with
its reason, the .docx read back with python-docx, the dashboards' status section."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn

from crm.core.period_lock import is_locked
from crm.extensions import db
from crm.reporting import services as s
from crm.reporting.word import chinese_date
from tests.conftest import csrf_token
from tests.test_dashboard_data import TODAY, client_of, make_plan, signed

TEXT = "本月赴深圳对接铜箔企业三家。"


@pytest.fixture
def plan(app):
    return make_plan()


def month() -> str:
    return s.period_of_today(TODAY)


def _post(client, path, page, **data):
    data["csrf_token"] = csrf_token(client, page)
    return client.post(path, data=data)


def _read(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("wordprocessingml.document")
    return Document(BytesIO(response.data))


def _texts(doc) -> list[str]:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def test_submit_return_resubmit_accept_through_the_pages(app, plan):
    zones, people = plan
    gxq = zones["gxq"]
    page = f"/reporting/zones/{gxq.id}/{month()}"
    manager = client_of(app, people["gxq_manager"])
    assert 'data-testid="submit-card"' in manager.get(page).get_data(as_text=True)
    empty = _post(manager, page + "/submit", page, text="   ")
    assert empty.status_code == 400 and "请填写本月工作开展情况" in empty.get_data(as_text=True)
    long = _post(manager, page + "/submit", page, text="长" * 5001)
    assert long.status_code == 400 and "长" * 100 in long.get_data(as_text=True)  # input kept
    assert _post(manager, page + "/submit", page, text=TEXT).status_code == 302
    row = s.history(gxq, month(), people["city"])[0]
    city = client_of(app, people["city"])
    html = city.get(page).get_data(as_text=True)
    assert "review-card" in html and "已报" in html
    no_comment = _post(city, f"/reporting/submissions/{row.id}/return", page, comment="")
    assert no_comment.status_code == 400 and "退回时请填写退回意见" in no_comment.get_data(
        as_text=True
    )
    assert (
        _post(city, f"/reporting/submissions/{row.id}/return", page, comment="请补充").status_code
        == 302
    )
    assert "请补充" in manager.get(page).get_data(as_text=True)
    assert _post(manager, page + "/submit", page, text=TEXT + "已补充").status_code == 302
    second = s.history(gxq, month(), people["city"])[-1]
    viewer = client_of(app, people["viewer"])
    assert _post(viewer, f"/reporting/submissions/{second.id}/accept", page).status_code == 403
    assert _post(city, f"/reporting/submissions/{second.id}/accept", page).status_code == 302
    assert is_locked(gxq.id, month())
    html = viewer.get(page).get_data(as_text=True)
    assert "已接收" in html and html.count('data-testid="submission"') == 2
    assert "submit-card" not in manager.get(page).get_data(as_text=True)


def test_another_zone_answers_404_everywhere(app, plan):
    zones, people = plan
    gxq = zones["gxq"]
    row = s.submit(gxq, month(), TEXT, people["gxq_manager"])
    db.session.commit()
    other = client_of(app, people["jkq_manager"])
    for path in (
        f"/reporting/zones/{gxq.id}/{month()}",
        f"/reporting/submissions/{row.id}/docx",
        f"/reporting/monthly.docx?zone={gxq.id}",
        f"/reporting/weekly.docx?zone={gxq.id}",
        "/reporting/zones/99999999999/2026-11",
        f"/reporting/zones/{gxq.id}/2026-13",
        f"/reporting/zones/{gxq.id}/1900-01",
        "/reporting/monthly.docx?month=2026-1x",
        "/reporting/weekly.docx?date=2026-02-30",
    ):
        assert other.get(path).status_code == 404, path
    page = f"/reporting/zones/{zones['jkq'].id}/{month()}"
    submitted = _post(other, f"/reporting/zones/{gxq.id}/{month()}/submit", page, text=TEXT)
    assert submitted.status_code == 404
    rows = other.get("/reporting/").get_data(as_text=True)
    assert rows.count('data-testid="report-status-row"') == 1 and gxq.short_name not in rows
    assert other.get("/reporting/?month=bad").status_code == 200  # falls back to last month


def test_the_submitted_docx_holds_what_was_submitted(app, plan):
    zones, people = plan
    gxq = zones["gxq"]
    signed(people["gxq_staff"], "报送铜箔项目", 150000)
    row = s.submit(gxq, month(), TEXT, people["gxq_manager"])
    db.session.commit()
    signed(people["gxq_staff"], "报送后签约项目", 80000)  # after the submission
    db.session.commit()
    doc = _read(client_of(app, people["viewer"]).get(f"/reporting/submissions/{row.id}/docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    title = f"{gxq.name}{TODAY.year}年{TODAY.month}月招商引资工作月报"
    assert paragraphs[0] == title
    assert paragraphs[-1] == chinese_date(TODAY) and paragraphs[-2] == gxq.name
    assert paragraphs[2].endswith("：")  # 主送机关
    assert "一、工作开展情况" in paragraphs and TEXT in paragraphs
    assert any(p.startswith("三、主要指标") for p in paragraphs)
    signed_row = next(
        [c.text for c in r.cells]
        for t in doc.tables
        for r in t.rows
        if r.cells[0].text == "签约项目数"
    )
    assert signed_row[2:4] == ["1", "1"]  # 本期 / 累计 as submitted, not 2
    amount = next(
        [c.text for c in r.cells]
        for t in doc.tables
        for r in t.rows
        if r.cells[0].text == "签约金额"
    )
    assert amount[2] == "15.00"
    title_run = doc.paragraphs[0].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run.font.size.pt == 22
    body_run = doc.paragraphs[-1].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_todays_reports_download_as_word_for_the_zone_and_the_city(app, plan):
    zones, people = plan
    signed(people["gxq_staff"], "周报铜箔项目", 150000)
    signed(people["jkq_staff"], "经开周报项目", 120000)
    db.session.commit()
    manager = client_of(app, people["gxq_manager"])
    weekly = _texts(_read(manager.get("/reporting/weekly.docx")))
    assert weekly[0].startswith(zones["gxq"].name + "招商引资工作周报")
    assert "周报铜箔项目" in weekly and "经开周报项目" not in weekly
    city = client_of(app, people["city"])
    monthly = _read(city.get(f"/reporting/monthly.docx?month={month()}"))
    texts = _texts(monthly)
    assert texts[0] == f"全市{TODAY.year}年{TODAY.month}月招商引资工作月报"
    row = next(
        [c.text for c in r.cells]
        for t in monthly.tables
        for r in t.rows
        if r.cells[0].text == "签约项目数"
    )
    assert row[2] == "2"
    services = _texts(_read(city.get(f"/reporting/monthly.docx?zone={zones['xdfw'].id}")))
    assert "本年度未设定年度招商目标。" in services  # no quota: said, not an empty table
    page = manager.get("/dashboard/reports/monthly").get_data(as_text=True)
    assert "/reporting/monthly.docx?" in page and 'data-testid="docx-link"' in page


def test_the_dashboards_show_each_zones_status(app, plan):
    zones, people = plan
    period = s.previous_period(TODAY)
    row = s.submit(zones["gxq"], period, TEXT, people["gxq_manager"])
    s.return_report(row, "请补充", people["city"])
    s.submit(zones["jkq"], period, TEXT, people["jkq_manager"])
    db.session.commit()
    html = client_of(app, people["viewer"]).get("/dashboard/city").get_data(as_text=True)
    panel = html[html.index('data-testid="report-panel"') :]
    assert "退回" in panel and "已报" in panel and panel.count("report-status-row") == 3
    zone_page = client_of(app, people["gxq_manager"]).get("/").get_data(as_text=True)
    zone_panel = zone_page[zone_page.index('data-testid="report-panel"') :]
    assert zone_panel.count("report-status-row") == 1 and "退回" in zone_panel

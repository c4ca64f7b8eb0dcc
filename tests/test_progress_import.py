"""The zone's monthly progress sheet through the import pages: preview, row/column/reason
errors, all or nothing, a locked month as a new revision, revert, and the template."""

from __future__ import annotations

import io
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from crm.core.period_lock import lock_period
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.progress.models import MonthlyProgress
from crm.progress.recording import current_rows, save_progress
from tests.conftest import post
from tests.test_dashboard_data import YEAR, client_of, make_plan, new_project, signed
from tests.test_progress_services import P1, P2, figures

HEADER = [
    "项目名称",
    "月份",
    "本月完成投资（亿元）",
    "累计完成投资（亿元）",
    "本月到位资金（万元）",
    "累计到位资金（万元）",
    "形象进度",
    "存在问题",
    "需协调事项",
]
Y1, M1 = int(P1[:4]), int(P1[5:])
Y2, M2 = int(P2[:4]), int(P2[5:])


@pytest.fixture
def world(app):
    zones, people = make_plan()
    staff = people["gxq_staff"]
    copper = signed(staff, "铜箔项目", 100000, on=date(YEAR, 1, 1))
    hydrogen = signed(staff, "氢能项目", 50000, on=date(YEAR, 1, 1))
    talks = new_project(staff, "在谈项目", 20000)
    other = signed(people["jkq_staff"], "经开项目", 30000, on=date(YEAR, 1, 1))
    db.session.commit()
    return {"people": people, "zones": zones, "copper": copper, "hydrogen": hydrogen,
            "talks": talks, "other": other}  # fmt: skip


def sheet(tmp_path, rows, header=None, name="月度进展.xlsx"):
    book = Workbook()
    ws = book.active
    ws.append(["高新区重点项目月度进展表"])
    ws.append([])
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def upload(client, path, zone):
    file = (io.BytesIO(path.read_bytes()), path.name)
    data = {"file": file, "zone": str(zone), "kind": "progress"}
    return post(client, "/imports/", data, token_page="/imports/")


def last_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def months() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(MonthlyProgress))


GOOD = [
    ["铜箔项目", f"{Y2}年{M2}月", "0.5", "2", "300", "1200", "厂房封顶", "", ""],
    ["铜箔项目", f"{Y1}{M1:02d}", "0.5", "", "200", "", "设备进场", "用电增容", "请协调供电"],
    ["氢能项目", P1, "0.1", "0.1", "50", "50", "开工", "", ""],
]


def test_a_good_sheet_previews_commits_and_reverts(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    assert upload(client, sheet(tmp_path, GOOD), zone.id).status_code == 302
    batch = last_batch()
    assert (batch.kind, batch.status) == ("progress", "valid"), batch.errors
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "铜箔项目" in page and "新增 3" in page
    warnings = batch.counts["warnings"]  # the first month carries earlier investment: no warning
    assert warnings == []
    assert months() == 0  # nothing before the commit
    assert post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert last_batch().status == "committed"
    copper = current_rows(world["copper"].id)
    assert [(r.period, r.total_investment_wan, r.total_funds_wan) for r in copper] == [
        (P2, 20000, 1200),
        (P1, 25000, 1400),  # 累计 computed: 上月累计 + 本月 (亿元 columns read as 亿元)
    ]
    assert copper[-1].coordination == "请协调供电"
    db.session.expire_all()
    assert db.session.get(type(world["copper"]), world["copper"].id).actual_in_place_wan == 1400
    city = client_of(app, people["city"])
    response = post(city, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    assert last_batch().status == "reverted" and months() == 0
    db.session.expire_all()
    assert db.session.get(type(world["copper"]), world["copper"].id).actual_in_place_wan == 0


def test_bad_rows_are_reported_by_row_column_and_reason_and_nothing_is_written(
    world, tmp_path, app
):
    people, zone = world["people"], world["zones"]["gxq"]
    rows = [
        ["铜箔项目", f"{Y2}-{M2:02d}", "0.5", "2", "300", "1200", "", "", ""],
        ["铜箔项目", P1, "0.5", "3", "200", "1400", "", "", ""],  # 2 + 0.5 ≠ 3
        ["在谈项目", P1, "1", "1", "1", "1", "", "", ""],  # not signed
        ["经开项目", P1, "1", "1", "1", "1", "", "", ""],  # another zone's
        ["氢能项目", "2026年13月", "-1", "1", "abc", "1", "", "", ""],
        ["氢能项目", P1, "0.1", "0.1", "50", "50", "", "", ""],
        ["氢能项目", P1, "0.1", "0.1", "50", "50", "", "", ""],  # the same month twice
    ]
    client = client_of(app, people["gxq_staff"])
    assert upload(client, sheet(tmp_path, rows), zone.id).status_code == 302
    batch = last_batch()
    assert batch.status == "invalid"
    errors = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert errors[(5, "累计完成投资(亿元)")] == (
        "累计完成投资应为上月累计 20000万元 + 本月 5000万元 = 25000万元，填写的是 30000万元"
    )
    assert "尚未签约" in errors[(6, "项目名称")]
    assert errors[(7, "项目名称")] == "本开发区没有名为“经开项目”的项目"
    assert "无法识别的月份" in errors[(8, "月份")]
    assert "负数" in errors[(8, "本月完成投资(亿元)")]
    assert "无法识别的金额" in errors[(8, "本月到位资金(万元)")]
    assert errors[(10, "月份")] == "与第 9 行是同一项目的同一月份"
    assert len(batch.errors) == 7
    response = post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert response.status_code in (302, 400) and last_batch().status == "invalid"
    assert months() == 0


def test_a_locked_month_in_a_sheet_becomes_a_new_revision(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    copper = world["copper"]
    save_progress(copper, P1, figures(5000, 5000, 300, 300), people["gxq_staff"])
    lock_period(zone.id, P1, people["city"].id)
    db.session.commit()
    rows = [["铜箔项目", P1, "0.5", "0.5", "400", "400", "更正：到位资金补录", "", ""]]
    client = client_of(app, people["gxq_manager"])
    upload(client, sheet(tmp_path, rows), zone.id)
    batch = last_batch()
    assert batch.status == "valid", batch.errors
    assert any("已锁定" in w["reason"] for w in batch.counts["warnings"])
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    db.session.expire_all()
    revisions = db.session.scalars(
        select(MonthlyProgress).where(MonthlyProgress.project_id == copper.id)
        .order_by(MonthlyProgress.revision)
    ).all()  # fmt: skip
    assert [(r.revision, r.total_funds_wan) for r in revisions] == [(1, 300), (2, 400)]
    assert "导入" in revisions[1].note and revisions[1].import_batch_id == batch.id
    city = client_of(app, people["city"])
    post(city, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert [(r.revision, r.total_funds_wan) for r in current_rows(copper.id)] == [(1, 300)]


def test_a_sheet_needs_its_columns_and_a_zone(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    upload(client, sheet(tmp_path, [["铜箔项目", "1"]], header=["项目名称", "形象进度"]), zone.id)
    reasons = [e["reason"] for e in last_batch().errors]
    assert "缺少该列" in reasons and "缺少完成投资或到位资金列" in reasons
    city = client_of(app, people["city"])
    page = upload(city, sheet(tmp_path, GOOD), "rows").get_data(as_text=True)
    assert "月度进展请选择开发区" in page


def test_the_template_lists_the_zones_signed_projects_and_imports_once_filled(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    assert "下载月度进展模板" in client.get("/imports/").get_data(as_text=True)
    response = client.get("/imports/progress-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    ws = book.worksheets[0]
    listed = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == ["氢能项目", "铜箔项目"]  # not 在谈项目, not another zone's
    for row in ws.iter_rows(min_row=2):
        row[3].value, row[4].value, row[5].value, row[6].value = 100, 100, 10, 10
    path = tmp_path / "filled.xlsx"
    book.save(path)
    upload(client, path, zone.id)
    batch = last_batch()
    assert batch.status == "valid" and batch.counts["created"] == 2, batch.errors


def test_a_batch_whose_month_was_locked_after_the_import_is_not_reverted(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    upload(client, sheet(tmp_path, GOOD), zone.id)
    batch = last_batch()
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    lock_period(zone.id, P1, people["city"].id)  # the city accepts the month afterwards
    db.session.commit()
    city = client_of(app, people["city"])
    response = post(
        city, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}",
        follow_redirects=True,
    )  # fmt: skip
    assert "已在导入后锁定" in response.get_data(as_text=True)
    assert last_batch().status == "committed" and months() == 3

"""The parcel ledger through the import pages: preview with row/column/reason errors and
warnings, all or nothing, status changes as dated events, revert, the template, and the
zone's export importing back unchanged."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from crm.core.audit import AuditLog
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.land.models import LandEvent, Parcel
from crm.land.services import create_parcel
from tests.conftest import post
from tests.test_dashboard_data import client_of, make_plan

HEADER = ["地块编号", "地块名称", "位置", "面积（亩）", "用地性质", "状态", "批次", "批复文号",
          "批复日期", "约束条件", "备注"]  # fmt: skip
GOOD = [
    ["GX-01", "东区一号地块", "济源大道以东", "86.5", "工业", "批而未供", "2025年第三批",
     "豫政土〔2025〕101号", "2025-11-20", "限高 24 米", ""],
    ["GX-02", "东区二号地块", "", "120.25", "仓储", "储备", "", "", "", "", "备用"],
    ["GX-03", "西区地块", "", "40", "工业", "", "", "", "2025年12月1日", "", ""],
]  # fmt: skip


@pytest.fixture
def world(app):
    zones, people = make_plan()
    old = create_parcel(
        zones["gxq"].id,
        {"code": "GX-OLD", "name": "老地块", "area_mu": "30", "land_use": "industrial"},
        None,
        status="approved",
        on=date(2025, 12, 16),
    )
    other = create_parcel(
        zones["jkq"].id, {"code": "GX-01", "name": "经开地块", "area_mu": "10"}, None
    )
    db.session.commit()
    return {"people": people, "zones": zones, "old": old, "other": other}


def sheet(tmp_path, rows, header=None, name="地块台账.xlsx"):
    book = Workbook()
    ws = book.active
    ws.append(["高新区地块台账"])
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def upload(client, path, zone):
    file = (io.BytesIO(path.read_bytes()), path.name)
    data = {"file": file, "zone": str(zone), "kind": "parcels"}
    return post(client, "/imports/", data, token_page="/imports/")


def last_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def parcels(zone) -> dict[str, Parcel]:
    db.session.expire_all()
    return {p.code: p for p in db.session.scalars(select(Parcel).where(Parcel.zone_id == zone.id))}


def events(parcel) -> list[tuple]:
    stmt = select(LandEvent).where(LandEvent.parcel_id == parcel.id).order_by(LandEvent.id)
    return [(e.from_status, e.to_status) for e in db.session.scalars(stmt)]


def test_a_good_ledger_previews_commits_moves_status_by_event_and_reverts(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    rows = [*GOOD, ["GX-OLD", "老地块二期", "", "30", "工业", "已供", "", "", "", "", ""]]
    client = client_of(app, people["gxq_manager"])
    assert upload(client, sheet(tmp_path, rows), zone.id).status_code == 302
    batch = last_batch()
    assert (batch.kind, batch.status) == ("parcels", "valid"), batch.errors
    assert batch.counts["created"] == 3 and batch.counts["updated"] == 1
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "东区一号地块" in page and "新增 3" in page
    warnings = batch.counts["warnings"]
    assert [(w["row"], w["column"]) for w in warnings] == [(6, "状态")]
    assert "批而未供" in warnings[0]["reason"] and "已供" in warnings[0]["reason"]
    assert set(parcels(zone)) == {"GX-OLD"}  # nothing before the commit
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert last_batch().status == "committed"
    ledger = parcels(zone)
    assert ledger["GX-01"].area_mu == Decimal("86.50") and ledger["GX-01"].status == "approved"
    assert ledger["GX-01"].approved_on == date(2025, 11, 20)
    assert ledger["GX-02"].status == "reserve" and ledger["GX-02"].land_use == "storage"
    assert ledger["GX-03"].status == "approved"  # no status: 批而未供
    old = ledger["GX-OLD"]
    assert old.name == "老地块二期" and old.status == "supplied"
    assert events(old) == [(None, "approved"), ("approved", "supplied")]  # one more event
    audited = db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity == "land_parcel")
    )
    assert audited >= 3 + 2  # three created, the rename, the status move

    city = client_of(app, people["city"])
    response = post(city, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    assert last_batch().status == "reverted", last_batch().counts
    ledger = parcels(zone)
    assert set(ledger) == {"GX-OLD"}
    old = ledger["GX-OLD"]
    assert old.name == "老地块" and old.status == "approved"
    assert events(old) == [(None, "approved"), ("approved", "supplied"), ("supplied", "approved")]
    assert set(parcels(world["zones"]["jkq"])) == {"GX-01"}  # another zone's same code untouched


def test_hectares_are_converted_and_rounding_warned(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    header = ["地块编号", "地块名称", "面积（公顷）"]
    rows = [["HA-1", "公顷地块", "2.5"], ["HA-2", "零头地块", "1.0003"]]
    client = client_of(app, people["gxq_staff"])
    upload(client, sheet(tmp_path, rows, header), zone.id)
    batch = last_batch()
    assert batch.status == "valid", batch.errors
    assert [(w["row"], w["column"]) for w in batch.counts["warnings"]] == [(4, "面积(公顷)")]
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    ledger = parcels(zone)
    assert ledger["HA-1"].area_mu == Decimal("37.50")
    assert ledger["HA-2"].area_mu == Decimal("15.00")  # 15.0045 亩


def test_bad_rows_are_reported_by_row_column_and_reason_and_nothing_is_written(
    world, tmp_path, app
):
    people, zone = world["people"], world["zones"]["gxq"]
    rows = [
        ["B-1", "好地块", "", "10", "工业", "储备", "", "", "", "", ""],
        ["B-2", "", "", "10", "", "", "", "", "", "", ""],  # no name
        ["B-3", "负面积", "", "-1", "", "", "", "", "", "", ""],
        ["B-4", "文字面积", "", "很多", "农业", "卖了", "", "", "2025年13月1日", "", ""],
        ["B-1", "重复", "", "5", "", "", "", "", "", "", ""],
        ["", "无编号", "", "5", "", "", "", "", "", "", ""],
        ["B-7", "无面积", "", "", "", "", "", "", "", "", ""],
    ]
    client = client_of(app, people["gxq_staff"])
    upload(client, sheet(tmp_path, rows), zone.id)
    batch = last_batch()
    assert batch.status == "invalid"
    errors = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert errors[(4, "地块名称")] == "请填写"
    assert "应大于 0" in errors[(5, "面积(亩)")]
    assert errors[(6, "面积(亩)")] == "请输入数字"
    assert "工业" in errors[(6, "用地性质")] and "批而未供" in errors[(6, "状态")]
    assert "不存在" in errors[(6, "批复日期")]
    assert errors[(7, "地块编号")] == "与第 3 行的地块编号相同"
    assert errors[(8, "地块编号")] == "请填写"
    assert errors[(9, "面积(亩)")] == "请填写"
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert last_batch().status == "invalid" and set(parcels(zone)) == {"GX-OLD"}


def test_a_ledger_needs_its_columns_and_a_zone(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    upload(client, sheet(tmp_path, [["X", "备注"]], header=["地块编号", "备注"]), zone.id)
    reasons = {(e["column"], e["reason"]) for e in last_batch().errors}
    assert ("地块名称", "缺少该列") in reasons and ("面积（亩）", "缺少该列") in reasons
    city = client_of(app, people["city"])
    page = upload(city, sheet(tmp_path, GOOD), "rows").get_data(as_text=True)
    assert "地块台账请选择开发区" in page


def test_template_and_export_import_back_unchanged(world, tmp_path, app):
    people, zone = world["people"], world["zones"]["gxq"]
    client = client_of(app, people["gxq_manager"])
    assert "下载地块台账模板" in client.get("/imports/").get_data(as_text=True)
    template = client.get("/imports/parcels-template.xlsx")
    assert template.status_code == 200
    assert [c.value for c in load_workbook(BytesIO(template.data)).worksheets[0][1]] == HEADER
    upload(client, sheet(tmp_path, GOOD), zone.id)
    post(client, f"/imports/{last_batch().id}/commit", token_page=f"/imports/{last_batch().id}")
    assert "导出本区地块" in client.get("/land/").get_data(as_text=True)
    exported = client.get(f"/land/export.xlsx?zone={world['zones']['jkq'].id}")  # own zone only
    assert exported.status_code == 200
    codes = [r[0] for r in load_workbook(BytesIO(exported.data)).worksheets[0].iter_rows(
        min_row=2, values_only=True)]  # fmt: skip
    assert codes == ["GX-01", "GX-02", "GX-03", "GX-OLD"]
    path = tmp_path / "export.xlsx"
    path.write_bytes(exported.data)
    upload(client, path, zone.id)
    batch = last_batch()
    assert batch.status == "valid", batch.errors
    counts = batch.counts
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 4)
    assert batch.counts["warnings"] == []
    city = client_of(app, people["city"])
    assert city.get("/land/export.xlsx").status_code == 404  # the city names the zone
    assert city.get(f"/land/export.xlsx?zone={world['zones']['jkq'].id}").status_code == 200

"""Indicator actuals through the import pages (指标实际值): preview, row/column/reason errors,
warnings, all or nothing, revert, and the template that imports back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.quotas.indicator_entry import record_actual
from crm.quotas.indicators import seed_indicators
from crm.quotas.models import Indicator, IndicatorActual
from tests.conftest import post
from tests.test_dashboard_data import TODAY, YEAR, make_plan
from tests.test_indicators_services import typed_zone_goal

MONTH = f"{YEAR}-{TODAY.month:02d}"
HEADER = ["指标", "开发区", "期间", "实际值（亿元）", "来源说明"]


@pytest.fixture
def plan(app):
    zones, people = make_plan()
    seed_indicators()
    db.session.commit()
    goals = {(i.code, i.zone_id): i for i in db.session.scalars(select(Indicator))}
    return zones, people, goals


def _sheet(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


def _upload(client, data: bytes, zone, name="指标.xlsx"):
    payload = {"file": (io.BytesIO(data), name), "zone": str(zone), "kind": "indicators"}
    return post(client, "/imports/", payload, token_page="/imports/")


def _batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(IndicatorActual))


GOOD = [
    ("营业收入", "高新区", MONTH, "1200", "统计局快报"),
    ("营业收入", "经开区", MONTH, "650", ""),
    ("营业收入", "", str(YEAR - 1), "1900", "年报"),
    ("税收收入", "全市", f"{YEAR}-Q1", "15亿元", ""),
    ("标准厂房建成面积", "高新区", MONTH, "900", "自然资源局"),
]


def test_the_city_imports_good_rows_and_reverts_them(plan, client, login_as):
    zones, people, goals = plan
    revenue = goals[("revenue", None)]
    land = typed_zone_goal(zones["gxq"])
    record_actual(revenue, MONTH, "1000", people["city"], zone_id=zones["gxq"].id)
    db.session.commit()
    login_as(people["city"])
    assert _upload(client, _sheet(GOOD), "city").status_code == 302
    batch = _batch()
    assert (batch.status, batch.zone_id) == ("valid", None), batch.errors
    assert batch.counts["created"] == 4 and batch.counts["updated"] == 1
    (warning,) = batch.counts["warnings"]
    assert warning["row"] == 2 and "已有数值 1000，导入后改为 1200" in warning["reason"]
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "指标实际值" in page and "统计局快报" in page
    assert _count() == 1  # nothing written before the commit
    response = post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302 and _batch().status == "committed"
    values = {
        (a.indicator_id, a.zone_id, a.period): a.value
        for a in db.session.scalars(select(IndicatorActual))
    }
    assert values == {
        (revenue.id, zones["gxq"].id, MONTH): Decimal("1200"),
        (revenue.id, zones["jkq"].id, MONTH): Decimal("650"),
        (revenue.id, None, str(YEAR - 1)): Decimal("1900"),
        (goals[("tax", None)].id, None, f"{YEAR}-Q1"): Decimal("15"),
        (land.id, zones["gxq"].id, MONTH): Decimal("900"),
    }
    response = post(client, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302 and _batch().status == "reverted"
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "已回退：移除实际值 4 个，恢复 1 个" in page
    assert [a.value for a in db.session.scalars(select(IndicatorActual))] == [Decimal("1000")]


BAD = [
    ("营业收入", "高新区", MONTH, "约1200", ""),  # 2: vague
    ("不存在的指标", "", MONTH, "1", ""),  # 3
    ("高新技术企业（累计）", "", MONTH, "30", ""),  # 4: computed
    ("营业收入", "", f"{YEAR}-13", "1", ""),  # 5: period
    ("营业收入", "火星区", MONTH, "1", ""),  # 6: zone
    ("营业收入", "高新区", MONTH, "1300", ""),  # 7: same as row 2's key
    ("营业收入", "", MONTH, "-5", ""),  # 8: negative
    ("批而未供土地盘活", "", MONTH, "5", ""),  # 9: a zone's goal without its zone
    ("营业收入", "经开区", MONTH, "600", ""),  # 10: fine
]


def test_bad_rows_are_reported_by_row_column_and_reason_and_nothing_is_written(
    plan, client, login_as
):
    _zones, people, _goals = plan
    login_as(people["city"])
    assert _upload(client, _sheet(BAD), "city").status_code == 302
    batch = _batch()
    assert batch.status == "invalid"
    found = {e["row"]: (e["column"], e["reason"]) for e in batch.errors}
    assert "不是确切数字" in found[2][1] and found[2][0].startswith("实际值")
    assert "目标清单中没有指标" in found[3][1] and found[3][0] == "指标"
    assert "自动计算" in found[4][1]
    assert "月份应在 1 到 12 之间" in found[5][1] and found[5][0] == "期间"
    assert "未知的开发区" in found[6][1] and found[6][0] == "开发区"
    assert "不能为负数" in found[8][1]
    assert "请在“开发区”列填写开发区" in found[9][1]
    assert 10 not in found
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "火星区" in page and "确认导入" not in page
    assert _count() == 0


def test_a_zone_manager_imports_only_their_own_zone(plan, client, login_as):
    zones, people, _goals = plan
    login_as(people["gxq_manager"])
    rows = [("营业收入", "", MONTH, "1200", ""), ("营业收入", "经开区", MONTH, "600", "")]
    assert _upload(client, _sheet(rows), zones["gxq"].id).status_code == 302
    batch = _batch()
    assert batch.status == "invalid" and batch.zone_id == zones["gxq"].id
    assert [e["row"] for e in batch.errors] == [3]
    assert _upload(client, _sheet(rows[:1]), zones["gxq"].id).status_code == 302
    batch = _batch()
    assert batch.status == "valid", batch.errors
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    (actual,) = db.session.scalars(select(IndicatorActual))
    assert actual.zone_id == zones["gxq"].id and actual.value == Decimal("1200")


def test_a_zones_staff_member_cannot_import_actuals(plan, client, login_as):
    zones, people, _goals = plan
    login_as(people["gxq_staff"])
    _upload(client, _sheet([("营业收入", "", MONTH, "1", "")]), zones["gxq"].id)
    batch = _batch()
    assert batch.status == "invalid" and "只有开发区负责人和市级统筹" in batch.errors[0]["reason"]


def test_a_file_without_the_columns_says_which_are_missing(plan, client, login_as):
    _zones, people, _goals = plan
    login_as(people["city"])
    _upload(client, _sheet([("营业收入", MONTH)], header=["指标", "期间"]), "city")
    batch = _batch()
    assert batch.status == "invalid"
    assert [(e["column"], e["reason"]) for e in batch.errors] == [("实际值", "缺少该列")]


def test_a_city_upload_must_choose_a_zone_or_the_column(plan, client, login_as):
    _zones, people, _goals = plan
    login_as(people["city"])
    response = _upload(client, _sheet(GOOD), "pool")
    assert response.status_code == 400 and "指标实际值请选择开发区" in response.get_data(
        as_text=True
    )


def test_the_template_lists_the_typed_indicators_and_imports_back(plan, client, login_as):
    _zones, people, _goals = plan
    login_as(people["city"])
    page = client.get("/imports/?kind=indicators").get_data(as_text=True)
    assert "下载指标实际值模板" in page and "空白为全市" in page
    response = client.get("/imports/indicator-template.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["指标", "开发区", "期间", "实际值", "来源说明"]
    options = [c.value for c in book["选项"]["A"]][1:]
    assert "营业收入" in options and "高新技术企业（累计）" not in options
    assert _upload(client, data, "city", "template.xlsx").status_code == 302
    batch = _batch()
    assert batch.status == "valid" and batch.counts["created"] == 1, batch.errors


def test_a_formula_without_its_result_and_the_row_limit_are_reported_in_the_readers_language(
    plan, tmp_path
):
    """The sheet importers share their row loop: a formula cell that no program computed is an
    error on its own column (not a blank value), and the row past the limit says so, in English
    for an English reader."""
    from flask_babel import force_locale

    from crm.imports.engine import Limits
    from crm.quotas.indicator_import import IndicatorImporter

    _zones, people, _goals = plan
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["营业收入", "", MONTH, "=B1*2", ""])  # openpyxl writes no cached result
    sheet.append(["营业收入", "经开区", MONTH, "650", ""])
    sheet.append(["营业收入", "高新区", MONTH, "700", ""])
    path = tmp_path / "指标.xlsx"
    book.save(path)
    run = IndicatorImporter(path, path.name, None, people["city"], Limits(max_rows=2)).run
    with force_locale("en"):
        result = run(write=False)
        errors = [(e["row"], e["column"], str(e["reason"])) for e in result.errors]
    assert errors[0][0] == 2 and errors[0][1].startswith("实际值") and "formula" in errors[0][2]
    assert errors[1] == (4, "", "More than 2 rows; split the file and import it in parts")
    assert len(errors) == 2 and not result.written

"""Data-provider exports (企查查, 天眼查, 启信宝, 国家企业信用信息公示系统) import as they
come: their columns, capital with its currency, statuses (注销 / 吊销 / 迁出 warned), GB/T 4754
classes; a later export updates the enterprise field by field; the list filters by them."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from crm.auth.services import create_api_token
from crm.enterprises.gb_industries import match_industry
from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.registration import parse_capital, parse_status
from crm.enterprises.seed import seed_industry_classes
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange
from crm.targets.models import Target
from tests.conftest import post
from tests.test_imports_helpers import code, people

__all__ = ["people"]

QCC = ["企业名称", "登记状态", "法定代表人", "注册资本", "实缴资本", "成立日期", "统一社会信用代码",
       "所属省份", "所属城市", "所属区县", "电话", "更多电话", "邮箱", "企业类型", "参保人数",
       "国标行业", "曾用名", "网址", "企业地址", "经营范围"]  # fmt: skip
TYC = ["公司名称", "经营状态", "法定代表人", "注册资本", "实缴资本", "成立日期", "所属省份",
       "所属城市", "所属区县", "电话", "统一社会信用代码", "参保人数", "公司类型", "行业", "网址",
       "注册地址", "经营范围"]  # fmt: skip
QXB = ["企业名称", "法定代表人", "经营状态", "成立日期", "注册资本", "实缴资本", "统一社会信用代码",
       "企业类型", "所属行业", "所属地区", "电话", "邮箱", "网址", "注册地址",
       "经营范围"]  # fmt: skip
GSXT = ["企业名称", "统一社会信用代码", "类型", "法定代表人", "注册资本", "成立日期", "登记机关",
        "核准日期", "登记状态", "住所", "经营范围"]  # fmt: skip


def _value(column: str, n: int) -> str:
    values = {
        "企业名称": f"河南测试{n}号科技有限公司",
        "公司名称": f"河南测试{n}号科技有限公司",
        "统一社会信用代码": code(n),
        "登记状态": "存续（在营、开业、在册）",
        "经营状态": "在业",
        "法定代表人": f"张{n}",
        "注册资本": "1,000万美元" if n % 3 == 0 else "5000万人民币",
        "实缴资本": "-",
        "成立日期": "2015-06-18",
        "所属省份": "河南省",
        "所属城市": "郑州市",
        "所属区县": "金水区",
        "所属地区": "河南省郑州市",
        "电话": "0371-12345678",
        "更多电话": "0371-87654321；13800000000",
        "邮箱": "info@example.com",
        "企业类型": "有限责任公司（自然人投资或控股）",
        "公司类型": "有限责任公司（外商投资、非独资）",
        "类型": "其他有限责任公司",
        "参保人数": "125",
        "国标行业": "制造业 > 计算机、通信和其他电子设备制造业",
        "行业": "专用设备制造业",
        "所属行业": "软件和信息技术服务业",
        "曾用名": f"郑州测试{n}号电子有限公司",
        "网址": "www.example.com",
        "企业地址": "河南省郑州市金水区某某路1号",
        "注册地址": "河南省郑州市金水区某某路1号",
        "住所": "河南省郑州市金水区某某路1号",
        "经营范围": "电子元器件制造；软件开发。（依法须经批准的项目，经批准后方可开展经营活动）",
        "登记机关": "郑州市市场监督管理局",
        "核准日期": "2024-01-05",
    }
    return values[column]


def _workbook(path, header, rows, *, notes_sheet=False, title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "企业列表"
    if title:
        sheet.append([title])
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    if notes_sheet:  # providers add a sheet of search conditions and terms of use
        notes = book.create_sheet("导出说明")
        notes.append(["导出条件", "企业名称包含“科技”"])
        notes.append(["说明", "数据来源于公开信息"])
    book.save(path)
    return path


def _cli(runner, path, zone="hl"):
    result = runner.invoke(args=["targets", "import", str(path), "--zone", zone, "--json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    "text,expected",
    [("5000万人民币", (5000, "人民币")), ("1,000万美元", (1000, "美元")),
     ("5000万元人民币", (5000, "人民币")), ("5000.000000万人民币", (5000, "人民币")),
     ("500万(元)", (500, "人民币")), ("1.2亿元", (12000, "人民币")), ("50000元", (5, "人民币")),
     ("300万港币", (300, "港元")), ("-", (None, "")), ("暂无", (None, "")),
     ("12.5万欧元", (13, "欧元"))],
)  # fmt: skip
def test_capital_keeps_its_currency(text, expected):
    assert parse_capital(text) == expected


@pytest.mark.parametrize("text", ["约5000万", "5000万火星币", "很多"])
def test_capital_that_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError, match="注册资本"):
        parse_capital(text)


@pytest.mark.parametrize(
    "text,expected",
    [("存续（在营、开业、在册）", "存续"), ("在业", "存续"), ("吊销，未注销", "吊销"),
     ("注销", "注销"), ("迁出", "迁出"), ("-", "")],
)  # fmt: skip
def test_status_words(text, expected):
    assert parse_status(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("制造业 > 专用设备制造业", ("C", "35")), ("C39 计算机、通信和其他电子设备", ("C", "39")),
     ("软件和信息技术服务业", ("I", "65")), ("制造业", ("C", "")), ("3511", ("C", "35")),
     ("新材料", ("", ""))],
)  # fmt: skip
def test_gb_industry_classes(text, expected):
    assert match_industry(text) == expected


@pytest.mark.parametrize("header", [QCC, TYC, QXB, GSXT], ids=["qcc", "tyc", "qxb", "gsxt"])
def test_each_providers_export_imports_as_it_comes(app, runner, people, tmp_path, header):
    rows = [[_value(c, n) for c in header] for n in (1, 2, 3)]
    path = _workbook(tmp_path / "export.xlsx", header, rows, title="企业数据导出（共3条）")
    exit_code, report = _cli(runner, path)
    assert exit_code == 0, report
    assert report["created"] == 3 and report["errors"] == []
    first = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code(1)))
    assert first.legal_representative == "张1" and first.founded_on == date(2015, 6, 18)
    assert (first.registered_capital_wan, first.registered_capital_currency) == (5000, "人民币")
    third = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code(3)))
    assert (third.registered_capital_wan, third.registered_capital_currency) == (1000, "美元")
    assert first.business_status == "存续" and first.business_scope.startswith("电子元器件")
    assert first.hq_province in ("河南省", "")
    if "参保人数" in header:
        assert first.insured_count == 125
    if header in (QCC, TYC, QXB):
        assert first.gb_section in ("C", "I") and first.gb_division in ("39", "35", "65")
        assert first.website == "http://www.example.com"
        phone = db.session.scalar(select(Contact).where(Contact.enterprise_id == first.id))
        assert (phone.name, phone.phone) == ("张1", "0371-12345678")  # under the 法定代表人
        assert any("法定代表人" in w["reason"] for w in report["warnings"])
    if header is QCC:
        assert "郑州测试1号电子有限公司" in first.aliases and first.ownership == "民营"
    again = _cli(runner, path)[1]
    assert (again["created"], again["updated"], again["errors"]) == (0, 0, [])


def test_a_thousand_row_export_with_currencies_closures_and_a_second_sheet(
    app, runner, people, tmp_path
):
    statuses = ["存续", "在业", "注销", "吊销，未注销", "迁出"]
    currencies = ["万人民币", "万美元", "万港元", "万元人民币", "万欧元"]
    rows = []
    for n in range(1, 1001):
        values = {c: _value(c, n) for c in QCC}
        values["登记状态"] = statuses[(n // 10) % 5] if n % 10 == 0 else "存续"
        values["注册资本"] = f"{n * 10:,}{currencies[n % 5]}"
        rows.append([values[c] for c in QCC])
    path = _workbook(tmp_path / "qcc.xlsx", QCC, rows, notes_sheet=True)
    exit_code, report = _cli(runner, path)
    assert exit_code == 0, report["errors"][:3]
    assert report["created"] == 1000
    gone = [w for w in report["warnings"] if w["column"] == "登记状态"]
    assert len(gone) == 60  # 注销, 吊销 and 迁出 on rows 20, 30 and 40 of every 50
    assert "注销" in gone[0]["reason"] or "吊销" in gone[0]["reason"] or "迁出" in gone[0]["reason"]
    by_currency = dict(
        db.session.execute(
            select(Enterprise.registered_capital_currency, db.func.count()).group_by(
                Enterprise.registered_capital_currency
            )
        ).all()
    )
    assert by_currency == {"人民币": 400, "美元": 200, "港元": 200, "欧元": 200}
    assert db.session.scalar(select(db.func.count(Target.id))) == 1000


def test_a_later_export_updates_the_enterprise_field_by_field(app, runner, people, tmp_path):
    header = ["企业名称", "统一社会信用代码", "登记状态", "注册资本", "参保人数"]
    _cli(runner, _workbook(tmp_path / "a.xlsx", header, [[_value("企业名称", 1), code(1), "存续",
                                                           "5000万人民币", "125"]]))  # fmt: skip
    exit_code, report = _cli(
        runner,
        _workbook(tmp_path / "b.xlsx", header, [[_value("企业名称", 1), code(1), "注销",
                                                 "8000万人民币", "125"]]),
    )  # fmt: skip
    assert exit_code == 0 and report["updated"] == 1
    assert [w["column"] for w in report["warnings"]] == ["登记状态"]
    enterprise = db.session.scalar(select(Enterprise))
    assert (enterprise.business_status, enterprise.registered_capital_wan) == ("注销", 8000)
    change = db.session.scalars(
        select(ImportChange).where(
            ImportChange.entity == "enterprise", ImportChange.action == "updated"
        )
    ).one()
    assert change.before == {"business_status": ["存续", "注销"],
                             "registered_capital_wan": [5000, 8000]}  # fmt: skip


def test_bad_registration_cells_are_errors_with_row_and_column(app, runner, people, tmp_path):
    header = ["企业名称", "注册资本", "成立日期", "参保人数"]
    rows = [["河南甲有限公司", "好几千万", "2015-13-01", "很多"]]
    exit_code, report = _cli(runner, _workbook(tmp_path / "bad.xlsx", header, rows))
    assert exit_code == 1
    assert {e["column"] for e in report["errors"]} == {"注册资本", "成立日期", "参保人数"}
    assert db.session.scalar(select(Enterprise)) is None


def test_the_upload_page_imports_an_export_and_the_list_filters_by_it(
    app, client, login_as, people, tmp_path
):
    seed_industry_classes()
    db.session.commit()
    rows = []
    for n, (status, capital, founded, province, industry) in enumerate(
        [("存续", "5000万人民币", "2015-06-18", "河南省", "计算机、通信和其他电子设备制造业"),
         ("注销", "200万人民币", "2008-01-01", "江苏省", "软件和信息技术服务业"),
         ("存续", "3000万美元", "2020-03-03", "河南省", "专用设备制造业")],
        start=1,
    ):  # fmt: skip
        rows.append([_value("企业名称", n), code(n), status, capital, founded, province, industry])
    header = [
        "企业名称",
        "统一社会信用代码",
        "登记状态",
        "注册资本",
        "成立日期",
        "所属省份",
        "国标行业",
    ]
    path = _workbook(tmp_path / "qcc.xlsx", header, rows, notes_sheet=True)
    login_as(people["manager_a"])
    data = {"file": (io.BytesIO(path.read_bytes()), "qcc.xlsx"), "zone": str(people["a"].id),
            "kind": "targets"}  # fmt: skip
    assert post(client, "/imports/", data, token_page="/imports/").status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.status == "valid", batch.errors
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert 'data-testid="warnings"' in page and "注销" in page
    assert (
        post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}").status_code
        == 302
    )

    def listed(query: str) -> set[str]:
        html = client.get(f"/targets/?{query}").get_data(as_text=True)
        return {f"{n}号" for n in (1, 2, 3) if f"河南测试{n}号科技有限公司" in html}

    assert listed("capital_min=1000") == {"1号"}  # 3000万美元 is not compared with 万元
    assert listed("founded=2010-2020") == {"1号", "3号"}
    assert listed("founded=2015") == {"1号"}
    assert listed("province=河南") == {"1号", "3号"}
    assert listed("gb=C") == {"1号", "3号"} and listed("gb=65") == {"2号"}
    assert listed("business_status=注销") == {"2号"}
    assert listed("founded=abc&capital_min=²") == {"1号", "2号", "3号"}  # malformed: ignored
    page = client.get("/targets/").get_data(as_text=True)
    assert "39 计算机、通信和其他电子设备制造业" in page  # the seeded classes in the filter
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code(2)))
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert 'data-testid="registration"' in page and "text-bg-danger" in page
    assert "200万元" in page and "65 软件和信息技术服务业" in page
    # the API filters the same way, and refuses malformed values with 422
    headers = {"Authorization": f"Bearer {create_api_token(people['manager_a'], 'test')}"}
    db.session.commit()

    def api(query: str):
        return client.get(f"/api/v1/targets?{query}", headers=headers)

    body = api("business_status=注销&gb=65").get_json()
    assert [i["enterprise"]["name"] for i in body["items"]] == ["河南测试2号科技有限公司"]
    assert api("capital_min=1000&founded=2010-2020&province=河南").get_json()["total"] == 1
    for bad in ("gb=ZZ", "founded=abc", "capital_min=-5"):
        response = api(bad)
        assert response.status_code == 422, bad
        assert bad.split("=")[0] in response.get_json()["errors"]["query"]

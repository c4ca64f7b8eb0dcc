"""Files as people send them (QUALITY "Upload and export"): encodings, messy sheets, unsafe
workbooks, formula injection on export, and export → import changing nothing."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from crm.enterprises.models import Enterprise
from crm.enterprises.services import add_contact, create_enterprise
from crm.extensions import db
from crm.imports.cells import unguard
from crm.imports.services import SYSTEM_ACTOR
from crm.imports.spreadsheets import Text, csv_safe
from crm.targets import exporting
from crm.targets.importer import import_file
from crm.targets.models import Target
from crm.targets.queries import TargetFilters, target_list_stmt
from crm.targets.services import create_target
from tests.test_imports_helpers import HEADER, code, counts, people, row, write_csv

__all__ = ["people"]


def _import(path, zone, dry_run=False):
    return import_file(path, zone.id, dry_run=dry_run)[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_keep_chinese_intact(app, people, tmp_path, encoding):
    rows = [row("河南豫光金铅股份有限公司", industry="有色金属", contact_name="张三", note="龘")]
    if encoding == "gbk":
        rows[0][-1] = "重点"  # 龘 is outside GBK
    path = write_csv(tmp_path / "t.csv", rows, encoding=encoding)
    assert _import(path, people["a"]).created == 1
    enterprise = db.session.scalar(select(Enterprise))
    assert (enterprise.name, enterprise.industry) == ("河南豫光金铅股份有限公司", "有色金属")
    assert enterprise.contacts[0].name == "张三"
    assert db.session.scalar(select(Target.note)) == rows[0][-1]


def test_messy_sheet_title_merged_cells_serial_blank_rows_full_width(app, people, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "２０２６年 济源示范区 目标企业清单"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "填报单位：虎岭高新区"
    sheet.append([])
    sheet.append(
        [
            "序号",
            "企业 名称",
            "统一社会信用代码",
            "所在地",
            "重点程度",
            "下次跟进日期",
            "联系人",
            "手机",
        ]
    )
    sheet.append(
        [
            1,
            "河南　豫光 金铅股份有限公司",
            "９１４１９００１ＭＡ４０００００１Ｆ",
            "河南省 济源市",
            "Ａ",
            date(2026, 3, 5),
            "张　三",
            "１３８００００００００",
        ]
    )
    sheet.append([])
    sheet.append([2, "济源钢铁集团", None, "河南 济源", "一般", 46100, None, None])
    sheet.merge_cells("D7:D8")
    sheet.append([3, "宇通客车", None, None, "低", "2026/4/2", None, None])
    sheet.append([None, None, None, None, None, None, None, None])
    path = tmp_path / "messy.xlsx"
    workbook.save(path)
    result = _import(path, people["a"])
    assert (result.created, result.errors) == (3, [])
    targets = {t.enterprise.name: t for t in db.session.scalars(select(Target))}
    first = targets["河南豫光金铅股份有限公司"]
    assert first.enterprise.uscc == "91419001MA4000001F"
    assert (first.priority, first.next_follow_up) == ("A", date(2026, 3, 5))
    assert [(c.name, c.phone) for c in first.enterprise.contacts] == [("张三", "13800000000")]
    assert targets["济源钢铁集团"].next_follow_up == date(2026, 3, 19)  # Excel serial 46100
    assert targets["宇通客车"].priority == "C"


def _zip_with(path, entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row("甲公司"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    with zipfile.ZipFile(path, "a", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_is_refused_before_openpyxl(app, people, tmp_path):
    app.config["IMPORT_MAX_UNCOMPRESSED_MB"] = 1
    path = _zip_with(tmp_path / "bomb.xlsx", {"xl/media/padding.bin": b"\0" * (3 * 2**20)})
    assert path.stat().st_size < 100_000  # small on disk, 3 MB inflated
    result = _import(path, people["a"])
    assert "解压后过大" in result.errors[0]["reason"]
    assert counts()["targets"] == 0


def test_too_many_entries_is_refused(app, people, tmp_path):
    app.config["IMPORT_MAX_ZIP_ENTRIES"] = 50
    path = _zip_with(tmp_path / "many.xlsx", {f"xl/media/{i}.bin": b"x" for i in range(60)})
    assert "内部文件过多" in _import(path, people["a"]).errors[0]["reason"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("list.xlsx", b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "网页"),
        ("list.csv", b"<html><body><table></table></body></html>", "网页"),
        ("list.xlsm", b"PK\x03\x04 whatever", "宏"),
        ("list.xls", b"\xd0\xcf\x11\xe0 old", ".xls"),
        ("list.xlsx", b"not a zip at all", "不是有效的 .xlsx"),
        ("list.txt", b"a,b", "仅支持"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    app, people, tmp_path, name, content, reason
):
    path = tmp_path / name
    path.write_bytes(content)
    result = _import(path, people["a"])
    assert result.errors[0]["row"] is None
    assert reason in result.errors[0]["reason"]


def test_workbook_with_macros_is_refused_even_when_named_xlsx(app, people, tmp_path):
    path = _zip_with(tmp_path / "renamed.xlsx", {"xl/vbaProject.bin": b"macro"})
    assert "宏" in _import(path, people["a"]).errors[0]["reason"]


# --- export ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tleading tab", "'\tleading tab"),
        ("\rleading cr", "'\rleading cr"),
        ("-5", "-5"),
        ("+86", "+86"),
        (-5, -5),
        (3.5, 3.5),
        ("普通文字", "普通文字"),
        (None, ""),
    ],
)
def test_csv_cells_are_formula_safe_and_numbers_stay_numbers(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("914100007474468586", '="914100007474468586"'),  # 18 digits: no 9.14E+17
        ("91410000MA9XYZ0012", '="91410000MA9XYZ0012"'),
        ("03916633888", '="03916633888"'),  # the leading 0 stays
        ("+86 138-0000-0000", '="+86 138-0000-0000"'),
        ('1"+HYPERLINK("x")', '1"+HYPERLINK("x")'),  # a quote: never inside a literal
        ("=1+1", "'=1+1"),  # not a code or a number: the guard applies
        ("-1)+cmd", "'-1)+cmd"),
        ("张三", "张三"),
        ("", ""),
    ],
)
def test_codes_and_phones_stay_text_in_csv_without_loosening_the_guard(value, expected):
    assert csv_safe(Text(value)) == expected
    assert unguard(expected) == value  # the import reads back what was exported


def test_unguard_leaves_other_formulas_alone():
    assert unguard('=HYPERLINK("x")') == '=HYPERLINK("x")'
    assert unguard('="a"&"b"') == '="a"&"b"'


def _seed(people):
    """Targets whose text starts like formulas, plus ordinary data."""
    risky = create_enterprise(
        {"name": '=HYPERLINK("http://evil","点我")', "aliases": "@别名", "industry": "-2+3"},
        None,
    )
    create_target(risky, people["a"].id, {"note": "+cmd|' /C calc'!A0"}, people["coordinator"])
    plain = create_enterprise(
        {
            "name": "河南豫光金铅股份有限公司",
            "uscc": code(1),
            "aliases": "豫光、豫光金铅",
            "hq_province": "河南省",
            "hq_city": "济源市",
            "industry": "有色金属",
            "labels": ["上市公司", "链主"],
        },
        None,
    )
    add_contact(plain, {"name": "张三", "phone": "+86 13800000000"}, None)
    values = {
        "attraction_modes": ["企业招商", "资本招商"],
        "priority": "A",
        "status": "interested",
        "owner_id": people["staff_a"].id,
        "next_follow_up": date(2026, 5, 1),
        "chain_position": "铅锌冶炼",
        "note": "第一行\n第二行",
    }
    create_target(plain, people["a"].id, values, people["coordinator"])
    db.session.commit()


def test_export_xlsx_writes_risky_text_as_text(app, people, tmp_path):
    _seed(people)
    path = tmp_path / "out.xlsx"
    stmt = target_list_stmt(SYSTEM_ACTOR, TargetFilters(zone=str(people["a"].id), sort="name"))
    assert exporting.write_xlsx(stmt, str(path)) == 2
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(risky) >= 4
    assert all(c.data_type == "s" for c in risky)  # text, never a formula
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    dates = [c for c in cells if c.is_date]
    assert [c.value.date() for c in dates] == [date(2026, 5, 1)]


def test_export_csv_has_bom_and_guards_formulas(app, people, tmp_path):
    _seed(people)
    path = tmp_path / "out.csv"
    stmt = target_list_stmt(SYSTEM_ACTOR, TargetFilters(sort="name"))
    assert exporting.write_csv(stmt, str(path)) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][: len(HEADER)] == HEADER
    text = "\n".join(",".join(r) for r in rows[1:])
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@别名" in text and "'-2+3" in text
    literal = re.compile(r'="[0-9A-Za-z+][0-9A-Za-z +\-()]*"')
    cells = [cell for r in rows[1:] for cell in r]
    formulas = [cell for cell in cells if cell.startswith(("=", "+", "@"))]
    # only the text literals around credit codes and phone numbers, nothing a user typed
    assert formulas and all(literal.fullmatch(cell) for cell in formulas)
    assert f'="{code(1)}"' in cells and '="+86 13800000000"' in cells


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_changes_nothing(app, people, tmp_path, suffix):
    _seed(people)
    before = counts()
    path = tmp_path / f"out{suffix}"
    stmt = target_list_stmt(SYSTEM_ACTOR, TargetFilters(zone=str(people["a"].id)))
    (exporting.write_xlsx if suffix == ".xlsx" else exporting.write_csv)(stmt, str(path))
    result = _import(path, people["a"])
    assert result.summary() == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "errors": [],
        "warnings": [],
    }
    assert counts() == before


def test_template_has_the_headers_and_an_example_that_imports(app, people, tmp_path):
    path = tmp_path / "template.xlsx"
    exporting.write_template(str(path), date(2026, 3, 5))
    workbook = openpyxl.load_workbook(path)
    first = workbook.worksheets[0]
    assert [c.value for c in first[1]] == HEADER
    assert first.max_row == 2
    assert workbook.sheetnames[1] == "填写说明"
    result = _import(path, people["a"])
    assert (result.created, result.errors) == (1, [])

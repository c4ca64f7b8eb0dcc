"""Unit tests for crm.core.tabular: safe, streaming spreadsheet reading for imports."""

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from crm.core.tabular import (
    HeaderMap,
    TabularError,
    check_xlsx_safety,
    clean_cell,
    clean_header,
    find_header,
    non_blank,
    parse_date,
    read_rows,
)

ALIASES = {
    "name": ["企业名称", "公司名称"],
    "total_investment": ["总投资", "计划总投资"],
    "signed_on": ["签约日期"],
    "contact": ["联系人"],
}


def _import_sheet(path: Path) -> Path:
    """An import sheet as people make them: merged title, blank rows, 序号, full-width text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "２０２６年 招商引资 目标企业清单"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "填报单位：虎岭高新区"
    sheet.append([])
    sheet.append(["序号", "*企业名称", "总投资（亿元）", "签约日期", "联系人", "备注说明"])
    sheet.append([1, "河南豫光　金铅 股份有限公司", "３０.５", date(2026, 3, 5), "张 三", None])
    sheet.append([])
    sheet.append([2, "济源  钢铁", 12, datetime(2026, 4, 1, 9, 30), "Li  Lei", "合并说明"])
    sheet.merge_cells("F7:F8")
    sheet.append([3, "宇通客车", 0.00001, "2026/4/2", None, None])
    workbook.save(path)
    return path


def _xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["企业名称", "总投资"])
    workbook.active.append(["豫光金铅", 30])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_extra_entries(path: Path, entries: dict[str, bytes]) -> Path:
    path.write_bytes(_xlsx_bytes())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_xlsx_rows_keep_spreadsheet_numbers_and_clean_cells(tmp_path: Path) -> None:
    rows = list(read_rows(_import_sheet(tmp_path / "清单.xlsx"), "清单.xlsx"))
    assert rows == [
        (1, ["2026年招商引资目标企业清单"]),
        (2, ["填报单位:虎岭高新区"]),
        (3, []),
        (4, ["序号", "*企业名称", "总投资(亿元)", "签约日期", "联系人", "备注说明"]),
        (5, ["1", "河南豫光金铅股份有限公司", "30.5", "2026-03-05", "张三"]),
        (6, []),
        (7, ["2", "济源钢铁", "12", "2026-04-01", "Li Lei", "合并说明"]),
        (8, ["3", "宇通客车", "0.00001", "2026/4/2"]),  # merged F7:F8 → blank below
    ]


def test_find_header_skips_title_rows_and_leaves_iterator_at_data(tmp_path: Path) -> None:
    rows = read_rows(_import_sheet(tmp_path / "清单.xlsx"), "清单.xlsx")
    header = find_header(rows, ALIASES)
    assert header == HeaderMap(
        row=4,
        columns={"name": 1, "total_investment": 2, "signed_on": 3, "contact": 4},
        units={"total_investment": "亿元"},
        unknown=["备注说明"],
        duplicates=[],
    )
    data = list(non_blank(rows))
    assert [number for number, _ in data] == [5, 7, 8]
    assert header.value(data[0][1], "total_investment") == "30.5"
    assert header.value(data[2][1], "contact") == ""  # trailing blanks are trimmed
    assert header.value(data[0][1], "no_such_field") == ""


def test_xlsx_from_a_file_object_and_first_visible_sheet() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["隐藏"])
    workbook.active.sheet_state = "hidden"
    workbook.create_sheet("可见").append(["企业名称", 1.5, True, 3_000_000_000.0])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert list(read_rows(buffer, "upload.XLSX")) == [
        (1, ["企业名称", "1.5", "TRUE", "3000000000"])
    ]


def test_abandoned_xlsx_iteration_closes_the_workbook(tmp_path: Path) -> None:
    rows = read_rows(_import_sheet(tmp_path / "a.xlsx"), "a.xlsx")
    assert next(rows)[0] == 1
    rows.close()  # with -W error, an unclosed file would surface as a ResourceWarning


CSV_TEXT = (
    "企业名称,总投资（亿元）,联系人\r\n"
    "河南豫光金铅股份有限公司,３０,张三\r\n"
    "\r\n"
    "宇通客车,12,李四\r\n"
)
CSV_EXPECTED = [
    (1, ["企业名称", "总投资(亿元)", "联系人"]),
    (2, ["河南豫光金铅股份有限公司", "30", "张三"]),
    (3, []),
    (4, ["宇通客车", "12", "李四"]),
]


@pytest.mark.parametrize(
    "encoded",
    [
        CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("utf-8-sig"),
        CSV_TEXT.encode("gb18030"),
        CSV_TEXT.encode("gbk"),
        CSV_TEXT.encode("utf-16"),
        CSV_TEXT.replace(",", "\t").encode("gb18030"),
        CSV_TEXT.replace(",", ";").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "tab-gb18030", "semicolon"],
)
def test_csv_encodings_and_delimiters(encoded: bytes, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_bytes(encoded)
    assert list(read_rows(path, "targets.csv")) == CSV_EXPECTED
    assert list(read_rows(io.BytesIO(encoded), "targets.CSV")) == CSV_EXPECTED


def test_csv_quoted_newlines_count_records_not_lines() -> None:
    data = '企业名称,备注\n"豫光金铅","第一行\n第二行"\n宇通客车,无\n'.encode()
    assert list(read_rows(io.BytesIO(data), "a.csv")) == [
        (1, ["企业名称", "备注"]),
        (2, ["豫光金铅", "第一行\n第二行"]),
        (3, ["宇通客车", "无"]),
    ]


def test_single_column_csv_falls_back_to_comma() -> None:
    data = "企业名称\n豫光金铅\n".encode()
    assert list(read_rows(io.BytesIO(data), "a.csv")) == [(1, ["企业名称"]), (2, ["豫光金铅"])]


@pytest.mark.parametrize(
    ("filename", "content", "message_part"),
    [
        ("a.csv", b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table>", "HTML"),
        ("a.csv", _xlsx_bytes(), "Excel 工作簿"),
        ("a.csv", b"\xff\xff\xff\x81\x30\x81", "编码"),
        ("a.xlsx", b"\xef\xbb\xbf  \r\n<!DOCTYPE html><html><body>x</body></html>", "HTML"),
        ("a.xlsx", b"<table><tr><td>1</td></tr></table>", "HTML"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 .xls"),
        ("a.xlsx", b"just some text", "不是有效的 .xlsx"),
        ("a.xlsx", b"", "不是有效的 .xlsx"),
        ("a.xlsm", _xlsx_bytes(), "宏"),
        ("a.xls", _xlsx_bytes(), "旧版 .xls"),
        ("a.txt", b"x", "仅支持"),
        ("no_extension", b"x", "仅支持"),
    ],
)
def test_refused_uploads(filename: str, content: bytes, message_part: str, tmp_path: Path) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(TabularError, match=message_part):
        list(read_rows(path, filename))


def test_corrupt_workbook_xml_is_a_tabular_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    with pytest.raises(TabularError, match="无法读取工作簿"):
        list(read_rows(path, "broken.xlsx"))


def test_damaged_sheet_xml_is_a_tabular_error_while_streaming(tmp_path: Path) -> None:
    source = io.BytesIO(_xlsx_bytes())
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as damaged:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="2"') + 12]
            damaged.writestr(item, data)
    rows = read_rows(path, "damaged.xlsx")
    assert next(rows) == (1, ["企业名称", "总投资"])
    with pytest.raises(TabularError, match="第2行附近"):
        next(rows)


@pytest.fixture
def openpyxl_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was reached")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _zip_bomb(path: Path, size: int) -> Path:
    path.write_bytes(_xlsx_bytes())
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(size // len(chunk)):
            entry.write(chunk)
    return path


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_zip_bomb_refused_before_openpyxl(tmp_path: Path) -> None:
    path = _zip_bomb(tmp_path / "bomb.xlsx", 201 * (1 << 20))
    assert path.stat().st_size < 2 * (1 << 20)
    with pytest.raises(TabularError, match="解压后过大"):
        check_xlsx_safety(path)
    with pytest.raises(TabularError, match="解压后过大"):
        read_rows(path, "bomb.xlsx")  # refused eagerly, before any iteration


@pytest.mark.usefixtures("openpyxl_must_not_open")
@pytest.mark.parametrize(
    ("entries", "limits", "message_part"),
    [
        ({f"xl/media/{i}.png": b"" for i in range(2001)}, {}, "内部文件过多"),
        ({f"xl/media/{i}.png": b"" for i in range(20)}, {"max_entries": 10}, "内部文件过多"),
        ({"xl/media/big.bin": b"\0" * 4096}, {"max_uncompressed": 4096}, "解压后过大"),
        ({"xl/vbaProject.bin": b"\0" * 64}, {}, "宏"),
    ],
    ids=["default-entries", "custom-entries", "custom-size", "macro"],
)
def test_unsafe_archives_refused(
    entries: dict[str, bytes], limits: dict[str, int], message_part: str, tmp_path: Path
) -> None:
    path = _with_extra_entries(tmp_path / "x.xlsx", entries)
    with pytest.raises(TabularError, match=message_part):
        check_xlsx_safety(path, **limits)


def test_zip_without_workbook_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(TabularError, match="缺少工作簿结构"):
        check_xlsx_safety(path)


def test_safety_check_accepts_a_normal_workbook_and_rewinds_files() -> None:
    buffer = io.BytesIO(_xlsx_bytes())
    buffer.seek(100)
    check_xlsx_safety(buffer)
    assert buffer.tell() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("  豫光金铅  ", "豫光金铅"),
        ("３０　亿", "30 亿"),
        ("河南 豫光\u3000金铅", "河南豫光金铅"),
        ("Foxconn \t  Technology", "Foxconn Technology"),
        ("张三  13800000000", "张三 13800000000"),
        ("\u200b豫光\ufeff", "豫光"),
        ("济源市\r\n\r\n  天坛路 1号 \n", "济源市\n天坛路 1号"),
        ("（亿元）", "(亿元)"),
        (12, "12"),
    ],
)
def test_clean_cell(raw: object, expected: str) -> None:
    assert clean_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("总投资（亿元）", ("总投资", "亿元")),
        ("*总投资 (万元)", ("总投资", "万元")),
        ("＊ 总投资【元】", ("总投资", "元")),
        ("总投资（单位：亿元）", ("总投资", "亿元")),
        ("企业名称（必填）", ("企业名称", None)),
        ("总投资(亿)(必填)", ("总投资", "亿元")),
        ("联系人（姓名）", ("联系人(姓名)", None)),
        ("Name", ("name", None)),
        ("No.", ("no.", None)),
        ("", ("", None)),
    ],
)
def test_clean_header(raw: str, expected: tuple[str, str | None]) -> None:
    assert clean_header(raw) == expected


def _numbered(*rows: list[str]) -> list[tuple[int, list[str]]]:
    return list(enumerate(rows, start=1))


@pytest.mark.parametrize(
    ("rows", "expected_row", "expected_columns"),
    [
        (_numbered(["公司名称", "计划总投资"]), 1, {"name": 0, "total_investment": 1}),
        (_numbered(["企业名称"], ["", "企业名称", "", "联系人"]), 2, {"name": 1, "contact": 3}),
        (
            _numbered(["name", "TOTAL_INVESTMENT"], ["x"]),  # canonical names match too
            1,
            {"name": 0, "total_investment": 1},
        ),
        (_numbered(*([["标题"]] * 19), ["企业名称", "联系人"]), 20, {"name": 0, "contact": 1}),
    ],
)
def test_find_header_positions(
    rows: list[tuple[int, list[str]]], expected_row: int, expected_columns: dict[str, int]
) -> None:
    header = find_header(rows, ALIASES)
    assert (header.row, header.columns) == (expected_row, expected_columns)


def test_find_header_ignores_serial_number_columns() -> None:
    header = find_header(_numbered(["No.", "序号", "#", "企业名称", "联系人"]), ALIASES)
    assert (header.columns, header.unknown) == ({"name": 3, "contact": 4}, [])


def test_find_header_duplicates_and_min_matches() -> None:
    header = find_header(_numbered(["企业名称", "公司名称", "总投资"]), ALIASES)
    assert header.columns == {"name": 0, "total_investment": 2}
    assert header.duplicates == ["公司名称"]
    assert find_header(_numbered(["企业名称"]), ALIASES, min_matches=1).columns == {"name": 0}


@pytest.mark.parametrize(
    "rows",
    [
        [],
        _numbered(["标题"], ["企业名称", "备注"]),
        _numbered(*([["标题"]] * 20), ["企业名称", "联系人"]),  # beyond the first 20
    ],
)
def test_find_header_not_found(rows: list[tuple[int, list[str]]]) -> None:
    with pytest.raises(TabularError, match="未找到表头"):
        find_header(rows, ALIASES)


def test_non_blank() -> None:
    rows = _numbered(["a"], [], ["", " "], ["", "b"])
    assert list(non_blank(rows)) == [(1, ["a"]), (4, ["", "b"])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.3.5", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026 年 3 月 5 日", date(2026, 3, 5)),
        ("2026年3月5", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("46086", date(2026, 3, 5)),
        ("46086.75", date(2026, 3, 5)),
        ("２０２６－０３－０５", date(2026, 3, 5)),
        (" 2026-03-05 14:30:00 ", date(2026, 3, 5)),
        ("2026-03-05T14:30", date(2026, 3, 5)),
        ("18264", date(1950, 1, 1)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("2026-02-30", "不存在"),
        ("2026-13-01", "不存在"),
        ("20261301", "不存在"),
        ("2026", "无法识别"),  # a year alone is not an Excel serial
        ("17000", "无法识别"),  # serial before 1950
        ("26-3-5", "无法识别"),
        ("2026年3月", "无法识别"),
        ("下周一", "无法识别"),
        ("3/5/2026", "无法识别"),
    ],
)
def test_parse_date_rejects(text: str, message_part: str) -> None:
    with pytest.raises(TabularError, match=message_part):
        parse_date(text)

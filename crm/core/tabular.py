"""Reading uploaded spreadsheets (.xlsx, .csv) for imports: safety checks, rows, header, dates.

Row numbers are the ones a person sees in the spreadsheet (1-based; for CSV the record number).
Cells come back as cleaned strings. Merged cells: openpyxl's read-only mode does not expose
merged ranges, so a merged block yields its value in the top-left cell and blanks elsewhere;
``find_header`` ignores blank header cells, so merged title rows and merged header cells work.
CSV files are decoded in memory (the upload size is capped before this module is reached):
UTF-16 (BOM), UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

from crm.core.cell_text import (
    UNCOMPUTED,
    TabularError,
    Uncomputed,
    clean_cell,
    is_uncomputed,
    trimmed,
)
from crm.core.workbook_rows import SheetScore, xlsx_rows

__all__ = ["UNCOMPUTED", "SheetScore", "TabularError", "clean_cell", "is_uncomputed"]
Source = str | os.PathLike[str] | IO[bytes]
Row = tuple[int, list[str]]

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ENTRIES = 2000
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (18264, 73050)  # 1950-01-01 … 2099-12-31; "2026" alone is not a date
_UNIT_WORDS = {"亿元": "亿元", "亿": "亿元", "万元": "万元", "万": "万元", "元": "元"}
_MARKERS = {"必填", "选填", "可选", "必须"}
_IGNORED_HEADERS = {"序号", "no", "no.", "#"}
_TRAILING_PARENS = re.compile(r"^(?P<base>.*?)[(\[【](?P<inner>[^()\[\]【】]*)[)\]】]$")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def _head(source: Source, size: int = 512) -> bytes:
    """The first bytes of a path or a seekable binary file, leaving the file at offset 0."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read(size)
    source.seek(0)
    head = source.read(size)
    source.seek(0)
    return head


def _looks_like_html(head: bytes) -> bool:
    """Whether the bytes start like an HTML page (often a web export renamed to .xls/.xlsx)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta"))


def check_xlsx_safety(
    path: Source, max_uncompressed: int = MAX_UNCOMPRESSED, max_entries: int = MAX_ENTRIES
) -> None:
    """Refuse non-xlsx content, macros, and zip bombs by looking at the zip directory only.

    Declared sizes are trustworthy bounds: Python's zipfile stops inflating an entry at its
    declared size, so openpyxl cannot be made to inflate more than the total checked here.
    """
    head = _head(path)
    if _looks_like_html(head):
        raise TabularError("文件内容是网页（HTML），不是 Excel 工作簿，请在 Excel 中另存为 .xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError("文件是旧版 .xls 或已加密的工作簿，请另存为未加密的 .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise TabularError("文件不是有效的 .xlsx 工作簿（无法作为压缩包读取）") from exc
    finally:
        if not isinstance(path, str | os.PathLike):
            path.seek(0)
    if len(entries) > max_entries:
        raise TabularError(
            f"工作簿内部文件过多（{len(entries)} 个，上限 {max_entries} 个），已拒绝"
        )
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise TabularError("工作簿包含宏（vbaProject.bin），出于安全原因已拒绝，请另存为 .xlsx")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise TabularError("文件不是有效的 .xlsx 工作簿（缺少工作簿结构）")
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        size, limit = total // 2**20, max_uncompressed // 2**20
        raise TabularError(f"工作簿解压后过大（约 {size} MB，上限 {limit} MB），已拒绝")


def _decode(data: bytes) -> str:
    """Decode CSV bytes: UTF-16 with BOM, UTF-8 (with or without BOM), else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError("无法识别文件编码，请另存为 UTF-8 编码的 CSV")


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon, sniffed from the start of the text; comma when unsure."""
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        first_line = next((line for line in sample.splitlines() if line.strip()), "")
        counts = {sep: first_line.count(sep) for sep in ",\t;"}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] else ","


def _csv_text(source: Source) -> str:
    """The decoded text of an uploaded CSV file, refusing HTML and zip content."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data = handle.read()
    else:
        data = source.read()
    if _looks_like_html(data[:512]):
        raise TabularError("文件内容是网页（HTML），不是 CSV 文件")
    if data.startswith(b"PK\x03\x04"):
        raise TabularError("文件内容是 Excel 工作簿而不是 CSV，请使用 .xlsx 扩展名上传")
    return _decode(data)


def _csv_rows(text: str) -> Iterator[Row]:
    """Rows of decoded CSV text, numbered by record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, trimmed(clean_cell(cell) for cell in cells)
    except csv.Error as exc:
        raise TabularError(f"第{number + 1}行格式错误，无法解析") from exc


def read_rows(
    path_or_file: Source, filename: str, sheet_score: SheetScore | None = None
) -> Iterator[Row]:
    """Stream (row number, cell strings) from an uploaded .xlsx or .csv, chosen by file name
    (``sheet_score`` picks the data sheet of a workbook with several).

    The file type, safety checks and CSV encoding are checked before this returns; a damaged
    workbook or a malformed CSV line raises ``TabularError`` while iterating.
    """
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".xlsx":
        check_xlsx_safety(path_or_file)
        return xlsx_rows(path_or_file, sheet_score)
    if extension == ".csv":
        return _csv_rows(_csv_text(path_or_file))
    if extension == ".xlsm":
        raise TabularError("不支持带宏的工作簿（.xlsm），请另存为 .xlsx")
    if extension == ".xls":
        raise TabularError("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx")
    raise TabularError("仅支持 .xlsx 和 .csv 文件")


def non_blank(rows: Iterable[Row]) -> Iterator[Row]:
    """Skip rows whose cells are all blank."""
    return (
        (number, cells)
        for number, cells in rows
        if any(cell.strip() or isinstance(cell, Uncomputed) for cell in cells)
    )


def clean_header(text: str) -> tuple[str, str | None]:
    """A header cell as (matching key, unit): "*总投资（亿元）" → ("总投资", "亿元")."""
    key = "".join(clean_cell(text).split()).strip("*※").lower()
    unit = None
    while (match := _TRAILING_PARENS.match(key)) and match["base"]:
        inner = match["inner"].removeprefix("单位:").removeprefix("单位")
        if inner in _UNIT_WORDS:
            unit = _UNIT_WORDS[inner]
        elif inner not in _MARKERS:
            break
        key = match["base"].strip("*※")
    return key, unit


@dataclass
class HeaderMap:
    """Where the header row is and which column holds which canonical field."""

    row: int
    columns: dict[str, int]
    units: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def value(self, cells: Sequence[str], name: str) -> str:
        """The cell of a data row for a field; "" when the field or cell is missing."""
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""


def find_header(
    rows: Iterable[Row],
    aliases: Mapping[str, Sequence[str]],
    min_matches: int = 2,
    scan_rows: int = 20,
) -> HeaderMap:
    """Find the header among the first non-blank rows; an iterator is left just after it."""
    lookup: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in (name, *names):
            lookup.setdefault(clean_header(alias)[0], name)
    for scanned, (number, cells) in enumerate(non_blank(rows), start=1):
        header = HeaderMap(row=number, columns={})
        for index, cell in enumerate(cells):
            key, unit = clean_header(cell)
            if not key or key in _IGNORED_HEADERS:
                continue
            name = lookup.get(key)
            if name is None:
                header.unknown.append(cell)
            elif name in header.columns:
                header.duplicates.append(cell)
            else:
                header.columns[name] = index
                if unit:
                    header.units[name] = unit
        if len(header.columns) >= min_matches:
            return header
        if scanned >= scan_rows:
            break
    examples = "、".join(list(aliases)[:4])
    raise TabularError(
        f"未找到表头：前{scan_rows}行中没有一行包含至少{min_matches}个已知列名（如 {examples}）"
    )


def parse_date(text: str) -> date:
    """Parse 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305 or an Excel serial number."""
    value = clean_cell(text)
    if not value:
        raise TabularError("日期不能为空")
    compact = "".join(value.split())
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(value) or pattern.fullmatch(compact):
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError as exc:
                raise TabularError(f"日期“{value}”不存在，请检查月份和日期") from exc
    if re.fullmatch(r"\d{5}(?:\.\d+)?", compact):
        serial = int(float(compact))
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=serial)
    raise TabularError(f"无法识别的日期“{value}”，请使用 2026-03-05 这样的格式")

"""Writing spreadsheets people download: streamed, and safe against formula injection.

A text cell starting with = + - @ tab or CR would be run as a formula by Excel or LibreOffice
(OWASP "CSV injection"). In .xlsx every text cell is written with the explicit string type, so
it is shown as text and never evaluated; in .csv such a value gets a leading apostrophe, which
the import removes again. Numbers (int, float, Decimal, and text that is just a number) are left
as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # the download helper adds the one charset
# Text a spreadsheet would turn into a number (an 18-digit credit code, a phone number with its
# leading 0 or +86) and that holds nothing a formula could use: written to CSV as the string
# literal ="...", which Excel shows as that text; the import reads it back (cells.unguard).
TEXT_LITERAL = re.compile(r"[0-9A-Za-z+][0-9A-Za-z +\-()]{0,40}")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(italic=True, color="666666")


class Text(str):
    """A value that must stay text in a spreadsheet: a credit code, a phone number."""

    __slots__ = ()


def csv_safe(value: Any) -> Any:
    """A value for a CSV cell: risky text gets a leading apostrophe; numbers stay numbers;
    ``Text`` that a spreadsheet would read as a number is kept as text (see TEXT_LITERAL)."""
    if value is None:
        return ""
    if isinstance(value, Text) and any(c.isdigit() for c in value):
        if TEXT_LITERAL.fullmatch(value):
            return f'="{value}"'
        value = str(value)
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], every: int = 500
) -> Iterator[str]:
    """CSV text in pieces for a streaming response: a UTF-8 BOM first (Excel then reads the
    Chinese correctly), CRLF line ends, every cell through ``csv_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([csv_safe(cell) for cell in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_safe(cell) for cell in row])
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class XlsxWriter:
    """A write-only (streamed) workbook with one sheet; text is always stored as text."""

    def __init__(self, title: str, widths: Sequence[int] = ()) -> None:
        self.workbook = Workbook(write_only=True)
        self.add_sheet(title, widths)

    def add_sheet(self, title: str, widths: Sequence[int] = ()) -> None:
        """Start another sheet; later rows go there."""
        self.sheet = self.workbook.create_sheet(title[:31])
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = width

    def cell(self, value: Any, *, bold: bool = False, note: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str) and value:
            cell.data_type = "s"  # "=1+1" stays the text "=1+1"
        elif isinstance(value, datetime | date):
            cell.number_format = "yyyy-mm-dd"
        if bold:
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        if note:
            cell.font = _NOTE_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def header(self, names: Sequence[str]) -> None:
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self.cell(name, bold=True) for name in names])

    def row(self, values: Sequence[Any], *, note: bool = False) -> None:
        self.sheet.append([self.cell(value, note=note) for value in values])

    def rows(self, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        for count, values in enumerate(rows, start=1):  # noqa: B007 — the count is returned
            self.row(values)
        return count

    def save(self, target: str | IO[bytes]) -> None:
        self.workbook.save(target)

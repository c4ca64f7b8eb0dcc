"""Finding the data in an uploaded workbook, for every kind of import.

- A workbook with several sheets (a provider's export with a 说明 sheet first, a ledger with a
  summary sheet) is read from the sheet whose first rows hold the best header for the kind.
- A formula cell without a cached result reads as blank; ``formula_errors`` turns it into
  an error that says what to do instead of "this cell is empty".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from flask_babel import lazy_gettext as _l

from crm.core.cell_text import FormulaRow
from crm.core.tabular import (
    Row,
    SheetScore,
    TabularError,
    find_header,
    is_uncomputed,
    non_blank,
    read_rows,
)

UNCOMPUTED_REASON = _l("该单元格是公式但没有计算结果，请在 Excel 中打开并保存后再导入")


def header_score(aliases: Mapping[str, Sequence[str]]) -> SheetScore:
    """How many known columns a sheet's header row holds (0: no header in its first rows)."""

    def score(rows: Iterator[Row]) -> int:
        try:
            return len(find_header(rows, aliases, min_matches=1).columns)
        except TabularError:
            return 0

    return score


def data_rows(
    path: str | Path, filename: str, aliases: Mapping[str, Sequence[str]]
) -> Iterator[Row]:
    """The non-blank rows of the file's data sheet (chosen by ``aliases``)."""
    return non_blank(read_rows(path, filename, header_score(aliases)))


def uncomputed_fields(cells: Sequence[str], columns: Mapping[str, int]) -> list[str]:
    """The fields whose cell in this row is a formula without a result."""
    if not isinstance(cells, FormulaRow):
        return []
    width = len(cells)
    return [name for name, i in columns.items() if i < width and is_uncomputed(cells[i])]

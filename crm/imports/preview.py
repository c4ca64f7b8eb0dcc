"""The first look at an uploaded file: which column is which, the first rows, about how many.

Reads no further than ``async_rows`` data rows, so it is quick for any file; a larger file's
row count is estimated (CSV line breaks, or the sheet's stored dimension) for the progress bar.
"""

from __future__ import annotations

import warnings
from itertools import islice
from pathlib import Path
from typing import Any

from crm.imports.cells import unguard
from crm.imports.engine import Limits, open_sheet
from crm.imports.kinds import ImportKind

SAMPLE_ROWS = 5


def read_preview(
    path: Path, filename: str, limits: Limits, async_rows: int, kind: ImportKind
) -> dict[str, Any]:
    """Header mapping, sample rows, a row count (exact up to ``async_rows``) and whether the
    file is large. Raises TabularError for a file that cannot be read at all. The kind's
    header aliases find the header; its columns are shown in their order."""
    aliases, known = kind.aliases, kind.columns
    stream, header, cells = open_sheet(path, filename, limits, aliases)
    mapped = [(field, name) for field, name in known if field in header.columns]
    columns = [
        {"field": field, "header": name, "label": cells[header.columns[field]]}
        for field, name in mapped
    ]
    sample: list[list[str]] = []
    count = 0
    for _number, row in islice(stream, async_rows + 1):
        count += 1
        if len(sample) < SAMPLE_ROWS:
            sample.append([_cell(row, header.columns[field]) for field, _name in mapped])
    large = count > async_rows
    return {
        "row": header.row,
        "columns": columns,
        "unknown": header.unknown,
        "duplicates": header.duplicates,
        "sample": sample,
        "rows": _estimate(path, filename, header.row) if large else count,
        "large": large,
    }


def _cell(row: list[str], index: int) -> str:
    return unguard(row[index]) if index < len(row) else ""


def _estimate(path: Path, filename: str, header_row: int) -> int:
    """About how many data rows a large file has (for the progress bar only)."""
    if filename.lower().endswith(".csv"):
        with open(path, "rb") as handle:
            lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - header_row, 0)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True)
        try:
            sheet = next(ws for ws in workbook.worksheets if ws.sheet_state == "visible")
            return max((sheet.max_row or 0) - header_row, 0)
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 — an estimate only; validation reports real problems
        return 0

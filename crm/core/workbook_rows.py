"""Rows of an .xlsx workbook for imports: the data sheet, cached results, formula cells.

Read-only openpyxl streams the sheet. Cells show their cached results (``data_only``); a
formula without one (a workbook written by a program and never opened in Excel) comes back
as ``UNCOMPUTED`` — the workbook is then loaded a second time without ``data_only`` and read
in step, which openpyxl's documentation gives as the way to see both formula and value.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from crm.core.cell_text import (
    UNCOMPUTED,
    FormulaRow,
    TabularError,
    Uncomputed,
    cell_text,
    trimmed,
)

__all__ = ["UNCOMPUTED", "Uncomputed"]

Source = str | os.PathLike[str] | IO[bytes]
Row = tuple[int, list[str]]


SheetScore = Callable[[Iterator[Row]], int]
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(source: Source) -> bool:
    """Whether any worksheet part of the workbook holds a formula (<f> element), read from
    the zip in blocks: only then is the workbook read a second time for formulas."""
    try:
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(name) as part:
                    tail = b""
                    for block in iter(lambda part=part: part.read(1 << 20), b""):
                        if _FORMULA_TAG.search(tail + block):
                            return True
                        tail = block[-16:]
        return False
    finally:
        if not isinstance(source, str | os.PathLike):
            source.seek(0)


def _load(source: Source, data_only: bool) -> Any:
    from openpyxl import load_workbook  # only paid for when a workbook is actually read

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # unsupported extensions, styles
            return load_workbook(source, read_only=True, data_only=data_only)
    except Exception as exc:
        raise TabularError("无法读取工作簿，文件可能已损坏，请在 Excel 中重新另存为 .xlsx") from exc


def _sheet_values(sheet: Any) -> Iterator[tuple[Any, ...]]:
    sheet.reset_dimensions()  # don't trust the stored used range; read every row
    rows, number = sheet.iter_rows(values_only=True), 0
    while True:
        try:
            values = next(rows, None)
        except Exception as exc:  # damaged sheet XML surfaces only while streaming
            raise TabularError(f"第{number + 1}行附近的内容已损坏，无法读取") from exc
        if values is None:
            return
        number += 1
        yield values


def _pick_sheet(visible: list[Any], score: SheetScore | None) -> int:
    """The data sheet: the visible sheet whose first rows score best (first on a tie)."""
    if score is None or len(visible) == 1:
        return 0
    scores = []
    for sheet in visible:
        rows = enumerate((trimmed(map(cell_text, v)) for v in _sheet_values(sheet)), 1)
        scores.append(score(rows))
    return max(range(len(visible)), key=lambda i: (scores[i], -i))


def xlsx_rows(source: Source, score: SheetScore | None = None) -> Iterator[Row]:
    """Rows of the data sheet (the first visible one, or the one ``score`` likes best),
    streamed by openpyxl in read-only mode. Cells show their cached results; a formula
    without one comes back as ``UNCOMPUTED`` (the workbook is then read twice, in step)."""
    workbook = _load(source, data_only=True)
    formulas = None
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise TabularError("工作簿中没有可读取的工作表")
        index = _pick_sheet(visible, score)
        values = _sheet_values(visible[index])
        raw: Iterator[tuple[Any, ...]] | None = None
        if _has_formulas(source):
            formulas = _load(source, data_only=False)
            shown = [ws for ws in formulas.worksheets if ws.sheet_state == "visible"]
            raw = _sheet_values(shown[index])
        for number, cached in enumerate(values, start=1):
            cells = [cell_text(value) for value in cached]
            missing = False
            if raw is not None:
                written = next(raw, ())
                for i, value in enumerate(written[: len(cells)]):
                    if cached[i] is None and isinstance(value, str) and value.startswith("="):
                        cells[i], missing = UNCOMPUTED, True
            yield number, FormulaRow(trimmed(cells)) if missing else trimmed(cells)
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()

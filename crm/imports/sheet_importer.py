"""The shape shared by the importers of one sheet into one zone (parcel ledger, monthly
progress, indicator actuals): the pipeline's constructor and ``run``, the file's own header
names for messages, and the header checks every kind makes.

A subclass sets ``ALIASES`` (canonical field → accepted headers, the first one the label),
optionally ``ZONE_REQUIRED`` (the message when no zone was chosen), and implements
``_read(result)`` → rows, optionally ``_check(rows, result)``, and
``_write(rows, batch_id, result)`` (inside the caller's transaction, only for a clean file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from crm.core.tabular import HeaderMap, TabularError
from crm.imports.engine import ImportResult, Limits, Progress, RowError, open_sheet
from crm.imports.services import SYSTEM_ACTOR
from crm.imports.sheets import UNCOMPUTED_REASON, uncomputed_fields


def too_many_rows(max_rows: int) -> Any:
    """The error of the row past a kind's row limit."""
    return _l("数据超过 %(max_rows)s 行的上限，请拆分文件后分批导入", max_rows=max_rows)


class SheetImporter:
    ALIASES: ClassVar[dict[str, tuple[str, ...]]]
    ZONE_REQUIRED: ClassVar[Any] = None
    MAX_ROWS: ClassVar[int] = 20_000
    # Rows with text only outside the known columns (a 填表人 line under the table): skipped.
    SKIP_ROWS_BLANK_IN_COLUMNS: ClassVar[bool] = False

    def __init__(
        self,
        path: str | Path,
        filename: str,
        zone: Any,
        actor: Any = None,
        limits: Limits | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.path, self.filename = path, filename
        self.zone_id = getattr(zone, "id", zone)
        self.limits = limits or Limits()
        self.max_rows = min(self.MAX_ROWS, self.limits.max_rows)
        self.actor = actor or SYSTEM_ACTOR
        self.labels: dict[str, str] = {}

    def label(self, name: str) -> str:
        """The file's header for a field (its canonical label before the header is read)."""
        return self.labels.get(name) or self.ALIASES[name][0]

    def run(self, *, write: bool, batch_id: int | None = None) -> ImportResult:
        """Read and check every row; with ``write`` and no error, write them (no commit)."""
        result = ImportResult()
        if self.ZONE_REQUIRED is not None and self.zone_id is None:
            result.add_errors([RowError(0, "", self.ZONE_REQUIRED)])
            return result
        try:
            rows = self._read(result)
        except TabularError as exc:
            result.add_errors([RowError(0, "", str(exc))])
            return result
        self._check(rows, result)
        if write and not result.error_count:
            self._write(rows, batch_id, result)
            result.written = not result.error_count
        return result

    def open_header(
        self, required: tuple[str, ...] = ()
    ) -> tuple[Iterator[tuple[int, list[str]]], HeaderMap, list[RowError]]:
        """(data rows, the header map, the header's problems): columns given twice and the
        ``required`` columns that are missing. The header map stays as ``self.header``."""
        stream, header, cells = open_sheet(self.path, self.filename, self.limits, self.ALIASES)
        self.header = header
        self.labels = {name: cells[i] for name, i in header.columns.items()}
        problems = [
            RowError(header.row, cell, _l("与另一列表示同一项内容，请删除其中一列"))
            for cell in header.duplicates
        ]
        problems += [
            RowError(header.row, self.ALIASES[name][0], _l("缺少该列"))
            for name in required
            if name not in header.columns
        ]
        return stream, header, problems

    def each_row(
        self,
        stream: Iterator[tuple[int, list[str]]],
        header: HeaderMap,
        result: ImportResult,
        read_row: Callable[[int, list[str], ImportResult], Any],
    ) -> list:
        """The rows ``read_row`` returns (None for a row with errors), up to ``max_rows``; a
        formula cell without its computed value is an error of the row, not an empty cell."""
        rows = []
        for number, cells in stream:
            if self.SKIP_ROWS_BLANK_IN_COLUMNS and not any(
                str(header.value(cells, name)).strip() for name in header.columns
            ):
                continue
            result.rows += 1
            if result.rows > self.max_rows:
                reason = too_many_rows(self.max_rows)
                result.add_errors([RowError(number, "", reason)])
                break
            if formulas := uncomputed_fields(cells, header.columns):
                errors = [RowError(number, self.label(f), UNCOMPUTED_REASON) for f in formulas]
                result.add_errors(errors)
            elif (row := read_row(number, cells, result)) is not None:
                rows.append(row)
        if result.rows == 0 and not result.error_count:
            result.add_errors([RowError(header.row, "", _l("文件中没有数据行"))])
        return rows

    def _read(self, result: ImportResult) -> list:
        raise NotImplementedError

    def _check(self, rows: list, result: ImportResult) -> None:
        """Checks across rows, after each row was read (none by default)."""

    def _write(self, rows: list, batch_id: int | None, result: ImportResult) -> None:
        raise NotImplementedError

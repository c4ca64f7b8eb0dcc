"""The downloadable validation report of an import batch."""

from __future__ import annotations

from typing import IO

from crm.imports.models import ImportBatch
from crm.imports.spreadsheets import XlsxWriter

HEADER = ["行号", "列名", "原因"]
WIDTHS = [10, 22, 80]


def _rows(problems: list[dict]) -> list[list]:
    return [[p.get("row") or "—", p.get("column") or "—", p.get("reason", "")] for p in problems]


def write_report(batch: ImportBatch, target: str | IO[bytes]) -> None:
    """Errors (row as numbered in the spreadsheet, column, reason), then a sheet of notices."""
    writer = XlsxWriter("错误", WIDTHS)
    writer.header(HEADER)
    errors = batch.errors or []
    writer.rows(_rows(errors))
    total = (batch.counts or {}).get("errors", len(errors))
    if total > len(errors):
        writer.row([])
        writer.row([f"共 {total} 处错误，此处列出前 {len(errors)} 处"], note=True)
    warnings = (batch.counts or {}).get("warnings") or []
    if warnings:
        writer.add_sheet("警告", WIDTHS)
        writer.header(HEADER)
        writer.rows(_rows(warnings))
    writer.save(target)

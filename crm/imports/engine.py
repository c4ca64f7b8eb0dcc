"""What every importer shares: limits, reading a sheet to its header, row errors and results.

Each kind of upload (the target list, a project ledger, …) has its importer in its own area,
registered with the pipeline (``crm.imports.kinds``). An importer answers
``run(write=False)`` — read and check every row, write nothing — and
``run(write=True, batch_id=…)`` — write inside the caller's transaction only when the whole
file is clean — with an :class:`ImportResult`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from crm.core.tabular import (
    MAX_ENTRIES,
    MAX_UNCOMPRESSED,
    HeaderMap,
    check_xlsx_safety,
    find_header,
)
from crm.imports.sheets import data_rows

MAX_ERRORS = 1000  # errors kept for the report; the count goes on
Progress = Callable[[str, int], None]  # (phase, rows done)


@dataclass
class Limits:
    max_rows: int = 200_000
    max_uncompressed: int = MAX_UNCOMPRESSED
    max_entries: int = MAX_ENTRIES


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects alive before a large import (the app, its libraries, pypinyin's
    dictionaries) out of the garbage collector's passes until it ends: the full passes over
    them took about a fifth of a 20 000-row import's CPU. Nothing is left frozen afterwards;
    when something else froze the heap already, it is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def open_sheet(
    path: str | Path,
    filename: str,
    limits: Limits,
    aliases: dict[str, tuple[str, ...]],
) -> tuple[Iterator[tuple[int, list[str]]], HeaderMap, list[str]]:
    """(data rows after the header, the header map, the header row's cells) of a file;
    raises TabularError for a file that cannot be read or has no recognisable header
    (``aliases``: the headers of the kind of list)."""
    if filename.lower().endswith(".xlsx"):
        check_xlsx_safety(path, limits.max_uncompressed, limits.max_entries)
    rows = data_rows(path, filename, aliases)
    seen: dict[int, list[str]] = {}

    def remember() -> Iterator[tuple[int, list[str]]]:
        for number, cells in rows:
            if len(seen) < 40:  # the header is among the first rows
                seen[number] = cells
            yield number, cells

    stream = remember()
    header = find_header(stream, aliases, min_matches=2)
    return stream, header, seen[header.row]


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __post_init__(self) -> None:
        # reasons and labels may be lazy strings: stored as JSON, they must be plain text
        self.column, self.reason = str(self.column), str(self.reason)

    def as_dict(self) -> dict[str, Any]:
        """Row 0 (the whole file) becomes None."""
        return {"row": self.row or None, "column": self.column, "reason": self.reason}


def plain(value: Any) -> Any:
    """A JSON-safe copy (dates as ISO text), as the audit log stores values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False

    def add_errors(self, errors: list[RowError], into: str = "errors") -> None:
        if into == "errors":
            self.error_count += len(errors)
        kept = getattr(self, into)
        kept.extend(e.as_dict() for e in errors[: max(0, MAX_ERRORS - len(kept))])

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> dict[str, Any]:
        """The CLI's --json shape."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
        }

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "errors": self.error_count,
        }

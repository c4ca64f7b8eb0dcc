"""Running a target-list import: read, validate every row, then (when clean) write, in one go.

Pass one streams the file, validates each row and plans it against the database a chunk at a
time (what to create, what to change); the plans are spilled to a temporary file (pickle), so
the file is read and the database consulted once. Only when the whole file is clean does pass
two write the plans, chunk by chunk, inside the caller's transaction — an error anywhere means
nothing is written. Memory stays flat: a chunk of rows, plus the credit codes and names seen
so far (to catch one enterprise on two rows). Pass one and two run back to back in the same
transaction; a concurrent writer that slips in between makes a unique index fail and the
whole import roll back.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.auth.models import User
from crm.core.tabular import (
    MAX_ENTRIES,
    MAX_UNCOMPRESSED,
    HeaderMap,
    TabularError,
    check_xlsx_safety,
    clean_header,
    find_header,
    non_blank,
    read_rows,
)
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.imports.planner import ChunkPlanner, FileKeys
from crm.imports.writer import ChunkWriter
from crm.targets.importing import HEADER_ALIASES, HEADERS, RowContext, RowError, RowReader

CHUNK = 1000
HEADER_FIELDS = {clean_header(a)[0]: f for f, aliases in HEADER_ALIASES.items() for a in aliases}
MAX_ERRORS = 1000  # errors kept for the report; the count goes on
Progress = Callable[[str, int], None]  # (phase, rows done)


@dataclass
class Limits:
    max_rows: int = 200_000
    max_uncompressed: int = MAX_UNCOMPRESSED
    max_entries: int = MAX_ENTRIES


def open_sheet(
    path: str | Path,
    filename: str,
    limits: Limits,
    aliases: dict[str, tuple[str, ...]] = HEADER_ALIASES,
) -> tuple[Iterator[tuple[int, list[str]]], HeaderMap, list[str]]:
    """(data rows after the header, the header map, the header row's cells) of a file;
    raises TabularError for a file that cannot be read or has no recognisable header
    (``aliases``: the headers of the kind of list, the target list's by default)."""
    if filename.lower().endswith(".xlsx"):
        check_xlsx_safety(path, limits.max_uncompressed, limits.max_entries)
    rows = non_blank(read_rows(path, filename))
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
        }

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "errors": self.error_count,
        }


@dataclass
class Importer:
    """One import of a file into a zone (None: the city pool) by ``actor``."""

    path: str | Path
    filename: str
    zone_id: int | None
    actor: Any
    limits: Limits = field(default_factory=Limits)
    progress: Progress | None = None

    def __post_init__(self) -> None:
        self.actor_id = getattr(self.actor, "id", None)
        self.actor_is_staff = getattr(self.actor, "role", None) == "staff"
        self.header_cells: list[str] = []
        self.mapping: dict[str, int] = {}
        self.header_warnings: list[RowError] = []

    def run(self, *, write: bool, batch_id: int | None = None) -> ImportResult:
        """Validate every row; with ``write`` and no errors, write them (the caller commits)."""
        result = ImportResult()
        with tempfile.TemporaryFile() as spill:
            try:
                chunks = self._validate(result, spill if write else None)
            except (TabularError, UnicodeError) as exc:
                reason = str(exc) if isinstance(exc, TabularError) else "无法识别文件编码"
                result.add_errors([RowError(0, "", reason)])
                return result
            if write and not result.error_count:
                if batch_id is None:
                    raise ValueError("writing needs an import batch")
                self._write(spill, chunks, batch_id, result)
        return result

    # --- pass one ------------------------------------------------------------------------

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        stream, header, self.header_cells = open_sheet(self.path, self.filename, self.limits)
        self.mapping = dict(header.columns)
        problems = []
        if "name" not in header.columns:
            problems.append(RowError(header.row, HEADERS["name"], _l("缺少“企业名称”列")))
        for cell in header.duplicates:  # a second column for the same field: the first wins
            field_name = HEADER_FIELDS.get(clean_header(cell)[0])
            first = self.header_cells[header.columns[field_name]] if field_name else ""
            if field_name in ("name", "uscc"):
                reason = _l("与“%(first)s”列表示同一项内容，请删除其中一列", first=first)
                problems.append(RowError(header.row, cell, reason))
            else:
                reason = _l(
                    "与“%(first)s”列表示同一项内容，只读取“%(first2)s”列", first=first, first2=first
                )
                self.header_warnings.append(RowError(header.row, cell, reason))
        if problems:
            raise _HeaderProblems(problems)
        return stream

    def _validate(self, result: ImportResult, spill: IO[bytes] | None) -> int:
        try:
            stream = self._rows()
        except _HeaderProblems as exc:
            result.add_errors(exc.errors)
            return 0
        result.add_errors(self.header_warnings, into="warnings")
        owners, inactive = self._owners()
        context = RowContext(self.zone_id, self.actor_id, self.actor_is_staff, owners)
        reader = RowReader(self.mapping, self.header_cells, context)
        planner = ChunkPlanner(
            self.zone_id, self.actor_id, self.actor_is_staff, reader.column, frozenset(inactive)
        )
        keys = FileKeys(column=reader.column)
        chunk: list = []
        chunks = 0

        def flush() -> None:
            nonlocal chunks
            plans, errors, warnings = planner.plan(chunk, keys)
            result.add_errors(errors)
            result.add_errors(warnings, into="warnings")
            for plan in plans:
                result.count(plan.outcome)
            if spill is not None and not result.error_count:
                pickle.dump(plans, spill, protocol=pickle.HIGHEST_PROTOCOL)
                chunks += 1
            chunk.clear()
            if self.progress:
                self.progress("validating", result.rows)

        for number, cells in stream:
            parsed = reader.read(number, cells)
            if parsed is None:
                continue
            result.rows += 1
            if result.rows > self.limits.max_rows:
                reason = _l(
                    "数据超过 %(max_rows)s 行的上限，请拆分文件后分批导入",
                    max_rows=self.limits.max_rows,
                )
                result.add_errors([RowError(number, "", reason)])
                break
            if isinstance(parsed, list):
                result.add_errors(parsed)
            else:
                chunk.append(parsed)
            if len(chunk) >= CHUNK:
                flush()
        if chunk:
            flush()
        if result.rows == 0 and not result.error_count:
            result.add_errors([RowError(0, "", _l("文件中没有数据行"))])
        return chunks

    def _owners(self) -> tuple[dict[str, list[int]], set[int]]:
        """The zone's people by display name and by login, and which of them are inactive
        (an export names a target's owner even after they left; that is no change)."""
        owners: dict[str, list[int]] = {}
        inactive: set[int] = set()
        if self.zone_id is None:
            return owners, inactive
        stmt = select(User.id, User.login, User.display_name, User.active).where(
            User.zone_id == self.zone_id
        )
        for user_id, login, display_name, active in db.session.execute(stmt):
            for key in {login, display_name}:
                owners.setdefault(key, []).append(user_id)
            if not active:
                inactive.add(user_id)
        return owners, inactive

    # --- pass two ------------------------------------------------------------------------

    def _write(self, spill: IO[bytes], chunks: int, batch_id: int, result: ImportResult) -> None:
        """Write the plans of pass one, a chunk at a time (the caller's transaction)."""
        spill.seek(0)
        writer = ChunkWriter(batch_id, self.zone_id, self.actor)
        writer.lock()
        now = utcnow()
        done = 0
        for _ in range(chunks):
            plans = pickle.load(spill)  # noqa: S301 — our own temporary file, written above
            writer.write(plans, now)
            done += len(plans)
            if self.progress:
                self.progress("writing", done)
        result.written = True


class _HeaderProblems(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].reason)
        self.errors = errors

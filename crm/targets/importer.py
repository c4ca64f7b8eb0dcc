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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from crm.auth.models import User
from crm.core.tabular import TabularError, clean_header
from crm.core.timeutil import utcnow
from crm.enterprises.models import Contact, Enterprise
from crm.extensions import db
from crm.imports.engine import (
    ImportResult,
    Limits,
    Progress,
    RowError,
    frozen_heap,
    open_sheet,
)
from crm.imports.kinds import POOL, ImportKind
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.revert import restore_updates
from crm.imports.services import SYSTEM_ACTOR
from crm.imports.services import import_file as import_kind_file
from crm.imports.sheet_importer import too_many_rows
from crm.targets.import_planner import ChunkPlanner, FileKeys
from crm.targets.import_writer import ChunkWriter
from crm.targets.importing import COLUMNS, HEADER_ALIASES, HEADERS, RowContext, RowReader
from crm.targets.models import Target
from crm.targets.provider_columns import CONTACT_FALLBACK

CHUNK = 1000
HEADER_FIELDS = {clean_header(a)[0]: f for f, aliases in HEADER_ALIASES.items() for a in aliases}
KIND = "targets"


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
        self.units: dict[str, str] = {}
        self.header_warnings: list[RowError] = []

    def run(self, *, write: bool, batch_id: int | None = None) -> ImportResult:
        """Validate every row; with ``write`` and no errors, write them (the caller commits)."""
        result = ImportResult()
        with frozen_heap(), tempfile.TemporaryFile() as spill:
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
        stream, header, self.header_cells = open_sheet(
            self.path, self.filename, self.limits, HEADER_ALIASES
        )
        self.mapping, self.units = dict(header.columns), dict(header.units)
        if "contact_name" not in header.columns and "contact_phone" in header.columns:
            column = self.header_cells[header.columns["contact_phone"]]  # a provider export
            self.header_warnings.append(RowError(header.row, column, CONTACT_FALLBACK))
        problems = []
        if "name" not in header.columns:
            problems.append(RowError(header.row, HEADERS["name"], "缺少“企业名称”列"))
        for cell in header.duplicates:  # a second column for the same field: the first wins
            field_name = HEADER_FIELDS.get(clean_header(cell)[0])
            first = self.header_cells[header.columns[field_name]] if field_name else ""
            if field_name in ("name", "uscc"):
                reason = f"与“{first}”列表示同一项内容，请删除其中一列"
                problems.append(RowError(header.row, cell, reason))
            else:
                reason = f"与“{first}”列表示同一项内容，只读取“{first}”列"
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
        reader = RowReader(self.mapping, self.header_cells, context, self.units)
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
                reason = too_many_rows(self.limits.max_rows)
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
            result.add_errors([RowError(0, "", "文件中没有数据行")])
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


def revert_targets(batch: ImportBatch, now: Any) -> dict[str, int]:
    """Targets the batch created are soft-deleted (an admin can restore them), fields it changed
    restored, contacts it added removed. Enterprises the batch created stay in the shared
    enterprise register (other zones may already use them)."""
    removed = db.session.execute(
        update(Target)
        .where(Target.import_batch_id == batch.id, Target.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now)
    ).rowcount
    models = {"enterprise": Enterprise, "target": Target, "contact": Contact}
    restored, kept = restore_updates(batch.id, now, models)
    created_contacts = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id,
        ImportChange.entity == "contact",
        ImportChange.action == "created",
    )
    contacts = db.session.execute(delete(Contact).where(Contact.id.in_(created_contacts))).rowcount
    return {
        "targets_removed": removed,
        "fields_restored": restored,
        "fields_kept": kept,
        "contacts_removed": contacts,
    }


TARGET_IMPORTS = ImportKind(
    name=KIND,
    label="目标企业清单",
    importer=Importer,
    aliases=HEADER_ALIASES,
    columns=[(c.field, c.header) for c in COLUMNS],
    revert=revert_targets,
    no_zone=POOL,
    no_zone_label=_l("市级储备库（目标企业清单）"),
    zone_hint="目标企业清单请选择开发区或市级储备库",
    tables=("enterprise", "target", "contact"),
)


def import_file(
    path: str | Path, zone_id: int | None, *, dry_run: bool, actor: Any = SYSTEM_ACTOR
) -> tuple[ImportResult, ImportBatch | None]:
    """The CLI's import of a target list: validate (dry run) or import and commit."""
    return import_kind_file(TARGET_IMPORTS, path, zone_id, dry_run=dry_run, actor=actor)

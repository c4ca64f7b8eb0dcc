"""Import batches: upload → preview → validation → commit (all or nothing) → revert.

A batch's file lives under ``UPLOAD_DIR/imports`` with a random name and is never served.
Small files are validated and committed inside the request; larger ones (more than
``IMPORT_ASYNC_ROWS`` data rows) by Celery tasks, which report progress in a small JSON file
beside the upload — the import's own transaction is not visible to other connections until it
commits, and SQLite would block a second writer. Imports send no notifications or reminders.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import false, text, update
from werkzeug.datastructures import FileStorage

from crm.core.access import scope_rule
from crm.core.audit import record_audit
from crm.core.boundary import parse_id
from crm.core.roles import CITY_ROLES
from crm.core.tabular import TabularError
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.imports.engine import ImportResult, Limits
from crm.imports.kinds import BY_COLUMN, KINDS, POOL, ImportKind, kind_of
from crm.imports.models import ImportBatch
from crm.imports.preview import read_preview
from crm.imports.progress import clear_progress, write_progress
from crm.imports.storage import batch_path, store_upload, upload_dir
from crm.zones.models import Zone

log = logging.getLogger(__name__)
ANALYZE_AFTER = 10_000  # rows created by one import
# The CLI acts as the system: every zone, no user.
SYSTEM_ACTOR = SimpleNamespace(
    id=None, role="admin", zone_id=None, is_authenticated=True, display_name="命令行"
)


class ImportRefused(ValueError):
    """The upload or action cannot go ahead; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(ImportBatch)
def _batch_scope(user: Any):
    if user.role in CITY_ROLES:
        return None
    if user.zone_id is None:
        return false()
    return ImportBatch.zone_id == user.zone_id


def limits() -> Limits:
    config = current_app.config
    return Limits(
        max_rows=config["IMPORT_MAX_ROWS"],
        max_uncompressed=config["IMPORT_MAX_UNCOMPRESSED_MB"] * 1024 * 1024,
        max_entries=config["IMPORT_MAX_ZIP_ENTRIES"],
    )


def resolve_zone(actor: Any, choice: str | None, kind: str) -> int | None:
    """The zone an actor may import into: zone users their own; city users any zone, or none
    when the kind takes it (``ImportKind.no_zone``: the pool for a target list, the zone
    column for a ledger)."""
    if actor.role in ("staff", "manager"):
        if actor.zone_id is None or str(choice or actor.zone_id) != str(actor.zone_id):
            raise ImportRefused("只能导入到本开发区", "zone")
        return actor.zone_id
    if actor.role not in ("coordinator", "admin"):
        raise ImportRefused("只读用户不能导入", "zone")
    spec = kind_of(kind)
    if choice is not None and choice == spec.no_zone:
        return None
    if choice in (POOL, BY_COLUMN):
        raise ImportRefused(spec.zone_hint, "zone")
    zone_id = parse_id(choice)
    zone = db.session.get(Zone, zone_id) if zone_id is not None else None
    if zone is None or not zone.active:
        raise ImportRefused("请选择导入到哪个开发区（或市级储备库）", "zone")
    return zone.id


def can_commit(user: Any, batch: ImportBatch) -> bool:
    """The uploader, the zone's manager, coordinators and admins."""
    if user.role in ("coordinator", "admin"):
        return True
    if user.role == "manager":
        return batch.zone_id == user.zone_id
    return user.role == "staff" and batch.created_by_id == user.id


def _file_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeError):  # e.g. a truncated UTF-16 file
        return "无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx"
    return str(exc)


def start_import(
    upload: FileStorage, zone_choice: str | None, actor: Any, kind: str
) -> ImportBatch:
    """Store the upload, read its header and first rows, and validate it now (small files) or
    mark it for the worker (large ones: the caller queues the task after committing)."""
    if kind not in KINDS:
        labels = "或".join(k.label for k in KINDS.values())
        raise ImportRefused(f"请选择导入的内容（{labels}）", "kind")
    zone_id = resolve_zone(actor, zone_choice, kind)
    filename = os.path.basename(upload.filename or "")[-200:]
    if not filename:
        raise ImportRefused("请选择要导入的文件")
    stored, digest = store_upload(upload)
    path = upload_dir() / stored
    try:
        async_rows = current_app.config["IMPORT_ASYNC_ROWS"]
        preview = read_preview(path, filename, limits(), async_rows, kind_of(kind))
    except (TabularError, UnicodeError) as exc:
        path.unlink(missing_ok=True)
        raise ImportRefused(_file_problem(exc)) from exc
    batch = ImportBatch(
        kind=kind,
        zone_id=zone_id,
        filename=filename,
        stored_path=stored,
        sha256=digest,
        status="validating" if preview.pop("large") else "uploaded",
        total_rows=preview.pop("rows"),
        header=preview,
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    record_audit("upload", "import_batch", batch.id, {"filename": filename}, actor=actor)
    if batch.status == "uploaded":
        validate_batch(batch, actor)
    return batch


def _importer(batch: ImportBatch, actor: Any) -> Any:
    """The batch's importer (its kind's): it answers ``run(write=…, batch_id=…)`` with an
    ImportResult."""

    def report(phase: str, done: int) -> None:
        write_progress(batch, phase, done)

    importer = kind_of(batch.kind).importer
    return importer(batch_path(batch), batch.filename, batch.zone_id, actor, limits(), report)


def _record(batch: ImportBatch, result: ImportResult) -> None:
    batch.processed_rows = batch.total_rows = result.rows  # exact from now on
    batch.errors = result.errors
    batch.counts = {**result.counts(), "warnings": result.warnings}


def validate_batch(batch: ImportBatch, actor: Any) -> ImportResult:
    """Check every row without writing; the batch becomes valid or invalid (caller commits)."""
    result = _importer(batch, actor).run(write=False)
    _record(batch, result)
    batch.status = "invalid" if result.error_count else "valid"
    clear_progress(batch)
    return result


def claim_commit(batch: ImportBatch, actor: Any) -> None:
    """Mark a valid batch as being committed (so a second click does nothing); caller commits."""
    if not can_commit(actor, batch):
        raise ImportRefused("您不能确认这批导入", "commit")
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "valid")
        .values(status="committing")
    )
    if claimed.rowcount != 1:
        raise ImportRefused("这批数据当前不能导入（可能已在导入或已导入）", "commit")
    db.session.refresh(batch)


def commit_batch(batch_id: int, actor: Any) -> ImportBatch:
    """Import a claimed batch in one transaction and commit it; on any error nothing is kept
    and the batch shows why."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        result = _importer(batch, actor).run(write=True, batch_id=batch.id)
    except Exception:
        log.exception("import batch %s failed", batch_id)
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status = "failed"
        batch.errors = [{"row": None, "column": "", "reason": "导入失败，未写入任何数据，请重试"}]
        clear_progress(batch)
        db.session.commit()
        return batch
    if not result.written:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        _record(batch, result)
        batch.status = "invalid"
    else:
        _record(batch, result)
        batch.status = "committed"
        batch.committed_at = utcnow()
        record_audit("import", "import_batch", batch.id, result.counts(), actor=actor)
    clear_progress(batch)
    db.session.commit()
    if result.written:
        refresh_statistics(result.created, kind_of(batch.kind))
    return batch


def import_file(
    kind: ImportKind,
    path: str | Path,
    zone_id: int | None,
    *,
    dry_run: bool,
    actor: Any = SYSTEM_ACTOR,
) -> tuple[ImportResult, ImportBatch | None]:
    """The CLI's import: validate (dry run) or import and commit, recording a batch."""
    filename = os.path.basename(str(path))
    importer = kind.importer(path, filename, zone_id, actor, limits())
    if dry_run:
        result = importer.run(write=False)
        db.session.rollback()
        return result, None
    batch = ImportBatch(
        kind=kind.name,
        zone_id=zone_id,
        filename=filename[-200:],
        stored_path="",
        status="committing",
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    result = importer.run(write=True, batch_id=batch.id)
    if not result.written:
        db.session.rollback()
        result.created = result.updated = result.unchanged = 0  # nothing was committed
        return result, None
    _record(batch, result)
    batch.status, batch.committed_at = "committed", utcnow()
    record_audit("import", "import_batch", batch.id, result.counts(), actor=actor)
    db.session.commit()
    refresh_statistics(result.created, kind)
    return result, batch


def refresh_statistics(created: int, kind: ImportKind) -> None:
    """After adding many rows, let PostgreSQL plan with the new sizes (its autovacuum may be
    off or not have run yet); otherwise the next import's lookups and exports can pick
    sequential scans."""
    if created >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {', '.join((*kind.tables, 'import_change'))}"))
        db.session.commit()

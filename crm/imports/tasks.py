"""Celery tasks for large imports: validate, then (after the user confirms) commit."""

from __future__ import annotations

import logging

from celery import shared_task

from crm.auth.models import User
from crm.extensions import db
from crm.imports import services
from crm.imports.models import ImportBatch
from crm.imports.progress import clear_progress

log = logging.getLogger(__name__)


def _load(batch_id: int, status: str) -> tuple[ImportBatch | None, User | None]:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != status:
        log.info("import batch %s is not %s; nothing to do", batch_id, status)
        return None, None
    return batch, db.session.get(User, batch.created_by_id) if batch.created_by_id else None


@shared_task(name="imports.validate")
def validate_batch(batch_id: int) -> None:
    """Validate a large upload without writing anything."""
    batch, uploader = _load(batch_id, "validating")
    if batch is None:
        return
    try:
        services.validate_batch(batch, uploader or services.SYSTEM_ACTOR)
    except Exception:
        log.exception("validating import batch %s failed", batch_id)
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status = "failed"
        batch.errors = [{"row": None, "column": "", "reason": "校验失败，请重新上传"}]
        clear_progress(batch)
    db.session.commit()


@shared_task(name="imports.commit")
def commit_batch(batch_id: int, actor_id: int) -> None:
    """Import a claimed batch, all or nothing."""
    batch = db.session.get(ImportBatch, batch_id)
    actor = db.session.get(User, actor_id)
    if batch is None or actor is None or batch.status != "committing":
        log.info("import batch %s is not waiting to be committed", batch_id)
        return
    services.commit_batch(batch_id, actor)

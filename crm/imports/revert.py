"""Reverting a committed import batch (coordinators and admins).

Targets the batch created are soft-deleted (an admin can restore them); fields the batch changed
get their old values back — unless someone changed that field again after the import, in which
case the later edit is kept and counted. Contacts the batch added are removed. Enterprises the
batch created stay in the shared enterprise register (other zones may already use them).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.enterprises.models import Contact, Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.writer import plain
from crm.targets.models import Target

CHUNK = 1000
MODELS = {"enterprise": Enterprise, "target": Target, "contact": Contact}
DATE_FIELDS = {"next_follow_up"}


class RevertError(ValueError):
    """The batch cannot be reverted."""


def _stored(field: str, value: Any) -> Any:
    return date.fromisoformat(value) if field in DATE_FIELDS and value else value


def _restore_updates(batch_id: int, now: Any) -> tuple[int, int]:
    """(fields restored, fields kept because they changed after the import)."""
    restored = kept = 0
    last_id = 0
    while True:
        changes = db.session.execute(
            select(
                ImportChange.id, ImportChange.entity, ImportChange.entity_id, ImportChange.before
            )
            .where(
                ImportChange.batch_id == batch_id,
                ImportChange.action == "updated",
                ImportChange.id > last_id,
            )
            .order_by(ImportChange.id)
            .limit(CHUNK)
        ).all()
        if not changes:
            return restored, kept
        last_id = changes[-1].id
        by_entity: dict[str, list] = defaultdict(list)
        for change in changes:
            by_entity[change.entity].append(change)
        for entity, items in by_entity.items():
            model = MODELS[entity]
            fields = sorted({name for item in items for name in item.before or {}})
            columns = [getattr(model, name) for name in fields]
            current = {
                row.id: row
                for row in db.session.execute(
                    select(model.id, *columns).where(model.id.in_([i.entity_id for i in items]))
                )
            }
            for item in items:
                row = current.get(item.entity_id)
                values = {}
                for name, (old, new) in (item.before or {}).items():
                    if row is not None and plain(getattr(row, name)) == new:
                        values[name] = _stored(name, old)
                    else:
                        kept += 1
                if values:
                    if hasattr(model, "updated_at"):
                        values["updated_at"] = now
                    db.session.execute(
                        update(model).where(model.id == item.entity_id).values(values)
                    )
                    restored += len(values) - ("updated_at" in values)


def revert_batch(batch: ImportBatch, actor: Any) -> dict[str, int]:
    """Undo a committed batch (the caller commits); returns what was done, also audited."""
    if actor.role not in ("coordinator", "admin"):
        raise RevertError("只有市级统筹人员可以回退导入")
    if batch.status != "committed":
        raise RevertError("只有已导入的批次可以回退")
    now = utcnow()
    removed = db.session.execute(
        update(Target)
        .where(Target.import_batch_id == batch.id, Target.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now)
    ).rowcount
    restored, kept = _restore_updates(batch.id, now)
    created_contacts = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id,
        ImportChange.entity == "contact",
        ImportChange.action == "created",
    )
    contacts = db.session.execute(delete(Contact).where(Contact.id.in_(created_contacts))).rowcount
    batch.status = "reverted"
    batch.reverted_at = now
    batch.reverted_by_id = actor.id
    summary = {
        "targets_removed": removed,
        "fields_restored": restored,
        "fields_kept": kept,
        "contacts_removed": contacts,
    }
    batch.counts = {**(batch.counts or {}), "revert": summary}
    record_audit("revert", "import_batch", batch.id, summary, actor=actor)
    return summary

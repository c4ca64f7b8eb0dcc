"""Reverting a committed import batch (coordinators and admins).

Targets the batch created are soft-deleted (an admin can restore them); fields the batch changed
get their old values back — unless someone changed that field again after the import, in which
case the later edit is kept and counted. Contacts the batch added are removed. Enterprises the
batch created stay in the shared enterprise register (other zones may already use them).

A project ledger batch: the projects it created are soft-deleted with their imported history;
fields it changed on existing projects get their old values back (same rule). Stage events are
never rewritten, so a batch that added stage events to projects that existed before it cannot be
reverted as a whole: those projects are handled one by one on their pages.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, Numeric, delete, or_, select, update

from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.enterprises.models import Contact, Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.writer import plain
from crm.projects.models import Project, StageEvent
from crm.targets.models import Target

CHUNK = 1000
MODELS = {"enterprise": Enterprise, "target": Target, "contact": Contact, "project": Project}


class RevertError(ValueError):
    """The batch cannot be reverted."""


def _stored(model: Any, field: str, value: Any) -> Any:
    """A value as ``plain`` wrote it back into its column's type (dates, decimals)."""
    if value is None or value == "":
        return value
    kind = model.__table__.c[field].type
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(str(value))
    return value


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
                        values[name] = _stored(model, name, old)
                    else:
                        kept += 1
                if values:
                    if hasattr(model, "updated_at"):
                        values["updated_at"] = now
                    if model is Project:  # an open edit form must not save over the revert
                        values["version"] = Project.version + 1
                    db.session.execute(
                        update(model).where(model.id == item.entity_id).values(values)
                    )
                    restored += len(values) - ("updated_at" in values) - ("version" in values)


def revert_batch(batch: ImportBatch, actor: Any) -> dict[str, int]:
    """Undo a committed batch (the caller commits); returns what was done, also audited."""
    if actor.role not in ("coordinator", "admin"):
        raise RevertError(_l("只有市级统筹人员可以回退导入"))
    if batch.status != "committed":
        raise RevertError(_l("只有已导入的批次可以回退"))
    now = utcnow()
    if batch.kind == "projects":
        return _revert_ledger(batch, actor, now)
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


def _revert_ledger(batch: ImportBatch, actor: Any, now: Any) -> dict[str, int]:
    added_events = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id, ImportChange.entity == "stage_event"
    )
    touched = db.session.scalar(
        select(StageEvent.id)
        .join(Project, Project.id == StageEvent.project_id)
        .where(
            StageEvent.id.in_(added_events),
            or_(Project.import_batch_id.is_(None), Project.import_batch_id != batch.id),
        )
        .limit(1)
    )
    if touched is not None:
        raise RevertError(
            _l(
                "这批台账为已有项目补录了阶段记录（阶段记录不可改写），不能整批回退，请在项目页逐个处理"
            )
        )
    removed = db.session.execute(
        update(Project)
        .where(Project.import_batch_id == batch.id, Project.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now, version=Project.version + 1)
    ).rowcount
    restored, kept = _restore_updates(batch.id, now)
    batch.status = "reverted"
    batch.reverted_at = now
    batch.reverted_by_id = actor.id
    summary = {"projects_removed": removed, "fields_restored": restored, "fields_kept": kept}
    batch.counts = {**(batch.counts or {}), "revert": summary}
    record_audit("revert", "import_batch", batch.id, summary, actor=actor)
    return summary

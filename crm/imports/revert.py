"""Reverting a committed import batch (coordinators and admins).

What a batch created is undone by its kind (``ImportKind.revert``: the target list in
crm.targets.importer, a project ledger in crm.projects.ledger_kind); fields the batch changed
get their old values back (:func:`restore_updates`) — unless someone changed that field again
after the import, in which case the later edit is kept and counted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Float, Numeric, select, update

from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.imports.engine import plain
from crm.imports.kinds import kind_of
from crm.imports.models import ImportBatch, ImportChange

CHUNK = 1000


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


def restore_updates(batch_id: int, now: Any, models: dict[str, Any]) -> tuple[int, int]:
    """(fields restored, fields kept because they changed after the import); ``models``:
    the model of each entity the batch's ImportChange rows name."""
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
            model = models[entity]
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
                    if "version" in model.__table__.c:  # an open edit form must not save over
                        values["version"] = model.version + 1  # the revert
                    db.session.execute(
                        update(model).where(model.id == item.entity_id).values(values)
                    )
                    restored += len(values) - ("updated_at" in values) - ("version" in values)


def revert_batch(batch: ImportBatch, actor: Any) -> dict[str, int]:
    """Undo a committed batch (the caller commits); returns what was done, also audited."""
    if actor.role not in ("coordinator", "admin"):
        raise RevertError("只有市级统筹人员可以回退导入")
    if batch.status != "committed":
        raise RevertError("只有已导入的批次可以回退")
    now = utcnow()
    summary = kind_of(batch.kind).revert(batch, now)
    batch.status = "reverted"
    batch.reverted_at = now
    batch.reverted_by_id = actor.id
    batch.counts = {**(batch.counts or {}), "revert": summary}
    record_audit("revert", "import_batch", batch.id, summary, actor=actor)
    return summary

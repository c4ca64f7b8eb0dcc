"""The audit trail: every change recorded with actor, time and old → new values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request

from crm.core.models import AuditLog
from crm.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def record_audit(
    action: str,
    entity: str,
    entity_id: Any = None,
    changes: Mapping[str, Any] | None = None,
    *,
    actor: Any = None,
    note: str | None = None,
) -> AuditLog:
    """Add one audit row (the caller commits)."""
    entry = AuditLog(
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        changes={k: _plain(v) for k, v in changes.items()} if changes else None,
        actor_id=getattr(actor, "id", None),
        ip=request.remote_addr if has_request_context() else None,
        note=note,
    )
    db.session.add(entry)
    return entry


def apply_changes(obj: Any, values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, list]:
    """Set the named fields on obj and return {field: [old, new]} for those that changed."""
    changes: dict[str, list] = {}
    for field in fields:
        if field not in values:
            continue
        old, new = getattr(obj, field), values[field]
        if old != new:
            setattr(obj, field, new)
            changes[field] = [_plain(old), _plain(new)]
    return changes

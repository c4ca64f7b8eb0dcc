"""Zones: who sees them, and how admins change them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.core.access import scope_rule, scoped_select
from crm.core.audit import apply_changes, record_audit
from crm.extensions import db
from crm.zones.models import ZONE_KINDS, Zone

ZONE_FIELDS = ("code", "name", "short_name", "kind", "lead_industries", "active")


class ZoneError(ValueError):
    """A zone change that breaks a rule; the message is for the user."""


@scope_rule(Zone)
def _zone_scope(user: Any):
    # Zone names are shared city-wide: the target list and conflicts name every zone.
    return None


def visible_zones(user: Any = None, include_inactive: bool = False) -> list[Zone]:
    """Zones in their display order."""
    stmt = scoped_select(Zone, user).order_by(Zone.sort_order, Zone.id)
    if not include_inactive:
        stmt = stmt.where(Zone.active.is_(True))
    return list(db.session.scalars(stmt))


def _check_unique(values: dict[str, Any], zone_id: int | None) -> None:
    for field, label in (("code", "代码"), ("name", "名称")):
        stmt = select(Zone.id).where(getattr(Zone, field) == values[field])
        if zone_id is not None:
            stmt = stmt.where(Zone.id != zone_id)
        if db.session.execute(stmt).first():
            raise ZoneError(f"开发区{label}“{values[field]}”已被使用")
    if values["kind"] not in ZONE_KINDS:
        raise ZoneError("开发区类型只能是制造业或服务业")


def create_zone(values: dict[str, Any], actor: Any) -> Zone:
    """Add a zone at the end of the order (the caller commits)."""
    _check_unique(values, None)
    last = db.session.scalar(select(func.max(Zone.sort_order))) or 0
    zone = Zone(sort_order=last + 10, **{k: values[k] for k in ZONE_FIELDS if k in values})
    db.session.add(zone)
    db.session.flush()
    record_audit("create", "zone", zone.id, {k: values.get(k) for k in ZONE_FIELDS}, actor=actor)
    return zone


def update_zone(zone: Zone, values: dict[str, Any], actor: Any) -> dict[str, list]:
    """Edit a zone, audited with old → new values."""
    _check_unique(values, zone.id)
    changes = apply_changes(zone, values, ZONE_FIELDS)
    if changes:
        record_audit("update", "zone", zone.id, changes, actor=actor)
    return changes


def move_zone(zone: Zone, direction: int, actor: Any) -> None:
    """Swap a zone with its neighbour in the display order (direction -1 up, +1 down)."""
    zones = visible_zones(actor, include_inactive=True)
    for index, item in enumerate(zones):
        item.sort_order = (index + 1) * 10
    position = zones.index(zone)
    other = position + direction
    if 0 <= other < len(zones):
        neighbour = zones[other]
        zone.sort_order, neighbour.sort_order = neighbour.sort_order, zone.sort_order
        record_audit(
            "reorder", "zone", zone.id, {"sort_order": [None, zone.sort_order]}, actor=actor
        )

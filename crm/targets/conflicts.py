"""Cross-zone conflicts: raised when two zones pursue one enterprise, settled by the city."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.targets.models import Conflict, ConflictZone, Target
from crm.zones.models import Zone

RESOLUTIONS = {"keep_one": _l("由一个开发区跟进"), "keep_both": _l("两个开发区共同跟进")}


class ConflictError(ValueError):
    """A conflict cannot be settled this way."""


def pursuing_zone_ids(enterprise_id: int) -> set[int]:
    """Zones with an open (not dropped) target for the enterprise, plus those with projects
    (the projects area extends this through ``EXTRA_PURSUERS``)."""
    zone_ids = set(
        db.session.scalars(
            select(Target.zone_id).where(
                Target.enterprise_id == enterprise_id,
                Target.deleted_at.is_(None),
                Target.zone_id.is_not(None),
                Target.status.not_in(("dropped",)),
            )
        )
    )
    for extra in EXTRA_PURSUERS:
        zone_ids |= extra(enterprise_id)
    return zone_ids


EXTRA_PURSUERS: list = []


def open_conflict_for(enterprise_id: int) -> Conflict | None:
    return db.session.scalar(
        select(Conflict).where(Conflict.enterprise_id == enterprise_id, Conflict.status == "open")
    )


def detect_conflict(enterprise: Enterprise, actor: Any) -> Conflict | None:
    """Open (or widen) the conflict when two or more zones pursue the enterprise."""
    db.session.flush()
    zone_ids = pursuing_zone_ids(enterprise.id)
    conflict = open_conflict_for(enterprise.id)
    if len(zone_ids) < 2:
        return conflict
    if conflict is None:
        settled_both = db.session.scalar(
            select(Conflict).where(
                Conflict.enterprise_id == enterprise.id, Conflict.resolution == "keep_both"
            )
        )
        if settled_both is not None and zone_ids <= {z.id for z in settled_both.zones}:
            return None  # the city already agreed these zones pursue it together
        conflict = Conflict(
            enterprise_id=enterprise.id,
            raised_by_id=getattr(actor, "id", None),
            reason="多个开发区同时跟进同一企业",
        )
        db.session.add(conflict)
        db.session.flush()
        record_audit("raise", "conflict", conflict.id, {"zones": sorted(zone_ids)}, actor=actor)
    known = {z.id for z in conflict.zones}
    for zone_id in zone_ids - known:
        db.session.add(ConflictZone(conflict_id=conflict.id, zone_id=zone_id))
    db.session.flush()
    db.session.refresh(conflict)
    return conflict


def settle_conflict(
    conflict: Conflict,
    resolution: str,
    kept_zone_id: int | None,
    note: str,
    actor: Any,
) -> Conflict:
    """A coordinator settles: one zone keeps it (the others' targets are dropped with a note),
    or both go on together."""
    if conflict.status != "open":
        raise ConflictError(_l("该冲突已处理"))
    if resolution not in RESOLUTIONS:
        raise ConflictError(_l("请选择处理方式"))
    note = (note or "").strip()
    zone_ids = {z.id for z in conflict.zones}
    if resolution == "keep_one":
        if kept_zone_id not in zone_ids:
            raise ConflictError(_l("请选择保留跟进的开发区"))
        kept = db.session.get(Zone, kept_zone_id)
        for target in db.session.scalars(
            select(Target).where(
                Target.enterprise_id == conflict.enterprise_id,
                Target.deleted_at.is_(None),
                Target.zone_id.in_(zone_ids - {kept_zone_id}),
            )
        ):
            target.status = "dropped"
            target.note = (target.note + "\n" if target.note else "") + (
                f"市级协调：由{kept.short_name}跟进。{note}"
            )
    elif not note:
        raise ConflictError(_l("共同跟进时请填写分工说明"))
    conflict.status = "settled"
    conflict.resolution = resolution
    conflict.kept_zone_id = kept_zone_id if resolution == "keep_one" else None
    conflict.note = note
    conflict.settled_at = utcnow()
    conflict.settled_by_id = actor.id
    record_audit(
        "settle",
        "conflict",
        conflict.id,
        {"resolution": resolution, "kept_zone_id": conflict.kept_zone_id},
        actor=actor,
        note=note or None,
    )
    return conflict

"""Reservations (预留) and supply (供应) of parcels and buildings to projects, their release,
and the conflicts of two projects holding one parcel — each a dated, append-only event."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.core.access import scoped
from crm.extensions import db
from crm.land.models import Building, LandClaim, Parcel
from crm.land.services import LandError, change_status, event_date, record_event
from crm.projects.models import Project

# the building status a reservation or supply moves it to
CLAIM_BUILDING_STATUS = {"reserve": "reserved", "supply": "leased"}


def open_claims(subject: Any) -> list[LandClaim]:
    key = LandClaim.parcel_id if isinstance(subject, Parcel) else LandClaim.building_id
    stmt = select(LandClaim).where(key == subject.id, LandClaim.released_on.is_(None))
    return list(db.session.scalars(stmt.order_by(LandClaim.started_on, LandClaim.id)))


def claim(
    subject: Any, project: Project, kind: str, actor: Any, on: date | None = None, note: str = ""
) -> LandClaim:
    """Reserve (预留) or supply (供应) a parcel or building to a project of its zone; supplying
    a parcel also moves it to 已供, a building to 已租 (each a dated event)."""
    if kind not in CLAIM_BUILDING_STATUS:
        raise LandError(_l("请从列表中选择"), "kind")
    if project.zone_id != subject.zone_id or project.deleted_at is not None:
        raise LandError(_l("只能预留或供应给本开发区的项目"), "project_id")
    on = event_date(subject, on)
    held = next((c for c in open_claims(subject) if c.project_id == project.id), None)
    if held is not None and (held.kind == kind or held.kind == "supply"):
        raise LandError(_l("该项目已有这条记录"), "project_id")
    if held is not None:
        held.kind = kind
    else:
        held = LandClaim(project_id=project.id, kind=kind, started_on=on)
        held.parcel_id = subject.id if isinstance(subject, Parcel) else None
        held.building_id = None if isinstance(subject, Parcel) else subject.id
        db.session.add(held)
    record_event(subject, kind, on, actor, project_id=project.id, note=(note or "").strip()[:2000])
    if isinstance(subject, Parcel):
        if kind == "supply" and subject.status != "supplied":
            change_status(subject, "supplied", actor, on, project_id=project.id)
    elif subject.status != CLAIM_BUILDING_STATUS[kind] and subject.status != "sold":
        change_status(subject, CLAIM_BUILDING_STATUS[kind], actor, on, project_id=project.id)
    db.session.flush()
    return held


def release(held: LandClaim, subject: Any, actor: Any, on: date | None = None) -> None:
    """End a reservation or supply (the history keeps it); a building no one holds any more
    goes back to 空置."""
    if held.released_on is not None:
        raise LandError(_l("这条记录已经解除"), "claim")
    on = event_date(subject, on)
    held.released_on = on
    record_event(subject, "release", on, actor, project_id=held.project_id)
    db.session.flush()
    if isinstance(subject, Building) and not open_claims(subject) and subject.status != "vacant":
        change_status(subject, "vacant", actor, on)


def conflicting_claims(user: Any) -> list[tuple[Any, list[LandClaim]]]:
    """Parcels and buildings that two or more projects hold at once (reserved or supplied),
    with the claims — what the city coordinates (three statements)."""
    result: list[tuple[Any, list[LandClaim]]] = []
    for model, key in ((Parcel, LandClaim.parcel_id), (Building, LandClaim.building_id)):
        crowded = (
            select(key)
            .where(key.is_not(None), LandClaim.released_on.is_(None))
            .group_by(key)
            .having(func.count(func.distinct(LandClaim.project_id)) > 1)
        )
        subjects = db.session.scalars(
            scoped(
                select(model).where(model.id.in_(crowded), model.deleted_at.is_(None)), model, user
            ).order_by(model.zone_id, model.id)
        ).all()
        if not subjects:
            continue
        claims = db.session.scalars(
            select(LandClaim)
            .where(key.in_([s.id for s in subjects]), LandClaim.released_on.is_(None))
            .order_by(LandClaim.started_on, LandClaim.id)
        ).all()
        by_subject: dict[int, list[LandClaim]] = {}
        for held in claims:
            by_subject.setdefault(getattr(held, key.key), []).append(held)
        result.extend((s, by_subject.get(s.id, [])) for s in subjects)
    return result

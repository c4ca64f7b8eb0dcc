"""API: the parcel ledger (地块) — scoped like the pages: zone users read and write their zone,
the city reads and writes all; another zone's parcel answers 404. Status changes go through
the land services as dated events."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from sqlalchemy import select

from crm.api import parcel_schemas as s
from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.api.projects import _invalid
from crm.core.access import SIGNED_IN, WRITERS, get_or_404, scoped
from crm.core.boundary import parse_id
from crm.core.pagination import paginate
from crm.core.roles import CITY_ROLES
from crm.extensions import db
from crm.land.models import Parcel
from crm.land.services import (
    LandError,
    can_write_zone,
    change_status,
    create_parcel,
    update_parcel,
    writable_or_404,
)
from crm.zones.models import Zone

bp = Blueprint("api_parcels", __name__, url_prefix=API_PREFIX, description="地块台账")
STATUS_KEYS = ("status", "effective_on", "status_note")


@bp.get("/parcels")
@api_allow(*SIGNED_IN)
@bp.arguments(s.ParcelListArgsSchema, location="query")
@bp.response(200, s.ParcelPageSchema)
def parcels(args: dict):
    """The parcels in the user's scope, by zone and code; filtered by zone and status."""
    stmt = scoped(select(Parcel).where(Parcel.deleted_at.is_(None)), Parcel, g.api_user)
    if zone := args.get("zone"):
        zone_id = parse_id(zone)
        if zone_id is None:
            zone_id = db.session.scalar(select(Zone.id).where(Zone.code == zone)) or 0
        stmt = stmt.where(Parcel.zone_id == zone_id)
    if status := args.get("status"):
        stmt = stmt.where(Parcel.status == status)
    return paginate(stmt.order_by(Parcel.zone_id, Parcel.code, Parcel.id), args["per_page"])


def _visible(parcel_id: int) -> Parcel:
    row = get_or_404(Parcel, parcel_id, g.api_user)
    if row.deleted_at is not None:
        abort(404)
    return row


@bp.get("/parcels/<id:parcel_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, s.ParcelSchema)
def parcel(parcel_id: int):
    """One parcel of the user's scope."""
    return _visible(parcel_id)


def _zone_for_new_parcel(zone_id: int | None, user: Any) -> int:
    """Zone users register parcels in their own zone; city-level users name the zone."""
    if user.role not in CITY_ROLES:
        if zone_id is not None and zone_id != user.zone_id:
            _invalid("zone_id", "开发区人员只能在本开发区登记地块")
        return user.zone_id
    if zone_id is None:
        _invalid("zone_id", "请选择开发区")
    if db.session.get(Zone, zone_id) is None:
        _invalid("zone_id", "开发区不存在")
    return zone_id


@bp.post("/parcels")
@api_allow(*WRITERS)
@bp.arguments(s.ParcelCreateSchema)
@bp.response(201, s.ParcelSchema)
def create_parcel_view(values: dict):
    """Register a parcel with its first status (a dated event)."""
    user = g.api_user
    zone_id = _zone_for_new_parcel(values.pop("zone_id", None), user)
    if not can_write_zone(user, zone_id):
        _invalid("zone_id", "开发区人员只能在本开发区登记地块")
    status, on = values.pop("status"), values.pop("effective_on", None)
    try:
        row = create_parcel(zone_id, values, user, status=status, on=on)
    except LandError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return row


@bp.patch("/parcels/<id:parcel_id>")
@api_allow(*WRITERS)
@bp.arguments(s.ParcelPatchSchema)
@bp.response(200, s.ParcelSchema)
def update_parcel_view(values: dict, parcel_id: int):
    """Change fields; a new ``status`` is one more dated status event (history kept)."""
    row = writable_or_404(Parcel, _visible(parcel_id).id, g.api_user)
    status, on = values.pop("status", None), values.pop("effective_on", None)
    note = values.pop("status_note", "")
    try:
        update_parcel(row, values, g.api_user)
        if status is not None and status != row.status:
            change_status(row, status, g.api_user, on=on, note=note)
    except LandError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return row

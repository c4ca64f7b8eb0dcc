"""Land rules: scoping, who writes, creating and editing parcels and buildings, status moves,
reservations and supply to projects (with dated, append-only history), and conflicts."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.core.access import scope_rule, zone_clause
from crm.core.audit import apply_changes, record_audit
from crm.core.audit_labels import ENTITY_LABELS
from crm.core.boundary import parse_id
from crm.core.conflicts import conflict_as
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.land.models import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    LAND_USES,
    PARCEL_STATUSES,
    Building,
    LandAttachment,
    LandClaim,
    LandEvent,
    Parcel,
    ZonePlan,
)
from crm.land.plans import PlanError, zone_outline

ENTITY_LABELS.update(
    {"land_parcel": _l("地块"), "land_building": _l("载体"), "land_zone_plan": _l("规划图")}
)
PARCEL_FIELDS = (
    "code",
    "name",
    "location",
    "area_mu",
    "land_use",
    "batch",
    "approval_no",
    "approved_on",
    "constraints",
    "notes",
)
BUILDING_FIELDS = (
    "name",
    "kind",
    "parcel_id",
    "floor_area_sqm",
    "floors",
    "floor_load_kn",
    "clear_height_m",
    "rent_yuan",
    "notes",
)


class LandError(ValueError):
    """A land rule was broken; ``field`` names the form field at fault."""

    def __init__(self, message: Any, field: str = "") -> None:
        super().__init__(str(message))
        self.field = field


def _zone_of(column: Any):
    def rule(user: Any):
        return zone_clause(column, user)

    return rule


scope_rule(Parcel)(_zone_of(Parcel.zone_id))
scope_rule(Building)(_zone_of(Building.zone_id))
scope_rule(ZonePlan)(_zone_of(ZonePlan.zone_id))


def _subject_rule(model: type):
    def rule(user: Any):
        clause = zone_clause(Parcel.zone_id, user)
        if clause is None:
            return None
        parcels = select(Parcel.id).where(clause)
        if model is LandAttachment:
            return LandAttachment.parcel_id.in_(parcels)
        buildings = select(Building.id).where(zone_clause(Building.zone_id, user))
        return model.parcel_id.in_(parcels) | model.building_id.in_(buildings)

    return rule


for _model in (LandEvent, LandClaim, LandAttachment):
    scope_rule(_model)(_subject_rule(_model))


def can_write_zone(user: Any, zone_id: int) -> bool:
    """City coordinators and admins write every zone's land; zone users their own zone."""
    if user.role in ("coordinator", "admin"):
        return True
    return user.role in ("staff", "manager") and user.zone_id == zone_id


def writable_or_404(model: type, ident: Any, user: Any) -> Any:
    """A parcel or building the user may change, else 404."""
    row_id = parse_id(ident)
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None or row.deleted_at is not None or not can_write_zone(user, row.zone_id):
        abort(404)
    return row


def decimal_value(value: Any, field: str, maximum: int, *, required: bool = False) -> Any:
    """A positive exact decimal (two places) up to ``maximum``, None when left empty."""
    if value is None or str(value).strip() == "":
        if required:
            raise LandError(_l("请填写"), field)
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise LandError(_l("请输入数字"), field) from None
    if not number.is_finite() or number <= 0 or number > maximum:
        raise LandError(_l("应大于 0 且不超过 %(n)s", n=maximum), field)
    return number


def _text(values: dict[str, Any], field: str, limit: int, required: bool = False) -> None:
    if field not in values:
        return
    text = (values[field] or "").strip()
    if required and not text:
        raise LandError(_l("请填写"), field)
    if len(text) > limit:
        raise LandError(_l("不能超过 %(max)d 个字符", max=limit), field)
    values[field] = text


def clean_parcel(raw: dict[str, Any]) -> dict[str, Any]:
    values = {k: raw[k] for k in PARCEL_FIELDS if k in raw}
    _text(values, "code", 40, required=True)
    _text(values, "name", 200, required=True)
    for field in ("location", "batch", "approval_no"):
        _text(values, field, 200 if field == "location" else 100)
    for field in ("constraints", "notes"):
        _text(values, field, 5000)
    if "area_mu" in values:
        values["area_mu"] = decimal_value(values["area_mu"], "area_mu", 1_000_000, required=True)
    if "land_use" in values and values["land_use"] not in LAND_USES:
        raise LandError(_l("请从列表中选择"), "land_use")
    return values


def clean_building(raw: dict[str, Any], zone_id: int) -> dict[str, Any]:
    values = {k: raw[k] for k in BUILDING_FIELDS if k in raw}
    _text(values, "name", 200, required=True)
    _text(values, "notes", 5000)
    if "kind" in values and values["kind"] not in BUILDING_KINDS:
        raise LandError(_l("请从列表中选择"), "kind")
    limits = {"floor_area_sqm": 10_000_000, "floor_load_kn": 1000, "clear_height_m": 100}
    limits["rent_yuan"] = 10_000
    for field, limit in limits.items():
        if field in values:
            values[field] = decimal_value(
                values[field], field, limit, required=field == "floor_area_sqm"
            )
    if "floors" in values:
        floors = values["floors"]
        if not isinstance(floors, int) or not 1 <= floors <= 200:
            raise LandError(_l("层数应为 1 到 200 的整数"), "floors")
    if values.get("parcel_id"):
        parcel = db.session.get(Parcel, values["parcel_id"])
        if parcel is None or parcel.zone_id != zone_id or parcel.deleted_at is not None:
            raise LandError(_l("所在地块须是本开发区的地块"), "parcel_id")
    elif "parcel_id" in values:
        values["parcel_id"] = None
    return values


def record_event(subject: Any, kind: str, on: date, actor: Any, **fields: Any) -> LandEvent:
    key = "parcel_id" if isinstance(subject, Parcel) else "building_id"
    area = subject.area_mu if isinstance(subject, Parcel) else None
    event = LandEvent(
        kind=kind, effective_on=on, actor_id=getattr(actor, "id", None), area_mu=area, **fields
    )
    setattr(event, key, subject.id)
    db.session.add(event)
    return event


def event_date(subject: Any, on: date | None) -> date:
    on = on or local_today()
    if on > local_today():
        raise LandError(_l("生效日期不能晚于今天"), "effective_on")
    key = LandEvent.parcel_id if isinstance(subject, Parcel) else LandEvent.building_id
    last = db.session.scalar(select(func.max(LandEvent.effective_on)).where(key == subject.id))
    if last is not None and on < last:
        raise LandError(_l("生效日期不能早于上一条记录（%(day)s）", day=last), "effective_on")
    return on


def _unique_code_refusal() -> LandError:
    return LandError(_l("本开发区已有这个地块编号"), "code")


def create_parcel(
    zone_id: int,
    raw: dict[str, Any],
    actor: Any,
    status: str = "approved",
    on: date | None = None,
    outline: Any = None,
) -> Parcel:
    """A new parcel with its first status event (dated ``on``, default today) and, when one was
    drawn on the zone's plan, its outline (a point list or its JSON text)."""
    if status not in PARCEL_STATUSES:
        raise LandError(_l("请从列表中选择"), "status")
    values = clean_parcel(raw)
    try:
        values["polygon"] = zone_outline(outline, zone_id)
    except PlanError as exc:
        raise LandError(str(exc), "polygon") from None
    on = on or local_today()
    if on > local_today():
        raise LandError(_l("生效日期不能晚于今天"), "effective_on")
    with conflict_as(_unique_code_refusal):
        if db.session.scalar(
            select(Parcel.id).where(Parcel.zone_id == zone_id, Parcel.code == values["code"])
        ):
            raise _unique_code_refusal()
        parcel = Parcel(zone_id=zone_id, status=status, status_since=on, **values)
        db.session.add(parcel)
        db.session.flush()
    record_event(parcel, "status", on, actor, to_status=status)
    audited = {"code": parcel.code} | ({"polygon": parcel.polygon} if parcel.polygon else {})
    record_audit("create", "land_parcel", parcel.id, audited, actor=actor)
    return parcel


def update_parcel(parcel: Parcel, raw: dict[str, Any], actor: Any) -> dict[str, list]:
    values = clean_parcel(raw)
    if values.get("code") and values["code"] != parcel.code:
        taken = select(Parcel.id).where(
            Parcel.zone_id == parcel.zone_id, Parcel.code == values["code"], Parcel.id != parcel.id
        )
        if db.session.scalar(taken):
            raise _unique_code_refusal()
    with conflict_as(_unique_code_refusal):
        changes = apply_changes(parcel, values, PARCEL_FIELDS)
    if changes:
        record_audit("update", "land_parcel", parcel.id, changes, actor=actor)
    return changes


def create_building(zone_id: int, raw: dict[str, Any], actor: Any, on: date | None = None):
    values = clean_building(raw, zone_id)
    on = on or local_today()
    building = Building(zone_id=zone_id, status="vacant", status_since=on, **values)
    db.session.add(building)
    db.session.flush()
    record_event(building, "status", on, actor, to_status="vacant")
    record_audit("create", "land_building", building.id, {"name": building.name}, actor=actor)
    return building


def update_building(building: Building, raw: dict[str, Any], actor: Any) -> dict[str, list]:
    values = clean_building(raw, building.zone_id)
    changes = apply_changes(building, values, BUILDING_FIELDS)
    if changes:
        record_audit("update", "land_building", building.id, changes, actor=actor)
    return changes


def change_status(
    subject: Any,
    to_status: str,
    actor: Any,
    on: date | None = None,
    note: str = "",
    project_id: int | None = None,
) -> LandEvent:
    """Move a parcel or building to another status: one more dated event, never an edit."""
    statuses = PARCEL_STATUSES if isinstance(subject, Parcel) else BUILDING_STATUSES
    if to_status not in statuses:
        raise LandError(_l("请从列表中选择"), "status")
    if to_status == subject.status:
        raise LandError(_l("状态没有变化"), "status")
    on = event_date(subject, on)
    event = record_event(
        subject,
        "status",
        on,
        actor,
        from_status=subject.status,
        to_status=to_status,
        note=(note or "").strip()[:2000],
        project_id=project_id,
    )
    entity = "land_parcel" if isinstance(subject, Parcel) else "land_building"
    record_audit("update", entity, subject.id, {"status": [subject.status, to_status]}, actor=actor)
    subject.status, subject.status_since = to_status, on
    return event

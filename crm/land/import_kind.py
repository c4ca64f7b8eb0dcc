"""The parcel ledger as a kind of upload: importer, preview columns, revert, the template
download on the imports pages, and the zone's ledger exported as a sheet that imports back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import IO, Any

from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import load_workbook
from sqlalchemy import delete, select

from crm.core.access import SIGNED_IN, allow, scoped
from crm.core.audit import record_audit
from crm.core.boundary import int_arg
from crm.core.roles import CITY_ROLES
from crm.extensions import db
from crm.imports.guided import Choice, import_zones, write_guided_template
from crm.imports.kinds import ImportKind
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.revert import RevertError
from crm.imports.views import IMPORTERS, xlsx_response
from crm.imports.views import bp as imports_bp
from crm.land.blueprint import bp as land_bp
from crm.land.importing import ALIASES, ParcelImporter, _json
from crm.land.models import LAND_USES, PARCEL_STATUSES, LandClaim, LandEvent, Parcel
from crm.land.services import LandError, change_status
from crm.zones.models import Zone


def _changes(batch: ImportBatch, action: str) -> list[Any]:
    return list(
        db.session.execute(
            select(ImportChange.entity_id, ImportChange.before)
            .where(
                ImportChange.batch_id == batch.id,
                ImportChange.entity == "land_parcel",
                ImportChange.action == action,
            )
            .order_by(ImportChange.id)
        )
    )


def _stored(field: str, value: Any) -> Any:
    if value in (None, ""):
        return None if field in ("approved_on", "area_mu") else value
    if field == "area_mu":
        return Decimal(value)
    if field == "approved_on":
        return date.fromisoformat(value)
    return value


def revert_parcels(batch: ImportBatch, now: Any) -> dict[str, int]:
    """Parcels the batch created are removed (refused once one is held by a project); fields
    it changed get their old values back unless changed again since; a status it moved is
    moved back by one more dated event (the history is never rewritten)."""
    created = [c.entity_id for c in _changes(batch, "created")]
    held = db.session.scalar(select(LandClaim.id).where(LandClaim.parcel_id.in_(created)).limit(1))
    if held is not None:
        raise RevertError(_l("这批导入新建的地块已被项目预留或供应，不能整批回退"))
    actor = current_user._get_current_object() if has_request_context() else None
    moved = kept = restored = 0
    for change in reversed(_changes(batch, "status")):
        parcel = db.session.get(Parcel, change.entity_id)
        old, new = change.before["status"]
        if parcel is None or parcel.status != new:
            kept += 1
            continue
        try:
            change_status(parcel, old, actor, note=f"回退导入 {batch.id}")
            moved += 1
        except LandError:
            kept += 1
    for change in _changes(batch, "updated"):
        parcel = db.session.get(Parcel, change.entity_id)
        back = {}
        for name, (old, new) in (change.before or {}).items():
            if parcel is not None and _json(getattr(parcel, name)) == new:
                back[name] = [new, old]
                setattr(parcel, name, _stored(name, old))
                restored += 1
            else:
                kept += 1
        if back:
            record_audit("update", "land_parcel", parcel.id, back, actor=actor)
    db.session.execute(delete(LandEvent).where(LandEvent.parcel_id.in_(created)))
    removed = db.session.execute(delete(Parcel).where(Parcel.id.in_(created))).rowcount
    for parcel_id in created:
        record_audit("delete", "land_parcel", parcel_id, {"import_batch": batch.id}, actor=actor)
    db.session.expire_all()
    return {
        "parcels_removed": removed,
        "statuses_moved_back": moved,
        "fields_restored": restored,
        "fields_kept": kept,
    }


PARCEL_IMPORTS = ImportKind(
    name="parcels",
    label="地块台账",
    importer=ParcelImporter,
    aliases=ALIASES,
    columns=[(f, names[0]) for f, names in ALIASES.items() if f != "area_ha"],
    revert=revert_parcels,
    zone_hint="地块台账请选择开发区（每个开发区一张表）",
    tables=("land_parcel", "land_event"),
)

HEADERS = (
    ("地块编号", 14),
    ("地块名称", 24),
    ("位置", 24),
    ("面积（亩）", 12),
    ("用地性质", 10),
    ("状态", 10),
    ("批次", 16),
    ("批复文号", 20),
    ("批复日期", 12),
    ("约束条件", 24),
    ("备注", 24),
)
CHOICES = {
    "用地性质": Choice(list(LAND_USES.values())),
    "状态": Choice(list(PARCEL_STATUSES.values())),
}
NOTES = (
    "每行一个地块；“地块编号”在本开发区内唯一：已有的编号更新该地块，新的编号新建地块。",
    "面积写在“面积（亩）”列，保留两位小数；表头写“面积（公顷）”时按 1 公顷 = 15 亩换算。",
    "用地性质：工业、仓储、商服、科研、其他；状态：储备、批而未供、已供、闲置低效、盘活中、已盘活。",
    "状态与系统中不同时，记为今天的一次状态变更（原有的状态历史保留）。新地块未填状态时为批而未供。",
    "批复日期可写 2026-03-05、2026年3月5日 或 20260305。",
    "任何一行有错误时不会写入任何数据；错误报告列出行号、列名和原因。",
)
EXAMPLE = ["GX-2026-01", "高新区东区地块", "济源大道以东", 86.5, "工业", "批而未供",
           "2025年第三批", "豫政土〔2025〕101号", date(2025, 11, 20), "限高 24 米", ""]  # fmt: skip


def parcel_row(parcel: Parcel) -> list[Any]:
    return [
        parcel.code,
        parcel.name,
        parcel.location,
        parcel.area_mu,
        LAND_USES.get(parcel.land_use, parcel.land_use),
        PARCEL_STATUSES.get(parcel.status, parcel.status),
        parcel.batch,
        parcel.approval_no,
        parcel.approved_on,
        parcel.constraints,
        parcel.notes,
    ]


def write_parcel_sheet(target: IO[bytes], parcels: list[Parcel] | None = None) -> None:
    """The template (the example row), or a zone's parcels in the template's columns."""
    buffer = BytesIO()
    write_guided_template(buffer, "地块台账", HEADERS, EXAMPLE, CHOICES, NOTES)
    if parcels is None:
        target.write(buffer.getvalue())
        return
    book = load_workbook(BytesIO(buffer.getvalue()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for parcel in parcels:
        sheet.append(parcel_row(parcel))
        sheet.cell(row=sheet.max_row, column=9).number_format = "yyyy-mm-dd"
    book.save(target)


@imports_bp.get("/imports/parcels-template.xlsx")
@allow(*IMPORTERS)
def parcels_template():
    """The parcel ledger template (地块台账导入模板)."""
    return xlsx_response(write_parcel_sheet, "地块台账导入模板.xlsx", "parcel-ledger-template.xlsx")


@land_bp.get("/export.xlsx")
@allow(*SIGNED_IN)
def export_parcels():
    """One zone's parcels (a zone user's own; the city names it) in the import's columns."""
    zone_id = int_arg("zone", minimum=1)
    if current_user.role not in CITY_ROLES:
        zone_id = current_user.zone_id
    zone = db.session.get(Zone, zone_id) if zone_id else None
    if zone is None:
        zones = import_zones(current_user) if current_user.role in IMPORTERS else []
        zone = zones[0] if len(zones) == 1 else None
    if zone is None:
        abort(404)
    stmt = scoped(select(Parcel).where(Parcel.deleted_at.is_(None)), Parcel)
    parcels = list(db.session.scalars(stmt.where(Parcel.zone_id == zone.id).order_by(Parcel.code)))
    filename = f"{zone.short_name or zone.name}地块台账.xlsx"
    return xlsx_response(
        lambda handle: write_parcel_sheet(handle, parcels), filename, f"parcels-{zone.code}.xlsx"
    )

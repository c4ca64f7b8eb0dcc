"""Importing a zone's parcel ledger (地块台账): every row checked first, then written.

The import pipeline's contract (``crm.imports.engine``): ``run(write=False)`` reads and checks
(errors and warnings as row, column, reason); ``run(write=True, batch_id=…)`` writes inside the
caller's transaction only when the whole file is clean — all or nothing. A row names its parcel
by 地块编号 within the zone chosen on upload: a new code creates the parcel, an existing one
updates it; a changed 状态 becomes one more dated status event (crm.land.services), never an
edit of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from crm.core.tabular import TabularError, parse_date
from crm.extensions import db
from crm.imports.engine import ImportResult, RowError
from crm.imports.models import ImportChange
from crm.imports.sheet_importer import SheetImporter
from crm.land.models import LAND_USES, PARCEL_STATUSES, Parcel
from crm.land.services import (
    PARCEL_FIELDS,
    LandError,
    change_status,
    clean_parcel,
    create_parcel,
    update_parcel,
)

MAX_ROWS = 20_000
HECTARE_MU = Decimal(15)  # 1 公顷 = 15 亩
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("地块编号", "编号", "宗地编号", "地块代码"),
    "name": ("地块名称", "名称", "宗地名称"),
    "location": ("位置", "地块位置", "坐落", "四至"),
    "area_mu": ("面积（亩）", "面积", "用地面积（亩）", "用地面积", "地块面积（亩）", "地块面积"),
    "area_ha": ("面积（公顷）", "用地面积（公顷）", "地块面积（公顷）"),
    "land_use": ("用地性质", "土地用途", "用途"),
    "status": ("状态", "地块状态"),
    "batch": ("批次", "批准批次"),
    "approval_no": ("批复文号", "文号"),
    "approved_on": ("批复日期", "批准日期"),
    "constraints": ("约束条件", "限制条件"),
    "notes": ("备注",),
}
USE_BY_NAME = {name: code for code, name in LAND_USES.items()}
STATUS_BY_NAME = {name: code for code, name in PARCEL_STATUSES.items()}
TEXT_FIELDS = ("name", "location", "batch", "approval_no", "constraints", "notes")


def column_label(name: str) -> str:
    return ALIASES[name][0]


def parse_area(text: str, unit_mu: Decimal) -> tuple[Decimal, bool]:
    """(亩 with two decimals, whether it was rounded) of a cell; LandError when not a number."""
    try:
        number = Decimal(text.replace(",", "").replace("，", "")) * unit_mu
    except (InvalidOperation, ValueError):
        raise LandError(_l("请输入数字"), "area_mu") from None
    if not number.is_finite():
        raise LandError(_l("请输入数字"), "area_mu")
    rounded = number.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return rounded, rounded != number


@dataclass
class SheetRow:
    row: int
    values: dict[str, Any]
    status: str | None
    parcel: Parcel | None = None
    warnings: list[RowError] = field(default_factory=list)


class ParcelImporter(SheetImporter):
    """One parcel ledger into ``zone`` (its id) by ``actor`` (the pipeline's importer call)."""

    ALIASES = ALIASES
    ZONE_REQUIRED = _l("地块台账须导入到一个开发区")
    MAX_ROWS = MAX_ROWS

    def label(self, name: str) -> str:
        if name == "area_mu" and "area_ha" in self.labels:
            name = "area_ha"
        return super().label(name)

    # --- reading and checking ------------------------------------------------------------

    def _read(self, result: ImportResult) -> list[SheetRow]:
        stream, header, problems = self.open_header(required=("code", "name"))
        if "area_mu" in header.columns and "area_ha" in header.columns:
            problems.append(RowError(header.row, self.labels["area_ha"], _l("面积只能填一列")))
        if "area_mu" not in header.columns and "area_ha" not in header.columns:
            problems.append(RowError(header.row, column_label("area_mu"), _l("缺少该列")))
        if problems:
            result.add_errors(problems)
            return []
        self.existing = {
            p.code: p
            for p in db.session.scalars(
                select(Parcel).where(Parcel.zone_id == self.zone_id, Parcel.deleted_at.is_(None))
            )
        }
        self.seen: dict[str, int] = {}
        return self.each_row(stream, header, result, self._row)

    def _row(self, number: int, cells: Any, result: ImportResult) -> SheetRow | None:
        header = self.header

        def cell(name: str) -> str:
            return header.value(cells, name).strip()

        errors: list[RowError] = []
        warnings: list[RowError] = []
        raw: dict[str, Any] = {"code": cell("code")}
        for name in TEXT_FIELDS:
            if name in header.columns:
                raw[name] = cell(name)
        area_field = "area_ha" if "area_ha" in header.columns else "area_mu"
        raw["area_mu"] = cell(area_field)
        if raw["area_mu"]:
            try:
                unit = HECTARE_MU if area_field == "area_ha" else Decimal(1)
                raw["area_mu"], rounded = parse_area(raw["area_mu"], unit)
                if rounded:
                    reason = _l("面积按两位小数记为 %(mu)s 亩", mu=raw["area_mu"])
                    warnings.append(RowError(number, self.label("area_mu"), reason))
            except LandError as exc:
                errors.append(RowError(number, self.label("area_mu"), str(exc)))
                raw.pop("area_mu")
        if "land_use" in header.columns:
            text = cell("land_use")
            code = USE_BY_NAME.get(text, text if text in LAND_USES else None)
            if text and code is None:
                reason = _l("应为 %(names)s 之一", names="、".join(LAND_USES.values()))
                errors.append(RowError(number, self.label("land_use"), reason))
            elif code:
                raw["land_use"] = code
        status = None
        if text := cell("status"):
            status = STATUS_BY_NAME.get(text, text if text in PARCEL_STATUSES else None)
            if status is None:
                reason = _l("应为 %(names)s 之一", names="、".join(PARCEL_STATUSES.values()))
                errors.append(RowError(number, self.label("status"), reason))
        if "approved_on" in header.columns:
            raw["approved_on"] = None
            if text := cell("approved_on"):
                try:
                    raw["approved_on"] = parse_date(text)
                except TabularError as exc:
                    errors.append(RowError(number, self.label("approved_on"), str(exc)))
        try:
            values = clean_parcel(raw)
        except LandError as exc:
            errors.append(RowError(number, self.label(exc.field), str(exc)))
            values = {}
        code = raw["code"]
        if code and code in self.seen:
            reason = _l("与第 %(row)s 行的地块编号相同", row=self.seen[code])
            errors.append(RowError(number, self.label("code"), reason))
        self.seen.setdefault(code, number)
        if errors:
            result.add_errors(errors)
            return None
        row = SheetRow(number, values, status, self.existing.get(code), warnings)
        self._classify(row, result)
        return row

    def _classify(self, row: SheetRow, result: ImportResult) -> None:
        parcel = row.parcel
        if parcel is None:
            result.count("created")
        else:
            changed = [f for f in row.values if f != "code" and getattr(parcel, f) != row.values[f]]
            moves = row.status is not None and row.status != parcel.status
            if moves:
                reason = _l(
                    "状态将由“%(old)s”变为“%(new)s”，记为今天的一次状态变更",
                    old=_l(PARCEL_STATUSES[parcel.status]),
                    new=_l(PARCEL_STATUSES[row.status]),
                )
                row.warnings.append(RowError(row.row, self.label("status"), reason))
            result.count("updated" if changed or moves else "unchanged")
        result.add_errors(row.warnings, "warnings")

    # --- writing -------------------------------------------------------------------------

    def _write(self, rows: list[SheetRow], batch_id: int | None, result: ImportResult) -> None:
        log: list[dict[str, Any]] = []

        def note(row: SheetRow) -> str:
            return f"导入 {self.filename} 第{row.row}行"

        for row in rows:
            try:
                if row.parcel is None:
                    parcel = create_parcel(
                        self.zone_id, row.values, self.actor, status=row.status or "approved"
                    )
                    log.append({"entity_id": parcel.id, "action": "created", "before": None})
                    continue
                parcel = row.parcel
                before = update_parcel(parcel, row.values, self.actor)
                if before:
                    plain = {f: [_json(old), _json(new)] for f, (old, new) in before.items()}
                    log.append({"entity_id": parcel.id, "action": "updated", "before": plain})
                if row.status is not None and row.status != parcel.status:
                    old = parcel.status
                    change_status(parcel, row.status, self.actor, note=note(row))
                    moved = {"status": [old, row.status]}
                    log.append({"entity_id": parcel.id, "action": "status", "before": moved})
            except LandError as exc:
                result.add_errors([RowError(row.row, self.label(exc.field or "code"), str(exc))])
                return
        if batch_id is not None and log:
            rows_log = [{"batch_id": batch_id, "entity": "land_parcel", **item} for item in log]
            db.session.execute(insert(ImportChange.__table__), rows_log)


def _json(value: Any) -> Any:
    """A value as the change log keeps it (``crm.imports.revert`` reads it back)."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


__all__ = ["ALIASES", "PARCEL_FIELDS", "ParcelImporter"]

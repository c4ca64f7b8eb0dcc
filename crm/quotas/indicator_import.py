"""Indicator actuals as a kind of upload (指标实际值): a sheet of 指标 / 开发区 / 期间 / 实际值 /
来源说明 rows through the import pipeline — preview, row/column/reason errors, warnings, all or
nothing, revert, and a template with drop-downs.

Each row is checked as a typed entry is (``indicator_entry``): the zone the uploader may enter,
the period and value formats, computed indicators refused, closed months. A blank 开发区 means
the batch's zone, or city-wide when the city imports "by the file's column".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from crm.core.access import scoped_select
from crm.core.audit import record_audit
from crm.extensions import db
from crm.imports.engine import ImportResult, RowError
from crm.imports.models import ImportChange
from crm.imports.sheet_importer import SheetImporter
from crm.quotas.indicator_compute import is_computed
from crm.quotas.indicator_entry import check_lock, clean_note, computed_message, entry_zone
from crm.quotas.indicator_values import IndicatorError, fold, parse_period, parse_value, text_of
from crm.quotas.models import Indicator, IndicatorActual
from crm.zones.models import Zone

KIND = "indicators"
CITY_CHOICE = "city"  # the upload form's choice: rows name their zone, blank = city-wide
MAX_ROWS = 5000
ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("指标", "指标名称", "指标代码"),
    "zone": ("开发区", "所属开发区", "范围"),
    "period": ("期间", "统计期间", "月份"),
    "value": ("实际值", "数值", "完成值"),
    "note": ("来源说明", "来源", "数据来源"),
}
FIELD_COLUMN = {"zone": "zone", "period": "period", "value": "value", "source_note": "note"}


@dataclass
class Planned:
    row: int
    indicator: Indicator
    zone_id: int | None
    period: str
    value: Decimal
    note: str
    existing: IndicatorActual | None


class IndicatorImporter(SheetImporter):
    """One sheet of actuals into ``zone`` (None: each row's 开发区, blank = city-wide)."""

    ALIASES = ALIASES
    MAX_ROWS = MAX_ROWS
    SKIP_ROWS_BLANK_IN_COLUMNS = True

    # --- checking ------------------------------------------------------------------------

    def _lookups(self) -> tuple[dict[Any, Indicator], dict[str, int]]:
        """Indicators by name or code (a zone's own goal by (name or code, zone)), zones by
        name, short name or code."""
        indicators: dict[Any, Indicator] = {}
        for ind in db.session.scalars(scoped_select(Indicator, self.actor)):
            for key in (fold(ind.code), fold(ind.name)):
                indicators[key if ind.zone_id is None else (key, ind.zone_id)] = ind
        zones = {}
        for zone in db.session.scalars(select(Zone).where(Zone.active.is_(True))):
            for key in (zone.name, zone.short_name, zone.code):
                zones[fold(key)] = zone.id
        return indicators, zones

    def _read(self, result: ImportResult) -> list[Planned]:
        stream, header, problems = self.open_header(required=("indicator", "period", "value"))
        if problems:
            result.add_errors(problems)
            return []
        self.indicators, self.zones = self._lookups()
        self.seen: dict[tuple, int] = {}
        return self.each_row(stream, header, result, self._row)

    def _row(self, number: int, cells: list[str], result: ImportResult) -> Planned | None:
        values = {name: self.header.value(cells, name) for name in self.header.columns}
        try:
            plan = self._plan_row(number, values, self.indicators, self.zones)
        except IndicatorError as exc:
            column = self.label(FIELD_COLUMN.get(exc.field, "indicator"))
            result.add_errors([RowError(number, column, str(exc))])
            return None
        key = (plan.indicator.id, plan.zone_id, plan.period)
        if key in self.seen:
            reason = _l("与第 %(row)s 行是同一指标、范围和期间", row=self.seen[key])
            result.add_errors([RowError(number, self.label("period"), reason)])
            return None
        self.seen[key] = number
        self._count(plan, result)
        return plan

    def _plan_row(self, number: int, values: dict, indicators: dict, zones: dict) -> Planned:
        raw = fold(values.get("indicator"))
        zone_text = fold(values.get("zone"))
        zone_id = self.zone_id
        if zone_text:
            if zone_text in ("全市", "市级"):
                zone_id = None
            elif zone_text not in zones:
                raise IndicatorError(_l("未知的开发区“%(name)s”", name=zone_text[:40]), "zone")
            else:
                zone_id = zones[zone_text]
            if self.zone_id is not None and zone_id != self.zone_id:
                raise IndicatorError(_l("这批导入到一个开发区，行中的开发区与之不同"), "zone")
        if not raw:
            raise IndicatorError(_l("请填写指标名称"), "indicator")
        indicator = indicators.get((raw, zone_id)) or indicators.get(raw)
        if indicator is None and any(isinstance(k, tuple) and k[0] == raw for k in indicators):
            raise IndicatorError(_l("该指标属于开发区，请在“开发区”列填写开发区"), "zone")
        if indicator is None:
            raise IndicatorError(_l("目标清单中没有指标“%(name)s”", name=raw[:60]), "indicator")
        if is_computed(indicator):
            raise IndicatorError(computed_message(indicator), "indicator")
        zone_id = entry_zone(indicator, zone_id, self.actor)
        period = parse_period(values.get("period"))
        value = parse_value(values.get("value"), indicator.unit)
        note = clean_note(values.get("note") or f"导入：{self.filename}")
        check_lock(zone_id, period, self.actor)
        existing = db.session.scalar(
            select(IndicatorActual).where(
                IndicatorActual.indicator_id == indicator.id,
                IndicatorActual.period == period,
                IndicatorActual.zone_id.is_(None)
                if zone_id is None
                else IndicatorActual.zone_id == zone_id,
            )
        )
        return Planned(number, indicator, zone_id, period, value, note, existing)

    def _count(self, plan: Planned, result: ImportResult) -> None:
        old = plan.existing
        if old is None:
            result.count("created")
        elif Decimal(old.value) == plan.value and old.source_note == plan.note:
            result.count("unchanged")
        else:
            result.count("updated")
            reason = _l(
                "%(name)s %(period)s 已有数值 %(old)s，导入后改为 %(new)s",
                name=plan.indicator.name,
                period=plan.period,
                old=text_of(old.value),
                new=text_of(plan.value),
            )
            result.add_errors([RowError(plan.row, self.label("value"), reason)], "warnings")

    # --- writing -------------------------------------------------------------------------

    def _write(self, plans: list[Planned], batch_id: int | None, result: ImportResult) -> None:
        log = []
        for plan in plans:
            row, before = plan.existing, None
            if row is not None:
                if Decimal(row.value) == plan.value and row.source_note == plan.note:
                    continue
                before = {
                    "value": [text_of(row.value), text_of(plan.value)],
                    "source_note": [row.source_note, plan.note],
                }
            else:
                row = IndicatorActual(
                    indicator_id=plan.indicator.id, zone_id=plan.zone_id, period=plan.period
                )
                db.session.add(row)
            row.value, row.source_note, row.computed = plan.value, plan.note, False
            row.entered_by_id = getattr(self.actor, "id", None)
            db.session.flush()
            changes = {"period": plan.period, "zone_id": plan.zone_id}
            changes["value"] = before["value"] if before else [None, text_of(plan.value)]
            note = f"导入 {self.filename} 第{plan.row}行"
            record_audit(
                "actual", "indicator", plan.indicator.id, changes, actor=self.actor, note=note
            )
            action = "created" if before is None else "updated"
            log.append(
                {
                    "batch_id": batch_id,
                    "entity": "indicator_actual",
                    "entity_id": row.id,
                    "action": action,
                    "before": before,
                }
            )
        if batch_id is not None and log:
            db.session.execute(insert(ImportChange.__table__), log)

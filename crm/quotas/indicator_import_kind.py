"""Indicator actuals as a kind of upload: its importer (``indicator_import``), preview
columns, revert, and the template download on the imports pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select

from crm.core.access import allow, scoped_select
from crm.extensions import db
from crm.imports.guided import Choice, import_zones, write_guided_template
from crm.imports.kinds import ImportKind
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.views import IMPORTERS, bp, xlsx_response
from crm.quotas.indicator_compute import is_computed
from crm.quotas.indicator_import import ALIASES, CITY_CHOICE, KIND, IndicatorImporter
from crm.quotas.indicator_values import text_of
from crm.quotas.models import Indicator, IndicatorActual


def revert_indicators(batch: ImportBatch, now: Any) -> dict[str, int]:
    """Values the batch created are removed; values it changed get their old value and note
    back, unless someone changed them again since (then the later edit is kept)."""
    changes = db.session.execute(
        select(ImportChange.entity_id, ImportChange.action, ImportChange.before).where(
            ImportChange.batch_id == batch.id, ImportChange.entity == "indicator_actual"
        )
    ).all()
    created = [c.entity_id for c in changes if c.action == "created"]
    removed = 0
    if created:
        removed = db.session.execute(
            delete(IndicatorActual).where(IndicatorActual.id.in_(created))
        ).rowcount
    restored = kept = 0
    for change in changes:
        if change.action != "updated":
            continue
        row = db.session.get(IndicatorActual, change.entity_id)
        old_value, new_value = change.before["value"]
        if row is None or text_of(row.value) != new_value:
            kept += 1
            continue
        row.value = Decimal(old_value)
        row.source_note = change.before["source_note"][0]
        restored += 1
    return {"actuals_removed": removed, "actuals_restored": restored, "actuals_kept": kept}


INDICATOR_IMPORTS = ImportKind(
    name=KIND,
    label="指标实际值",
    importer=IndicatorImporter,
    aliases=ALIASES,
    columns=[(field, names[0]) for field, names in ALIASES.items()],
    revert=revert_indicators,
    no_zone=CITY_CHOICE,
    no_zone_label=_l("按文件中的“开发区”列，空白为全市（指标实际值）"),
    zone_hint="指标实际值请选择开发区，或按文件中的“开发区”列导入",
)


@bp.get("/imports/indicator-template.xlsx")
@allow(*IMPORTERS)
def indicator_template():
    """The actuals template: the goal list's typed indicators and the user's zones as
    drop-downs, an example row and notes."""
    names = [
        i.name
        for i in db.session.scalars(
            scoped_select(Indicator, current_user).order_by(Indicator.sort_order, Indicator.id)
        )
        if not is_computed(i)
    ]
    zones = [z.short_name for z in import_zones(current_user)]
    city = current_user.role in ("coordinator", "admin")
    columns = [("指标", 34), ("开发区", 14), ("期间", 12), ("实际值", 12), ("来源说明", 40)]
    example = [
        names[0] if names else "营业收入",
        "" if city else (zones[0] if zones else ""),
        "2026-09",
        "1234.5",
        "统计局 9 月快报",
    ]
    notes = [
        "每行一个指标在一个期间的数值；期间写作 2026（全年）、2026-Q3（季度）或 2026-09（月份）。",
        "开发区留空：导入到上传时选择的开发区；按文件中的列导入时留空表示全市。",
        "实际值只填阿拉伯数字（可带该指标的单位），不要写“约”“左右”等。",
        "自动计算的指标（高新技术企业、专精特新、头雁、瞪羚）不接受导入。",
        "任何一行有错误时不会写入任何数据；已有的数值会被覆盖，并在校验结果中提示。",
    ]
    choices = {"指标": Choice(names), "开发区": Choice(zones + (["全市"] if city else []))}
    return xlsx_response(
        lambda handle: write_guided_template(
            handle, "指标实际值", columns, example, choices, notes
        ),
        "指标实际值导入模板.xlsx",
        "indicator-actuals-template.xlsx",
    )

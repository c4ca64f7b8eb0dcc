"""Excel export of the quota report: the tiers per zone and the projects behind each number.

Text cells are always written as text (a project called "=HYPERLINK(…)" stays that text);
amounts and counts stay numbers. Confidential projects appear under their code name.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from crm.core.audit import record_audit
from crm.core.money import YI
from crm.dashboard.services import attainments
from crm.imports.spreadsheets import XlsxWriter
from crm.projects.stages import stage_label
from crm.zones.models import Zone

TIER_HEADERS = [
    "开发区",
    "档次",
    "门槛（亿元）",
    "目标个数",
    "已完成",
    "缺口",
    "超额",
    "加权预测",
    "预警",
]
PROJECT_HEADERS = [
    "开发区",
    "档次",
    "项目编号",
    "项目名称",
    "投资额（亿元）",
    "当前阶段",
    "计入日期",
    "统计状态",
]


def _yi(wan: int | None) -> Decimal | None:
    return None if wan is None else Decimal(wan) / YI


def quota_workbook(zones: list[Zone], year: int, actor: Any) -> BytesIO:
    """The quota report of ``year`` for these zones as an .xlsx file (audited)."""
    results = attainments(zones, year)
    book = XlsxWriter(f"{year}年度目标", [18, 24, 12, 10, 8, 8, 8, 10, 10])
    book.header(TIER_HEADERS)
    for zone in zones:
        att = results[zone.id]
        if not att.result.tiers:
            book.row([zone.short_name, "未设定年度目标"])
        for tier in att.result.tiers:
            book.row(
                [
                    zone.short_name,
                    tier.label,
                    _yi(tier.threshold_wan),
                    tier.required,
                    tier.achieved,
                    tier.gap,
                    tier.surplus,
                    tier.forecast,
                    "缺口大于后备项目" if tier.at_risk else "",
                ]
            )
    book.add_sheet("计入项目", [18, 24, 10, 36, 14, 10, 12, 12])
    book.header(PROJECT_HEADERS)
    for zone in zones:
        att = results[zone.id]
        result = att.result
        for tier in result.tiers:
            for status, ids in (
                ("计入", [i for i in tier.projects if i not in tier.surplus_projects]),
                ("超额", tier.surplus_projects),
                ("候选", tier.candidates),
            ):
                for fact in att.named(ids):
                    counted = att.counted_on(fact.id) if status != "候选" else None
                    book.row(
                        [
                            zone.short_name,
                            tier.label,
                            fact.id,
                            fact.name,
                            _yi(fact.amount_wan),
                            stage_label(fact.stage),
                            counted,
                            status,
                        ]
                    )
        for status, ids in (
            ("已退出统计", result.withdrawn),
            ("低于最低门槛", result.below_threshold),
        ):
            for fact in att.named(ids):
                book.row(
                    [
                        zone.short_name,
                        "",
                        fact.id,
                        fact.name,
                        _yi(fact.amount_wan),
                        stage_label(fact.stage),
                        att.counted_on(fact.id),
                        status,
                    ]
                )
    record_audit(
        "export", "quota_report", year, {"zones": [zone.code for zone in zones]}, actor=actor
    )
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out

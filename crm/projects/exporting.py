"""Excel export of the project list (the current filter), safe against formula injection.

Text cells are always written as strings (never formulas); one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return also gets Excel's quote prefix, so editing it later
does not turn it into a formula. Amounts are numbers: 万元 as integers and 亿元 as exact
decimals shown with two places. Confidential projects appear under their code name and without
their enterprise.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select

from crm.core.money import YI
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.projects.models import PROJECT_TYPES, Project
from crm.projects.services import project_signals
from crm.projects.stages import stage_name

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONFIDENTIAL = "（保密）"
COLUMNS = (
    ("编号", 8),
    ("项目名称", 30),
    ("企业", 30),
    ("开发区", 12),
    ("负责人", 10),
    ("阶段", 8),
    ("阶段停留天数", 10),
    ("项目类型", 10),
    ("制造业", 8),
    ("所属行业", 14),
    ("计划总投资（万元）", 14),
    ("计划总投资（亿元）", 14),
    ("合同投资额（万元）", 14),
    ("合同投资额（亿元）", 14),
    ("累计实际到位（万元）", 14),
    ("累计实际到位（亿元）", 14),
    ("签约日期", 12),
    ("预计落地日期", 12),
    ("已首报", 8),
    ("下次跟进日期", 12),
    ("下一步计划", 30),
    ("预警", 24),
)


def _text(sheet: Any, value: Any) -> WriteOnlyCell:
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a string, even when it looks like "=1+1"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _number(sheet: Any, value: int | Decimal | None, fmt: str = "0") -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = fmt
    return cell


def _yi(sheet: Any, wan: int | None) -> WriteOnlyCell | None:
    return None if wan is None else _number(sheet, Decimal(wan) / YI, "0.00")


def _date(sheet: Any, value: date | None) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _warnings(project: Project, today: date) -> str:
    s = project_signals(project, today)
    names = (
        (s.overdue, "跟进逾期"),
        (s.no_next_step, "无下一步"),
        (s.rotting, "阶段停滞"),
        (s.first_report_missing, "未首报"),
        (s.confidential, "保密"),
    )
    return "、".join(label for on, label in names if on)


def project_row(sheet: Any, project: Project, today: date) -> list[Any]:
    """One exported row; never the real name or enterprise of a confidential project."""
    t = lambda value: _text(sheet, value)  # noqa: E731
    return [
        _number(sheet, project.id),
        t(project.display_name()),
        t(CONFIDENTIAL if project.is_confidential else project.enterprise.name),
        t(project.zone.short_name),
        t(project.owner.display_name if project.owner else ""),
        t(stage_name(project.stage)),  # files keep the Chinese vocabulary (re-importable)
        _number(sheet, (today - project.stage_since).days),
        t(PROJECT_TYPES.get(project.project_type, project.project_type)),
        t("是" if project.is_manufacturing else "否"),
        t(project.industry),
        _number(sheet, project.planned_total_wan),
        _yi(sheet, project.planned_total_wan),
        _number(sheet, project.contract_amount_wan),
        _yi(sheet, project.contract_amount_wan),
        _number(sheet, project.actual_in_place_wan),
        _yi(sheet, project.actual_in_place_wan),
        _date(sheet, project.contract_signed_on),
        _date(sheet, project.expected_landing_on),
        t("是" if project.first_reported else "否"),
        _date(sheet, project.next_follow_up),
        t(project.next_step),
        t(_warnings(project, today)),
    ]


def write_workbook(projects: Iterable[Project], today: date | None = None) -> tuple[BytesIO, int]:
    """The projects as an .xlsx (openpyxl write-only mode); returns the file and the row count."""
    today = today or local_today()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目库")
    for index, (_title, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "C2"
    sheet.append([_text(sheet, title) for title, _width in COLUMNS])
    count = 0
    for project in projects:
        sheet.append(project_row(sheet, project, today))
        count += 1
    output = BytesIO()
    workbook.save(output)
    output.seek(0)
    return output, count


def export_projects(stmt: Select) -> tuple[BytesIO, int]:
    """Run the list query (rows streamed in batches) and write the workbook."""
    rows = db.session.scalars(stmt.execution_options(yield_per=500))
    return write_workbook(rows)

"""Import templates that guide: drop-down lists on coded columns, an example, notes.

A template is a normal (not streamed) workbook — it is small — with the data sheet first,
then 填写说明, and a hidden 选项 sheet holding each list; Excel's data validation (openpyxl
``DataValidation`` of type "list") refers to those ranges, so lists of any length work.
The import finds the data sheet by its header, so the extra sheets do no harm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from crm.auth.models import User
from crm.core.roles import ZONE_ROLES
from crm.extensions import db
from crm.zones.models import Zone

LISTS_SHEET = "选项"
ROWS = 2000  # data rows that carry the drop-downs
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(italic=True, color="666666")


@dataclass(frozen=True)
class Choice:
    """The values a column offers; ``strict``: other input is refused by Excel, else a
    cell may also hold several values (招商方式 企业招商、资本招商) or free text."""

    values: Sequence[str]
    strict: bool = True
    prompt: str = ""


def import_zones(user: Any) -> list[Zone]:
    """The zones a user may import into: their own, or (city users) every active zone."""
    stmt = select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order, Zone.id)
    if getattr(user, "role", None) in ZONE_ROLES:
        stmt = stmt.where(Zone.id == user.zone_id)
    return list(db.session.scalars(stmt))


def owner_names(user: Any) -> list[str]:
    """Who the user may name as 负责人: staff themselves; a manager the zone's active people
    (login where two share a display name); city users none (the zone is chosen on upload)."""
    if getattr(user, "role", None) == "staff":
        return [user.display_name]
    if getattr(user, "role", None) != "manager" or user.zone_id is None:
        return []
    stmt = select(User.display_name, User.login, User.active, User.role).where(
        User.zone_id == user.zone_id
    )
    people = sorted(db.session.execute(stmt), key=lambda p: (p.display_name, p.login))
    names = [p.display_name for p in people]  # the import matches among all of them
    return [
        p.display_name if names.count(p.display_name) == 1 else p.login
        for p in people
        if p.active and p.role in ZONE_ROLES
    ]


def write_guided_template(
    target: str | IO[bytes],
    title: str,
    columns: Sequence[tuple[str, int]],
    example: Sequence[Any],
    choices: dict[str, Choice],
    notes: Sequence[str],
) -> None:
    """A template: ``columns`` (header, width), one example row, drop-downs on the headers
    named in ``choices``, and the notes on 填写说明."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([header for header, _w in columns])
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    sheet.freeze_panes = "A2"
    sheet.append(list(example))
    for cell in sheet[2]:
        if hasattr(cell.value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"
    guide = book.create_sheet("填写说明")
    guide.column_dimensions["A"].width = 100
    for note in notes:
        guide.append([note])
        guide.cell(row=guide.max_row, column=1).font = _NOTE_FONT
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=True)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    headers = [header for header, _w in columns]
    for number, (header, choice) in enumerate(
        ((h, c) for h, c in choices.items() if h in headers and c.values), start=1
    ):
        letter = get_column_letter(number)
        lists.cell(row=1, column=number, value=header)
        for row, value in enumerate(choice.values, start=2):
            lists.cell(row=row, column=number, value=value).data_type = "s"
        end = len(choice.values) + 1
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${end}",
            allow_blank=True,
            showErrorMessage=choice.strict,
            errorTitle="请从下拉列表中选择",
            error=f"“{header}”请从下拉列表中选择",
            showInputMessage=bool(choice.prompt),
            promptTitle=header,
            prompt=choice.prompt,
        )
        column = get_column_letter(headers.index(header) + 1)
        validation.add(f"{column}2:{column}{ROWS + 1}")
        sheet.add_data_validation(validation)
    book.save(target)

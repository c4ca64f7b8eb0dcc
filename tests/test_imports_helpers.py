"""Shared helpers for the import tests: people, spreadsheet files, rows in template order.

(A module of helpers only; pytest finds no tests here.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.targets.importing import COLUMNS
from crm.targets.models import Target
from tests.factories import make_user, make_zone

HEADER = [c.header for c in COLUMNS]
FIELDS = [c.field for c in COLUMNS]


def code(n: int) -> str:
    """A valid 统一社会信用代码 numbered n."""
    return make_uscc(f"91419001MA{n:07d}")


def row(name: str, **values: object) -> list[object]:
    """A data row in the template's column order; unnamed fields blank."""
    return [name if f == "name" else values.get(f, "") for f in FIELDS]


def write_csv(
    path: Path, rows: list[list], *, header=HEADER, encoding="utf-8-sig", title=None
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header=HEADER, title=None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def counts() -> dict[str, int]:
    """Rows in the tables an import writes."""
    return {
        "enterprises": db.session.scalar(select(func.count(Enterprise.id))),
        "targets": db.session.scalar(
            select(func.count(Target.id)).where(Target.deleted_at.is_(None))
        ),
        "contacts": db.session.scalar(select(func.count(Contact.id))),
    }


@pytest.fixture
def people(app):
    zone_a = make_zone(code="hl", name="虎岭高新技术产业开发区", short_name="虎岭")
    zone_b = make_zone(code="yq", name="玉泉特色产业园区", short_name="玉泉")
    return {
        "a": zone_a,
        "b": zone_b,
        "staff_a": make_user("staff", zone=zone_a, display_name="王芳", login="wangfang"),
        "staff_a2": make_user("staff", zone=zone_a, display_name="李强", login="liqiang"),
        "manager_a": make_user("manager", zone=zone_a, display_name="赵敏"),
        "staff_b": make_user("staff", zone=zone_b, display_name="孙丽"),
        "coordinator": make_user("coordinator", display_name="市统筹"),
        "admin": make_user("admin"),
        "viewer": make_user("viewer"),
    }

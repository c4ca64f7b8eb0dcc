"""Templates that guide: drop-down lists on the coded columns (the user's own people as 负责人),
a 填写说明 sheet, and a template filled through its drop-downs imports without an error."""

from __future__ import annotations

import io
from itertools import cycle

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.conftest import post
from tests.factories import make_user
from tests.test_imports_helpers import people
from tests.test_projects_import import zones

__all__ = ["people", "zones"]


def _lists(book) -> dict[str, list[str]]:
    """Header → the values its drop-down offers (read from the hidden 选项 sheet)."""
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    lists = book["选项"]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        header = headers[ord(column) - ord("A")]
        ref = validation.formula1.split("!")[1].replace("$", "")
        found[header] = [c.value for row in lists[ref] for c in row]
    return found


def _download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def _upload(client, book, zone: str, kind: str) -> ImportBatch:
    buffer = io.BytesIO()
    book.save(buffer)
    data = {"file": (io.BytesIO(buffer.getvalue()), "filled.xlsx"), "zone": zone, "kind": kind}
    assert post(client, "/imports/", data, token_page="/imports/").status_code == 302
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def _fill(book, typed: dict[str, str], lists: dict[str, list[str]], rows: int) -> None:
    """Replace the example with ``rows`` rows: typed identity cells, every drop-down value."""
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    options = {header: cycle(values) for header, values in lists.items()}
    for n in range(rows):
        row = ["" for _ in headers]
        for header, text in typed.items():
            row[headers.index(header)] = text.format(n=n)
        for header, values in options.items():
            row[headers.index(header)] = next(values)
        sheet.append(row)


@pytest.mark.parametrize("role", ["staff_a", "manager_a", "coordinator"])
def test_the_target_template_filled_through_its_drop_downs_imports(
    app, client, login_as, people, role
):
    login_as(people[role])
    book = _download(client, "/imports/template.xlsx")
    assert book.sheetnames == ["目标企业清单", "填写说明", "选项"]
    assert book["选项"].sheet_state == "hidden"
    assert any("下拉列表" in (c.value or "") for c in book["填写说明"]["A"])
    lists = _lists(book)
    assert lists["优先级"] == ["A", "B", "C"]
    assert "已转项目" not in lists["状态"] and "待接触" in lists["状态"]
    assert "企业招商" in lists["招商方式"] and "专精特新" in lists["企业标签"]
    owners = {"staff_a": ["王芳"], "manager_a": ["李强", "王芳", "赵敏"], "coordinator": None}
    assert lists.get("负责人") == owners[role]
    _fill(book, {"企业名称": "河南模板{n}号有限公司"}, lists, rows=12)
    batch = _upload(client, book, str(people["a"].id), "targets")
    assert batch.errors == [] and batch.status == "valid"
    assert batch.counts["created"] == 12


@pytest.mark.parametrize("role", ["staff", "manager", "coordinator"])
def test_the_ledger_template_filled_through_its_drop_downs_imports(
    app, client, login_as, zones, role
):
    user = (
        db.session.scalar(select(User).where(User.login == "gxq-staff1"))
        if role == "staff"
        else make_user(role, zone=zones["gxq"] if role == "manager" else None)
    )
    login_as(user)
    book = _download(client, "/imports/ledger-template.xlsx")
    lists = _lists(book)
    assert lists["是否制造业"] == ["是", "否"] and lists["项目类型"] == ["新引进", "增资扩产"]
    assert "签约" in lists["当前阶段"] and "终止" in lists["当前阶段"]
    expected_zones = ["高新区"] if role != "coordinator" else [z.short_name for z in zones.values()]
    assert sorted(lists["所属开发区"]) == sorted(expected_zones)
    if role == "staff":
        assert lists["负责人"] == ["赵一帆"]
    # stages from 签约 on need their dates, a pause or an exit its reason (the list's prompt
    # says so): those are typed, not picked, so the rows here stay in the early stages
    lists["当前阶段"] = ["线索", "接洽", "洽谈", "考察"]
    if role == "coordinator":
        lists.pop("负责人", None)
    typed = {"项目名称": "模板项目{n}", "投资方": "江苏模板{n}号材料有限公司"}
    _fill(book, typed, lists, rows=8)
    zone = "rows" if role == "coordinator" else str(zones["gxq"].id)
    batch = _upload(client, book, zone, "projects")
    assert batch.errors == [] and batch.status == "valid", batch.errors
    assert batch.counts["created"] == 8

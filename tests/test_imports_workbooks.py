"""Workbooks as programs and offices write them: formula cells with and without a cached
result, and a data sheet that is not the first one (found by its header) — for the target list
and the ledger, through the CLI and the upload page."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
from sqlalchemy import select

from crm.core.tabular import is_uncomputed, read_rows
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.imports.sheets import UNCOMPUTED_REASON
from crm.projects.models import Project
from tests.conftest import post
from tests.test_imports_helpers import HEADER, code, people, row
from tests.test_projects_import import zones

__all__ = ["people", "zones"]


def _with_cached_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells a cached result, as Excel does on save (openpyxl never writes one):
    ``<f>…</f>`` becomes ``<f>…</f><v>value</v>`` in the sheet XML, by cell reference."""
    source = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                for ref, value in values.items():
                    start = text.index(f'<c r="{ref}"')
                    end = text.index("</c>", start)
                    # openpyxl writes an empty value as <v /> or <v></v> (with lxml installed)
                    cell = re.sub(r'\st="[a-z]+"', "", text[start:end], count=1)
                    cell = re.sub(r"<v\s*/>|<v>[^<]*</v>", "", cell)
                    cell = cell.replace("<c ", '<c t="str" ', 1) + f"<v>{value}</v>"
                    text = text[:start] + cell + text[end:]
                data = text.encode()
            zout.writestr(item, data)
    path.write_bytes(out.getvalue())
    return path


def _targets_workbook(path: Path, rows: list[list], *, first_sheet: list[list] | None = None):
    book = openpyxl.Workbook()
    sheet = book.active
    if first_sheet is not None:
        sheet.title = "说明"
        for line in first_sheet:
            sheet.append(line)
        sheet = book.create_sheet("企业名单")
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def _cli(runner, path: Path, *args: str):
    result = runner.invoke(args=[*args, str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_formula_without_a_cached_result_is_an_error_that_says_so(app, runner, people, tmp_path):
    path = _targets_workbook(
        tmp_path / "t.xlsx",
        [row('=CONCATENATE("河南","某某有限公司")', uscc=code(1)), row("河南正常有限公司")],
    )
    cells = dict(read_rows(path, "t.xlsx"))
    assert is_uncomputed(cells[2][0]) and cells[2][0] == ""
    code_, report = _cli(runner, path, "targets", "import", "--zone", "hl")
    assert code_ == 1
    assert report["errors"] == [{"row": 2, "column": "企业名称", "reason": UNCOMPUTED_REASON}]
    assert db.session.scalar(select(Enterprise)) is None


def test_a_formula_with_a_cached_result_imports_its_value(app, runner, people, tmp_path):
    path = _targets_workbook(tmp_path / "t.xlsx", [row('=A1&"x"', uscc=code(1))])
    _with_cached_values(path, {"A2": "河南缓存值有限公司"})
    code_, report = _cli(runner, path, "targets", "import", "--zone", "hl")
    assert code_ == 0, report
    assert db.session.scalar(select(Enterprise.name)) == "河南缓存值有限公司"


def test_a_ledger_formula_without_a_result_is_reported_on_its_column(app, runner, zones, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["项目名称", "投资方", "所属开发区", "总投资（万元）"])
    book.active.append(["铜箔项目", "某某铜业有限公司", "高新区", "=B2*10000"])
    book.save(tmp_path / "台账.xlsx")
    code_, report = _cli(runner, tmp_path / "台账.xlsx", "projects", "import")
    assert code_ == 1
    assert report["errors"] == [{"row": 2, "column": "总投资(万元)", "reason": UNCOMPUTED_REASON}]
    assert db.session.scalar(select(Project)) is None


def test_the_data_sheet_is_found_by_its_header(app, runner, people, tmp_path):
    notes = [["数据来源：某某平台导出"], ["导出时间：2026-11-30"], ["说明：共 2 条"]]
    rows = [row("河南甲有限公司", uscc=code(1)), row("河南乙有限公司", uscc=code(2))]
    path = _targets_workbook(tmp_path / "t.xlsx", rows, first_sheet=notes)
    code_, report = _cli(runner, path, "targets", "import", "--zone", "hl")
    assert code_ == 0, report
    assert report["created"] == 2


def test_a_ledger_behind_a_summary_sheet_through_the_upload_page(
    app, client, login_as, zones, tmp_path
):
    from tests.factories import make_user

    book = openpyxl.Workbook()
    book.active.title = "汇总"
    book.active.append(["开发区", "项目数"])
    book.active.append(["高新区", 1])
    sheet = book.create_sheet("项目台账")
    sheet.append(["项目名称", "投资方", "所属开发区", "总投资（亿元）", "项目进度"])
    sheet.append(["铜箔项目", "某某铜业有限公司", "高新区", "35", "洽谈"])
    book.save(tmp_path / "台账.xlsx")
    login_as(make_user("manager", zone=zones["gxq"]))
    data = {
        "file": (io.BytesIO((tmp_path / "台账.xlsx").read_bytes()), "台账.xlsx"),
        "zone": str(zones["gxq"].id),
        "kind": "projects",
    }
    assert post(client, "/imports/", data, token_page="/imports/").status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.status == "valid", batch.errors
    assert batch.counts["created"] == 1
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "铜箔项目" in page  # the preview reads the same sheet

"""`flask targets import|export`: JSON output, exit codes, dry runs, the pool, export formats."""

from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.targets.models import Target
from tests.test_imports_helpers import HEADER, code, counts, people, row, write_csv

__all__ = ["people"]


def _rows(bad: bool = False):
    rows = [row(f"测试{i}装备有限公司", uscc=code(i)) for i in range(1, 4)]
    if bad:
        rows[1] = row("测试2装备有限公司", uscc="91419001MA4O00002X")
    return rows


def test_import_json_and_exit_codes(app, runner, people, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", _rows(bad=True))
    result = runner.invoke(args=["targets", "import", str(bad), "--zone", "hl", "--json"])
    assert result.exit_code == 1
    output = json.loads(result.output)
    assert list(output) == ["created", "updated", "unchanged", "errors", "warnings"]
    assert output["created"] == output["updated"] == output["unchanged"] == 0
    assert output["errors"] == [
        {
            "row": 3,
            "column": "统一社会信用代码",
            "reason": "第12位含有不允许的字符 O（统一社会信用代码不使用 I、O、S、V、Z）",
        }
    ]
    assert counts()["targets"] == 0

    good = write_csv(tmp_path / "good.csv", _rows())
    result = runner.invoke(args=["targets", "import", str(good), "--zone", "hl", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    result = runner.invoke(args=["targets", "import", str(good), "--zone", "hl", "--json"])
    assert json.loads(result.output) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "errors": [],
        "warnings": [],
    }
    assert counts() == {"enterprises": 3, "targets": 3, "contacts": 0}
    batches = db.session.scalars(select(ImportBatch)).all()
    assert [b.status for b in batches] == ["committed", "committed"]  # revertable on the page


def test_dry_run_writes_nothing(app, runner, people, tmp_path):
    path = write_csv(tmp_path / "good.csv", _rows())
    result = runner.invoke(
        args=["targets", "import", str(path), "--zone", "hl", "--dry-run", "--json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["created"] == 3
    assert counts()["targets"] == 0 and db.session.scalar(select(ImportBatch)) is None
    bad = write_csv(tmp_path / "bad.csv", _rows(bad=True))
    result = runner.invoke(args=["targets", "import", str(bad), "--zone", "hl", "--dry-run"])
    assert result.exit_code == 1
    assert "row 3 [统一社会信用代码]" in result.output


def test_pool_and_unknown_zone(app, runner, people, tmp_path):
    path = write_csv(tmp_path / "good.csv", _rows())
    result = runner.invoke(args=["targets", "import", str(path), "--zone", "pool"])
    assert result.exit_code == 0 and "3 created" in result.output
    assert {t.zone_id for t in db.session.scalars(select(Target))} == {None}
    result = runner.invoke(args=["targets", "import", str(path), "--zone", "nowhere"])
    assert result.exit_code == 2 and "unknown zone" in result.output


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_by_extension_and_back(app, runner, people, tmp_path, suffix):
    runner.invoke(
        args=["targets", "import", str(write_csv(tmp_path / "in.csv", _rows())), "--zone", "hl"]
    )
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(args=["targets", "export", str(out), "--zone", "hl"])
    assert result.exit_code == 0 and "exported 3 target(s)" in result.output
    if suffix == ".xlsx":
        assert [c.value for c in openpyxl.load_workbook(out).active[1]][: len(HEADER)] == HEADER
    else:
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(args=["targets", "import", str(out), "--zone", "hl", "--json"])
    assert json.loads(result.output) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "errors": [],
        "warnings": [],
    }
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "export")) is not None
    empty = runner.invoke(args=["targets", "export", str(tmp_path / "pool.csv"), "--zone", "pool"])
    assert "exported 0 target(s)" in empty.output
    assert runner.invoke(args=["targets", "export", str(tmp_path / "x.pdf")]).exit_code == 2

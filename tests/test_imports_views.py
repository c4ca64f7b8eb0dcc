"""Import pages: upload → preview and report → commit → revert; scoping; large files in the
background with progress; the template; export of the current filter."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange
from crm.targets.models import Target
from crm.targets.services import create_target
from tests.conftest import login, post
from tests.test_imports_helpers import HEADER, code, counts, people, row, write_csv, write_xlsx

__all__ = ["people"]


def _upload(client, path: Path, zone: str | int = "", **kwargs):
    with path.open("rb") as handle:
        data = {"file": (io.BytesIO(handle.read()), path.name), "zone": str(zone)}
    return post(client, "/imports/", data, token_page="/imports/", **kwargs)


def _batch() -> ImportBatch:
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def _good_rows(n=3):
    return [row(f"测试{i}新材料有限公司", uscc=code(i), priority="A") for i in range(1, n + 1)]


def test_upload_preview_commit_and_again_unchanged(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    path = write_xlsx(tmp_path / "清单.xlsx", _good_rows(), title="目标企业清单")
    response = _upload(client, path, people["a"].id)
    assert response.status_code == 302
    batch = _batch()
    assert (batch.status, batch.zone_id, batch.total_rows) == ("valid", people["a"].id, 3)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "测试1新材料有限公司" in page and "统一社会信用代码" in page  # preview
    assert "新增 3" in page and "确认导入" in page
    assert counts()["targets"] == 0  # nothing written before the commit
    response = post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert _batch().status == "committed"
    assert counts() == {"enterprises": 3, "targets": 3, "contacts": 0}
    assert all(t.owner_id == people["staff_a"].id for t in db.session.scalars(select(Target)))
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "import")) is not None
    # the same file again: nothing to add
    _upload(client, path, people["a"].id)
    again = _batch()
    assert again.counts["unchanged"] == 3 and again.counts["created"] == 0
    assert "已在批次" in client.get(f"/imports/{again.id}").get_data(as_text=True)


def test_bad_row_report_lists_row_column_reason_and_downloads(
    app, client, login_as, people, tmp_path
):
    login_as(people["manager_a"])
    rows = _good_rows()
    rows[1] = row("测试2新材料有限公司", uscc=code(2).lower())
    path = write_csv(tmp_path / "list.csv", rows, encoding="gbk")
    _upload(client, path, people["a"].id)
    batch = _batch()
    assert batch.status == "invalid"
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "没有写入任何数据" in page and "小写" in page and "确认导入" not in page
    response = client.get(f"/imports/{batch.id}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    lines = [[c.value for c in line] for line in sheet.iter_rows()]
    assert lines[0] == ["行号", "列名", "原因"]
    assert lines[1][:2] == [3, "统一社会信用代码"] and "小写" in lines[1][2]
    refused = post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert refused.status_code == 302
    assert counts()["targets"] == 0


def test_staff_cannot_import_into_another_zone(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    response = _upload(client, write_csv(tmp_path / "t.csv", _good_rows()), people["b"].id)
    assert response.status_code == 400
    assert "只能导入到本开发区" in response.get_data(as_text=True)
    assert _batch() is None
    assert not list((Path(app.config["UPLOAD_DIR"]) / "imports").glob("*.csv"))


def test_coordinator_chooses_a_zone_or_the_pool(app, client, login_as, people, tmp_path):
    login_as(people["coordinator"])
    path = write_csv(tmp_path / "t.csv", _good_rows())
    response = _upload(client, path, "")
    assert response.status_code == 400 and "请选择导入到哪个开发区" in response.get_data(
        as_text=True
    )
    _upload(client, path, "pool")
    batch = _batch()
    assert batch.zone_id is None and batch.status == "valid"
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    assert {t.zone_id for t in db.session.scalars(select(Target))} == {None}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("renamed.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
        ("book.xlsm", b"PK\x03\x04macro", "宏"),
        ("list.csv", b"hello,world\r\n1,2\r\n", "未找到表头"),
        ("list.csv", b"\xff\xfe\x00", "编码"),
    ],
)
def test_unsafe_or_unreadable_uploads_are_refused(
    app, client, login_as, people, tmp_path, name, content, message
):
    login_as(people["staff_a"])
    path = tmp_path / name
    path.write_bytes(content)
    response = _upload(client, path, people["a"].id)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _batch() is None
    assert not any((Path(app.config["UPLOAD_DIR"]) / "imports").iterdir())


def test_oversized_upload_is_413_before_parsing(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    app.config["MAX_CONTENT_LENGTH"] = 2048
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 10_000)
    response = _upload(client, path, people["a"].id)
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)
    assert _batch() is None
    imports_dir = Path(app.config["UPLOAD_DIR"]) / "imports"
    assert not imports_dir.exists() or not any(imports_dir.iterdir())


def test_batches_are_scoped_to_the_zone(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    _upload(client, write_csv(tmp_path / "t.csv", _good_rows()), people["a"].id)
    batch = _batch()
    client.post("/logout", data={})
    other = app.test_client()
    login(other, people["staff_b"])
    for path in ("", "/progress", "/report.xlsx"):
        assert other.get(f"/imports/{batch.id}{path}").status_code == 404
    assert post(other, f"/imports/{batch.id}/commit").status_code == 404
    assert "t.csv" not in other.get("/imports/").get_data(as_text=True)
    city = app.test_client()
    login(city, people["coordinator"])
    assert city.get(f"/imports/{batch.id}").status_code == 200
    assert "t.csv" in city.get("/imports/").get_data(as_text=True)
    viewer = app.test_client()
    login(viewer, people["viewer"])
    assert viewer.get("/imports/").status_code == 403


def test_coordinator_reverts_a_batch(app, client, login_as, people, tmp_path):
    existing = create_enterprise({"name": "济源钢铁集团", "industry": "钢铁"}, None)
    kept = create_target(existing, people["a"].id, {"priority": "C"}, people["coordinator"])
    db.session.commit()
    login_as(people["coordinator"])
    rows = [*_good_rows(2), row("济源钢铁集团", industry="特钢", priority="A", contact_name="刘备")]
    _upload(client, write_csv(tmp_path / "t.csv", rows), people["a"].id)
    batch = _batch()
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    db.session.expire_all()
    assert (kept.priority, kept.enterprise.industry) == ("A", "特钢")
    changes = db.session.scalars(
        select(ImportChange).where(ImportChange.batch_id == batch.id)
    ).all()
    updated = {c.entity: c.before for c in changes if c.action == "updated"}
    assert updated["target"] == {"priority": ["C", "A"]}
    assert updated["enterprise"] == {"industry": ["钢铁", "特钢"]}
    # someone edits a field after the import: the revert keeps that edit
    existing.industry = "钢铁冶炼"
    db.session.commit()
    staff = app.test_client()
    login(staff, people["staff_a"])
    assert post(staff, f"/imports/{batch.id}/revert").status_code == 403
    response = post(client, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert _batch().status == "reverted"
    live = db.session.scalars(select(Target).where(Target.deleted_at.is_(None))).all()
    assert live == [kept] and kept.priority == "C"
    assert existing.industry == "钢铁冶炼" and existing.contacts == []
    assert _batch().counts["revert"]["fields_kept"] == 1
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "revert")) is not None
    again = post(client, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert again.status_code == 302
    assert "只有已导入的批次可以回退" in client.get(f"/imports/{batch.id}").get_data(as_text=True)


def test_large_files_run_in_the_background_with_progress(app, client, login_as, people, tmp_path):
    app.config["IMPORT_ASYNC_ROWS"] = 5  # Celery runs eagerly in tests
    login_as(people["staff_a"])
    _upload(client, write_csv(tmp_path / "t.csv", _good_rows(12)), people["a"].id)
    batch = _batch()
    assert batch.status == "valid" and batch.total_rows == 12
    progress = client.get(f"/imports/{batch.id}/progress").get_json()
    assert progress == {
        "status": "valid",
        "phase": "validating",
        "done": 12,
        "total": 12,
        "percent": 100,
        "finished": True,
    }
    post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")
    db.session.expire_all()
    assert _batch().status == "committed" and counts()["targets"] == 12
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "import-progress" not in page  # finished: no progress bar


def test_progress_while_running(app, people):
    from crm.imports.progress import progress as progress_of
    from crm.imports.progress import write_progress

    batch = ImportBatch(kind="targets", filename="x.csv", status="committing", total_rows=1000)
    db.session.add(batch)
    db.session.commit()
    write_progress(batch, "writing", 500)
    state = progress_of(batch)
    assert (state["phase"], state["percent"], state["finished"]) == ("writing", 75, False)


def test_template_download(app, client, login_as, people):
    login_as(people["staff_a"])
    response = client.get("/imports/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADER


def test_upload_dir_is_outside_static_and_never_served(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    _upload(client, write_csv(tmp_path / "t.csv", _good_rows()), people["a"].id)
    stored = Path(app.config["UPLOAD_DIR"]) / "imports" / _batch().stored_path
    assert stored.exists() and "static" not in stored.parts
    assert client.get(f"/static/{stored.name}").status_code == 404
    assert client.get(f"/imports/{stored.name}").status_code == 404


def test_export_follows_the_filter_and_is_audited(app, client, login_as, people):
    for name, zone in (("甲公司", people["a"]), ("乙公司", people["b"])):
        create_target(create_enterprise({"name": name}, None), zone.id, {}, people["coordinator"])
    db.session.commit()
    login_as(people["viewer"])
    response = client.get(f"/targets/export?format=csv&zone={people['a'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["甲公司"]
    response = client.get("/targets/export?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sorted(line[0].value for line in sheet.iter_rows(min_row=2)) == ["乙公司", "甲公司"]
    assert client.get("/targets/export?format=pdf").status_code == 400
    audits = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [a.changes["rows"] for a in audits] == [1, 2]


def test_export_then_import_through_the_pages(app, client, login_as, people, tmp_path):
    target = create_target(
        create_enterprise({"name": "=1+1 公司", "uscc": code(5)}, None),
        people["a"].id,
        {"note": "@备注", "owner_id": people["staff_a"].id},
        people["coordinator"],
    )
    db.session.commit()
    login_as(people["staff_a"])
    data = client.get(f"/targets/export?format=xlsx&zone={people['a'].id}").data
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    _upload(client, path, people["a"].id)
    batch = _batch()
    assert batch.status == "valid" and batch.counts["unchanged"] == 1
    assert db.session.scalar(select(Enterprise.name)) == "=1+1 公司"
    assert target.note == "@备注"


def test_imported_text_is_escaped_in_preview_and_report(app, client, login_as, people, tmp_path):
    login_as(people["staff_a"])
    rows = [row("<script>alert(1)</script>", uscc="bad", contact_name='" onmouseover=x')]
    _upload(client, write_csv(tmp_path / "xss.csv", rows), people["a"].id)
    page = client.get(f"/imports/{_batch().id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover=x' not in page and "&#34; onmouseover=x" in page

"""The project ledger (台账) through the import pages: upload → report → commit → revert, with
the same rules as the CLI (all or nothing, row/column/reason) and the access scope."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.projects.models import Project, StageEvent
from tests.conftest import post
from tests.test_projects_import import ROWS, ledger, zones

__all__ = ["zones"]


def _upload(client, path: Path, zone: str | int, kind: str = "projects"):
    with path.open("rb") as handle:
        data = {"file": (io.BytesIO(handle.read()), path.name), "zone": str(zone), "kind": kind}
    return post(client, "/imports/", data, token_page="/imports/")


def _batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def _live_projects() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Project).where(Project.deleted_at.is_(None))
    )


def _commit(client, batch: ImportBatch):
    return post(client, f"/imports/{batch.id}/commit", token_page=f"/imports/{batch.id}")


def test_a_manager_uploads_a_ledger_checks_it_and_commits_it(
    app, client, login_as, zones, tmp_path
):
    from tests.factories import make_user

    login_as(make_user("manager", zone=zones["gxq"]))  # rows name two staff members as owners
    page = client.get("/imports/?kind=projects").get_data(as_text=True)
    assert "项目台账" in page and '<option selected value="projects">' in page
    response = _upload(client, ledger(tmp_path), zones["gxq"].id)
    assert response.status_code == 302
    batch = _batch()
    assert (batch.kind, batch.status, batch.zone_id) == ("projects", "valid", zones["gxq"].id), (
        batch.errors
    )
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "高端铜箔项目" in page and "项目名称" in page  # the preview maps the ledger's headers
    assert "新增 5" in page and "确认导入" in page
    assert _live_projects() == 0  # nothing written before the commit
    assert _commit(client, batch).status_code == 302
    assert _batch().status == "committed"
    assert _live_projects() == len(ROWS)
    copper = db.session.scalar(select(Project).where(Project.name == "高端铜箔项目"))
    assert (copper.stage, copper.contract_amount_wan, copper.zone_id) == (
        "signed",
        350000,
        zones["gxq"].id,
    )
    events = db.session.scalars(select(StageEvent).where(StageEvent.project_id == copper.id))
    assert "signed" in {e.to_stage for e in events}  # dated steps become history


def test_a_bad_ledger_reports_row_and_column_and_writes_nothing(
    app, client, login_as, zones, tmp_path
):
    from crm.auth.models import User

    login_as(db.session.scalar(select(User).where(User.login == "gxq-staff1")))
    rows = [list(r) for r in ROWS]
    rows[2][5] = "很多"  # 总投资（亿元）
    _upload(client, ledger(tmp_path, rows), zones["gxq"].id)
    batch = _batch()
    assert batch.status == "invalid"
    (error,) = batch.errors
    assert (error["row"], error["column"]) == (
        7,
        "总投资(亿元)",
    )  # headers as the file names them, folded
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "没有写入任何数据" in page and "确认导入" not in page
    assert _live_projects() == 0


def test_zone_users_import_into_their_own_zone_only(app, client, login_as, zones, tmp_path):
    from crm.auth.models import User

    login_as(db.session.scalar(select(User).where(User.login == "gxq-staff1")))
    response = _upload(client, ledger(tmp_path), zones["jkq"].id)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "只能导入到本开发区" in page
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_city_users_import_by_the_zone_column_and_not_into_the_pool(
    app, client, login_as, zones, tmp_path
):
    from tests.factories import make_user

    login_as(make_user("coordinator"))
    response = _upload(client, ledger(tmp_path), "pool")
    assert response.status_code == 400 and "所属开发区" in response.get_data(as_text=True)
    response = _upload(client, ledger(tmp_path), "rows")
    assert response.status_code == 302
    batch = _batch()
    assert (batch.status, batch.zone_id) == ("valid", None)
    assert _commit(client, batch).status_code == 302
    assert _live_projects() == len(ROWS)
    # a target list cannot go "by the zone column"
    response = _upload(client, ledger(tmp_path), "rows", kind="targets")
    assert response.status_code == 400 and "市级储备库" in response.get_data(as_text=True)


def test_revert_removes_the_projects_a_ledger_created(app, client, login_as, zones, tmp_path):
    from tests.factories import make_user

    coordinator = make_user("coordinator")
    login_as(coordinator)
    _upload(client, ledger(tmp_path), zones["gxq"].id)
    batch = _batch()
    _commit(client, batch)
    assert _live_projects() == len(ROWS)
    response = post(client, f"/imports/{batch.id}/revert", token_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    reverted = _batch()
    assert reverted.status == "reverted"
    assert reverted.counts["revert"]["projects_removed"] == len(ROWS)
    assert _live_projects() == 0
    assert "移除项目 5 个" in client.get(f"/imports/{batch.id}").get_data(as_text=True)


def test_a_ledger_that_moved_existing_projects_is_not_reverted(
    app, client, login_as, zones, tmp_path
):
    from tests.factories import make_user

    login_as(make_user("coordinator"))
    first = [list(ROWS[2])]  # 低空飞行器项目, 在谈
    _upload(client, ledger(tmp_path, first, name="one.xlsx"), zones["gxq"].id)
    _commit(client, _batch())
    later = [list(ROWS[2])]
    later[0][8], later[0][9], later[0][6] = "已签约", local_today().isoformat(), "8"
    _upload(client, ledger(tmp_path, later, name="two.xlsx"), zones["gxq"].id)
    second = _batch()
    assert second.status == "valid", second.errors
    _commit(client, second)
    assert db.session.scalar(select(Project.stage).where(Project.name == "低空飞行器项目")) == (
        "signed"
    )
    response = post(client, f"/imports/{second.id}/revert", token_page=f"/imports/{second.id}")
    assert "不能整批回退" in response.get_data(as_text=True) or response.status_code == 302
    assert _batch().status == "committed"  # nothing reverted
    assert db.session.scalar(select(Project.stage).where(Project.name == "低空飞行器项目")) == (
        "signed"
    )


def test_reverting_restores_fields_a_ledger_changed(app, client, login_as, zones, tmp_path):
    from tests.factories import make_user

    coordinator = make_user("coordinator")
    login_as(coordinator)
    row = list(ROWS[0])
    _upload(client, ledger(tmp_path, [row], name="one.xlsx"), zones["gxq"].id)
    _commit(client, _batch())
    changed = list(row)
    changed[7] = "9000"  # 累计到位（万元）
    _upload(client, ledger(tmp_path, [changed], name="two.xlsx"), zones["gxq"].id)
    second = _batch()
    assert second.counts["updated"] == 1, second.errors
    _commit(client, second)
    copper = db.session.scalar(select(Project).where(Project.name == "高端铜箔项目"))
    assert copper.actual_in_place_wan == 9000
    version = copper.version
    post(client, f"/imports/{second.id}/revert", token_page=f"/imports/{second.id}")
    db.session.expire_all()
    copper = db.session.get(Project, copper.id)
    assert copper.actual_in_place_wan == 5000 and copper.deleted_at is None
    assert copper.version == version + 1  # a form opened before the revert is stale now


def test_the_ledger_template_imports_as_downloaded(app, client, login_as, zones, tmp_path):
    from openpyxl import load_workbook

    from tests.factories import make_user

    login_as(make_user("manager", zone=zones["gxq"]))
    response = client.get("/imports/ledger-template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "模板.xlsx"
    path.write_bytes(response.data)
    book = load_workbook(path)
    assert book.sheetnames == ["项目台账", "填写说明", "选项"]  # 选项: the hidden drop-down lists
    assert book["项目台账"]["A1"].value == "项目名称"
    _upload(client, path, zones["gxq"].id)
    batch = _batch()
    assert (batch.status, batch.counts["created"]) == ("valid", 1), batch.errors
    _commit(client, batch)
    project = db.session.scalar(select(Project).where(Project.name == "高纯金属材料项目"))
    assert (project.stage, project.contract_amount_wan) == ("signed", 120000)


def test_a_ledger_reports_progress_while_it_is_checked_and_written(zones, tmp_path):
    from crm.projects.importing import PROGRESS_EVERY, LedgerImporter

    rows = [
        [str(i), f"批量测试项目{i}", f"江苏批量测试{i}号材料有限公司", "", "高新区", "1", "", "",
         "在谈", "", "", "", "是", "新引进", "", ""]
        for i in range(1, 2 * PROGRESS_EVERY + 51)
    ]  # fmt: skip
    seen: list[tuple[str, int]] = []
    path = ledger(tmp_path, rows)
    importer = LedgerImporter(path, path.name, zones["gxq"], progress=lambda *p: seen.append(p))
    result = importer.run(write=True)
    assert result.written, result.errors[:3]
    assert seen == [
        ("validating", PROGRESS_EVERY),
        ("validating", 2 * PROGRESS_EVERY),
        ("writing", PROGRESS_EVERY),
        ("writing", 2 * PROGRESS_EVERY),
    ]

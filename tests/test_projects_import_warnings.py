"""Ledger rows that are incomplete but meaningful: imported with a warning that says what was
assumed, visible on the project afterwards; rows that cannot be right stay errors."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.projects.models import StageEvent
from tests.conftest import post
from tests.test_projects_import import TODAY, count, history, ledger, project, run, zones

__all__ = ["zones"]

SIGNED = ["项目名称", "投资方", "所属开发区", "总投资（亿元）", "合同投资额（亿元）", "项目进度",
          "签约日期"]  # fmt: skip
NO_CONTRACT = "已签约的项目未填写合同投资额，年度目标按计划总投资计入"


def test_signed_without_a_contract_amount_counts_the_planned_total(zones, runner, tmp_path):
    rows = [["铜箔项目", "某某铜业有限公司", "高新区", "35", "", "签约", "2026-03-18"]]
    code, report = run(runner, ledger(tmp_path, rows, SIGNED))
    assert code == 0 and report["errors"] == [] and report["created"] == 1
    assert report["warnings"] == [{"row": 5, "column": "合同投资额(亿元)", "reason": NO_CONTRACT}]
    copper = project("铜箔项目")
    assert copper.stage == "signed" and copper.contract_amount_wan is None
    assert copper.quota_amount_wan == 350000 and copper.quota_by_planned_total
    signing = db.session.scalar(select(StageEvent).where(StageEvent.to_stage == "signed"))
    assert signing.amount_wan == 350000 and signing.evidence["assumed_amount"] == "按计划总投资计入"
    # the same file again: nothing to write, nothing to warn about
    code, report = run(runner, ledger(tmp_path, rows, SIGNED))
    assert (report["unchanged"], report["warnings"]) == (1, [])


def test_signed_without_any_amount_is_still_an_error(zones, runner, tmp_path):
    rows = [["铜箔项目", "某某铜业有限公司", "高新区", "", "", "签约", "2026-03-18"]]
    code, report = run(runner, ledger(tmp_path, rows, SIGNED))
    assert code == 1 and count(ImportBatch) == 0
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "合同投资额(亿元)")]


def test_a_termination_without_a_date_is_effective_on_the_import_date(zones, runner, tmp_path):
    header = ["项目名称", "投资方", "所属开发区", "总投资（亿元）", "项目进度", "退出原因"]
    rows = [["原料药项目", "某某制药有限公司", "高新区", "20", "终止", "环评未通过"],
            ["物流园项目", "某某物流有限公司", "高新区", "5", "暂缓", "用地指标待定"]]  # fmt: skip
    code, report = run(runner, ledger(tmp_path, rows, header, title=False))
    assert code == 0, report
    assumed = f"按导入日期（{TODAY.isoformat()}）计"
    columns = [(w["row"], w["column"]) for w in report["warnings"]]
    assert columns == [(2, "终止日期"), (3, "暂缓日期")]
    assert all(assumed in w["reason"] for w in report["warnings"])
    exited = project("原料药项目")
    assert exited.stage == "terminated" and exited.stage_since == TODAY
    assert history("原料药项目")[-1] == ("lead", "terminated", TODAY)
    event = db.session.scalar(select(StageEvent).where(StageEvent.to_stage == "terminated"))
    assert "环评未通过" in event.note and assumed in event.note
    assert project("物流园项目").stage == "paused"


def test_a_late_stage_without_date_columns_gets_dated_steps_and_warnings(zones, runner, tmp_path):
    header = [*SIGNED[:-1], "投产日期"]
    rows = [["电池项目", "某某新能源有限公司", "高新区", "12", "12", "投产", "2026-09-30"]]
    code, report = run(runner, ledger(tmp_path, rows, header))
    assert code == 0, report
    reasons = {w["column"]: w["reason"] for w in report["warnings"]}
    assert reasons["签约日期"] == "未填写签约日期，按投产日期（2026-09-30）计"
    assert "不记录注册、供地、开工" in reasons["项目进度"]
    assert [step[1] for step in history("电池项目")] == ["lead", "signed", "production"]
    assert project("电池项目").contract_signed_on.isoformat() == "2026-09-30"


def test_an_empty_cell_in_a_date_column_the_ledger_has_is_still_an_error(zones, runner, tmp_path):
    rows = [["铜箔项目", "某某铜业有限公司", "高新区", "35", "35", "签约", ""]]
    code, report = run(runner, ledger(tmp_path, rows, SIGNED))
    assert code == 1 and [e["column"] for e in report["errors"]] == ["签约日期"]


def test_the_web_report_and_the_downloaded_report_show_warnings(
    app, client, login_as, zones, tmp_path
):
    login_as(db.session.scalar(select(User).where(User.login == "gxq-staff1")))
    rows = [["铜箔项目", "某某铜业有限公司", "高新区", "35", "", "签约", "2026-03-18"]]
    path = ledger(tmp_path, rows, SIGNED)
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "zone": str(zones["gxq"].id),
            "kind": "projects"}  # fmt: skip
    assert post(client, "/imports/", data, token_page="/imports/").status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.status == "valid"
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert 'data-testid="warnings"' in page and NO_CONTRACT in page
    report = client.get(f"/imports/{batch.id}/report.xlsx")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.data))
    assert book.sheetnames == ["错误", "警告"]
    assert [c.value for c in book["警告"][2]] == [5, "合同投资额(亿元)", NO_CONTRACT]
    commit = f"/imports/{batch.id}/commit"
    assert post(client, commit, token_page=f"/imports/{batch.id}").status_code == 302
    copper = project("铜箔项目")
    page = client.get(f"/projects/{copper.id}").get_data(as_text=True)
    assert 'data-testid="quota-fallback"' in page and "按计划总投资计入" in page

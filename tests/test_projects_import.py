"""`flask projects import`: ledger (台账) rows become projects with dated stage history;
units from the header, every bad cell reported by row and column, all or nothing, re-import
unchanged, dry run, JSON report and exit status."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange
from crm.projects.models import Project, StageEvent
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.factories import make_user

TODAY = local_today()
GOOD_USCC = make_uscc("91419001MA4000001")
HEADER = [
    "序号",
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "所属开发区",
    "总投资（亿元）",
    "合同投资额（亿元）",
    "累计到位（万元）",
    "项目进度",
    "签约日期",
    "开工日期",
    "投产日期",
    "是否制造业",
    "项目类型",
    "终止原因",
    "负责人",
]
ROWS = [
    ["1", "高端铜箔项目", "江苏某某铜业有限公司", GOOD_USCC, "高新区", "35", "35", "5000",
     "已签约", "2026-03-18", "", "", "是", "新引进", "", "赵一帆"],
    ["2", "氢能电堆项目", "上海某某氢能科技有限公司", "", "gxq", "12", "12", "",
     "开工", "2026/4/22", "2026年6月1日", "", "是", "", "", ""],
    ["3", "低空飞行器项目", "深圳某某航空科技有限公司", "", "济源高新技术产业开发区", "8", "", "",
     "在谈", "", "", "", "是", "新引进", "", "钱二宝"],
    ["4", "原料药项目", "某某制药股份有限公司", "", "高新区", "20", "20", "",
     "终止", "2026-02-10", "", "", "是", "新引进", "资金链紧张，解除协议", ""],
    ["5", "特钢技改扩产项目", "济源某某特钢有限公司", "", "高新区", "15", "15", "80000",
     "投产", "2025-10-20", "2026-01-05", "2026-09-30", "是", "增资扩产", "", ""],
]  # fmt: skip
TERMINATED_ON = "2026-08-05"


@pytest.fixture
def zones(app):
    seed_zones()
    db.session.commit()
    gxq = db.session.scalar(select(Zone).where(Zone.code == "gxq"))
    make_user("staff", zone=gxq, display_name="赵一帆", login="gxq-staff1")
    make_user("staff", zone=gxq, display_name="钱二宝", login="gxq-staff2")
    return {z.code: z for z in db.session.scalars(select(Zone))}


def ledger(tmp_path, rows=None, header=None, name="台账.xlsx", title=True):
    """An .xlsx ledger as zones keep them: title rows, a blank row, then the header."""
    header = list(header or HEADER)
    rows = [list(r) for r in (ROWS if rows is None else rows)]
    if "终止日期" not in header and "终止原因" in header:  # row 4 is terminated on a date
        header.append("终止日期")
        for row in rows:
            row.append(TERMINATED_ON if "终止" in row else "")
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["2026年高新区招商引资重点项目台账"])
        sheet.merge_cells("A1:F1")
        sheet.append(["填报单位：高新区招商局", None, None, "填报日期：2026-11-20"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def run(runner, path, *args):
    result = runner.invoke(args=["projects", "import", str(path), "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads(result.stdout)
    return result.exit_code, report


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def project(name: str) -> Project:
    db.session.expire_all()
    return db.session.scalar(select(Project).where(Project.name == name))


def history(name: str) -> list[tuple[str | None, str, date]]:
    stmt = (
        select(StageEvent.from_stage, StageEvent.to_stage, StageEvent.effective_on)
        .join(Project)
        .where(Project.name == name)
        .order_by(StageEvent.effective_on, StageEvent.id)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def test_happy_path_creates_projects_with_their_stage_history(zones, runner, tmp_path):
    code, report = run(runner, ledger(tmp_path))
    assert code == 0, report
    warnings = report.pop("warnings")
    assert report == {"created": 5, "updated": 0, "unchanged": 0, "errors": []}
    skipped = "台账没有注册日期、供地日期列，阶段历史中不记录注册、供地这几步"
    assert warnings == [
        {"row": 6, "column": "项目进度", "reason": skipped},
        {"row": 9, "column": "项目进度", "reason": skipped},
    ]

    signed = project("高端铜箔项目")
    assert (signed.planned_total_wan, signed.contract_amount_wan) == (350000, 350000)
    assert signed.actual_in_place_wan == 5000 and signed.enterprise.uscc == GOOD_USCC
    assert signed.stage == "signed" and signed.stage_since == date(2026, 3, 18)
    assert signed.contract_signed_on == date(2026, 3, 18) and signed.owner.login == "gxq-staff1"
    assert signed.zone.code == "gxq" and signed.is_manufacturing and signed.project_type == "new"
    assert history("高端铜箔项目") == [
        (None, "lead", date(2026, 3, 18)),
        ("lead", "signed", date(2026, 3, 18)),
    ]
    assert history("氢能电堆项目") == [
        (None, "lead", date(2026, 4, 22)),
        ("lead", "signed", date(2026, 4, 22)),
        ("signed", "construction", date(2026, 6, 1)),
    ]
    assert project("氢能电堆项目").started_on == date(2026, 6, 1)
    talks = project("低空飞行器项目")
    assert talks.stage == "negotiation" and talks.owner.login == "gxq-staff2"
    assert [e.to_stage for e in talks.events] == ["negotiation"]
    exited = project("原料药项目")
    assert (
        exited.stage == "terminated" and exited.terminated_reason == "资金链紧张,解除协议"
    )  # NFKC
    assert [e[1] for e in history("原料药项目")] == ["lead", "signed", "terminated"]
    expansion = project("特钢技改扩产项目")
    assert expansion.project_type == "expansion" and expansion.produced_on == date(2026, 9, 30)
    assert [e[1] for e in history("特钢技改扩产项目")] == ["lead", "signed", "construction",
                                                           "production"]  # fmt: skip
    signing = db.session.scalar(
        select(StageEvent).where(StageEvent.to_stage == "signed", StageEvent.project == signed)
    )
    assert signing.amount_wan == 350000 and signing.evidence["row"] == 5
    assert signing.evidence["source"] == "台账导入" and signing.evidence["file"] == "台账.xlsx"

    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.kind == "projects" and batch.status == "committed"
    assert batch.counts["created"] == 5 and signed.import_batch_id == batch.id
    entities = db.session.execute(
        select(ImportChange.entity, func.count()).group_by(ImportChange.entity)
    ).all()
    assert dict(entities) == {"project": 5, "enterprise": 5, "stage_event": 8}


@pytest.mark.parametrize(
    "unit,value,stored",
    [("亿元", "30", 300000), ("万元", "300000", 300000), ("元", "3,000,000,000", 300000),
     ("亿元", "0.5", 5000), ("万元", "30亿", 300000)],
)  # fmt: skip
def test_units_come_from_the_header(zones, runner, tmp_path, unit, value, stored):
    header = ["项目名称", "企业名称", f"计划总投资（{unit}）", "所属开发区"]
    code, report = run(
        runner, ledger(tmp_path, [["项目", "某某有限公司", value, "经开区"]], header)
    )
    assert code == 0, report
    assert project("项目").planned_total_wan == stored
    assert project("项目").zone.code == "jkq" and project("项目").stage == "lead"


FUTURE = (TODAY + timedelta(days=3)).isoformat()
BAD = [
    # (column, new value, reported column, words in the reason)
    ("所属开发区", "火星开发区", "所属开发区", "未知的开发区"),
    ("项目进度", "快落地了", "项目进度", "未知的阶段"),
    ("签约日期", FUTURE, "签约日期", "不能晚于今天"),
    ("开工日期", "2026-01-01", "开工日期", "早于签约日期"),
    ("总投资（亿元）", "约30亿", "总投资（亿元）", "不是确切数字"),
    ("统一社会信用代码", GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1"),
     "统一社会信用代码", "第18位校验码"),
    ("开工日期", "", "开工日期", "须填写开工日期"),
    ("签约日期", "", "签约日期", "须填写签约日期"),
    ("是否制造业", "可能", "是否制造业", "是"),
    ("项目类型", "新建扩建", "项目类型", "增资扩产"),
    ("负责人", "不存在的人", "负责人", "不是高新区的在职人员"),
    ("投资方", "", "投资方", "投资方"),
    ("签约日期", "2026-13-40", "签约日期", "日期"),
]  # fmt: skip


@pytest.mark.parametrize("column,value,reported,words", BAD)
def test_bad_cells_are_reported_by_row_and_column_and_nothing_is_written(
    zones, runner, tmp_path, column, value, reported, words
):
    rows = [list(r) for r in ROWS]
    rows[1][HEADER.index(column)] = value  # the 开工 row, spreadsheet row 6
    code, report = run(runner, ledger(tmp_path, rows))
    assert code == 1
    assert report["created"] == report["updated"] == report["unchanged"] == 0 or report["errors"]
    reported = unicodedata.normalize("NFKC", reported)  # headers are read NFKC-folded
    matching = [e for e in report["errors"] if e["row"] == 6 and e["column"] == reported]
    assert matching, report["errors"]
    assert words in matching[0]["reason"]
    assert (count(Project), count(Enterprise), count(ImportBatch)) == (0, 0, 0)


def test_a_termination_needs_its_reason(zones, runner, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[3][HEADER.index("终止原因")] = ""
    code, report = run(runner, ledger(tmp_path, rows))
    assert code == 1
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(8, "终止原因")}
    header = [h for h in HEADER if h != "终止原因"]
    rows = [[c for i, c in enumerate(r) if HEADER[i] != "终止原因"] for r in ROWS]
    code, report = run(runner, ledger(tmp_path, rows, header))
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(8, "终止原因")}


def test_one_bad_row_means_nothing_is_imported(zones, runner, tmp_path):
    rows = [list(r) for r in ROWS] + [["6", "坏项目", "某某公司", "", "高新区", "大约10亿"]]
    code, report = run(runner, ledger(tmp_path, rows))
    assert code == 1 and [e["row"] for e in report["errors"]] == [10]
    assert (count(Project), count(Enterprise), count(StageEvent)) == (0, 0, 0)


def test_reimporting_the_same_file_changes_nothing(zones, runner, tmp_path):
    path = ledger(tmp_path)
    assert run(runner, path)[0] == 0
    events, audit_rows = count(StageEvent), [p.version for p in db.session.scalars(select(Project))]
    code, report = run(runner, path)
    assert code == 0
    assert report == {"created": 0, "updated": 0, "unchanged": 5, "errors": [], "warnings": []}
    assert count(StageEvent) == events and count(Project) == 5 and count(Enterprise) == 5
    assert [p.version for p in db.session.scalars(select(Project))] == audit_rows


def test_reimport_moves_projects_forward_and_never_back(zones, runner, tmp_path):
    assert run(runner, ledger(tmp_path))[0] == 0
    rows = [list(r) for r in ROWS]
    signed_on = TODAY.isoformat()  # the project entered the system today (no 入库日期)
    rows[2][HEADER.index("项目进度")] = "签约"  # 在谈 → 签约
    rows[2][HEADER.index("签约日期")] = signed_on
    rows[2][HEADER.index("合同投资额（亿元）")] = "9"
    rows[0][HEADER.index("累计到位（万元）")] = "9000"
    code, report = run(runner, ledger(tmp_path, rows))
    assert code == 0, report
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 2, 3)
    assert history("低空飞行器项目")[-1] == ("negotiation", "signed", date.fromisoformat(signed_on))
    assert project("低空飞行器项目").contract_amount_wan == 90000
    assert project("高端铜箔项目").actual_in_place_wan == 9000
    change = db.session.scalars(
        select(ImportChange).where(ImportChange.action == "updated").order_by(ImportChange.id)
    ).all()
    assert change[0].before["actual_in_place_wan"] == [5000, 9000]

    rows[1][HEADER.index("项目进度")] = "签约"  # 开工 → 签约 would be a step back
    rows[1][HEADER.index("开工日期")] = ""
    code, report = run(runner, ledger(tmp_path, rows))
    assert code == 1
    assert report["errors"][0]["row"] == 6 and report["errors"][0]["column"] == "项目进度"
    assert "不会回退" in report["errors"][0]["reason"]
    assert project("氢能电堆项目").stage == "construction"


def test_dry_run_reports_and_writes_nothing(zones, runner, tmp_path):
    code, report = run(runner, ledger(tmp_path), "--dry-run")
    assert code == 0 and report["created"] == 5 and report["errors"] == []
    assert (count(Project), count(Enterprise), count(ImportBatch)) == (0, 0, 0)
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("所属开发区")] = "火星区"
    code, report = run(runner, ledger(tmp_path, rows), "--dry-run")
    assert code == 1 and report["errors"][0]["column"] == "所属开发区"


def test_text_report_and_exit_status(zones, runner, tmp_path):
    result = runner.invoke(args=["projects", "import", str(ledger(tmp_path))])
    assert result.exit_code == 0
    assert "imported: 5 created, 0 updated, 0 unchanged, 0 error(s) (batch" in result.output
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("签约日期")] = FUTURE
    result = runner.invoke(args=["projects", "import", str(ledger(tmp_path, rows))])
    assert result.exit_code == 1 and "row 5 [签约日期]: 签约日期" in result.output
    assert "nothing imported" in result.output


def test_the_zone_option(zones, runner, tmp_path):
    header = [h for h in HEADER if h != "所属开发区"]
    rows = [[c for i, c in enumerate(r) if HEADER[i] != "所属开发区"] for r in ROWS]
    path = ledger(tmp_path, rows, header)
    code, report = run(runner, path)
    assert code == 1 and report["errors"][0]["column"] == "所属开发区"
    assert "缺少该列" in report["errors"][0]["reason"]
    unknown = runner.invoke(args=["projects", "import", str(path), "--zone", "nowhere"])
    assert unknown.exit_code == 2 and "unknown zone" in unknown.output
    code, report = run(runner, path, "--zone", "gxq")
    assert code == 0 and report["created"] == 5
    code, report = run(runner, ledger(tmp_path), "--zone", "jkq")  # rows say 高新区
    assert code == 1 and "不一致" in report["errors"][0]["reason"]


def test_csv_ledgers_in_gb18030(zones, runner, tmp_path):
    text = "项目名称,投资方,所属开发区,总投资（万元）,当前阶段\n"
    text += "冷链物流项目,某某物流有限公司,xdfw,30000,洽谈\n"
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.encode("gb18030"))
    code, report = run(runner, path)
    assert code == 0, report
    cold = project("冷链物流项目")
    assert cold.zone.code == "xdfw" and cold.stage == "negotiation" and not cold.is_manufacturing


def test_namesakes_match_by_enterprise_and_duplicate_rows_are_refused(zones, runner, tmp_path):
    header = ["项目名称", "投资方", "所属开发区", "总投资（万元）"]
    rows = [
        ["研发中心项目", "甲公司", "高新区", "1000"],
        ["研发中心项目", "乙公司", "经开区", "2000"],
    ]
    assert run(runner, ledger(tmp_path, rows, header))[0] == 0
    rows = [["研发中心项目", "甲公司", "高新区", "1000"], ["研发中心项目", "丙公司", "高新区", "5"]]
    code, report = run(runner, ledger(tmp_path, rows, header))
    assert code == 1 and report["errors"][0]["row"] == 6
    assert "与第5行是同一个项目" in report["errors"][0]["reason"]


def test_a_signing_before_the_project_existed_is_refused(zones, runner, tmp_path):
    header = ["项目名称", "投资方", "所属开发区", "当前阶段", "签约日期", "合同投资额（万元）"]
    rows = [["新材料项目", "某某新材料有限公司", "高新区", "在谈", "", ""]]
    assert run(runner, ledger(tmp_path, rows, header))[0] == 0  # entered today
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    rows = [["新材料项目", "某某新材料有限公司", "高新区", "签约", yesterday, "50000"]]
    code, report = run(runner, ledger(tmp_path, rows, header))
    assert code == 1 and report["errors"][0]["column"] == "签约日期"
    assert "早于该项目最近一次阶段变更" in report["errors"][0]["reason"]
    assert project("新材料项目").stage == "negotiation"


def test_an_import_as_a_zone_user_stays_in_their_zone(zones, runner, tmp_path):
    rows = [list(r) for r in ROWS[:3]]
    rows[2][HEADER.index("负责人")] = ""
    code, report = run(runner, ledger(tmp_path, rows), "--user", "gxq-staff1")
    assert code == 0, report
    staffed = project("低空飞行器项目")  # no 负责人: the importing staff member owns it
    assert staffed.owner.login == "gxq-staff1" and staffed.created_by_id == staffed.owner_id
    rows[0][HEADER.index("所属开发区")] = "经开区"
    rows[0][HEADER.index("项目名称")] = "另一个项目"
    code, report = run(runner, ledger(tmp_path, rows), "--user", "gxq-staff1")
    assert code == 1 and report["errors"][0]["column"] == "所属开发区"
    assert "本开发区" in report["errors"][0]["reason"]
    viewer = runner.invoke(args=["projects", "import", str(tmp_path / "台账.xlsx"), "--user", "x"])
    assert viewer.exit_code == 2

"""Target-list import rules: columns, validation, matching, all or nothing, unchanged re-runs."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.imports.cells import split_location
from crm.targets.importer import import_file
from crm.targets.importing import parse_priority
from crm.targets.models import Activity, Conflict, Target
from crm.targets.services import create_target
from tests.test_imports_helpers import HEADER, code, counts, people, row, write_csv, write_xlsx

__all__ = ["people"]  # the fixture, used by name


def _import(path, zone, actor=None, dry_run=False):
    kwargs = {} if actor is None else {"actor": actor}
    result, _batch = import_file(path, zone.id if zone else None, dry_run=dry_run, **kwargs)
    return result


def _target(name: str, zone) -> Target:
    return db.session.scalar(
        select(Target)
        .join(Target.enterprise)
        .where(Enterprise.name == name, Target.zone_id == zone.id, Target.deleted_at.is_(None))
    )


@pytest.mark.parametrize(
    "headers",
    [
        ["企业名称", "统一社会信用代码", "所在地", "所属行业", "联系人", "联系电话", "招商方式"],
        ["公司名称", "信用代码", "总部所在地", "行业", "联系人", "手机", "招商方式"],
        [
            "单位名称",
            "统一社会信用代码（必填）",
            "*所在地",
            "所属行业",
            "联系人",
            "电话",
            "招商方式",
        ],
    ],
)
def test_header_variants_are_mapped(app, people, tmp_path, headers):
    values = [
        "河南豫光金铅股份有限公司",
        code(1),
        "河南省济源市",
        "有色金属",
        "张三",
        "13800000001",
    ]
    path = write_csv(tmp_path / "t.csv", [[*values, "企业、资本"]], header=headers)
    result = _import(path, people["a"])
    assert result.summary() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    target = _target("河南豫光金铅股份有限公司", people["a"])
    enterprise = target.enterprise
    assert (enterprise.uscc, enterprise.hq_province, enterprise.hq_city) == (
        code(1),
        "河南省",
        "济源市",
    )
    assert enterprise.industry == "有色金属"
    assert target.attraction_modes == ["企业招商", "资本招商"]
    assert [(c.name, c.phone) for c in enterprise.contacts] == [("张三", "13800000001")]


def test_other_header_words(app, people, tmp_path):
    header = [
        "序号",
        "企业名称",
        "重点程度",
        "责任人",
        "下次跟进日期",
        "备注",
        "企业标签",
        "别名",
        "产业链环节",
    ]
    data = [
        [
            1,
            "济源钢铁集团",
            "高",
            "王芳",
            "2026年3月5日",
            "重点",
            "链主、专精特新",
            "济钢",
            "钢铁-特钢",
        ]
    ]
    _import(write_csv(tmp_path / "t.csv", data, header=header), people["a"])
    target = _target("济源钢铁集团", people["a"])
    assert (target.priority, target.owner_id, target.note) == ("A", people["staff_a"].id, "重点")
    assert target.next_follow_up == date(2026, 3, 5)
    assert target.chain_position == "钢铁-特钢"
    assert target.enterprise.labels == ["专精特新", "链主"]
    assert target.enterprise.aliases == "济钢"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("河南省 郑州市", ("河南省", "郑州市")),
        ("河南/郑州", ("河南", "郑州")),
        ("广东省深圳市", ("广东省", "深圳市")),
        ("北京市海淀区", ("北京市", "海淀区")),
        ("内蒙古自治区包头市", ("内蒙古自治区", "包头市")),
        ("深圳市", ("", "深圳市")),
        ("河南省", ("河南省", "")),
        ("", ("", "")),
    ],
)
def test_location_is_split(text, expected):
    assert split_location(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("A", "A"), ("b", "B"), ("C类", "C"), ("高", "A"), ("中", "B"), ("一般", "B"), ("低", "C")],
)
def test_priority_words(text, expected):
    assert parse_priority(text) == expected


@pytest.mark.parametrize(
    ("bad_code", "reason"),
    [
        (code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1"), "第18位校验码"),
        (code(1).lower(), "小写"),
        ("91419001MA4I00001X", "I、O、S、V、Z"),
        ("91419001MA4O00001X", "I、O、S、V、Z"),
        ("91419001MA4S00001X", "I、O、S、V、Z"),
        ("91419001MA4V00001X", "I、O、S、V、Z"),
        ("91419001MA4Z00001X", "I、O、S、V、Z"),
        ("9141900", "长度应为18位"),
    ],
)
def test_bad_credit_code_is_a_row_error_naming_the_column(app, people, tmp_path, bad_code, reason):
    path = write_csv(tmp_path / "t.csv", [row("甲公司"), row("乙公司", uscc=bad_code)])
    result = _import(path, people["a"])
    assert result.created == 0
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error["row"], error["column"]) == (3, "统一社会信用代码")
    assert reason in error["reason"]
    assert counts()["targets"] == 0


def test_one_bad_row_commits_nothing_then_the_fixed_file_imports_and_again_changes_nothing(
    app, people, tmp_path
):
    rows = [row(f"测试{i}科技有限公司", uscc=code(i), priority="A") for i in range(1, 6)]
    rows[3] = row("测试4科技有限公司", uscc=code(4), priority="特急", next_follow_up="2026-02-30")
    path = write_xlsx(tmp_path / "list.xlsx", rows, title="2026年目标企业清单")
    result = _import(path, people["a"])
    # title in row 1, header in row 2: the fourth data row is spreadsheet row 6
    assert {(e["row"], e["column"]) for e in result.errors} == {(6, "优先级"), (6, "下次跟进日期")}
    assert "特急" in next(e["reason"] for e in result.errors if e["column"] == "优先级")
    assert counts() == {"enterprises": 0, "targets": 0, "contacts": 0}

    rows[3] = row("测试4科技有限公司", uscc=code(4), priority="A", next_follow_up="2026-03-05")
    path = write_xlsx(tmp_path / "list.xlsx", rows, title="2026年目标企业清单")
    assert _import(path, people["a"]).summary() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    before = counts()
    assert _import(path, people["a"]).summary() == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "errors": [],
        "warnings": [],
    }
    assert counts() == before == {"enterprises": 5, "targets": 5, "contacts": 0}


@pytest.mark.parametrize(
    ("second", "column"),
    [
        (row("豫光金铅集团", uscc=code(7)), "统一社会信用代码"),
        (row("河南豫光金铅股份有限公司"), "企业名称"),
        (row("豫光金铅有限公司"), "企业名称"),
    ],
)
def test_two_rows_of_one_enterprise_name_both_rows(app, people, tmp_path, second, column):
    first = row("河南豫光金铅股份有限公司", uscc=code(7))
    path = write_csv(tmp_path / "t.csv", [row("别的公司"), first, second])
    result = _import(path, people["a"])
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error["row"], error["column"]) == (4, column)
    assert "第3行" in error["reason"]
    assert counts()["enterprises"] == 0


def test_rows_update_by_code_then_by_normalised_name_and_never_duplicate(app, people, tmp_path):
    by_code = create_enterprise({"name": "河南豫光金铅股份有限公司", "uscc": code(1)}, None)
    by_name = create_enterprise({"name": "济源市丰田肥业有限公司"}, None)
    db.session.commit()
    rows = [
        row("豫光金铅", uscc=code(1), industry="有色金属"),  # another spelling, same code
        row("丰田肥业有限公司", uscc=code(2), industry="化肥"),  # same normalised name
    ]
    result = _import(write_csv(tmp_path / "t.csv", rows), people["a"])
    assert (result.created, result.errors) == (2, [])  # two new targets, no new enterprise
    assert counts()["enterprises"] == 2
    db.session.expire_all()
    assert by_code.name == "河南豫光金铅股份有限公司"  # the stored name stays…
    assert by_code.aliases == "豫光金铅"  # …the other spelling becomes an alias
    assert "ygjq" in by_code.search_text
    assert (by_name.uscc, by_name.industry) == (code(2), "化肥")


def test_same_name_with_another_code_is_another_company(app, people, tmp_path):
    create_enterprise({"name": "济源市宏达有限公司", "uscc": code(1)}, None)
    db.session.commit()
    result = _import(
        write_csv(tmp_path / "t.csv", [row("宏达有限公司", uscc=code(2))]), people["a"]
    )
    assert result.created == 1 and result.errors == []
    assert "信用代码不同" in result.warnings[0]["reason"]
    assert counts()["enterprises"] == 2


def test_blank_cells_keep_what_is_stored(app, people, tmp_path):
    full = row(
        "济源钢铁集团",
        uscc=code(3),
        industry="钢铁",
        priority="A",
        note="老客户",
        contact_name="刘备",
        contact_phone="13900000000",
    )
    _import(write_csv(tmp_path / "a.csv", [full]), people["a"])
    result = _import(
        write_csv(tmp_path / "b.csv", [row("济源钢铁集团", priority="C")]), people["a"]
    )
    assert (result.updated, result.unchanged) == (1, 0)
    target = _target("济源钢铁集团", people["a"])
    assert (target.priority, target.note, target.enterprise.industry) == ("C", "老客户", "钢铁")
    assert target.enterprise.uscc == code(3)
    assert [(c.name, c.phone) for c in target.enterprise.contacts] == [("刘备", "13900000000")]


def test_owner_by_name_or_login_and_clear_errors(app, people, tmp_path):
    rows = [
        row("甲公司", owner="王芳"),
        row("乙公司", owner="liqiang"),
        row("丙公司", owner="孙丽"),  # another zone's person
    ]
    result = _import(write_csv(tmp_path / "t.csv", rows), people["a"])
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "负责人")]
    assert "不是该开发区的人员" in result.errors[0]["reason"]
    result = _import(write_csv(tmp_path / "t.csv", rows[:2]), people["a"])
    assert result.created == 2
    assert _target("甲公司", people["a"]).owner_id == people["staff_a"].id
    assert _target("乙公司", people["a"]).owner_id == people["staff_a2"].id


def test_a_former_owner_stays_but_cannot_be_assigned(app, people, tmp_path):
    _import(write_csv(tmp_path / "t.csv", [row("甲公司", owner="李强")]), people["a"])
    people["staff_a2"].active = False
    db.session.commit()
    exported_again = [row("甲公司", owner="李强"), row("乙公司", owner="李强")]
    result = _import(write_csv(tmp_path / "t.csv", exported_again), people["a"])
    assert result.errors == [
        {"row": 3, "column": "负责人", "reason": "该负责人已停用，请改为在职人员"}
    ]
    result = _import(write_csv(tmp_path / "t.csv", exported_again[:1]), people["a"])
    assert (result.unchanged, result.errors) == (1, [])


def test_staff_import_their_own_targets_only(app, people, tmp_path):
    staff = people["staff_a"]
    path = write_csv(tmp_path / "t.csv", [row("甲公司"), row("乙公司", owner="李强")])
    result = _import(path, people["a"], actor=staff)
    assert result.errors == [
        {"row": 3, "column": "负责人", "reason": "招商专员只能把目标分配给自己"}
    ]
    result = _import(write_csv(tmp_path / "t.csv", [row("甲公司")]), people["a"], actor=staff)
    assert result.created == 1
    assert _target("甲公司", people["a"]).owner_id == staff.id  # as when adding on the page
    theirs = create_target(
        create_enterprise({"name": "丁公司"}, None), people["a"].id, {}, people["staff_a2"]
    )
    db.session.commit()
    result = _import(
        write_csv(tmp_path / "t.csv", [row("丁公司", priority="A")]), people["a"], staff
    )
    assert "只能修改自己负责的目标" in result.errors[0]["reason"]
    assert theirs.priority == "B"


def test_converted_status_cannot_be_imported(app, people, tmp_path):
    result = _import(write_csv(tmp_path / "t.csv", [row("甲公司", status="已转项目")]), people["a"])
    assert result.errors[0]["column"] == "状态"
    assert counts()["targets"] == 0


def test_import_raises_conflicts_but_sends_nothing(app, people, tmp_path):
    enterprise = create_enterprise({"name": "宇通客车股份有限公司", "uscc": code(9)}, None)
    create_target(enterprise, people["b"].id, {}, people["coordinator"])
    db.session.commit()
    result = _import(write_csv(tmp_path / "t.csv", [row("宇通客车", uscc=code(9))]), people["a"])
    assert result.created == 1
    conflict = db.session.scalar(select(Conflict).where(Conflict.enterprise_id == enterprise.id))
    assert {z.id for z in conflict.zones} == {people["a"].id, people["b"].id}
    assert db.session.scalar(select(func.count(Activity.id))) == 0
    outbox = app.config["MAIL_OUTBOX_DIR"]
    assert not list(Path(outbox).glob("**/*"))


def test_pool_import_has_no_owner(app, people, tmp_path):
    result = _import(write_csv(tmp_path / "t.csv", [row("甲公司", owner="王芳")]), None)
    assert "市级储备库" in result.errors[0]["reason"]
    result = _import(write_csv(tmp_path / "t.csv", [row("甲公司")]), None)
    target = db.session.scalar(select(Target))
    assert result.created == 1 and target.zone_id is None and target.owner_id is None


def test_missing_name_column_and_empty_file(app, people, tmp_path):
    path = write_csv(tmp_path / "t.csv", [["张三", "138"]], header=["联系人", "联系电话"])
    assert _import(path, people["a"]).errors == [
        {"row": 1, "column": "企业名称", "reason": "缺少“企业名称”列"}
    ]
    path = write_csv(tmp_path / "t.csv", [], header=HEADER)
    assert _import(path, people["a"]).errors[0]["reason"] == "文件中没有数据行"


def test_100000_rows_with_row_57321_bad(app, people, tmp_path):
    """All or nothing at scale: one bad row deep in a large file, reported by its number."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["企业名称", "统一社会信用代码", "所属行业", "优先级", "联系人", "联系电话"]
        )
        for number in range(2, 100_002):  # spreadsheet row numbers: the header is row 1
            uscc = code(number)
            if number == 57_321:
                uscc = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
            writer.writerow(
                [f"测试企业{number}有限公司", uscc, "装备制造", "B", "张三", "13800000000"]
            )
    result = _import(path, people["a"])  # speed is measured in bench/targets_import.py
    assert result.error_count == 1
    assert result.errors[0]["row"] == 57_321
    assert result.errors[0]["column"] == "统一社会信用代码"
    assert counts() == {"enterprises": 0, "targets": 0, "contacts": 0}
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_two_columns_for_one_field(app, people, tmp_path):
    header = ["企业名称", "联系人", "联系电话", "手机"]
    path = write_csv(tmp_path / "t.csv", [["甲公司", "张三", "0391-1234567", "139"]], header=header)
    result = _import(path, people["a"])
    assert result.created == 1
    assert result.warnings == [
        {"row": 1, "column": "手机", "reason": "与“联系电话”列表示同一项内容，只读取“联系电话”列"}
    ]
    assert db.session.scalar(select(Contact.phone)) == "0391-1234567"
    header = ["企业名称", "公司名称", "联系人"]
    path = write_csv(tmp_path / "t.csv", [["甲公司", "甲", "张三"]], header=header)
    assert _import(path, people["a"]).errors[0]["column"] == "公司名称"


def test_list_and_date_fields_update_and_revert(app, people, tmp_path):
    from crm.imports.revert import revert_batch

    first = row("甲公司", labels="专精特新", attraction_modes="企业", next_follow_up="2026-03-05")
    _import(write_csv(tmp_path / "a.csv", [first]), people["a"])
    second = row(
        "甲公司", labels="链主、上市公司", attraction_modes="资本/股权", next_follow_up="2026/4/1"
    )
    result, batch = import_file(
        write_csv(tmp_path / "b.csv", [second]), people["a"].id, dry_run=False
    )
    assert result.updated == 1
    target = _target("甲公司", people["a"])
    assert target.enterprise.labels == ["上市公司", "链主"]
    assert target.attraction_modes == ["资本招商", "股权招商"]
    assert target.next_follow_up == date(2026, 4, 1)
    revert_batch(batch, people["coordinator"])
    db.session.commit()
    db.session.expire_all()
    assert target.enterprise.labels == ["专精特新"]
    assert target.attraction_modes == ["企业招商"]
    assert target.next_follow_up == date(2026, 3, 5)
    assert target.deleted_at is None  # it existed before the second batch

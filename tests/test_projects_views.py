"""Project pages: board, list, export, project page, create, edit, stage changes, delete."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from crm.core.models import AuditLog
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.models import Project, StageEvent
from crm.projects.services import create_project, update_project
from crm.targets.models import Activity, Target
from crm.targets.services import create_target
from tests.conftest import csrf_token, login
from tests.factories import make_user, make_zone

TODAY = local_today()
_names = itertools.count(1)


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    return {
        "a": zone_a,
        "b": zone_b,
        "staff_a": make_user("staff", zone=zone_a, display_name="赵专员"),
        "manager_a": make_user("manager", zone=zone_a, display_name="钱主任"),
        "staff_b": make_user("staff", zone=zone_b, display_name="孙专员"),
        "city": make_user("coordinator", display_name="王统筹"),
        "viewer": make_user("viewer", display_name="李领导"),
    }


def make_project(world, *, zone="a", stage="negotiation", days_ago=60, enterprise=None, **values):
    n = next(_names)
    actor = world["manager_a"] if zone == "a" else world["staff_b"]
    ent = create_enterprise(
        {"name": enterprise or f"测试{n}号实业有限公司"}, None, confirm_duplicate=True
    )
    raw = {"name": f"测试项目{n}", "planned_total_wan": 150000, **values}
    project = create_project(
        ent, None, raw, actor, stage=stage, started_on=TODAY - timedelta(days=days_ago)
    )
    db.session.commit()
    return project


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def send(client, path, data=None, token_page="/about", **kwargs):
    payload = {"csrf_token": csrf_token(client, token_page), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def fresh(project_id: int) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project_id)


@contextlib.contextmanager
def counted():
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def query_count(client, path: str) -> int:
    assert client.get(path).status_code == 200  # warm-up: session refresh, settings
    with counted() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


# --- board and list ---------------------------------------------------------------------------


def test_board_has_a_column_per_stage_with_counts_and_totals(app, world):
    make_project(world, stage="negotiation", planned_total_wan=150000)
    make_project(world, stage="negotiation", planned_total_wan=50000)
    make_project(world, stage="lead", planned_total_wan=12345)
    make_project(world, zone="b", stage="negotiation", planned_total_wan=990000)
    client = signed_in(app, world["manager_a"])
    html = client.get("/projects/board").get_data(as_text=True)
    for label in ("线索", "接洽", "洽谈", "考察", "签约", "注册", "供地", "开工", "投产", "达产"):
        assert label in html
    assert "<details" in html and "暂缓" in html and "终止" in html  # side states collapsed
    assert "20.00亿元" in html  # 洽谈: 15亿 + 5亿, zone B's 99亿 not counted
    assert "99.00亿元" not in html
    assert html.count('data-testid="board-card"') == 3
    assert html.count("变更阶段") >= 3


def test_city_level_picks_a_zone_on_the_board(app, world):
    make_project(world, zone="b", stage="inspection", planned_total_wan=70000)
    client = signed_in(app, world["city"])
    first = client.get("/projects/board").get_data(as_text=True)
    assert 'data-testid="board-card"' not in first  # defaults to the first zone (甲区)
    html = client.get(f"/projects/board?zone={world['b'].id}&year=2000").get_data(as_text=True)
    assert "7.00亿元" in html and html.count('data-testid="board-card"') == 1


def test_board_signals_are_labelled_badges(app, world):
    project = make_project(world, days_ago=200, planned_total_wan=120000, code_name="甲-01")
    project.next_follow_up = TODAY - timedelta(days=2)
    db.session.commit()
    html = signed_in(app, world["manager_a"]).get("/projects/board").get_data(as_text=True)
    for key, label in (
        ("overdue", "跟进逾期"),
        ("no_next_step", "无下一步"),
        ("rotting", "停滞"),
        ("first_report", "未首报"),
        ("confidential", "保密"),
    ):
        assert f'data-signal="{key}">{label}<' in html
    assert "在当前阶段已停留 200 天" in html


def _populate(world, count: int, start: int = 0) -> None:
    stages = ("lead", "contact", "negotiation", "inspection")
    for i in range(start, count):
        make_project(
            world,
            stage=stages[i % 4],
            code_name=f"代号{i}" if i % 5 == 0 else None,
            owner_id=world["staff_a"].id if i % 2 else None,
            next_step="约谈" if i % 3 else "",
        )


def test_board_and_list_issue_a_constant_number_of_queries(app, world):
    _populate(world, 5)
    client = signed_in(app, world["manager_a"])
    paths = ["/projects/board", "/projects/", "/projects/?signal=rotting&sort=amount"]
    small = {path: query_count(client, path) for path in paths}
    _populate(world, 40, start=5)
    large = {path: query_count(client, path) for path in paths}
    assert small == large
    city = signed_in(app, world["city"])
    assert query_count(city, "/projects/board") <= small["/projects/board"] + 2


def test_list_filters_and_search(app, world):
    big = make_project(world, stage="inspection", planned_total_wan=320000, name="铜箔大项目")
    small = make_project(world, stage="lead", planned_total_wan=20000, name="小型配套项目")
    small.next_follow_up = TODAY - timedelta(days=1)
    db.session.commit()
    client = signed_in(app, world["manager_a"])

    def names(query: str) -> str:
        response = client.get(f"/projects/?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "铜箔大项目" in names("min_amount=300000") and "小型配套" not in names(
        "min_amount=300000"
    )
    assert "小型配套项目" in names("signal=overdue") and "铜箔大项目" not in names("signal=overdue")
    assert "铜箔大项目" in names("stage=inspection") and "小型配套" not in names("stage=inspection")
    assert "铜箔大项目" in names("q=铜箔") and "小型配套" not in names("q=铜箔")
    for hostile in ("q=%27+OR+1%3D1+--", "q=%25", "q=_"):
        assert 'data-testid="project-row"' not in names(hostile)  # literal match, no rows
    assert "铜箔大项目" in names("sort=name%3BDROP")  # an unknown sort key falls back
    assert "铜箔大项目" in names("owner=" + "9" * 30) and big.id and small.id


def test_zone_users_do_not_see_other_zones_on_list_or_board(app, world):
    make_project(world, zone="b", name="乙区独有项目")
    client = signed_in(app, world["staff_a"])
    assert "乙区独有项目" not in client.get("/projects/").get_data(as_text=True)
    board = client.get(f"/projects/board?zone={world['b'].id}").get_data(as_text=True)
    assert "乙区独有项目" not in board


# --- confidentiality and escaping -------------------------------------------------------------


def test_confidential_real_name_only_on_the_project_page(app, world):
    project = make_project(
        world,
        name="宁德动力电池基地项目",
        code_name="甲-北极星",
        enterprise="宁德某某新能源科技股份有限公司",
    )
    client = signed_in(app, world["manager_a"])
    secrets = ("宁德动力电池基地项目", "宁德某某新能源")
    pages = [
        client.get("/projects/board").get_data(as_text=True),
        client.get("/projects/").get_data(as_text=True),
        client.get("/projects/?sort=name").get_data(as_text=True),
        client.get(f"/projects/{project.id}/stage").get_data(as_text=True),
    ]
    for html in pages:
        assert "甲-北极星" in html
        for secret in secrets:
            assert secret not in html
    assert "甲-北极星" not in client.get("/projects/?q=宁德").get_data(as_text=True)
    workbook = load_workbook(BytesIO(client.get("/projects/export").data))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert "甲-北极星" in cells and "（保密）" in cells
    assert not any(secret in cell for cell in cells for secret in secrets)
    detail = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "宁德动力电池基地项目" in detail and "宁德某某新能源" in detail
    city = signed_in(app, world["city"]).get(f"/projects/{project.id}")
    assert "宁德动力电池基地项目" in city.get_data(as_text=True)
    other_zone = signed_in(app, world["staff_b"]).get(f"/projects/{project.id}")
    assert other_zone.status_code == 404


def test_script_in_a_project_name_is_escaped(app, world):
    project = make_project(world, name="<script>alert(1)</script>", next_step='" onmouseover=x')
    client = signed_in(app, world["manager_a"])
    for path in ("/projects/board", "/projects/", f"/projects/{project.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '" onmouseover=x' not in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_export_is_formula_safe_with_numeric_amounts(app, world):
    make_project(world, name='=HYPERLINK("http://evil","x")', planned_total_wan=123456)
    make_project(world, name="@SUM(A1)", next_step="-2+3", planned_total_wan=5)
    response = signed_in(app, world["manager_a"]).get("/projects/export?sort=amount")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    row = {header[i]: cell for i, cell in enumerate(sheet[2])}
    name = row["项目名称"]
    assert name.value.startswith("=HYPERLINK") and name.data_type == "s" and name.quotePrefix
    assert row["计划总投资（万元）"].value == 123456
    assert float(row["计划总投资（亿元）"].value) == pytest.approx(12.3456)
    third = {header[i]: cell for i, cell in enumerate(sheet[3])}
    assert third["项目名称"].data_type == "s" and third["下一步计划"].quotePrefix
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "export")) is not None


# --- the project page ------------------------------------------------------------------------


def test_project_page_shows_history_with_durations_and_audit(app, world):
    project = make_project(world, days_ago=30)
    update_project(project, {"planned_total_wan": 300000}, project.version, world["city"])
    db.session.commit()
    client = signed_in(app, world["manager_a"])
    send(
        client,
        f"/projects/{project.id}/stage",
        {
            "to_stage": "inspection",
            "effective_on": str(TODAY - timedelta(days=10)),
            "version": str(project.version),
        },
    )
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "洽谈 → <strong>考察</strong>" in html
    assert ">20</td>" in html and ">10</td>" in html  # days in 洽谈, then in 考察 until today
    assert "计划总投资：15.00亿元（150,000万元） → 30.00亿元（300,000万元）" in html
    assert "王统筹" in html


def test_logging_an_activity_sets_the_follow_up(app, world):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    follow_up = TODAY + timedelta(days=7)
    response = send(
        client,
        f"/projects/{project.id}/activities",
        {
            "kind": "visit",
            "occurred_on": TODAY.isoformat(),
            "summary": "走访企业总部",
            "next_step": "提交投资协议草案",
            "next_follow_up": follow_up.isoformat(),
        },
    )
    assert response.status_code == 302
    assert fresh(project.id).next_follow_up == follow_up
    assert "走访企业总部" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    bad = send(client, f"/projects/{project.id}/activities", {"kind": "visit", "summary": ""})
    assert bad.status_code == 400 and "请填写跟进情况" in bad.get_data(as_text=True)
    assert db.session.query(Activity).count() == 1


# --- create and edit --------------------------------------------------------------------------


def test_create_with_a_new_enterprise_and_amount_in_yi(app, world):
    client = signed_in(app, world["staff_a"])
    response = send(
        client,
        "/projects/new",
        {
            "enterprise_name": "河南测试新材料有限公司",
            "name": "高纯材料项目",
            "project_type": "new",
            "is_manufacturing": "y",
            "amount_unit": "亿元",
            "planned_total_wan": "12.5",
            "stage": "contact",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.session.scalars(select(Project)).one()
    assert project.planned_total_wan == 125000 and project.stage == "contact"
    assert project.zone_id == world["a"].id and project.owner_id == world["staff_a"].id


def test_create_from_a_target_converts_it(app, world):
    ent = create_enterprise({"name": "转化测试科技有限公司"}, None)
    target = create_target(ent, None, {}, world["staff_a"])
    db.session.commit()
    client = signed_in(app, world["staff_a"])
    page = client.get(f"/projects/new?target_id={target.id}").get_data(as_text=True)
    assert "转化测试科技有限公司" in page and "转为项目" in page
    response = send(
        client,
        f"/projects/new?target_id={target.id}",
        {"name": "转化测试项目", "project_type": "new", "stage": "lead", "amount_unit": "亿元"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, target.id).status == "converted"
    assert db.session.scalars(select(Project)).one().enterprise_id == ent.id
    other = signed_in(app, world["staff_b"]).get(f"/projects/new?target_id={target.id}")
    assert other.status_code == 404


def test_create_with_a_duplicate_enterprise_offers_the_existing_one(app, world):
    existing = create_enterprise({"name": "重复检测实业有限公司"}, None)
    db.session.commit()
    client = signed_in(app, world["manager_a"])
    data = {
        "enterprise_name": "重复检测实业有限公司",
        "name": "重复检测项目",
        "project_type": "new",
        "stage": "lead",
        "amount_unit": "亿元",
    }
    first = send(client, "/projects/new", data)
    html = first.get_data(as_text=True)
    assert first.status_code == 400 and "可能与已有企业" in html
    assert f'value="{existing.id}"' in html and 'value="重复检测项目"' in html
    assert db.session.query(Project).count() == 0
    second = send(client, "/projects/new", {**data, "use_enterprise": str(existing.id)})
    assert second.status_code == 302
    assert db.session.scalars(select(Project)).one().enterprise_id == existing.id
    assert db.session.query(Enterprise).count() == 1


@pytest.mark.parametrize(
    "typed,unit,expected",
    [
        ("30亿", "万元", 300000),
        ("3,000,000,000元", "亿元", 300000),
        ("300000万", "亿元", 300000),
        ("30", "亿元", 300000),
        ("300000", "万元", 300000),
        ("１２.５亿元", "万元", 125000),
    ],
)
def test_amounts_are_accepted_in_every_notation(app, world, typed, unit, expected):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    form = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="15亿元"' in form  # the stored 150000万元, exactly, in the default unit
    response = send(
        client,
        f"/projects/{project.id}/edit",
        _edit_data(project, planned_total_wan=typed, amount_unit=unit),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert fresh(project.id).planned_total_wan == expected


@pytest.mark.parametrize(
    "typed,message",
    [
        ("约30亿", "不是确切数字"),
        ("-5亿", "不能为负数"),
        ("999999999亿", "金额过大"),
        ("三十亿", "阿拉伯数字"),
        ("30亿美元", "无法识别"),
    ],
)
def test_bad_amounts_are_refused_in_chinese_and_kept(app, world, typed, message):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    response = send(
        client, f"/projects/{project.id}/edit", _edit_data(project, planned_total_wan=typed)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and f'value="{typed}"' in html
    assert fresh(project.id).planned_total_wan == 150000


def _edit_data(project: Project, **overrides) -> dict:
    data = {
        "name": project.name,
        "project_type": project.project_type,
        "is_manufacturing": "y",
        "amount_unit": "亿元",
        "planned_total_wan": "15亿",
        "owner_id": str(project.owner_id or ""),
        "version": str(project.version),
    }
    data.update(overrides)
    return data


def test_stale_edit_is_refused_naming_who_saved_and_keeps_the_input(app, world):
    project = make_project(world)
    opened = project.version
    client = signed_in(app, world["manager_a"])
    assert f'name="version" type="hidden" value="{opened}"' in client.get(
        f"/projects/{project.id}/edit"
    ).get_data(as_text=True)
    city = signed_in(app, world["city"])
    saved = send(city, f"/projects/{project.id}/edit", _edit_data(project, next_step="市里先改"))
    assert saved.status_code == 302
    stale = send(
        client,
        f"/projects/{project.id}/edit",
        _edit_data(project, next_step="我的修改", version=str(opened)),
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "王统筹" in html and 'value="我的修改"' in html
    assert fresh(project.id).next_step == "市里先改"


# --- stage changes ----------------------------------------------------------------------------


def test_stage_form_shows_the_evidence_of_every_stage_passed(app, world):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    html = client.get(f"/projects/{project.id}/stage?to=construction").get_data(as_text=True)
    for name in (
        "contract_signed_on",
        "contract_amount_wan",
        "registered_company_name",
        "registered_uscc",
        "land_area_mu",
        "started_on",
    ):
        assert f'name="{name}"' in html
    back = client.get(f"/projects/{project.id}/stage?to=contact").get_data(as_text=True)
    assert 'name="contract_signed_on"' not in back and "须说明原因" in back


def test_signing_with_evidence_moves_the_project_and_warns_about_first_report(app, world):
    project = make_project(world, days_ago=20)
    client = signed_in(app, world["manager_a"])
    signed_on = TODAY - timedelta(days=2)
    response = send(
        client,
        f"/projects/{project.id}/stage",
        {
            "to_stage": "signed",
            "contract_signed_on": signed_on.isoformat(),
            "contract_amount_wan": "30亿",
            "amount_unit": "亿元",
            "version": str(project.version),
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "首报" in html and "alert-warning" in html
    project = fresh(project.id)
    assert project.stage == "signed" and project.contract_amount_wan == 300000
    assert project.stage_since == signed_on
    event_row = db.session.scalars(select(StageEvent).order_by(StageEvent.id.desc())).first()
    assert (event_row.from_stage, event_row.to_stage) == ("negotiation", "signed")
    assert event_row.effective_on == signed_on


def _sign(client, project, **evidence):
    data = {
        "to_stage": "signed",
        "contract_signed_on": TODAY.isoformat(),
        "contract_amount_wan": "12亿",
        "version": str(project.version),
        **evidence,
    }
    return send(client, f"/projects/{project.id}/stage", data)


@pytest.mark.parametrize(
    "evidence,message",
    [
        ({"contract_amount_wan": ""}, "进入该阶段须填写合同投资额"),
        ({"contract_signed_on": ""}, "进入该阶段须填写签约日期"),
        ({"contract_signed_on": (TODAY + timedelta(days=1)).isoformat()}, "签约日期不能晚于今天"),
        ({"contract_signed_on": (TODAY - timedelta(days=90)).isoformat()}, "不能早于项目开始日期"),
        ({"contract_amount_wan": "约12亿"}, "不是确切数字"),
        ({"effective_on": (TODAY + timedelta(days=3)).isoformat()}, "生效日期不能晚于今天"),
        ({"contract_signed_on": "2026-13-45"}, "日期格式不正确"),
    ],
)
def test_bad_signing_is_refused_and_nothing_changes(app, world, evidence, message):
    project = make_project(world, days_ago=30)
    before = (project.stage, project.version, project.contract_amount_wan)
    client = signed_in(app, world["manager_a"])
    response = _sign(client, project, **evidence)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    for value in evidence.values():
        if value:
            assert f'value="{value}"' in html  # what was typed is still there
    project = fresh(project.id)
    assert (project.stage, project.version, project.contract_amount_wan) == before
    assert db.session.query(StageEvent).count() == 1


def test_step_back_needs_a_reason(app, world):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    data = {"to_stage": "contact", "version": str(project.version)}
    response = send(client, f"/projects/{project.id}/stage", data)
    assert response.status_code == 400 and "须填写原因" in response.get_data(as_text=True)
    ok = send(client, f"/projects/{project.id}/stage", {**data, "note": "企业要求重新洽谈条件"})
    assert ok.status_code == 302 and fresh(project.id).stage == "contact"


def test_stale_stage_change_is_refused(app, world):
    project = make_project(world)
    opened = project.version
    update_project(project, {"next_step": "先改一下"}, opened, world["city"])
    db.session.commit()
    client = signed_in(app, world["manager_a"])
    response = _sign(client, project, version=str(opened))
    assert response.status_code == 409 and "王统筹" in response.get_data(as_text=True)
    assert fresh(project.id).stage == "negotiation"


def test_other_zone_staff_cannot_change_the_stage(app, world):
    project = make_project(world)
    before = project.version
    client = signed_in(app, world["staff_b"])
    assert client.get(f"/projects/{project.id}/stage?to=signed").status_code == 404
    response = _sign(client, project)
    assert response.status_code == 404
    project = fresh(project.id)
    assert project.stage == "negotiation" and project.version == before
    assert send(client, f"/projects/{project.id}/edit", _edit_data(project)).status_code == 404


def test_viewer_cannot_write(app, world):
    project = make_project(world)
    client = signed_in(app, world["viewer"])
    assert client.get(f"/projects/{project.id}").status_code == 200
    assert _sign(client, project).status_code == 403
    assert fresh(project.id).stage == "negotiation"


# --- delete -----------------------------------------------------------------------------------


def test_managers_soft_delete_and_staff_may_not(app, world):
    project = make_project(world, name="待删除项目")
    staff = signed_in(app, world["staff_a"])
    assert send(staff, f"/projects/{project.id}/delete").status_code == 403
    manager = signed_in(app, world["manager_a"])
    assert send(manager, f"/projects/{project.id}/delete").status_code == 302
    assert fresh(project.id).deleted_at is not None
    manager.get("/about")  # shows (and clears) the flashed message naming the project
    assert "待删除项目" not in manager.get("/projects/").get_data(as_text=True)
    assert manager.get(f"/projects/{project.id}").status_code == 404
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "delete"))
    assert entry.entity == "project" and entry.entity_id == str(project.id)


def test_hostile_arguments_never_break_the_pages(app, world):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    for path in (
        "/projects/board?zone=abc&year=abcd",
        "/projects/board?year=99999999999999999999",
        "/projects/?page=-3&per_page=100000&min_amount=1e9&stage=<x>&signal=;DROP",
        f"/projects/{project.id}/stage?to=bogus",
        "/projects/export?zone=1%27&sort=%00",
        "/projects/new?enterprise_id=abc",
    ):
        assert client.get(path).status_code in (200, 404), path
    bogus = send(
        client,
        f"/projects/{project.id}/stage",
        {"to_stage": "bogus", "version": str(project.version)},
    )
    assert bogus.status_code == 400 and "请选择要转到的阶段" in bogus.get_data(as_text=True)
    assert fresh(project.id).stage == "negotiation"


def test_missing_version_and_missing_zone_are_explained(app, world):
    project = make_project(world)
    client = signed_in(app, world["manager_a"])
    data = _edit_data(project, next_step="无版本号")
    del data["version"]
    response = send(client, f"/projects/{project.id}/edit", data)
    assert response.status_code == 400 and "缺少版本号" in response.get_data(as_text=True)
    assert fresh(project.id).next_step == ""
    unversioned = send(client, f"/projects/{project.id}/stage", {"to_stage": "inspection"})
    assert unversioned.status_code == 400 and "缺少版本号" in unversioned.get_data(as_text=True)
    assert fresh(project.id).stage == "negotiation"
    city = signed_in(app, world["city"])
    created = send(
        city,
        "/projects/new",
        {"enterprise_name": "无开发区测试有限公司", "name": "无开发区项目", "stage": "lead"},
    )
    assert created.status_code == 400 and "请选择开发区" in created.get_data(as_text=True)
    assert db.session.query(Project).count() == 1
    assert db.session.query(Enterprise).filter_by(name="无开发区测试有限公司").count() == 0

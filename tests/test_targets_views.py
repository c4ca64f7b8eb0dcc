"""Target-list pages: list, search, filters, bulk changes, create, detail, activities, claims,
conflicts — through the web UI, with zone scoping and bad input."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from crm.core.models import AuditLog
from crm.core.timeutil import local_today
from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.services import add_contact, create_enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.targets.models import Activity, Conflict, Target
from crm.targets.services import create_target, log_activity
from tests.conftest import csrf_token, login, post
from tests.factories import make_user, make_zone

CODE = make_uscc("91419001MA4000001")
YGJQ = "河南豫光金铅股份有限公司"


@pytest.fixture
def w(app):
    a, b, c = make_zone(short_name="甲区"), make_zone(short_name="乙区"), make_zone()
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        staff_a=make_user("staff", zone=a, display_name="甲专员"),
        staff_a2=make_user("staff", zone=a, display_name="甲专员二"),
        manager_a=make_user("manager", zone=a, display_name="甲负责人"),
        staff_b=make_user("staff", zone=b, display_name="乙专员"),
        staff_c=make_user("staff", zone=c),
        city=make_user("coordinator", display_name="王统筹"),
        viewer=make_user("viewer"),
        admin=make_user("admin"),
    )


def _target(name: str, actor, zone_id=None, enterprise=None, **values) -> Target:
    enterprise = enterprise or create_enterprise({"name": name}, None, confirm_duplicate=True)
    target = create_target(enterprise, zone_id, values, actor)
    db.session.commit()
    return target


def _html(response) -> str:
    return response.get_data(as_text=True)


def _row_names(html: str) -> list[str]:
    """Enterprise names in the list table, in order."""
    return re.findall(r'<a href="/targets/\d+" class="fw-semibold">([^<]+)</a>', html)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- the list --------------------------------------------------------------------------------


def test_list_shows_zone_owner_follow_up_and_markers(w, client, login_as):
    today = local_today()
    overdue = _target(YGJQ, w.staff_a, next_follow_up=today - timedelta(days=2))
    overdue.last_activity_on = today - timedelta(days=40)  # stale
    _target("", w.staff_b, enterprise=overdue.enterprise)  # zone B pursues it too
    _target("中原特钢有限公司", w.city)  # the city pool
    db.session.commit()
    login_as(w.staff_a)
    html = _html(client.get("/targets/"))
    assert YGJQ in html and "中原特钢有限公司" in html
    assert "甲区" in html and "甲专员" in html and "市级储备库" in html
    assert "逾期" in html and 'data-testid="overdue"' in html
    assert "停滞" in html
    assert 'data-testid="pursued-elsewhere"' in html and "乙区（乙专员）" in html


@pytest.mark.parametrize("query", ["ygjq", "YGJQ", "yuguang", "豫光", "金铅", CODE[:8]])
def test_search_by_name_pinyin_initials_and_code_prefix(w, client, login_as, query):
    _target(YGJQ, w.staff_a, enterprise=create_enterprise({"name": YGJQ, "uscc": CODE}, None))
    _target("中原特钢有限公司", w.staff_a)
    login_as(w.staff_b)  # the list is shared city-wide
    html = _html(client.get("/targets/", query_string={"q": query}))
    assert _row_names(html) == [YGJQ]


@pytest.mark.parametrize(
    "args",
    [
        {"q": "' OR 1=1 --"},
        {"q": "%"},
        {"q": "_"},
        {"q": "\\"},
        {"q": "x" * 5000},
        {"sort": "name;DROP TABLE target"},
        {"zone": "abc"},
        {"owner": "1 OR 1=1"},
        {"status": "<script>"},
        {"page": "-3", "per_page": "abc"},
        {"page": "99999999999999999999"},
        {"stale": "yes", "label": "' --", "mode": "%"},
    ],
)
def test_odd_list_arguments_never_fail(w, client, login_as, args):
    _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    response = client.get("/targets/", query_string=args)
    assert response.status_code == 200
    names = _row_names(_html(response))
    if "q" in args:
        assert names == []  # a literal match, never "everything"
    assert "<script>" not in _html(response).split("<main", 1)[1]


def test_filters_zone_pool_status_priority_owner_and_stale(w, client, login_as):
    mine = _target("甲公司", w.staff_a, priority="A")
    pooled = _target("池公司", w.city)
    theirs = _target("乙公司", w.staff_b, status="interested")
    mine.last_activity_on = local_today() - timedelta(days=45)
    db.session.commit()
    login_as(w.city)

    def names(**args):
        return sorted(_row_names(_html(client.get("/targets/", query_string=args))))

    assert names(zone="pool") == ["池公司"]
    assert names(zone=str(w.b.id)) == ["乙公司"]
    assert names(status="interested") == ["乙公司"]
    assert names(priority="A") == ["甲公司"]
    assert names(owner=str(w.staff_a.id)) == ["甲公司"]
    assert names(owner="none") == ["池公司"]
    assert names(stale="1") == ["甲公司"]
    assert names() == ["乙公司", "池公司", "甲公司"]
    assert pooled.id and theirs.id


def test_sort_and_pagination_keep_the_filter(w, client, login_as):
    for name in ("丙公司", "甲公司", "乙公司", "丁公司", "戊公司"):
        _target(name, w.staff_a)
    login_as(w.staff_a)
    first = _html(client.get("/targets/", query_string={"sort": "name", "per_page": 2}))
    second = _html(client.get("/targets/", query_string={"sort": "name", "per_page": 2, "page": 2}))
    assert "1 / 3" in first and "共 5 条" in first
    assert len(_row_names(first)) == 2 and len(_row_names(second)) == 2
    assert not set(_row_names(first)) & set(_row_names(second))
    assert "sort=name" in first and "page=2" in first  # the next-page link keeps the sort
    everything = _row_names(_html(client.get("/targets/", query_string={"sort": "name"})))
    assert everything[:2] == _row_names(first) and everything[2:4] == _row_names(second)


def _statements_for(client, url: str) -> int:
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return count


def _populate(w, start: int, stop: int) -> None:
    for n in range(start, stop):
        ent = create_enterprise(
            {"name": f"样本{n:03d}号材料科技有限公司", "labels": ["专精特新"]},
            None,
            confirm_duplicate=True,
        )
        if n % 4 == 0:
            create_target(ent, None, {}, w.city)
        else:
            create_target(ent, None, {"attraction_modes": ["企业招商"]}, w.staff_a)
        if n % 3 == 0:
            create_target(ent, None, {}, w.staff_b)
        add_contact(ent, {"name": f"联系人{n}"}, None)
    db.session.commit()


@pytest.mark.parametrize("role", ["staff_a", "city"])
def test_list_query_count_does_not_grow_with_rows(w, app, role):
    client = app.test_client()
    login(client, getattr(w, role))
    _populate(w, 0, 5)
    small = _statements_for(client, "/targets/")
    _populate(w, 5, 40)
    large = _statements_for(client, "/targets/")
    assert _count(Target) > 40
    assert small == large, (small, large)
    searched_small = _statements_for(client, "/targets/?q=yb&sort=name")
    searched_large = _statements_for(client, "/targets/?q=yb&sort=name&per_page=200")
    assert searched_small == searched_large


# --- bulk changes ----------------------------------------------------------------------------


def test_bulk_priority_changes_own_rows_and_skips_others(w, client, login_as):
    mine = _target("甲公司", w.staff_a)
    theirs = _target("乙公司", w.staff_b)
    login_as(w.staff_a)
    response = post(
        client,
        "/targets/bulk",
        {
            "ids": [str(mine.id), str(theirs.id), "junk", "999999"],
            "action": "priority",
            "priority": "A",
            "next": "/targets/?sort=name",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/targets/?sort=name"
    html = _html(client.get("/targets/?sort=name"))
    assert "已修改 1 条，跳过 1 条" in html and "乙公司：无权修改" in html
    db.session.expire_all()
    assert db.session.get(Target, mine.id).priority == "A"
    assert db.session.get(Target, theirs.id).priority == "B"


def test_bulk_assign_within_the_zone(w, client, login_as):
    one = _target("甲一公司", w.manager_a)
    two = _target("甲二公司", w.manager_a)
    login_as(w.manager_a)
    ids = [str(one.id), str(two.id)]
    post(client, "/targets/bulk", {"ids": ids, "action": "assign", "owner_id": str(w.staff_a2.id)})
    db.session.expire_all()
    assert {db.session.get(Target, i).owner_id for i in (one.id, two.id)} == {w.staff_a2.id}
    # someone from another zone is refused row by row, nothing changes
    post(client, "/targets/bulk", {"ids": ids, "action": "assign", "owner_id": str(w.staff_b.id)})
    assert "跳过 2 条" in _html(client.get("/targets/"))
    db.session.expire_all()
    assert db.session.get(Target, one.id).owner_id == w.staff_a2.id
    # "none" takes the owner away
    post(client, "/targets/bulk", {"ids": ids[:1], "action": "assign", "owner_id": "none"})
    db.session.expire_all()
    assert db.session.get(Target, one.id).owner_id is None


def test_bulk_move_zone_is_for_coordinators(w, client, login_as):
    target = _target("甲公司", w.staff_a)
    login_as(w.staff_a)
    post(client, "/targets/bulk", {"ids": [target.id], "action": "move_zone", "zone_id": w.b.id})
    assert "只有市级统筹可以移交开发区" in _html(client.get("/targets/"))
    db.session.expire_all()
    assert db.session.get(Target, target.id).zone_id == w.a.id

    city_client = client.application.test_client()
    login(city_client, w.city)
    post(
        city_client, "/targets/bulk", {"ids": [target.id], "action": "move_zone", "zone_id": "pool"}
    )
    db.session.expire_all()
    moved = db.session.get(Target, target.id)
    assert moved.zone_id is None and moved.owner_id is None
    assert _count(AuditLog, AuditLog.action == "bulk_move_zone") == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "priority", "priority": "A"}, "请先勾选目标企业"),
        ({"ids": ["1"], "action": "explode"}, "请选择批量操作"),
        ({"ids": ["1"], "action": "status"}, "请选择要设置的值"),
        ({"ids": ["1"], "action": "status", "status": "converted"}, "请选择有效的状态"),
        ({"ids": ["1"], "action": "assign", "owner_id": "abc"}, "只有开发区负责人"),
    ],
)
def test_bulk_refusals_are_reported_not_500(w, client, login_as, data, message):
    _target("甲公司", w.staff_a)
    login_as(w.staff_a)
    response = post(client, "/targets/bulk", data)
    assert response.status_code == 302
    assert message in _html(client.get("/targets/"))


def test_bulk_without_csrf_is_refused(w, client, login_as):
    target = _target("甲公司", w.staff_a)
    login_as(w.staff_a)
    response = client.post(
        "/targets/bulk", data={"ids": [target.id], "action": "priority", "priority": "A"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Target, target.id).priority == "B"


def test_viewer_sees_the_list_without_bulk_or_create(w, client, login_as):
    _target("甲公司", w.staff_a)
    login_as(w.viewer)
    html = _html(client.get("/targets/"))
    assert "甲公司" in html
    assert 'name="ids"' not in html and "/targets/new" not in html
    assert post(client, "/targets/bulk", {"ids": ["1"], "action": "priority"}).status_code == 403
    assert client.get("/targets/new").status_code == 403


# --- creating a target -----------------------------------------------------------------------


def _new_target_form(**overrides) -> dict:
    data = {
        "name": YGJQ,
        "uscc": "",
        "industry": "有色金属",
        "labels": ["上市公司"],
        "priority": "A",
        "status": "new",
        "attraction_modes": ["企业招商", "资本招商"],
        "next_follow_up": (local_today() + timedelta(days=7)).isoformat(),
        "chain_position": "铅锌冶炼",
        "note": "从商会获得线索",
    }
    data.update(overrides)
    return data


def test_staff_creates_an_enterprise_and_target_in_their_zone(w, client, login_as):
    login_as(w.staff_a)
    # a zone the staff member may not choose is ignored
    response = post(client, "/targets/new", _new_target_form(zone=str(w.b.id)))
    assert response.status_code == 302, _html(response)[:2000]
    target = db.session.scalars(select(Target)).one()
    assert response.headers["Location"] == f"/targets/{target.id}"
    assert target.zone_id == w.a.id and target.owner_id == w.staff_a.id
    assert target.priority == "A" and target.attraction_modes == ["企业招商", "资本招商"]
    assert target.enterprise.labels == ["上市公司"] and target.enterprise.industry == "有色金属"
    assert "已加入目标清单" in _html(client.get(response.headers["Location"]))


def test_similar_name_warns_with_links_and_can_be_confirmed(w, client, login_as):
    existing = create_enterprise({"name": YGJQ}, None)
    db.session.commit()
    login_as(w.staff_a)
    form = _new_target_form(name="豫光金铅集团有限公司")
    response = post(client, "/targets/new", form)
    html = _html(response)
    assert response.status_code == 400
    assert 'data-testid="duplicate-warning"' in html
    assert f'href="/enterprises/{existing.id}"' in html
    assert f"/targets/new?enterprise_id={existing.id}" in html
    assert "确认不是同一家企业，继续创建" in html
    assert 'value="豫光金铅集团有限公司"' in html and "从商会获得线索" in html  # kept as typed
    assert _count(Target) == 0 and _count(Enterprise) == 1

    response = post(client, "/targets/new", {**form, "confirm_duplicate": "y"})
    assert response.status_code == 302
    assert _count(Enterprise) == 2 and _count(Target) == 1


def test_same_credit_code_is_never_created(w, client, login_as):
    create_enterprise({"name": YGJQ, "uscc": CODE}, None)
    db.session.commit()
    login_as(w.staff_a)
    form = _new_target_form(name="完全不同的名字", uscc=CODE, confirm_duplicate="y")
    response = post(client, "/targets/new", form)
    html = _html(response)
    assert response.status_code == 400
    assert "统一社会信用代码相同" in html and "确认不是同一家企业" not in html
    assert _count(Enterprise) == 1 and _count(Target) == 0


def test_pick_an_existing_enterprise_by_search(w, client, login_as):
    existing = create_enterprise({"name": YGJQ, "uscc": CODE}, None)
    _target("", w.staff_b, enterprise=existing)
    login_as(w.staff_a)
    html = _html(client.get("/targets/new", query_string={"q": "ygjq"}))
    assert 'data-testid="enterprise-matches"' in html
    assert f"/targets/new?enterprise_id={existing.id}" in html and "已在：乙区（乙专员）" in html
    html = _html(client.get(f"/targets/new?enterprise_id={existing.id}"))
    assert 'data-testid="chosen-enterprise"' in html and 'name="uscc"' not in html
    response = post(
        client,
        "/targets/new",
        {"enterprise_id": str(existing.id), "priority": "B", "status": "new"},
    )
    assert response.status_code == 302
    assert _count(Enterprise) == 1
    conflict = db.session.scalars(select(Conflict)).one()  # zone B already pursues it
    assert {z.id for z in conflict.zones} == {w.a.id, w.b.id}
    # the same zone twice is refused at the form
    response = post(client, "/targets/new", {"enterprise_id": str(existing.id), "priority": "B"})
    assert response.status_code == 400 and "已在甲区的目标清单中" in _html(response)


def test_coordinator_adds_to_the_pool_or_a_zone(w, client, login_as):
    login_as(w.city)
    html = _html(client.get("/targets/new"))
    assert 'name="zone"' in html and "市级储备库" in html
    assert post(client, "/targets/new", _new_target_form(zone="pool")).status_code == 302
    other = _new_target_form(name="中原特钢有限公司", zone=str(w.b.id), owner_id=str(w.staff_b.id))
    assert post(client, "/targets/new", other).status_code == 302
    rows = {t.enterprise.name: t for t in db.session.scalars(select(Target))}
    assert rows[YGJQ].zone_id is None
    assert rows["中原特钢有限公司"].zone_id == w.b.id
    assert rows["中原特钢有限公司"].owner_id == w.staff_b.id


@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"name": ""}, "请填写企业名称"),
        ({"uscc": CODE[:-1] + "Z"}, "第18位"),
        ({"website": "javascript:alert(1)"}, "网址须以 http:// 或 https:// 开头"),
        ({"next_follow_up": "2026-13-45"}, "日期格式不正确"),
        ({"next_follow_up": "1999-01-01"}, "下次跟进日期不在合理范围内"),
        ({"priority": "Z"}, "请从列表中选择"),
        ({"attraction_modes": ["空投招商"]}, "包含无效的选项"),
        ({"labels": ["宇宙500强"]}, "包含无效的选项"),
        ({"enterprise_id": "999999"}, "所选企业不存在"),
        ({"enterprise_id": "99999999999999999999"}, "所选企业不存在"),
        ({"chain_position": "链" * 201}, "不能超过 200 个字符"),
    ],
)
def test_create_refusals_keep_what_was_typed(w, client, login_as, overrides, error):
    login_as(w.manager_a)
    data = _new_target_form(**overrides)
    response = post(client, "/targets/new", data)
    html = _html(response)
    assert response.status_code == 400
    assert error in html
    assert "从商会获得线索" in html
    assert _count(Target) == 0


def test_manager_may_not_assign_someone_from_another_zone(w, client, login_as):
    login_as(w.manager_a)
    response = post(client, "/targets/new", _new_target_form(owner_id=str(w.staff_b.id)))
    assert response.status_code == 400
    assert _count(Target) == 0


# --- the target page -------------------------------------------------------------------------


def _with_history(w) -> Target:
    target = _target(YGJQ, w.staff_a, chain_position="铅锌冶炼")
    add_contact(target.enterprise, {"name": "李总", "title": "董事长", "phone": "138"}, None)
    log_activity(
        target,
        {"kind": "phone", "occurred_on": local_today(), "summary": "电话约见董事长"},
        w.staff_a,
    )
    _target("", w.staff_b, enterprise=target.enterprise)
    db.session.commit()
    return target


def test_detail_shows_enterprise_contacts_timeline_and_other_zones(w, client, login_as):
    target = _with_history(w)
    login_as(w.staff_a)
    html = _html(client.get(f"/targets/{target.id}"))
    assert YGJQ in html and "铅锌冶炼" in html and "李总" in html and "董事长" in html
    assert "电话约见董事长" in html and 'data-testid="activity-form"' in html
    assert 'data-testid="other-zones"' in html and "乙区" in html and "乙专员" in html
    assert 'data-testid="conflict-banner"' in html
    assert f'action="/targets/{target.id}/delete"' in html


def test_another_zone_reads_the_target_but_not_its_timeline(w, client, login_as):
    target = _with_history(w)
    login_as(w.staff_b)
    html = _html(client.get(f"/targets/{target.id}"))
    assert YGJQ in html and "李总" in html
    assert "电话约见董事长" not in html and "跟进记录仅对所属开发区和市级可见" in html
    assert 'data-testid="activity-form"' not in html and "/edit" not in html


def test_city_level_sees_the_timeline_read_only_for_viewers(w, client, login_as):
    target = _with_history(w)
    login_as(w.viewer)
    html = _html(client.get(f"/targets/{target.id}"))
    assert "电话约见董事长" in html and 'data-testid="activity-form"' not in html


def test_logging_a_visit_moves_the_next_follow_up(w, client, login_as):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    today = local_today()
    response = post(
        client,
        f"/targets/{target.id}/activities",
        {
            "kind": "visit",
            "occurred_on": today.isoformat(),
            "participants": "甲专员、李总",
            "summary": "上门拜访，介绍园区政策",
            "next_step": "寄送用地资料",
            "next_follow_up": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/targets/{target.id}#timeline"
    db.session.expire_all()
    fresh = db.session.get(Target, target.id)
    assert fresh.next_follow_up == today + timedelta(days=10)
    assert fresh.last_activity_on == today and fresh.status == "contacted"
    html = _html(client.get(f"/targets/{target.id}"))
    assert "上门拜访，介绍园区政策" in html and "拜访" in html and "寄送用地资料" in html
    assert (today + timedelta(days=10)).isoformat() in html


@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"occurred_on": "昨天"}, "日期格式不正确"),
        ({"occurred_on": ""}, "请填写跟进日期"),
        ({"occurred_on": "2999-01-01"}, "跟进日期不能晚于今天"),
        ({"summary": "   "}, "请填写跟进情况"),
        ({"kind": "teleport"}, "请从列表中选择"),
        ({"next_follow_up": "2000-01-01"}, "下次跟进日期应在跟进日期之后"),
    ],
)
def test_bad_activity_keeps_what_was_typed(w, client, login_as, overrides, error):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    data = {
        "kind": "visit",
        "occurred_on": local_today().isoformat(),
        "participants": "保留的参与人",
        "summary": "保留的跟进情况",
    }
    data.update(overrides)
    response = post(client, f"/targets/{target.id}/activities", data)
    html = _html(response)
    assert response.status_code == 400
    assert error in html and "保留的参与人" in html
    assert _count(Activity) == 0


@pytest.mark.parametrize(
    "path,data",
    [
        ("activities", {"kind": "visit", "occurred_on": "2026-01-05", "summary": "越权"}),
        ("edit", {"priority": "C", "status": "dropped", "note": "越权"}),
        ("contacts", {"name": "越权联系人"}),
        ("delete", {}),
    ],
)
def test_another_zone_cannot_write_a_target(w, client, login_as, path, data):
    target = _target(YGJQ, w.staff_a, next_follow_up=local_today() + timedelta(days=3))
    before = (target.priority, target.status, target.note, target.next_follow_up)
    for intruder in (w.staff_b, make_user("manager", zone=w.b)):
        intruder_client = client.application.test_client()
        login(intruder_client, intruder)
        response = post(intruder_client, f"/targets/{target.id}/{path}", data)
        assert response.status_code == 404
    db.session.expire_all()
    fresh = db.session.get(Target, target.id)
    assert (fresh.priority, fresh.status, fresh.note, fresh.next_follow_up) == before
    assert fresh.deleted_at is None
    assert _count(Activity) == 0 and _count(Contact) == 0


def test_staff_cannot_write_a_colleagues_target(w, client, login_as):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a2)
    assert client.get(f"/targets/{target.id}/edit").status_code == 404
    assert post(client, f"/targets/{target.id}/delete").status_code == 404
    assert 'data-testid="activity-form"' not in _html(client.get(f"/targets/{target.id}"))


def test_edit_keeps_typed_values_on_error_and_saves(w, client, login_as):
    target = _target(YGJQ, w.manager_a)
    login_as(w.manager_a)
    form = _html(client.get(f"/targets/{target.id}/edit"))
    assert "甲专员二" in form and "乙专员" not in form  # owners come from the zone
    data = {
        "priority": "A",
        "status": "interested",
        "owner_id": str(w.staff_a2.id),
        "attraction_modes": ["股权招商"],
        "next_follow_up": "3000-01-01",
        "note": "保留的备注",
    }
    response = post(client, f"/targets/{target.id}/edit", data)
    assert response.status_code == 400
    assert "下次跟进日期不在合理范围内" in _html(response) and "保留的备注" in _html(response)
    data["next_follow_up"] = (local_today() + timedelta(days=3)).isoformat()
    response = post(client, f"/targets/{target.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Target, target.id)
    assert fresh.owner_id == w.staff_a2.id and fresh.status == "interested"
    assert fresh.attraction_modes == ["股权招商"] and fresh.priority == "A"
    assert _count(AuditLog, AuditLog.action == "update", AuditLog.entity == "target") == 1


def test_staff_cannot_hand_a_target_to_someone_else(w, client, login_as):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    response = post(
        client,
        f"/targets/{target.id}/edit",
        {"priority": "B", "status": "new", "owner_id": str(w.staff_a2.id)},
    )
    assert response.status_code == 400 and "请从列表中选择" in _html(response)
    db.session.expire_all()
    assert db.session.get(Target, target.id).owner_id == w.staff_a.id


def test_add_contact_on_the_target_page(w, client, login_as):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    response = post(client, f"/targets/{target.id}/contacts", {"name": "", "phone": "139"})
    assert response.status_code == 400 and "请填写联系人姓名" in _html(response)
    assert 'value="139"' in _html(response)
    response = post(
        client, f"/targets/{target.id}/contacts", {"name": "王经理", "email": "not-an-email"}
    )
    assert response.status_code == 400 and "电子邮箱格式不正确" in _html(response)
    response = post(client, f"/targets/{target.id}/contacts", {"name": "王经理", "phone": "139"})
    assert response.status_code == 302
    assert db.session.scalars(select(Contact)).one().name == "王经理"


def test_claim_from_the_city_pool(w, client, login_as):
    pooled = _target(YGJQ, w.city)
    login_as(w.staff_a)
    html = _html(client.get(f"/targets/{pooled.id}"))
    assert f'action="/targets/{pooled.id}/claim"' in html
    response = post(client, f"/targets/{pooled.id}/claim")
    assert response.status_code == 302
    db.session.expire_all()
    claimed = db.session.get(Target, pooled.id)
    assert claimed.zone_id == w.a.id and claimed.owner_id == w.staff_a.id
    other = client.application.test_client()
    login(other, w.staff_b)
    post(other, f"/targets/{pooled.id}/claim")
    assert "不在市级储备库中" in _html(other.get(f"/targets/{pooled.id}"))
    db.session.expire_all()
    assert db.session.get(Target, pooled.id).zone_id == w.a.id
    city = client.application.test_client()
    login(city, w.city)
    assert post(city, f"/targets/{pooled.id}/claim").status_code == 403


def test_delete_is_soft_and_an_admin_restores(w, client, login_as):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    assert post(client, f"/targets/{target.id}/delete").status_code == 302
    assert client.get(f"/targets/{target.id}").status_code == 404
    assert YGJQ not in _html(client.get("/targets/"))
    admin = client.application.test_client()
    login(admin, w.admin)
    assert YGJQ in _html(admin.get("/targets/deleted"))
    assert "该目标已于" in _html(admin.get(f"/targets/{target.id}"))
    assert post(admin, f"/targets/{target.id}/restore").status_code == 302
    assert client.get(f"/targets/{target.id}").status_code == 200
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "target")))
    assert {"delete", "restore"} <= actions


@pytest.mark.parametrize(
    "path", ["/targets/999999", "/targets/abc", "/targets/99999999999999999999", "/targets/-1"]
)
def test_missing_targets_answer_404(w, client, login_as, path):
    login_as(w.admin)
    assert client.get(path).status_code == 404
    assert post(client, path + "/restore").status_code in (404, 405)


# --- conflicts -------------------------------------------------------------------------------


def _conflict(w) -> Conflict:
    ent = create_enterprise({"name": YGJQ}, None)
    _target("", w.staff_a, enterprise=ent)
    _target("", w.staff_b, enterprise=ent)
    return db.session.scalars(select(Conflict)).one()


def test_conflicts_are_seen_by_the_zones_involved_and_the_city(w, app):
    conflict = _conflict(w)
    for user, sees in ((w.staff_a, True), (w.staff_b, True), (w.staff_c, False), (w.viewer, True)):
        client = app.test_client()
        login(client, user)
        html = _html(client.get("/targets/conflicts"))
        assert (f'data-conflict-id="{conflict.id}"' in html) is sees, user
        assert 'data-testid="settle-form"' not in html
    client = app.test_client()
    login(client, w.city)
    html = _html(client.get("/targets/conflicts"))
    assert 'data-testid="settle-form"' in html and "甲专员" in html and "乙专员" in html


def _settle(client, conflict, **values):
    prefix = f"c{conflict.id}-"
    token = csrf_token(client, "/about")
    data = {prefix + k: v for k, v in values.items()}
    data[prefix + "csrf_token"] = token
    return post(client, f"/targets/conflicts/{conflict.id}/settle", data)


def test_only_coordinators_settle(w, client, login_as):
    conflict = _conflict(w)
    login_as(w.staff_a)
    response = _settle(client, conflict, resolution="keep_one", kept_zone_id=str(w.a.id))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == "open"


def test_coordinator_keeps_one_zone(w, client, login_as):
    conflict = _conflict(w)
    login_as(w.city)
    response = _settle(
        client, conflict, resolution="keep_one", kept_zone_id=str(w.a.id), note="甲区先接触"
    )
    assert response.status_code == 302
    db.session.expire_all()
    settled = db.session.get(Conflict, conflict.id)
    assert settled.status == "settled" and settled.kept_zone_id == w.a.id
    dropped = db.session.scalars(select(Target).where(Target.zone_id == w.b.id)).one()
    assert dropped.status == "dropped"
    assert _count(AuditLog, AuditLog.action == "settle", AuditLog.entity == "conflict") == 1
    html = _html(client.get("/targets/conflicts?state=settled"))
    assert 'data-testid="settlement"' in html and "甲区先接触" in html and "王统筹" in html
    # settling again is refused without a 500
    again = _settle(client, conflict, resolution="keep_both", note="再来一次")
    assert again.status_code == 302


@pytest.mark.parametrize(
    "values,error",
    [
        ({"resolution": "keep_both", "note": ""}, "共同跟进时请填写分工说明"),
        ({"resolution": "keep_one", "kept_zone_id": ""}, "请选择保留跟进的开发区"),
        ({"resolution": "toss_a_coin"}, "请选择处理方式"),
        ({"note": "只写了说明"}, "请选择处理方式"),
    ],
)
def test_bad_settlement_keeps_the_form(w, client, login_as, values, error):
    conflict = _conflict(w)
    login_as(w.city)
    response = _settle(client, conflict, **values)
    assert response.status_code == 400
    assert error in _html(response)
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == "open"


# --- escaping --------------------------------------------------------------------------------


def test_hostile_names_are_shown_escaped(w, client, login_as):
    ent = create_enterprise({"name": "<script>alert(1)</script>"}, None)
    add_contact(ent, {"name": '" onmouseover=x', "title": "<b>经理</b>"}, None)
    target = _target("", w.staff_a, enterprise=ent)
    _target("", w.staff_b, enterprise=ent)
    login_as(w.staff_a)
    for path in (
        "/targets/",
        f"/targets/{target.id}",
        "/targets/conflicts",
        f"/enterprises/{ent.id}",
        "/targets/new?q=script",
    ):
        html = _html(client.get(path))
        assert "<script>alert(1)</script>" not in html, path
        assert '" onmouseover=x' not in html and "<b>经理</b>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


# --- more pages with a constant query count, links and methods -------------------------------


def test_detail_and_conflicts_query_counts_do_not_grow(w, app):
    target = _target(YGJQ, w.staff_a)
    _target("", w.staff_b, enterprise=target.enterprise)
    client = app.test_client()
    login(client, w.city)

    def grow(n: int) -> None:
        for i in range(n):
            log_activity(
                target,
                {"kind": "phone", "occurred_on": local_today(), "summary": f"第{i}次电话"},
                w.staff_a,
            )
            add_contact(target.enterprise, {"name": f"联系人{i}"}, None)
            ent = create_enterprise({"name": f"冲突样本{i}号公司"}, None, confirm_duplicate=True)
            create_target(ent, None, {}, w.staff_a)
            create_target(ent, None, {}, w.staff_b)
        db.session.commit()

    grow(2)
    small = (
        _statements_for(client, f"/targets/{target.id}"),
        _statements_for(client, "/targets/conflicts"),
    )
    grow(12)
    large = (
        _statements_for(client, f"/targets/{target.id}"),
        _statements_for(client, "/targets/conflicts"),
    )
    assert small == large


def test_export_links_carry_the_current_filter(w, app, client, login_as):
    login_as(w.staff_a)
    html = _html(client.get("/targets/", query_string={"q": "ygjq", "zone": "pool"}))
    if "imports.export_targets" not in app.view_functions:
        assert 'data-testid="export-links"' not in html
        return
    links = re.findall(r'href="([^"]*format=(?:xlsx|csv)[^"]*)"', html)
    assert len(links) == 2
    for link in links:
        assert "q=ygjq" in link and "zone=pool" in link


@pytest.mark.parametrize("path", ["delete", "claim", "restore", "activities", "contacts"])
def test_state_changes_are_never_gets(w, client, login_as, path):
    target = _target(YGJQ, w.staff_a)
    login_as(w.staff_a)
    assert client.get(f"/targets/{target.id}/{path}").status_code == 405
    db.session.expire_all()
    assert db.session.get(Target, target.id).deleted_at is None

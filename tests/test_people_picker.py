"""Choosing people and chain segments, not typing numbers: the people search behind the people
pickers (names in characters, full pinyin or initials in every common reading, sign-in names,
through the User scope), the digest preview's recipient picker with its fallback without
JavaScript, and the segment pickers of the chain node form."""

from __future__ import annotations

from sqlalchemy import event

from crm.extensions import db
from tests.factories import make_user, make_zone
from tests.test_chains_views import _node, chain  # noqa: F401


def _search(client, q: str) -> list[dict]:
    response = client.get("/people/search.json", query_string={"q": q})
    assert response.status_code == 200 and response.is_json
    return response.get_json()["results"]


def _people():
    zone, other = make_zone(short_name="高新区"), make_zone(short_name="示范区")
    zhang = make_user("staff", zone=zone, display_name="张晓峤", login="zhangxq")
    li = make_user("manager", zone=other, display_name="李重阳", login="lichy")
    return zone, other, zhang, li


def test_the_people_search_finds_names_pinyin_readings_and_sign_in_names(app, client, login_as):
    _zone, _other, zhang, li = _people()
    login_as(make_user("admin"))
    assert [r["id"] for r in _search(client, "晓峤")] == [zhang.id]
    assert [r["id"] for r in _search(client, "zhangxiao")] == [zhang.id]  # full pinyin
    assert [r["id"] for r in _search(client, "zxq")] == [zhang.id]  # 峤 read qiao
    assert [r["id"] for r in _search(client, "zxj")] == [zhang.id]  # … and jiao
    assert [r["id"] for r in _search(client, "lcy")] == [li.id]  # 重 read chong
    assert [r["id"] for r in _search(client, "lichy")] == [li.id]  # the sign-in name
    assert _search(client, "张晓峤")[0] == {
        "id": zhang.id,
        "text": "张晓峤",
        "sub": "高新区 · zhangxq",
    }


def test_the_people_search_keeps_to_the_users_zone(app, client, login_as):
    zone, _other, zhang, _li = _people()
    login_as(make_user("staff", zone=zone))
    assert [r["id"] for r in _search(client, "zxq")] == [zhang.id]
    assert _search(client, "lcy") == []  # another zone's manager is not found


def test_the_people_search_reads_the_people_once_and_answers_bad_input(app, client, login_as):
    _people()
    login_as(make_user("admin"))
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    _search(client, "zxq")  # warm-up (the session's user)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        _search(client, "zxq")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([s for s in statements if 'FROM "user"' in s or "FROM user" in s]) <= 2
    for q in ("", "   ", "\x00", "%", "_", "a" * 5000, "'; DROP TABLE user; --", "²"):
        assert isinstance(_search(client, q), list), q


def test_the_people_search_needs_a_signed_in_user(app, client):
    _people()
    response = client.get("/people/search.json?q=zxq")
    assert response.status_code in (302, 401)
    assert "张晓峤" not in response.get_data(as_text=True)


def test_the_digest_preview_picks_its_recipient_not_a_number(app, client, login_as):
    _zone, _other, zhang, _li = _people()
    login_as(make_user("admin"))
    html = client.get("/reminders/preview/daily").get_data(as_text=True)
    assert "用户编号" not in html
    assert 'data-testid="preview-user-picker"' in html and "/people/search.json" in html
    assert 'name="login"' in html  # the fallback without JavaScript: a sign-in name
    picked = client.get(f"/reminders/preview/daily?user={zhang.id}").get_data(as_text=True)
    assert "张晓峤" in picked
    typed = client.get("/reminders/preview/daily?login=zhangxq").get_data(as_text=True)
    assert "张晓峤" in typed
    for login in ("nobody", "x" * 500, "zhangxq'--"):
        assert client.get(
            "/reminders/preview/daily", query_string={"login": login}
        ).status_code in (
            400,
            404,
        )


def test_a_staff_member_cannot_preview_someone_else_by_sign_in_name(app, client, login_as):
    zone, _other, _zhang, _li = _people()
    me = make_user("staff", zone=zone, display_name="王小明")
    login_as(me)
    html = client.get("/reminders/preview/daily?login=zhangxq").get_data(as_text=True)
    assert "王小明" in html and "张晓峤" not in html
    assert 'data-testid="preview-user-picker"' not in html


def test_the_node_form_picks_the_parent_and_the_rehome_segment(chain, client, login_as):  # noqa: F811
    login_as(make_user("coordinator"))
    node = _node(chain, "银粉银浆")
    html = client.get(f"/chains/nodes/{node.id}/edit").get_data(as_text=True)
    parent = (
        html.split('name="parent_id"')[0].rsplit("<select", 1)[1]
        + html.split('name="parent_id"')[1].split(">", 1)[0]
    )
    assert "data-picker" in parent
    rehome = html.split('id="rehome_to"')[1].split(">", 1)[0]
    assert 'data-picker=""' in rehome


def test_the_target_list_picks_the_new_owner(app, client, login_as):
    from tests.test_targets_views import _target

    zone = make_zone()
    manager = make_user("manager", zone=zone)
    _target("济源市豫光锌业有限公司", manager, zone.id)
    login_as(manager)
    html = client.get("/targets/").get_data(as_text=True)
    assert 'data-testid="bulk-owner-picker"' in html

"""Choosing things, not typing numbers: the enterprise search behind the pickers (names,
pinyin, credit codes, through the access scope), the gap and link forms fed by the pickers,
and their fallbacks without JavaScript (names typed by hand)."""

# ruff: noqa: F811 — the ``chain`` fixture is shared with the chain page tests

from __future__ import annotations

from sqlalchemy import select

from crm.chains.models import NodeEnterprise, NodeTarget
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.targets.models import Target
from tests.conftest import post
from tests.factories import make_user
from tests.test_chains_views import _jkq, _node, chain  # noqa: F401

USCC = "91410000MA44WT6X2K"


def _enterprises():
    a = create_enterprise({"name": "豫光金铅股份有限公司", "industry": "有色金属"}, None)
    b = create_enterprise({"name": "济源市万洋冶炼集团有限公司"}, None)
    db.session.commit()
    return a, b


def _search(client, q: str):
    response = client.get("/enterprises/search.json", query_string={"q": q})
    assert response.status_code == 200 and response.is_json
    return response.get_json()["results"]


def test_the_enterprise_search_finds_names_pinyin_and_initials(app, client, login_as):
    a, b = _enterprises()
    login_as(make_user("staff", zone=None))
    assert [r["id"] for r in _search(client, "豫光")] == [a.id]
    assert [r["id"] for r in _search(client, "ygjq")] == [a.id]  # pinyin initials
    assert [r["id"] for r in _search(client, "yuguang")] == [a.id]  # full pinyin
    hit = _search(client, "万洋")[0]
    assert hit == {"id": b.id, "text": "济源市万洋冶炼集团有限公司", "sub": ""}
    assert _search(client, "豫光")[0]["sub"] == "有色金属"


def test_the_search_answers_bad_input_with_an_empty_list_not_500(app, client, login_as):
    _enterprises()
    login_as(make_user("viewer"))
    for q in ("", "   ", "\x00", "%", "_", "a" * 5000, "'; DROP TABLE enterprise; --"):
        assert isinstance(_search(client, q), list), q


def test_the_search_needs_a_signed_in_user(app, client):
    response = client.get("/enterprises/search.json?q=豫光")
    assert response.status_code in (302, 401)
    assert "豫光" not in response.get_data(as_text=True)


def test_the_gap_form_takes_the_picked_enterprises(chain, client, login_as):
    a, b = _enterprises()
    login_as(make_user("coordinator"))
    node = _node(chain, "高纯金属与靶材")
    html = client.get(f"/chains/{chain.id}?node={node.id}").get_data(as_text=True)
    assert "已有企业编号" not in html and 'data-testid="gap-enterprise-picker"' in html
    response = post(
        client,
        f"/chains/nodes/{node.id}/targets",
        {"enterprise_ids": [str(a.id), str(b.id)], "zone_id": ""},
    )
    assert response.status_code == 302
    targets = db.session.scalars(select(Target)).all()
    assert {t.enterprise_id for t in targets} == {a.id, b.id}
    assert all(db.session.get(NodeTarget, (node.id, t.id)) for t in targets)


def test_the_gap_form_refuses_a_value_that_is_no_id(chain, client, login_as):
    _enterprises()
    login_as(make_user("coordinator"))
    node = _node(chain, "银粉银浆")
    for value in ("abc", "²", "99999999999999999999", "1;DROP"):
        response = post(
            client,
            f"/chains/nodes/{node.id}/targets",
            {"enterprise_ids": value, "zone_id": ""},
            follow_redirects=True,
        )
        assert response.status_code == 200, value
        assert "请从列表中选择企业" in response.get_data(as_text=True), value
    assert db.session.scalars(select(Target)).all() == []


def test_the_link_form_takes_a_picked_enterprise_or_its_exact_name(chain, client, login_as):
    a, b = _enterprises()
    login_as(make_user("coordinator"))
    node = _node(chain, "银粉银浆")
    html = client.get(f"/chains/{chain.id}?node={node.id}").get_data(as_text=True)
    assert "关联企业编号" not in html and 'data-testid="link-enterprise-picker"' in html
    assert 'name="enterprise_name"' in html  # the fallback without JavaScript
    url = f"/chains/nodes/{node.id}/enterprises"
    assert post(client, url, {"enterprise_id": str(a.id), "role": "leader"}).status_code == 302
    assert db.session.get(NodeEnterprise, (node.id, a.id)).role == "leader"
    response = post(client, url, {"enterprise_name": b.name, "role": "local"})
    assert response.status_code == 302
    assert db.session.get(NodeEnterprise, (node.id, b.id)).role == "local"
    for data in ({"enterprise_name": "不存在的企业有限公司"}, {"enterprise_id": "abc"}, {}):
        response = post(client, url, {**data, "role": "local"}, follow_redirects=True)
        assert "请选择企业" in response.get_data(as_text=True), data


def test_chain_links_and_owners_are_pickers_without_the_ctrl_hint(chain, client, login_as):
    _enterprises()
    staff = make_user("manager", zone=_jkq())
    login_as(staff)
    html = client.get("/projects/new").get_data(as_text=True)
    assert 'name="owner_id"' in html and 'data-picker=""' in html
    assert "tom-select.complete.min.js" in html and "js/pickers.js" in html
    target_html = client.get("/targets/new").get_data(as_text=True)
    assert "按住 Ctrl" not in target_html.split("<noscript>")[0]

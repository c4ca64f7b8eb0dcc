"""Chain definitions downloaded and uploaded from the chain-map pages (all or nothing)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from crm.chains.models import Chain, ChainNode
from crm.chains.seed import seed_chains
from crm.extensions import db
from crm.zones.seed import seed_zones
from tests.conftest import post
from tests.factories import make_user


@pytest.fixture
def seeded(app):
    seed_zones()
    seed_chains()
    db.session.commit()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, name: str, content: bytes):
    data = {"file": (io.BytesIO(content), name)}
    return post(client, "/chains/definitions", data, token_page="/chains/")


def test_export_then_import_into_an_empty_system(app, client, login_as, seeded):
    login_as(make_user("coordinator"))
    exported = client.get("/chains/definitions.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    chains = json.loads(exported.data)
    assert len(chains) == 8 and chains[0]["name"] == "有色金属材料"
    workbook = client.get("/chains/definitions.xlsx")
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    nodes = _count(ChainNode)
    for chain in db.session.scalars(select(Chain)):
        db.session.delete(chain)
    db.session.commit()
    response = _upload(client, "产业链.xlsx", workbook.data)
    assert response.status_code == 302
    assert (_count(Chain), _count(ChainNode)) == (8, nodes)
    assert "已导入产业链 8 条" in client.get("/chains/").get_data(as_text=True)
    # the same definitions again: every chain exists, nothing added
    _upload(client, "产业链.json", exported.data)
    assert (_count(Chain), _count(ChainNode)) == (8, nodes)
    assert "跳过已有的 8 条" in client.get("/chains/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", b'{"name": "x"}', "文件内容应为产业链列表"),
        ("a.json", b"not json", "无法读取 JSON"),
        ("a.json", json.dumps([{"name": "新链", "zones": ["nope"]}]).encode(), "未知的开发区代码"),
        ("a.xlsx", b"PK\x03\x04 not really a workbook", "没有导入任何产业链"),
        ("a.csv", b"a,b", "只支持 .json 和 .xlsx 文件"),
    ],
)
def test_bad_files_change_nothing_and_say_why(
    app, client, login_as, seeded, name, content, message
):
    login_as(make_user("coordinator"))
    before = (_count(Chain), _count(ChainNode))
    response = _upload(client, name, content)
    assert response.status_code == 302
    page = client.get("/chains/").get_data(as_text=True)
    assert message in page or "无法读取该文件" in page
    assert (_count(Chain), _count(ChainNode)) == before


def test_a_broken_node_tree_is_refused_whole(app, client, login_as, seeded):
    login_as(make_user("coordinator"))
    spec = [
        {"name": "新链甲", "nodes": [["上游", "甲一", "", "", []]]},
        {"name": "新链乙", "nodes": [["上游", "乙一", "", "", []], ["左游", "乙二", "", "", []]]},
    ]
    _upload(client, "a.json", json.dumps(spec, ensure_ascii=False).encode())
    assert _count(Chain) == 8  # the good first chain was not kept either


def test_only_coordinators_import_and_everyone_exports(app, client, login_as, seeded):
    login_as(make_user("staff"))
    assert client.get("/chains/definitions.json").status_code == 200
    page = client.get("/chains/").get_data(as_text=True)
    assert "导出 Excel" in page and 'data-testid="import-definitions"' not in page
    response = _upload(client, "a.json", b"[]")
    assert response.status_code == 403

"""Pinyin initials find every common reading of a character (峤: jiao and qiao)."""

from __future__ import annotations

import pytest

from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.targets.services import create_target
from tests.test_imports_helpers import people  # noqa: F401 — fixture


@pytest.mark.parametrize("query", ["lyqt", "lyjt", "longyueqiao", "龙岳峤"])
def test_the_target_list_finds_each_reading(app, client, login_as, people, query):  # noqa: F811
    found = create_enterprise({"name": "龙岳峤泰"}, None)
    other = create_enterprise({"name": "豫光金铅"}, None)
    for enterprise in (found, other):
        create_target(enterprise, people["a"].id, {}, people["coordinator"])
    db.session.commit()
    login_as(people["staff_a"])
    page = client.get("/targets/", query_string={"q": query}).get_data(as_text=True)
    assert "龙岳峤泰" in page and "豫光金铅" not in page

"""Error pages in the user's language; nothing ends in a bare 500."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.factories import make_user


def test_404_page_is_chinese(app, client, login_as):
    login_as(make_user("staff"))
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_404_page_in_english(app, client, login_as):
    login_as(make_user("staff", locale="en"))
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)


def test_405_page(app, client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "不支持该请求方法" in response.get_data(as_text=True)


def test_413_before_parsing(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "login": "x" * 5000})
    assert response.status_code == 413
    assert "过大" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500(app, client, login_as):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("kaboom")

    boom.access_rule = None
    login_as(make_user("staff"))
    response = client.get("/_boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "服务器出错了" in html and "kaboom" not in html


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "name;DROP"])
def test_odd_query_strings_do_not_break_pages(app, client, login_as, query):
    login_as(make_user("admin"))
    response = client.get("/admin/audit", query_string={"entity": query, "page": query})
    assert response.status_code == 200

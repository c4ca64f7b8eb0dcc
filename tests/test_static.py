"""Static files: only the built assets are served, never npm's install tree."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user

ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"?]+)')


@pytest.mark.parametrize(
    "path",
    [
        "/static/node_modules/bootstrap/package.json",
        "/static/node_modules/echarts/dist/echarts.min.js",
        "/static/node_modules/.package-lock.json",
        "/static/package.json",
        "/static/package-lock.json",
        "/static/css/../node_modules/bootstrap/package.json",
        "/static/vendor/../package.json",
        "/static/vendor/../../app.py",
        "/static/",
        "/static/vendor",
    ],
)
def test_anything_but_the_built_assets_answers_404(client, path):
    assert client.get(path).status_code == 404


def _assets(html: str) -> list[str]:
    found = ASSET_RE.findall(html)
    assert found, html[:500]
    return found


def test_pages_still_load_their_assets(client, login_as):
    assets = set(_assets(client.get("/login").get_data(as_text=True)))
    login_as(make_user("coordinator"))
    for page in ("/", "/chains/", "/projects/board"):
        response = client.get(page)
        assert response.status_code == 200, page
        assets |= set(_assets(response.get_data(as_text=True)))
    assert any(a.startswith("/static/vendor/") for a in assets)
    assert any(a.startswith("/static/css/") for a in assets)
    for asset in sorted(assets):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.data, asset

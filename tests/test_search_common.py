"""Common search terms (有限, 集团 …): tested row by row, counted up to a cap — same rows.

On PostgreSQL a term that more than ``COMMON_MATCHES`` enterprises match is not fetched
through the index but tested per row in the list's order, and the target list counts it only
up to its cap. The thresholds are lowered here so a few rows make a term common.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from crm.enterprises import search
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.targets import views as target_views
from crm.targets.queries import TargetFilters, count_cap, target_count_stmt, target_list_stmt
from crm.targets.services import create_target
from tests.conftest import login
from tests.factories import make_user, make_zone

NAMES = [
    "河南豫光金铅股份有限公司",
    "济源市铜箔科技有限公司",
    "中原特钢股份有限公司",
    "豫光锌业集团",
    "济源钢铁集团有限公司",
    "万洋冶炼集团股份有限公司",
    "金利金铅集团有限公司",
    "济源市丰源电子科技有限公司",
]
TERMS = ["有限", "股份", "集团", "科技有限", "铅", "豫光", "yg", "jygt", "济源市", "不存在"]


@pytest.fixture
def listed(app):
    zone = make_zone()
    staff = make_user("staff", zone=zone)
    other = make_user("staff", zone=make_zone())
    for i, name in enumerate(NAMES):
        enterprise = create_enterprise({"name": name}, None)
        create_target(enterprise, zone if i % 3 else None, {}, staff if i % 2 else other)
    db.session.commit()
    return staff


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _rows(user, term: str, sort: str) -> list[int]:
    stmt = target_list_stmt(user, TargetFilters(q=term, sort=sort))
    return [t.id for t in db.session.scalars(stmt)]


def _fresh_request(app):
    """A new application context: is_common remembers its answers per request."""
    return app.test_request_context("/")


@pytest.mark.parametrize("sort", ["updated", "name", "priority"])
def test_a_common_term_lists_the_same_rows_in_the_same_order(app, listed, monkeypatch, sort):
    expected = {}
    with _fresh_request(app):
        for term in TERMS:
            expected[term] = _rows(listed, term, sort)
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)  # every matched term is common
    with _fresh_request(app):
        if _is_postgresql():
            db.session.execute(text("ANALYZE enterprise"))  # the grams' estimates
        for term in TERMS:
            assert _rows(listed, term, sort) == expected[term], term
            found = bool(expected[term])
            assert search.is_common(term) == (_is_postgresql() and found), term


def test_random_pieces_of_names_match_the_same_way(app, listed, monkeypatch):
    rng = random.Random(7)
    pieces = []
    for _ in range(40):
        name = rng.choice(NAMES)
        start = rng.randrange(len(name) - 1)
        pieces.append(name[start : start + rng.choice((1, 2, 3))])
    with _fresh_request(app):
        expected = [_rows(listed, piece, "updated") for piece in pieces]
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    with _fresh_request(app):
        assert [_rows(listed, piece, "updated") for piece in pieces] == expected


def test_a_common_term_is_counted_up_to_the_cap(app, listed, monkeypatch):
    if not _is_postgresql():
        pytest.skip("SQLite reads every row anyway: its counts are exact")
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    with _fresh_request(app):
        filters = TargetFilters(q="有限公司")
        everything = len(_rows(listed, "有限公司", "updated"))
        assert everything == 7
        assert count_cap(filters, 3) == 3
        assert db.session.scalar(target_count_stmt(listed, filters, cap=3)) == 4  # cap + 1
        assert db.session.scalar(target_count_stmt(listed, filters, cap=10)) == everything
        assert count_cap(TargetFilters(), 3) is None  # no search: an exact count
        assert db.session.scalar(target_count_stmt(listed, filters)) == everything  # API: exact


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_list_says_the_count_stopped(app, listed, monkeypatch, language):
    if not _is_postgresql():
        pytest.skip("SQLite reads every row anyway: its counts are exact")
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    monkeypatch.setattr(target_views, "COUNT_CAP", 3)
    listed.locale = language  # the reader's language is the user's setting
    db.session.commit()
    client = app.test_client()
    login(client, listed)
    html = client.get("/targets/?q=有限公司&per_page=2").get_data(as_text=True)
    assert 'data-testid="search-capped"' in html
    if language == "en":
        assert "(more than 3)" in html and "counted up to 3" in html
    else:
        assert "（超过 3 条）" in html and "只数到 3 条" in html
    assert "1 / 2" in html  # the pages end at the cap
    rare = client.get("/targets/?q=铜箔&per_page=2").get_data(as_text=True)
    assert 'data-testid="search-capped"' not in rare


def test_a_short_term_the_planner_would_scan_for_is_common(app, listed):
    if not _is_postgresql():
        pytest.skip("the planner's estimate decides on PostgreSQL only")
    db.session.execute(text("ANALYZE enterprise"))
    with _fresh_request(app):  # eight rows: the planner reads them all, not the grams index
        assert search.is_common("有限")
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    with _fresh_request(app):  # through the index: a handful of rows, far below the threshold
        assert not search.is_common("有限")
        assert search.is_common("有限") is False  # remembered for the request


@pytest.mark.parametrize("query", ["", "zone-a-pool"])
def test_a_long_list_without_a_common_term_is_counted_exactly(app, listed, monkeypatch, query):
    monkeypatch.setattr(target_views, "COUNT_CAP", 3)  # fewer than the eight targets
    client = app.test_client()
    login(client, listed)
    html = client.get(f"/targets/?q={query}&per_page=2").get_data(as_text=True)
    assert 'data-testid="search-capped"' not in html and "超过" not in html
    if not query:
        assert "1 / 4" in html and "（共 8 条）" in html

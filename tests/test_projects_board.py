"""The pipeline board bounded: a few cards per column, the column's count and a link to the
rest, side states folded, filters that narrow counts and cards, a constant number of
statements however many projects a zone has."""

# ruff: noqa: F811 — the ``world`` fixture is shared with the project page tests

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from crm.extensions import db
from crm.projects.board import BOARD_CARDS
from tests.test_projects_views import counted, make_project, signed_in, world  # noqa: F401


def _project(world, stage: str, **values):
    """A project in any stage (the form opens them in early stages only)."""
    project = make_project(world, stage="lead", **values)
    project.stage = stage
    db.session.commit()
    return project


def _column(html: str, stage: str) -> str:
    match = re.search(
        rf'data-stage="{stage}" data-testid="board-column".*?</(section|details)>', html, re.S
    )
    assert match, stage
    return match.group(0)


def _count(column: str) -> int:
    return int(re.search(r'data-testid="column-count">(\d+)<', column).group(1))


def test_a_column_shows_a_bounded_number_of_cards_with_its_count_and_a_link(app, world):
    ids = [
        make_project(world, stage="negotiation", planned_total_wan=10000 + i).id
        for i in range(BOARD_CARDS + 3)
    ]
    client = signed_in(app, world["manager_a"])
    html = client.get("/projects/board").get_data(as_text=True)
    column = _column(html, "negotiation")
    assert column.count('data-testid="board-card"') == BOARD_CARDS
    assert _count(column) == BOARD_CARDS + 3
    more = re.search(r'data-testid="column-more" href="([^"]+)">([^<]+)<', column)
    assert more and f"{BOARD_CARDS + 3}" in more.group(2)
    query = parse_qs(urlsplit(unescape(more.group(1))).query)
    assert query["stage"] == ["negotiation"] and query["zone"] == [str(world["a"].id)]
    assert query["sort"] == ["amount"]
    # the largest amounts are shown: the three smallest are left for the list
    shown = {int(i) for i in re.findall(r'data-project-id="(\d+)"', column)}
    assert shown == set(ids[3:])
    assert client.get(unescape(more.group(1))).status_code == 200


def test_side_states_are_folded_to_their_count_and_a_link(app, world):
    _project(world, "paused")
    _project(world, "paused")
    html = signed_in(app, world["manager_a"]).get("/projects/board").get_data(as_text=True)
    column = _column(html, "paused")
    assert column.startswith('data-stage="paused"') and "board-side" in html
    assert _count(column) == 2
    assert 'data-testid="board-card"' not in column
    assert 'data-testid="column-more"' in column and "stage=paused" in column


def test_filters_narrow_counts_cards_and_the_more_link(app, world):
    mine = make_project(
        world, stage="lead", name="铜箔扩能", owner_id=world["staff_a"].id, planned_total_wan=5
    )
    make_project(world, stage="lead", name="氢能装备", planned_total_wan=400000)
    make_project(world, stage="contact", name="铜箔二期", planned_total_wan=100)
    client = signed_in(app, world["manager_a"])
    folded = client.get("/projects/board").get_data(as_text=True)
    assert '<details class="board-filters mb-2 d-print-none">' in folded  # no filter: folded
    html = client.get("/projects/board?q=铜箔").get_data(as_text=True)
    assert _count(_column(html, "lead")) == 1 and _count(_column(html, "contact")) == 1
    assert "氢能装备" not in html and "铜箔扩能" in html
    assert 'name="q" value="铜箔"' in html and 'board-filters mb-2 d-print-none" open' in html
    html = client.get(f"/projects/board?owner={world['staff_a'].id}").get_data(as_text=True)
    assert _count(_column(html, "lead")) == 1 and f'data-project-id="{mine.id}"' in html
    html = client.get("/projects/board?min_amount=300000").get_data(as_text=True)
    assert _count(_column(html, "lead")) == 1 and "氢能装备" in html
    assert _count(_column(html, "contact")) == 0


def test_bad_filter_values_are_ignored_not_500(app, world):
    make_project(world, stage="lead")
    client = signed_in(app, world["manager_a"])
    for query in (
        "owner=²",
        "owner=99999999999999999999",
        "min_amount=abc",
        "signal=nope",
        "q=%00",
        "q=" + "长" * 500,
        "chain=-1&node=abc",
        "sort=name;DROP",
    ):
        assert client.get(f"/projects/board?{query}").status_code == 200, query


def test_statements_stay_constant_from_a_few_to_many_cards(app, world):
    client = signed_in(app, world["manager_a"])
    for i in range(3):
        make_project(world, stage="lead", planned_total_wan=1000 + i)
    client.get("/projects/board")
    with counted() as few:
        client.get("/projects/board?q=测试")
    for i in range(3 * BOARD_CARDS):
        _project(world, ("lead", "signed", "paused")[i % 3], planned_total_wan=5 + i)
    with counted() as many:
        html = client.get("/projects/board?q=测试").get_data(as_text=True)
    assert len(few) == len(many)
    assert html.count('data-testid="board-card"') == 2 * BOARD_CARDS  # lead and signed, capped


def test_a_nul_byte_in_the_list_or_board_search_is_not_a_500(app, world):
    make_project(world, stage="lead", name="铜箔")
    client = signed_in(app, world["manager_a"])
    for path in ("/projects/board?q=%00", "/projects/?q=%E9%93%9C%00", "/projects/export?q=%00"):
        assert client.get(path).status_code == 200, path

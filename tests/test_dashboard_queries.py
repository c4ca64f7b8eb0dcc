"""Constant query counts (QUALITY: Performance): every dashboard, report, quota page, the export
and the API issue the same number of SQL statements at two data sizes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from crm.auth.services import create_api_token
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.quotas.indicators import goal_rows, record_actual, seed_indicators
from crm.targets.services import create_target
from tests.test_dashboard_data import (
    TODAY,
    YEAR,
    client_of,
    make_plan,
    move,
    new_project,
    signed,
)


@pytest.fixture
def plan(app):
    return make_plan()


_batch = iter(range(1, 1000))


def populate(people: dict, size: int) -> None:
    """``size`` of each kind of row per manufacturing zone: signed, started, withdrawn and
    candidate projects, small ones, overdue targets, and cross-zone conflicts."""
    batch = next(_batch)
    for zone in ("gxq", "jkq"):
        staff = people[f"{zone}_staff"]
        for n in range(size):
            tag = f"{zone}{batch}-{n}"
            signed(staff, f"签约{tag}", 100000 + n)
            started = signed(staff, f"开工{tag}", 300000 + n, code_name=f"代号{tag}")
            move(started, staff, "construction")
            gone = signed(staff, f"退出{tag}", 120000 + n)
            move(gone, staff, "terminated", note="撤资")
            new_project(
                staff,
                f"候选{tag}",
                150000,
                stage="inspection",
                expected_landing_on=date(YEAR, 12, 31),
                next_follow_up=TODAY - timedelta(days=3),
            )
            new_project(staff, f"小项目{tag}", 3000)
            enterprise = create_enterprise({"name": f"目标{tag}有限公司"}, None)
            create_target(enterprise, None, {"next_follow_up": TODAY - timedelta(days=2)}, staff)
    for n in range(size):
        shared = create_enterprise({"name": f"共同目标{batch}-{n}集团"}, None)
        create_target(shared, None, {}, people["gxq_staff"])
        create_target(shared, None, {}, people["jkq_staff"])
    db.session.commit()


def count_statements(app, client, path: str, headers: dict | None = None) -> int:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    assert client.get(path, headers=headers or {}).status_code == 200, path  # warm-up
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return len(statements)


ZONE_PAGES = [
    "/",
    "/dashboard/reports/weekly",
    "/dashboard/reports/monthly",
    "/quotas/",
    "/quotas/goals",
    f"/quotas/export.xlsx?year={YEAR}",
]
CITY_PAGES = [
    "/",
    "/dashboard/city",
    "/dashboard/zones/{gxq}",
    "/dashboard/reports/weekly",
    "/dashboard/reports/weekly?zone={jkq}",
    "/dashboard/reports/monthly",
    "/quotas/",
    "/quotas/goals",
    f"/quotas/export.xlsx?year={YEAR}",
]


def measure(app, people, zones) -> dict[str, int]:
    ids = {code: zone.id for code, zone in zones.items()}
    manager = client_of(app, people["gxq_manager"])
    city = client_of(app, people["city"])
    counts = {f"manager {p}": count_statements(app, manager, p) for p in ZONE_PAGES}
    for path in CITY_PAGES:
        counts[f"city {path}"] = count_statements(app, city, path.format(**ids))
    token = create_api_token(people["viewer"], "count")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    counts["api"] = count_statements(app, api, f"/api/v1/quota?year={YEAR}", headers)
    return counts


def test_query_counts_do_not_grow_with_the_data(app, plan):
    zones, people = plan
    seed_indicators()
    for row in goal_rows(people["city"])[:3]:
        record_actual(row.indicator, str(YEAR), "1", people["city"])
    populate(people, 1)
    small = measure(app, people, zones)
    populate(people, 3)
    for row in goal_rows(people["city"])[3:9]:
        record_actual(row.indicator, str(YEAR), "2", people["city"])
    db.session.commit()
    large = measure(app, people, zones)
    assert large == small
    assert max(small.values()) <= 30, small

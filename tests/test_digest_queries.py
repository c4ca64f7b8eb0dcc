"""Constant statements for the manager and city weekly digests: the quota sections read the
zone's own facts (manager) or only the projects that can change a tier (city), never every
project of every zone — the same statement count at two data sizes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event

from crm.extensions import db
from crm.projects.models import StageEvent
from crm.quotas.models import Quota, QuotaTier
from crm.reminders.rendering import render_digest
from tests.test_reminders_contents import MONDAY, world  # noqa: F401 — fixture
from tests.test_reminders_support import make_project


def _grow(people: dict, size: int) -> None:
    """``size`` signed, withdrawn, small and candidate projects in each of the two zones."""
    for staff in (people["staff"], people["staff_b"]):
        for n in range(size):
            for amount, stage in ((400000 + n, "signed"), (120000, "terminated"), (500, "signed")):
                project = make_project(
                    staff, MONDAY - timedelta(days=3), stage=stage, planned_total_wan=amount
                )
                db.session.add(
                    StageEvent(
                        project_id=project.id,
                        to_stage="signed",
                        effective_on=date(2026, 3, 1 + n % 20),
                    )
                )
            make_project(
                staff,
                None,
                stage="inspection",
                planned_total_wan=150000,
                expected_landing_on=date(2026, 12, 1),
            )
    db.session.commit()


def _statements(user) -> int:
    render_digest(user, "weekly", MONDAY)  # settings and translations loaded once
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        digest = render_digest(user, "weekly", MONDAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "目标" in digest.text
    return len(seen)


def test_manager_and_city_digest_statements_do_not_grow_with_the_data(app, world):  # noqa: F811
    for zone in (world["a"], world["b"]):
        quota = Quota(zone_id=zone.id, year=2026)
        quota.tiers = [
            QuotaTier(label="30亿元以上", threshold_wan=300000, required=1),
            QuotaTier(label="10亿元以上", threshold_wan=100000, required=5),
        ]
        db.session.add(quota)
    db.session.commit()
    people = (world["manager"], world["city"], world["viewer"])
    _grow(world, 1)
    small = [_statements(user) for user in people]
    _grow(world, 4)
    large = [_statements(user) for user in people]
    assert large == small

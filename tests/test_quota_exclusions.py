"""未计入: every project that reached the counting stage this year and does not count, with the
reason the counting rules gave, on the zone dashboard and in the manager's weekly digest."""

from __future__ import annotations

from datetime import date

import pytest

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.quotas.attainment import (
    BELOW_THRESHOLD,
    EXPANSION,
    NOT_MANUFACTURING,
    OTHER_YEAR,
    ROLLED_BACK,
    TERMINATED,
    ProjectFacts,
    StageFact,
    TierSpec,
    compute_attainment,
)
from crm.quotas.services import zones_attainment
from crm.reminders.rendering import render_digest
from tests.test_dashboard_data import YEAR, client_of, make_plan, move, signed

TIERS = [TierSpec("≥30亿", 300000, 1), TierSpec("≥10亿", 100000, 5)]


def fact(pid, amount, stage="signed", signed_on=date(2026, 3, 1), **values):
    events = (StageFact("signed", signed_on),) if signed_on else ()
    return ProjectFacts(id=pid, amount_wan=amount, stage=stage, events=events, **values)


def test_every_exclusion_has_its_reason_from_the_counting_rules():
    projects = [
        fact(1, 150000, project_type="expansion"),  # 15亿 增资扩产: in 签约项目数, not a tier
        fact(2, 400000, is_manufacturing=False),
        fact(3, 120000, stage="terminated"),
        fact(4, 120000, stage="negotiation"),
        fact(5, 50000),
        ProjectFacts(
            6,
            200000,
            "signed",
            (StageFact("signed", date(2025, 11, 1)), StageFact("signed", date(2026, 2, 1))),
        ),
        fact(7, 310000),  # counts
        fact(8, 120000, signed_on=date(2025, 5, 1)),  # nothing to do with 2026
    ]
    result = compute_attainment(projects, TIERS, 2026)
    reasons = {e.project_id: e.reason for e in result.excluded}
    assert reasons == {
        1: EXPANSION,
        2: NOT_MANUFACTURING,
        3: TERMINATED,
        4: ROLLED_BACK,
        5: BELOW_THRESHOLD,
        6: OTHER_YEAR,
    }
    assert next(e for e in result.excluded if e.project_id == 6).counted_year == 2025
    assert result.counted == [7] and result.withdrawn == [3, 4] and result.below_threshold == [5]
    # the counted and the excluded never overlap, and every signed project is one or the other
    assert set(result.counted).isdisjoint(reasons)


@pytest.fixture
def plan(app):
    return make_plan()


def _seed(people):
    staff = people["gxq_staff"]
    signed(staff, "扩产项目", 150000, project_type="expansion")
    signed(staff, "商贸项目", 400000, is_manufacturing=False)
    gone = signed(staff, "撤资项目", 150000)
    move(gone, staff, "terminated", note="投资方撤资")
    signed(staff, "小项目", 30000)
    signed(staff, "计入项目", 310000)
    db.session.commit()


def test_the_zone_dashboard_lists_every_exclusion(app, plan):
    zones, people = plan
    _seed(people)
    html = client_of(app, people["gxq_manager"]).get("/").get_data(as_text=True)
    assert "未计入年度目标（4 个）" in html
    for reason in ("expansion", "not_manufacturing", "terminated", "below_threshold"):
        assert f'data-reason="{reason}"' in html
    assert "增资扩产项目：年度目标只计新引进项目" in html
    assert "非制造业项目：年度目标只计制造业项目" in html
    assert "投资方撤资" in html and "低于最低档门槛 10.00亿元" in html
    result = zones_attainment([zones["gxq"]], YEAR)[zones["gxq"].id]
    assert len(result.excluded) == 4 and len(result.counted) == 1


def test_the_managers_weekly_digest_lists_them_too(app, plan):
    _zones, people = plan
    _seed(people)
    digest = render_digest(people["gxq_manager"], "weekly", local_today())
    assert "未计入年度目标（4）" in digest.text
    for text in (digest.text, digest.html):
        assert "未计入" in text
        assert "扩产项目" in text and "增资扩产" in text
        assert "商贸项目" in text and "非制造业" in text
        assert "小项目" in text and "低于最低档" in text

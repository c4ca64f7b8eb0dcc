"""Demo projects: idempotent, every stage in every zone, dated histories, and the quota story
(高新区 on track, 经开区 at risk)."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.projects.demo import load_demo_projects
from crm.projects.models import Project, StageEvent
from crm.projects.stages import ALL_STAGES, rank
from crm.targets.models import Activity, Target
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.factories import make_user

TODAY = local_today()
YI = 10000


def _demo_people() -> None:
    """The demo users, made quickly (one cached password hash instead of twelve)."""
    seed_zones()
    db.session.commit()
    for zone in db.session.scalars(select(Zone)):
        for role, login in (("manager", "manager"), ("staff", "staff1"), ("staff", "staff2")):
            make_user(role, zone=zone, login=f"{zone.code}-{login}")
    make_user("coordinator", login="city")


@pytest.fixture
def demo(app):
    _demo_people()
    created = load_demo_projects()
    db.session.commit()
    return created


def _projects() -> list[Project]:
    return list(db.session.scalars(select(Project).order_by(Project.id)))


def _first_signed(project: Project):
    return min(
        (e.effective_on for e in project.events if rank(e.to_stage) >= rank("signed")),
        default=None,
    )


def _landed_2026(zone_code: str) -> list[int]:
    """Quota amounts of projects counting for 2026: new manufacturing, first signed in 2026,
    not terminated — the plan's rule, computed here on its own."""
    return sorted(
        (
            p.quota_amount_wan
            for p in _projects()
            if p.zone.code == zone_code
            and p.is_manufacturing
            and p.project_type == "new"
            and p.stage != "terminated"
            and (signed := _first_signed(p)) is not None
            and signed.year == 2026
        ),
        reverse=True,
    )


def test_demo_is_idempotent(demo):
    assert demo > 30
    before = (len(_projects()), db.session.scalar(select(func.count(StageEvent.id))))
    assert load_demo_projects() == 0
    db.session.commit()
    assert (len(_projects()), db.session.scalar(select(func.count(StageEvent.id)))) == before


def test_every_zone_has_every_stage_with_histories_dated_in_the_past(demo):
    stages = defaultdict(set)
    for project in _projects():
        stages[project.zone.code].add(project.stage)
    assert set(stages) == {"gxq", "jkq", "xdfw"}
    for code, seen in stages.items():
        assert seen == set(ALL_STAGES), (code, set(ALL_STAGES) - seen)
    years = set()
    for project in _projects():
        events = project.events
        assert events[0].from_stage is None and events[-1].to_stage == project.stage
        assert project.stage_since == events[-1].effective_on
        assert all(e.effective_on <= TODAY for e in events)
        for before, after in pairwise(events):
            assert before.effective_on <= after.effective_on and after.from_stage == before.to_stage
        if len(events) > 1:
            assert events[0].effective_on < events[1].effective_on, project.name
        years |= {e.effective_on.year for e in events}
    assert {2025, 2026} <= years


def test_quota_story_and_special_cases(demo):
    """高新区 on track, 经开区 at risk; withdrawn, confidential, expansion, services, follow-ups."""
    gxq = _landed_2026("gxq")
    assert sum(a >= 30 * YI for a in gxq) == 1 and sum(a >= 10 * YI for a in gxq) == 7
    jkq = _landed_2026("jkq")
    assert sum(a >= 30 * YI for a in jkq) == 0 and sum(a >= 10 * YI for a in jkq) == 2
    candidates = [
        p
        for p in _projects()
        if p.zone.code == "jkq"
        and p.stage in ("negotiation", "inspection")
        and p.expected_landing_on is not None
        and p.expected_landing_on.year == TODAY.year
    ]
    open_slots = (1 - 0) + (5 - 2)
    assert 0 < len(candidates) < open_slots
    assert any(p.quota_amount_wan >= 30 * YI for p in candidates)
    projects = _projects()
    withdrawn = [p for p in projects if p.stage == "terminated" and _first_signed(p)]
    assert any(_first_signed(p).year == 2026 for p in withdrawn)
    assert all(p.terminated_reason for p in projects if p.stage == "terminated")
    secret = [p for p in projects if p.code_name]
    assert secret and all(p.display_name() == p.code_name != p.name for p in secret)
    assert any(p.project_type == "expansion" for p in projects)
    services = [p for p in projects if p.zone.code == "xdfw"]
    assert services and not any(p.is_manufacturing for p in services)
    for project in projects:
        assert project.owner.role == "staff" and project.owner.zone_id == project.zone_id
    assert any(p.next_follow_up and p.next_follow_up < TODAY for p in projects)
    assert any(p.next_follow_up and p.next_follow_up >= TODAY for p in projects)
    with_activities = db.session.scalar(
        select(func.count(func.distinct(Activity.project_id))).where(
            Activity.project_id.is_not(None)
        )
    )
    assert 5 <= with_activities < len(projects)
    signed = next(p for p in projects if p.name == "高端特种钢材深加工项目")
    signing = next(e for e in signed.events if e.to_stage == "signed")
    assert signing.evidence["contract_amount_wan"] == str(35 * YI) and signed.first_reported


def test_target_list_enterprises_are_reused_and_their_targets_converted(app):
    from crm.targets.demo import load_demo_targets

    _demo_people()
    load_demo_targets()
    db.session.commit()
    assert load_demo_projects() > 30
    db.session.commit()
    converted = db.session.scalars(select(Target).where(Target.status == "converted")).all()
    linked = [p for p in _projects() if p.target_id is not None]
    assert linked and {p.target_id for p in linked} <= {t.id for t in converted}
    assert all(p.enterprise_id == db.session.get(Target, p.target_id).enterprise_id for p in linked)


def test_funds_in_place_make_the_funds_rate_meaningful(demo):
    from crm.dashboard.queries import indicators

    today = local_today()
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    ids = [zones["gxq"].id, zones["jkq"].id]
    found = indicators(ids, today.replace(month=1, day=1), today.replace(month=12, day=31))
    for zone_id in ids:
        rate = found[zone_id].funds_rate
        assert rate is not None and 0 < rate < 100, (zone_id, rate)
    signed_on = [p for p in _projects() if p.stage in ("signed", "registered", "construction")]
    assert signed_on and all(0 < p.actual_in_place_wan <= p.quota_amount_wan for p in signed_on)


def test_demo_names_use_common_characters():
    from crm.targets.demo import BRAND_FIRST, BRAND_SECOND

    rare = set("峤骐锴琮珩璟熠昶沣铖弈钜翊骁曜朔砺旻曦嵘翎垣砚璞")
    assert not rare & set(BRAND_FIRST + BRAND_SECOND)
    assert len(BRAND_FIRST) * len(BRAND_SECOND) >= 300  # a brand per demo enterprise

"""The indicators read from the dates copied onto projects, against a full recomputation.

Each example builds projects in two zones with random stage histories (flushed in batches),
then applies random later changes — more stage events, amount edits, a move to the other zone,
soft deletes — each in its own transaction, as the services do. The copied dates
(``Project.reached_*``) must equal :func:`crm.quotas.attainment.first_reached` over all the
events, after the changes and after the backfill (``rebuild_all``), and
:func:`crm.dashboard.queries.indicators` must equal the indicators computed in Python from the
complete histories, for random date ranges. Runs on SQLite and on TEST_DATABASE_URL.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.core.timeutil import utcnow
from crm.dashboard.queries import Indicators, indicators
from crm.extensions import db
from crm.projects.models import Project, StageEvent
from crm.quotas.attainment import ProjectFacts, StageFact, first_reached
from crm.quotas.milestones import COPIED, rebuild_all
from crm.zones.models import Zone
from tests.factories import make_zone
from tests.test_project_milestones import BASE, _build, _clear, _world, event_st, project_st

change_st = st.one_of(
    st.tuples(st.just("event"), event_st),
    st.tuples(st.just("amount"), st.sampled_from([None, 0, 80_000, 250_000])),
    st.tuples(st.just("in_place"), st.integers(min_value=0, max_value=90_000)),
    st.just(("move",)),
    st.just(("delete",)),
)
range_st = st.tuples(st.integers(min_value=-30, max_value=720), st.integers(0, 400))


def _other_zone() -> int:
    zone = db.session.scalar(select(Zone).where(Zone.code == "ms2"))
    return zone.id if zone is not None else make_zone(code="ms2").id


def _apply(project: Project, change: tuple, zones: tuple[int, int]) -> None:
    kind = change[0]
    if kind == "event":
        stage, offset = change[1]
        db.session.add(
            StageEvent(project_id=project.id, to_stage=stage, effective_on=BASE + timedelta(offset))
        )
    elif kind == "amount":
        project.contract_amount_wan = change[1]
    elif kind == "in_place":
        project.actual_in_place_wan = change[1]
    elif kind == "move":
        project.zone_id = zones[1] if project.zone_id == zones[0] else zones[0]
    else:
        project.deleted_at = utcnow()
    db.session.commit()


def _events(project: Project) -> tuple[StageFact, ...]:
    rows = db.session.execute(
        select(StageEvent.to_stage, StageEvent.effective_on).where(
            StageEvent.project_id == project.id
        )
    )
    return tuple(StageFact(stage, on) for stage, on in rows)


def _recomputed(projects: list[Project], zones: tuple[int, int], start: date, end: date):
    result = {zone_id: Indicators() for zone_id in zones}
    for project in projects:
        facts = ProjectFacts(project.id, None, project.stage, _events(project))
        signed = first_reached(facts, "signed")
        if project.deleted_at is not None or signed is None or not start <= signed <= end:
            continue
        registered = first_reached(facts, "registered")
        built = first_reached(facts, "construction")
        result[project.zone_id] += Indicators(
            1,
            project.contract_amount_wan or project.planned_total_wan or 0,
            int(registered is not None and registered <= end),
            int(built is not None and built <= end),
            project.actual_in_place_wan,
        )
    return result


def _copied_dates_match(projects: list[Project]) -> None:
    for project in projects:
        facts = ProjectFacts(project.id, None, project.stage, _events(project))
        stored = db.session.execute(
            select(*(getattr(Project, name) for name in COPIED.values())).where(
                Project.id == project.id
            )
        ).one()
        assert tuple(stored) == tuple(first_reached(facts, stage) for stage in COPIED)
        # and the loaded object agrees with its row
        assert tuple(getattr(project, name) for name in COPIED.values()) == tuple(stored)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(project_st, min_size=1, max_size=5),
    changes=st.lists(st.tuples(st.integers(0, 4), change_st), max_size=8),
    ranges=st.lists(range_st, min_size=1, max_size=3),
)
def test_indicators_equal_a_full_recomputation(app, specs, changes, ranges):
    zones = (_world(), _other_zone())
    _clear()
    projects = [project for project, _events in _build(zones[0], specs)]
    for index, change in changes:
        _apply(projects[index % len(projects)], change, zones)
    _copied_dates_match(projects)
    for offset, length in ranges:
        start = BASE + timedelta(offset)
        end = start + timedelta(length)
        expected = _recomputed(projects, zones, start, end)
        assert indicators(list(zones), start, end) == expected
    rebuild_all(db.session.connection())  # the backfill writes the same dates
    db.session.expire_all()
    _copied_dates_match(projects)
    db.session.rollback()

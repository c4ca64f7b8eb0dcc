"""Stored milestones against a full recomputation over randomized stage histories.

Each example builds a few projects of one zone with random stage events (any stage, any order
of dates, flushed in several batches as ledger imports and stage changes do), then checks that
``project_milestone`` holds exactly what :func:`crm.quotas.attainment.first_reached` gives over
all the events, and that the city-wide attainment read from the stored dates equals
``compute_attainment`` over the full histories. Runs on SQLite and on TEST_DATABASE_URL.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import Project, ProjectMilestone, StageEvent
from crm.projects.stages import ALL_STAGES, PIPELINE, stage_probability
from crm.quotas.attainment import (
    ProjectFacts,
    StageFact,
    TierSpec,
    compute_attainment,
    first_reached,
)
from crm.quotas.milestones import rebuild_all
from crm.quotas.models import Quota, QuotaTier
from crm.quotas.services import counting_rules, zones_attainment
from crm.zones.models import Zone
from tests.factories import make_zone

YEAR = 2026
BASE = date(2025, 6, 1)
TIERS = [TierSpec("30亿", 300_000, 1), TierSpec("10亿", 100_000, 2)]

event_st = st.tuples(st.sampled_from(ALL_STAGES), st.integers(min_value=0, max_value=700))
project_st = st.fixed_dictionaries(
    {
        "events": st.lists(event_st, min_size=0, max_size=8),
        "batches": st.integers(min_value=1, max_value=3),
        "stage": st.sampled_from(ALL_STAGES),
        "amount": st.sampled_from([None, 50_000, 100_000, 300_000, 500_000]),
        "contract": st.sampled_from([None, 0, 120_000, 400_000]),
        "landing": st.integers(min_value=-400, max_value=700),
        "manufacturing": st.booleans(),
        "kind": st.sampled_from(["new", "expansion"]),
    }
)


def _world() -> int:
    """One manufacturing zone with the tiers for YEAR and one enterprise (made once)."""
    zone = db.session.scalar(select(Zone).where(Zone.code == "ms"))
    if zone is not None:
        return zone.id
    zone = make_zone(code="ms")
    quota = Quota(zone_id=zone.id, year=YEAR)
    quota.tiers = [
        QuotaTier(label=t.label, threshold_wan=t.threshold_wan, required=t.required) for t in TIERS
    ]
    enterprise = Enterprise(name="里程碑测试企业", normalized_name="里程碑测试企业")
    db.session.add_all([quota, enterprise])
    db.session.commit()
    return zone.id


def _clear() -> None:
    for model in (ProjectMilestone, StageEvent, Project):
        db.session.execute(delete(model))
    db.session.commit()


def _build(zone_id: int, specs: list[dict]) -> list[tuple[Project, list[tuple[str, date]]]]:
    enterprise_id = db.session.scalar(select(Enterprise.id))
    built = []
    for spec in specs:
        project = Project(
            name="测试项目",
            enterprise_id=enterprise_id,
            zone_id=zone_id,
            stage=spec["stage"],
            stage_since=BASE,
            planned_total_wan=spec["amount"],
            contract_amount_wan=spec["contract"],
            expected_landing_on=BASE + timedelta(days=spec["landing"]),
            is_manufacturing=spec["manufacturing"],
            project_type=spec["kind"],
        )
        db.session.add(project)
        db.session.flush()
        events = [(stage, BASE + timedelta(days=offset)) for stage, offset in spec["events"]]
        size = max(1, -(-len(events) // spec["batches"]))
        for start in range(0, len(events), size):  # several flushes, dates in any order
            for stage, on in events[start : start + size]:
                db.session.add(StageEvent(project_id=project.id, to_stage=stage, effective_on=on))
            db.session.flush()
        built.append((project, events))
    db.session.commit()
    return built


def _full_facts(project: Project, events: list[tuple[str, date]]) -> ProjectFacts:
    return ProjectFacts(
        id=project.id,
        amount_wan=(
            project.contract_amount_wan
            if project.contract_amount_wan is not None
            else project.planned_total_wan
        ),
        stage=project.stage,
        events=tuple(StageFact(stage, on) for stage, on in events),
        is_manufacturing=project.is_manufacturing,
        project_type=project.project_type,
        expected_landing_on=project.expected_landing_on,
    )


def _stored() -> dict[tuple[int, str], date]:
    rows = db.session.execute(
        select(ProjectMilestone.project_id, ProjectMilestone.stage, ProjectMilestone.reached_on)
    )
    return {(pid, stage): on for pid, stage, on in rows}


def _expected(built) -> dict[tuple[int, str], date]:
    expected = {}
    for project, events in built:
        facts = _full_facts(project, events)
        for stage in PIPELINE:
            reached = first_reached(facts, stage)
            if reached is not None:
                expected[(project.id, stage)] = reached
    return expected


def _summary(result):
    tiers = [(t.label, t.achieved, sorted(t.projects), sorted(t.candidates)) for t in result.tiers]
    return tiers, sorted(result.counted), result.withdrawn, sorted(result.below_threshold)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(project_st, min_size=1, max_size=5))
def test_stored_milestones_match_a_full_recomputation(app, specs):
    zone_id = _world()
    _clear()
    built = _build(zone_id, specs)
    expected = _expected(built)
    assert _stored() == expected
    # the backfill (migration, bulk loads) gives the same rows
    rebuild_all(db.session.connection())
    assert _stored() == expected
    # and the attainment read from the stored dates equals the one over full histories
    zone = db.session.get(Zone, zone_id)
    stored = zones_attainment([zone], YEAR)[zone_id]
    full = compute_attainment(
        [_full_facts(p, e) for p, e in built], TIERS, YEAR, counting_rules(), stage_probability
    )
    assert _summary(stored) == _summary(full)
    db.session.rollback()

"""The city-wide quota summaries against the complete attainment.

City-wide pages (city dashboard, monthly report, quota API, city digests) read only the facts
that can change a tier (``load_facts`` with the zones' tiers): projects at or above the lowest
threshold, candidates at or above it and, for the API, the withdrawn ones. Over randomized
projects, stage histories and counting settings the tiers (achieved, gap, surplus, the
projects behind them, candidates, forecast, at risk) and the withdrawn list must equal the
complete computation, and the statements must not grow with the data. SQLite and
TEST_DATABASE_URL.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from crm.core.settings import set_setting
from crm.extensions import db
from crm.projects.stages import stage_probability
from crm.quotas.attainment import compute_attainment
from crm.quotas.services import counting_rules, lowest_threshold, quota_tiers, zones_attainment
from crm.zones.models import Zone
from tests.test_project_milestones import (
    TIERS,
    _build,
    _clear,
    _full_facts,
    _summary,
    _world,
    project_st,
)

rules_st = st.fixed_dictionaries(
    {
        "quota.counting_stage": st.sampled_from(["signed", "registered", "construction"]),
        "quota.matching_mode": st.sampled_from(["disjoint", "cumulative"]),
        "quota.amount_basis": st.sampled_from(["contract_else_planned", "planned"]),
        "quota.manufacturing_only": st.booleans(),
        "quota.new_only": st.booleans(),
    }
)


def _tiers(result) -> list[dict]:
    return [asdict(t) for t in result.tiers]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(project_st, min_size=1, max_size=8), rules=rules_st)
def test_summary_tiers_forecast_and_withdrawn_equal_the_complete_attainment(app, specs, rules):
    zone_id = _world()
    _clear()
    for key, value in rules.items():
        set_setting(key, value, None)
    built = _build(zone_id, specs)
    zone = db.session.get(Zone, zone_id)
    full = zones_attainment([zone], 2026)[zone_id]
    # the complete attainment from the stored dates (the project's copies for 签约 / 注册 /
    # 开工) equals the pure computation over the full histories
    facts = [_full_facts(project, events) for project, events in built]
    if rules["quota.amount_basis"] == "planned":
        facts = [
            replace(f, amount_wan=f_p.planned_total_wan)
            for f, (f_p, _) in zip(facts, built, strict=True)
        ]
    expected = compute_attainment(facts, TIERS, 2026, counting_rules(), stage_probability)
    assert _summary(full) == _summary(expected)
    summary = zones_attainment([zone], 2026, complete=False)[zone_id]
    assert _tiers(summary) == _tiers(full)
    assert summary.withdrawn == full.withdrawn
    without = zones_attainment([zone], 2026, complete=False, withdrawn=False)[zone_id]
    assert _tiers(without) == _tiers(full)
    assert set(without.withdrawn) <= set(full.withdrawn)
    # what the summary loads is a subset of the complete facts
    assert set(summary.counted) <= set(full.counted)
    db.session.rollback()


def test_a_zone_without_tiers_has_only_its_withdrawn_projects(app):
    zone_id = _world()
    _clear()
    spec = {"batches": 1, "landing": 300, "manufacturing": True, "kind": "new"}
    _build(
        zone_id,
        [
            {
                **spec,
                "events": [("signed", 100)],
                "stage": "terminated",
                "amount": 50_000,
                "contract": None,
            },
            {
                **spec,
                "events": [("signed", 100)],
                "stage": "signed",
                "amount": 500_000,
                "contract": None,
            },
        ],
    )
    zone = db.session.get(Zone, zone_id)
    assert lowest_threshold(quota_tiers([zone_id], 2025)) is None
    full = zones_attainment([zone], 2025)[zone_id]  # the world's tiers are for 2026
    summary = zones_attainment([zone], 2025, complete=False)[zone_id]
    assert summary.tiers == full.tiers == []
    assert summary.withdrawn == full.withdrawn and len(full.withdrawn) == 1
    assert zones_attainment([zone], 2025, complete=False, withdrawn=False)[zone_id].withdrawn == []


def _statements(fn) -> int:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(seen)


def test_summary_statements_do_not_grow_with_the_data(app):
    zone_id = _world()
    _clear()
    spec = {"batches": 2, "landing": 400, "manufacturing": True, "kind": "new", "contract": None}

    def grow(n: int) -> None:
        _build(
            zone_id,
            [
                {
                    **spec,
                    "events": [("signed", 250 + i), ("construction", 300)],
                    "stage": stage,
                    "amount": amount,
                }
                for i in range(n)
                for stage, amount in (("construction", 500_000), ("terminated", 50_000))
            ]
            + [{**spec, "events": [], "stage": "inspection", "amount": 300_000}] * n,
        )

    def run() -> None:
        zone = db.session.get(Zone, zone_id)
        for complete in (True, False):
            zones_attainment([zone], 2026, complete=complete)
        zones_attainment([zone], 2026, complete=False, withdrawn=False)

    grow(1)
    run()  # the settings are read once per request
    small = _statements(run)
    grow(6)
    run()
    assert _statements(run) == small
    assert small <= 7  # tiers + facts, three times, and the zone

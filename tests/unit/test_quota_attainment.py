"""Table-driven tests of the quota counting rules (DESIGN §5 "Quota attainment")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm.quotas.attainment import (
    ProjectFacts,
    Rules,
    StageFact,
    TierSpec,
    compute_attainment,
    shanghai_date,
)

PLAN = [TierSpec("30亿元以上", 300000, 1), TierSpec("10亿元以上", 100000, 5)]


def signed(pid, amount, on, stage="signed", **extra):
    events = [StageFact("lead", date(2025, 1, 2)), StageFact("signed", on)]
    return ProjectFacts(pid, amount, stage, events, **extra)


def counts(result):
    return {t.label: (t.achieved, t.gap, t.surplus, t.projects) for t in result.tiers}


CASES = [
    # (name, projects, year, mode, expected {label: (achieved, gap, surplus, ids)}, withdrawn)
    (
        "exactly 300000万 is ≥ 30亿",
        [signed(1, 300000, date(2026, 5, 1))],
        2026,
        "disjoint",
        {"30亿元以上": (1, 0, 0, [1]), "10亿元以上": (0, 5, 0, [])},
        [],
    ),
    (
        "299999万 falls to the 10亿 tier",
        [signed(1, 299999, date(2026, 5, 1))],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (1, 4, 0, [1])},
        [],
    ),
    (
        "two ≥30亿 projects, disjoint: the second fills a 10亿 slot",
        [signed(1, 500000, date(2026, 3, 1)), signed(2, 320000, date(2026, 4, 1))],
        2026,
        "disjoint",
        {"30亿元以上": (1, 0, 0, [1]), "10亿元以上": (1, 4, 0, [2])},
        [],
    ),
    (
        "two ≥30亿 projects, cumulative: both count in both tiers",
        [signed(1, 500000, date(2026, 3, 1)), signed(2, 320000, date(2026, 4, 1))],
        2026,
        "cumulative",
        {"30亿元以上": (2, 0, 1, [1, 2]), "10亿元以上": (2, 3, 0, [1, 2])},
        [],
    ),
    (
        "signed 23:30 on 31 Dec Shanghai time counts in that year",
        [signed(1, 100000, datetime(2026, 12, 31, 15, 30, tzinfo=UTC))],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (1, 4, 0, [1])},
        [],
    ),
    (
        "signed 00:30 on 1 Jan Shanghai time counts in the next year",
        [signed(1, 100000, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [],
    ),
    (
        "signed in 2025, started in 2026: not a 2026 project",
        [
            ProjectFacts(
                1,
                150000,
                "construction",
                [
                    StageFact("signed", date(2025, 11, 1)),
                    StageFact("construction", date(2026, 2, 1)),
                ],
            )
        ],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [],
    ),
    (
        "terminated after signing is withdrawn",
        [signed(1, 150000, date(2026, 3, 1), stage="terminated")],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [1],
    ),
    (
        "moved back below the counting stage is withdrawn",
        [signed(1, 150000, date(2026, 3, 1), stage="negotiation")],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [1],
    ),
    (
        "moved back and re-signed counts once, in the year first signed",
        [
            ProjectFacts(
                1,
                150000,
                "signed",
                [
                    StageFact("signed", date(2026, 3, 1)),
                    StageFact("negotiation", date(2026, 4, 1)),
                    StageFact("signed", date(2026, 6, 1)),
                ],
            )
        ],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (1, 4, 0, [1])},
        [],
    ),
    (
        "paused after signing still counts",
        [signed(1, 150000, date(2026, 3, 1), stage="paused")],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (1, 4, 0, [1])},
        [],
    ),
    (
        "non-manufacturing does not count",
        [signed(1, 400000, date(2026, 3, 1), is_manufacturing=False)],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [],
    ),
    (
        "an expansion (增资扩产) does not count as newly brought in",
        [signed(1, 400000, date(2026, 3, 1), project_type="expansion")],
        2026,
        "disjoint",
        {"30亿元以上": (0, 1, 0, []), "10亿元以上": (0, 5, 0, [])},
        [],
    ),
    (
        "a seventh qualifying project is surplus",
        [signed(i, 120000 + i, date(2026, 3, i)) for i in range(1, 7)]
        + [signed(9, 400000, date(2026, 2, 1))],
        2026,
        "disjoint",
        {"30亿元以上": (1, 0, 0, [9]), "10亿元以上": (5, 0, 1, [6, 5, 4, 3, 2])},
        [],
    ),
]


@pytest.mark.parametrize(
    "projects,year,mode,expected,withdrawn",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_counting_rules(projects, year, mode, expected, withdrawn):
    result = compute_attainment(projects, PLAN, year, Rules(mode=mode))
    assert counts(result) == expected
    assert result.withdrawn == withdrawn


def test_surplus_project_is_named():
    projects = [signed(i, 120000 + i, date(2026, 3, i)) for i in range(1, 7)]
    result = compute_attainment(projects, PLAN, 2026)
    ten = result.tiers[1]
    assert ten.surplus_projects == [1]  # the smallest is left over


def test_services_zone_without_quota_counts_nothing():
    result = compute_attainment([signed(1, 400000, date(2026, 3, 1))], [], 2026)
    assert result.tiers == [] and result.counted == [] and result.below_threshold == [1]


def test_below_every_threshold_is_not_counted():
    result = compute_attainment([signed(1, 99999, date(2026, 3, 1))], PLAN, 2026)
    assert result.counted == [] and result.below_threshold == [1]


def test_forecast_and_at_risk():
    probability = {"negotiation": 25, "inspection": 40}.get
    candidates = [
        ProjectFacts(
            10,
            350000,
            "inspection",
            [StageFact("lead", date(2026, 1, 5))],
            expected_landing_on=date(2026, 11, 1),
        ),
        ProjectFacts(
            11,
            120000,
            "negotiation",
            [StageFact("lead", date(2026, 1, 5))],
            expected_landing_on=date(2026, 10, 1),
        ),
        ProjectFacts(  # lands next year: not a candidate
            12,
            120000,
            "negotiation",
            [StageFact("lead", date(2026, 1, 5))],
            expected_landing_on=date(2027, 3, 1),
        ),
        ProjectFacts(  # too early in the pipeline
            13,
            120000,
            "contact",
            [StageFact("lead", date(2026, 1, 5))],
            expected_landing_on=date(2026, 9, 1),
        ),
    ]
    result = compute_attainment(
        [signed(1, 110000, date(2026, 3, 1)), *candidates], PLAN, 2026, probability=probability
    )
    thirty, ten = result.tiers
    assert thirty.candidates == [10] and thirty.forecast == 0.4 and not thirty.at_risk
    assert ten.candidates == [11] and ten.forecast == 1.25 and ten.at_risk  # 4 open, 1 candidate


def test_shanghai_date():
    assert shanghai_date(datetime(2026, 12, 31, 16, 30)) == date(2027, 1, 1)
    assert shanghai_date(date(2026, 12, 31)) == date(2026, 12, 31)

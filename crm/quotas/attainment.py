"""Quota attainment: a pure function from projects, their stage events, tiers and rules to
required / achieved / gap / surplus per tier, the projects behind each number, and a forecast.

No database here: callers load facts (``ProjectFacts``) and pass them in, so every counting
rule is tested table-driven without fixtures.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

from crm.core.timeutil import SHANGHAI
from crm.projects.stages import PIPELINE, rank

LATE_STAGE = "negotiation"  # 洽谈 or later: a named candidate for the forecast

# Why a project that reached the counting stage does not count (the 未计入 list). The codes
# come from the same decisions that count (``classify`` and ``_match``), never a second copy.
NOT_MANUFACTURING = "not_manufacturing"  # 非制造业
EXPANSION = "expansion"  # 增资扩产
OTHER_YEAR = "other_year"  # first reached the counting stage in an earlier year
TERMINATED = "terminated"  # 终止 after reaching it
ROLLED_BACK = "rolled_back"  # moved back below it
BELOW_THRESHOLD = "below_threshold"  # below the lowest tier
NO_QUOTA = "no_quota"  # the zone has no tiers for the year
COUNTING = "counting"
CANDIDATE = "candidate"


@dataclass(frozen=True)
class StageFact:
    to_stage: str
    effective: date | datetime  # a date (Shanghai) or an aware / naive-UTC datetime


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    amount_wan: int | None
    stage: str
    events: Sequence[StageFact]
    is_manufacturing: bool = True
    project_type: str = "new"
    expected_landing_on: date | None = None
    name: str = ""


@dataclass(frozen=True)
class TierSpec:
    label: str
    threshold_wan: int
    required: int


@dataclass(frozen=True)
class Rules:
    counting_stage: str = "signed"
    mode: str = "disjoint"  # disjoint | cumulative
    manufacturing_only: bool = True
    new_only: bool = True


@dataclass
class TierResult:
    label: str
    threshold_wan: int
    required: int
    achieved: int = 0
    gap: int = 0
    surplus: int = 0
    projects: list[int] = field(default_factory=list)
    surplus_projects: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    forecast: float = 0.0
    at_risk: bool = False


@dataclass(frozen=True)
class Exclusion:
    project_id: int
    reason: str  # one of the codes above
    counted_year: int | None = None  # OTHER_YEAR: the year it counts in


@dataclass
class Attainment:
    year: int
    tiers: list[TierResult]
    counted: list[int]
    withdrawn: list[int]
    below_threshold: list[int]
    excluded: list[Exclusion] = field(default_factory=list)


def shanghai_date(moment: date | datetime) -> date:
    """The Asia/Shanghai calendar date of a moment (naive datetimes are UTC)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(SHANGHAI).date()
    return moment


@cache
def at_or_past(stage: str) -> frozenset[str]:
    """The pipeline stages at or past ``stage`` (all of them for a side state)."""
    needed = rank(stage)
    return frozenset(s for s in PIPELINE if rank(s) >= needed)


def first_reached(project: ProjectFacts, stage: str) -> date | None:
    """The date the project first reached ``stage`` or any later pipeline stage."""
    stages = at_or_past(stage)
    dates = [shanghai_date(e.effective) for e in project.events if e.to_stage in stages]
    return min(dates) if dates else None


def still_counts(project: ProjectFacts, stage: str) -> bool:
    """At or past the counting stage now, or paused after reaching it; never when terminated."""
    if project.stage == "terminated":
        return False
    if project.stage == "paused":
        return True
    return project.stage in at_or_past(stage)


def ineligible_reason(project: ProjectFacts, rules: Rules) -> str | None:
    """Why the project's kind never counts (非制造业, 增资扩产), or None."""
    if rules.manufacturing_only and not project.is_manufacturing:
        return NOT_MANUFACTURING
    if rules.new_only and project.project_type != "new":
        return EXPANSION
    return None


def eligible(project: ProjectFacts, rules: Rules) -> bool:
    return ineligible_reason(project, rules) is None


def reached_during(project: ProjectFacts, stage: str, year: int) -> bool:
    """The project reached ``stage`` (or later) at least once during ``year``."""
    stages = at_or_past(stage)
    return any(
        shanghai_date(e.effective).year == year for e in project.events if e.to_stage in stages
    )


def is_candidate(project: ProjectFacts, year: int) -> bool:
    """Not yet landed, 洽谈 or later, expected to land during the year."""
    return (
        project.stage in at_or_past(LATE_STAGE)
        and project.expected_landing_on is not None
        and project.expected_landing_on.year == year
    )


def classify(project: ProjectFacts, rules: Rules, year: int) -> str | None:
    """COUNTING, CANDIDATE, an exclusion code, or None (nothing to do with ``year``)."""
    reached = first_reached(project, rules.counting_stage)
    if reached is None:
        return CANDIDATE if eligible(project, rules) and is_candidate(project, year) else None
    if reached.year != year and not reached_during(project, rules.counting_stage, year):
        return None
    reason = ineligible_reason(project, rules)
    if reason is not None:
        return reason
    if reached.year != year:
        return OTHER_YEAR
    if not still_counts(project, rules.counting_stage):
        return TERMINATED if project.stage == "terminated" else ROLLED_BACK
    return COUNTING


def _ordered(projects: Iterable[ProjectFacts]) -> list[ProjectFacts]:
    return sorted(projects, key=lambda p: (-(p.amount_wan or 0), p.id))


def _reached(results: list[TierResult]) -> Callable[[int], list[TierResult]]:
    """The tiers an amount reaches, highest first: ``results`` run from the highest threshold
    down, so they are a tail of it, found by bisecting the thresholds (computed once)."""
    bounds = [-t.threshold_wan for t in results]  # ascending
    return lambda amount: results[bisect_left(bounds, -amount) :]


def _match(
    results: list[TierResult], projects: list[ProjectFacts], mode: str
) -> tuple[list[int], list[int]]:
    """Fill tier slots; returns (counted ids, ids below every threshold)."""
    counted, below = [], []
    tiers_reached = _reached(results)
    for project in _ordered(projects):
        amount = project.amount_wan or 0
        reached = tiers_reached(amount)
        if not reached:
            below.append(project.id)
            continue
        counted.append(project.id)
        if mode == "cumulative":
            for tier in reached:
                tier.projects.append(project.id)
            continue
        slot = next((t for t in reached if len(t.projects) < t.required), None)
        if slot is not None:
            slot.projects.append(project.id)
        else:
            reached[0].surplus_projects.append(project.id)
    for tier in results:
        tier.achieved = len(tier.projects)
        if mode == "cumulative":
            tier.surplus_projects = tier.projects[tier.required :]
        tier.gap = max(0, tier.required - tier.achieved)
        tier.surplus = len(tier.surplus_projects)
    return counted, below


def _forecast(
    results: list[TierResult],
    candidates: list[ProjectFacts],
    probability: Callable[[str], int],
) -> None:
    tiers_reached = _reached(results)
    for project in _ordered(candidates):
        amount = project.amount_wan or 0
        reached = tiers_reached(amount)
        if not reached:
            continue
        tier = next((t for t in reached if t.gap > len(t.candidates)), reached[0])
        tier.candidates.append(project.id)
        tier.forecast += probability(project.stage) / 100
    for tier in results:
        tier.forecast = round(tier.achieved + tier.forecast, 2)
        tier.at_risk = tier.gap > len(tier.candidates)


def compute_attainment(
    projects: Iterable[ProjectFacts],
    tiers: Sequence[TierSpec],
    year: int,
    rules: Rules | None = None,
    probability: Callable[[str], int] = lambda stage: 0,
) -> Attainment:
    """Attainment of one zone's quota in ``year`` (see DESIGN §5 "Quota attainment")."""
    rules = rules or Rules()
    results = [
        TierResult(t.label, t.threshold_wan, t.required)
        for t in sorted(tiers, key=lambda t: -t.threshold_wan)
    ]
    counting, withdrawn, candidates, excluded = [], [], [], []
    for project in projects:
        kind = classify(project, rules, year)
        if kind == COUNTING:
            counting.append(project)
        elif kind == CANDIDATE:
            candidates.append(project)
        elif kind is not None:
            reached = first_reached(project, rules.counting_stage)
            other = reached.year if kind == OTHER_YEAR and reached else None
            excluded.append(Exclusion(project.id, kind, other))
            if kind in (TERMINATED, ROLLED_BACK):
                withdrawn.append(project.id)
    counted, below = _match(results, counting, rules.mode)
    below_reason = BELOW_THRESHOLD if results else NO_QUOTA
    excluded += [Exclusion(pid, below_reason) for pid in below]
    _forecast(results, candidates, probability)
    excluded.sort(key=lambda e: e.project_id)
    return Attainment(year, results, counted, sorted(withdrawn), below, excluded)

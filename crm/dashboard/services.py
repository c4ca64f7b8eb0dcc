"""The zone and city dashboards: quota attainment with the projects behind it, pipeline,
indicators and what needs attention — a fixed number of statements whatever the data size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import abort, current_app
from flask_login import current_user

from crm.core.access import get_or_404
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.dashboard import queries as q
from crm.projects.models import Project, StageEvent
from crm.projects.services import Signals, project_signals
from crm.projects.stages import stage_probability
from crm.quotas.attainment import (
    Attainment,
    ProjectFacts,
    Rules,
    TierResult,
    compute_attainment,
    first_reached,
)
from crm.quotas.exclusions import Excluded, excluded, explain, lowest_threshold
from crm.quotas.services import counting_rules, load_facts, quota_tiers
from crm.targets.models import Target
from crm.zones.models import Zone

LIST_LIMIT = 10
# Sections other areas add to the dashboards, by name (Area.dashboard_panels in crm/areas.py):
# a function of no arguments giving the section's data for the signed-in user.
# A panel function with a ``template`` attribute renders itself: the dashboards include that
# template with the function's result as ``panel`` (and ``zone`` on a zone's dashboard).
PANELS: dict[str, Callable[[], Any]] = {}


def zone_or_404(zone_id: Any, user: Any = None) -> Zone:
    """A zone the user may look into: their own, or any for city-level users (else 404)."""
    user = user or current_user
    zone = get_or_404(Zone, zone_id, user)
    if user.role not in CITY_ROLES and user.zone_id != zone.id:
        abort(404)
    return zone


def chains_enabled() -> bool:
    """The chain-coverage section shows once a ``chains`` blueprint is registered."""
    return "chains" in current_app.blueprints


def chain_rows() -> list[tuple[Any, Any]] | None:
    """Per chain the user may see: (chain, coverage) — None without the chain-map area."""
    if not chains_enabled():
        return None
    panel = PANELS.get("chains")  # the chain maps' coverage, registered in crm/areas.py
    return panel() if panel else []


def area_panels() -> list[tuple[str, Any]]:
    """(template, data) of the other areas' dashboard sections (the chain coverage has its own
    place, and so does a panel function marked ``placed``, which the dashboards' templates
    put where it belongs with ``panel(name)``): a panel function's ``template`` attribute
    names its template, else it is ``<name>/_dashboard_panel.html``; the template reads the
    data as ``panel``."""
    return [
        (getattr(panel, "template", f"{name}/_dashboard_panel.html"), panel())
        for name, panel in PANELS.items()
        if name != "chains" and not getattr(panel, "placed", False)
    ]


@dataclass
class ZoneAttainment:
    """One zone's attainment with the facts of every project it names."""

    result: Attainment
    facts: dict[int, ProjectFacts]
    rules: Rules

    def named(self, ids: list[int]) -> list[ProjectFacts]:
        return [self.facts[i] for i in ids if i in self.facts]

    def counted_on(self, project_id: int) -> date | None:
        fact = self.facts.get(project_id)
        return first_reached(fact, self.rules.counting_stage) if fact else None

    @property
    def excluded(self) -> list[Excluded]:
        """Projects that reached the counting stage this year and do not count (未计入)."""
        return excluded(self.result, self.facts)

    def explain(self, item: Excluded) -> str:
        return explain(item, lowest_threshold(self.result))

    @property
    def required(self) -> int:
        return sum(t.required for t in self.result.tiers)

    @property
    def filled(self) -> int:
        return sum(min(t.achieved, t.required) for t in self.result.tiers)

    @property
    def score(self) -> Decimal | None:
        """Filled slots / required slots (surplus does not make up another tier's gap)."""
        return q.rate(self.filled, self.required)

    @property
    def at_risk(self) -> bool:
        return any(t.at_risk for t in self.result.tiers)

    @property
    def forecast(self) -> float:
        return round(sum(min(t.forecast, t.required) for t in self.result.tiers), 2)


def attainments(zones: list[Zone], year: int, complete: bool = True) -> dict[int, ZoneAttainment]:
    """Quota attainment of each zone, keeping the project facts (four statements).
    ``complete=False``: the tiers and the forecast only (no 未计入 or withdrawn list), from
    the facts that can change them (:func:`crm.quotas.services.load_facts`)."""
    rules = counting_rules()
    ids = [zone.id for zone in zones]
    tiers = quota_tiers(ids, year)
    facts = load_facts(ids, year, rules, None if complete else tiers, withdrawn_list=complete)
    result = {}
    for zone in zones:
        zone_facts = facts.get(zone.id, [])
        computed = compute_attainment(
            zone_facts, tiers.get(zone.id, []), year, rules, stage_probability
        )
        result[zone.id] = ZoneAttainment(computed, {f.id: f for f in zone_facts}, rules)
    return result


@dataclass
class Withdrawn:
    fact: ProjectFacts
    project: Project | None
    since: date | None

    @property
    def terminated(self) -> bool:
        return self.fact.stage == "terminated"


@dataclass
class ZoneBoard:
    zone: Zone
    year: int
    attainment: ZoneAttainment
    pipeline: dict[str, q.StageTotal]
    indicators: q.Indicators
    attention: q.Attention
    attention_projects: list[Project]
    attention_targets: list[Target]
    recent: list[tuple[StageEvent, Project]]
    conflicts: int
    projects: dict[int, Project] = field(default_factory=dict)
    today: date = field(default_factory=local_today)

    @property
    def tiers(self) -> list[TierResult]:
        return self.attainment.result.tiers

    def signals(self, project_id: int) -> Signals | None:
        project = self.projects.get(project_id)
        return project_signals(project, self.today) if project else None

    @property
    def withdrawn(self) -> list[Withdrawn]:
        rows = []
        for fact in self.attainment.named(self.attainment.result.withdrawn):
            project = self.projects.get(fact.id)
            rows.append(Withdrawn(fact, project, project.stage_since if project else None))
        return rows


def year_bounds(year: int) -> tuple[date, date]:
    """1 January to 31 December."""
    return date(year, 1, 1), date(year, 12, 31)


def zone_board(zone: Zone, year: int, today: date | None = None) -> ZoneBoard:
    """Everything the zone dashboard shows, for one zone and year."""
    today = today or local_today()
    ids = [zone.id]
    attained = attainments([zone], year)[zone.id]
    result = attained.result
    named = {e.project_id for e in result.excluded} | {
        c for t in result.tiers for c in t.candidates
    }
    start, end = year_bounds(year)
    pipe = q.pipeline(ids, year, today)
    return ZoneBoard(
        zone=zone,
        year=year,
        attainment=attained,
        pipeline=pipe[zone.id],
        indicators=q.indicators(ids, start, end)[zone.id],
        attention=q.attention(ids, today, pipe)[zone.id],
        attention_projects=q.attention_projects(ids, today, LIST_LIMIT),
        attention_targets=q.attention_targets(ids, today, LIST_LIMIT),
        recent=q.stage_changes(ids, LIST_LIMIT, start, end),
        conflicts=q.open_conflicts(ids),
        projects=q.projects_by_id(named),
        today=today,
    )


@dataclass
class LeagueRow:
    zone: Zone
    attainment: ZoneAttainment
    indicators: q.Indicators
    attention: q.Attention
    open_count: int
    open_wan: int
    rank: int = 0
    cells: list[TierResult | None] = field(default_factory=list)  # one per city tier total


@dataclass
class TierTotal:
    label: str
    threshold_wan: int
    required: int = 0
    achieved: int = 0
    gap: int = 0
    surplus: int = 0


@dataclass
class CityBoard:
    year: int
    rows: list[LeagueRow]
    tier_totals: list[TierTotal]
    indicators: q.Indicators
    attention: q.Attention
    conflicts: int
    recent: list[tuple[StageEvent, Project]]
    chains: list[tuple[Any, Any]] | None  # (chain, coverage); None without chain maps

    @property
    def score(self) -> Decimal | None:
        return q.rate(
            sum(r.attainment.filled for r in self.rows),
            sum(r.attainment.required for r in self.rows),
        )


def _league_key(row: LeagueRow) -> tuple:
    score = row.attainment.score
    return (
        score is None,
        -(score or 0),
        -row.attainment.forecast,
        -row.indicators.signed_wan,
        row.zone.sort_order,
        row.zone.id,
    )


def city_board(zones: list[Zone], year: int, today: date | None = None) -> CityBoard:
    """The league of zones with tier attainment, indicators and totals."""
    today = today or local_today()
    ids = [zone.id for zone in zones]
    attained = attainments(zones, year, complete=False)  # the league reads tiers and forecast
    start, end = year_bounds(year)
    pipe = q.pipeline(ids, year, today)
    indicators = q.indicators(ids, start, end)
    attention = q.attention(ids, today, pipe)
    rows = []
    for zone in zones:
        open_stages = [t for s, t in pipe[zone.id].items() if s not in q.FINISHED]
        rows.append(
            LeagueRow(
                zone,
                attained[zone.id],
                indicators[zone.id],
                attention[zone.id],
                sum(t.count for t in open_stages),
                sum(t.total_wan for t in open_stages),
            )
        )
    rows.sort(key=_league_key)
    for position, row in enumerate(rows, start=1):
        row.rank = position if row.attainment.required else 0
    totals: dict[tuple[str, int], TierTotal] = {}
    for row in rows:
        for tier in row.attainment.result.tiers:
            total = totals.setdefault(
                (tier.label, tier.threshold_wan), TierTotal(tier.label, tier.threshold_wan)
            )
            total.required += tier.required
            total.achieved += tier.achieved
            total.gap += tier.gap
            total.surplus += tier.surplus
    tier_totals = sorted(totals.values(), key=lambda t: -t.threshold_wan)
    for row in rows:  # the league's columns: the zone's first tier of each total's label and bar
        own: dict[tuple[str, int], TierResult] = {}
        for tier in row.attainment.result.tiers:
            own.setdefault((tier.label, tier.threshold_wan), tier)
        row.cells = [own.get((t.label, t.threshold_wan)) for t in tier_totals]
    return CityBoard(
        year=year,
        rows=rows,
        tier_totals=tier_totals,
        indicators=sum((r.indicators for r in rows), q.Indicators()),
        attention=sum((r.attention for r in rows), q.Attention()),
        conflicts=q.open_conflicts(None),
        recent=q.stage_changes(ids, LIST_LIMIT, start, end),
        chains=chain_rows(),
    )


def percent(value: Decimal | float | None) -> str:
    """0.8125 → "81.3%"; None → "—"."""
    if value is None:
        return "—"
    share = Decimal(str(value)) * 100
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"

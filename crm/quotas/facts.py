"""Attainment facts from the database: the projects that can matter for a year, as plain
rows (:class:`crm.quotas.attainment.ProjectFacts`) for :func:`compute_attainment`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, false, func, or_, select, union_all

from crm.core.settings import get_setting
from crm.extensions import db
from crm.projects.models import Project, ProjectMilestone, StageEvent
from crm.projects.stages import PIPELINE, rank
from crm.quotas import quota_settings  # noqa: F401 — declares the settings read below
from crm.quotas.attainment import LATE_STAGE, ProjectFacts, Rules, StageFact, TierSpec
from crm.quotas.milestones import COPIED


def _amount_column():
    if get_setting("quota.amount_basis") == "planned":
        return Project.planned_total_wan
    return func.coalesce(Project.contract_amount_wan, Project.planned_total_wan)


def _amount_at_least(floor: int):
    """``_amount_column() >= floor`` written so that the amount indexes answer it."""
    if get_setting("quota.amount_basis") == "planned":
        return Project.planned_total_wan >= floor
    return or_(
        Project.contract_amount_wan >= floor,
        and_(Project.contract_amount_wan.is_(None), Project.planned_total_wan >= floor),
    )


def lowest_threshold(tiers: dict[int, list[TierSpec]]) -> int | None:
    """The lowest threshold over these zones' tiers (None: no tiers): the floor of
    :func:`load_facts` for the city-wide summaries."""
    return min((t.threshold_wan for specs in tiers.values() for t in specs), default=None)


def load_facts(
    zone_ids: list[int],
    year: int,
    rules: Rules,
    tiers: dict[int, list[TierSpec]] | None = None,
    withdrawn_list: bool = True,
) -> dict[int, list[ProjectFacts]]:
    """Projects that can matter for ``year`` as plain facts, in one query: every project that
    reached the counting stage during the year, of whatever kind (the 未计入 list explains the
    ones that do not count), and late-stage candidates landing in it. Each fact carries the
    first time the project reached the counting stage (the stored milestone,
    ``crm.quotas.milestones``; for 签约 / 注册 / 开工 its copy on the project row) and, when
    that was before the year, its first counting-stage event during the year: all the
    counting reads.

    Given the zones' ``tiers``, with the lowest threshold among them as the floor, only
    the facts that can change the tiers (required / achieved / gap / surplus and the projects
    behind them), the forecast and the withdrawn list are loaded: eligible projects first
    reaching the counting stage this year at or above the floor or no longer at it, and
    candidates at or above it — read through the amount indexes, never the year's other
    projects or stage events; without ``withdrawn_list`` the withdrawn projects below the
    floor are left out too. ``counted``, ``below_threshold`` and ``excluded`` (and then
    ``withdrawn``) of attainments computed from them leave out what was not loaded."""
    start, end = date(year, 1, 1), date(year, 12, 31)  # effective dates are Shanghai dates
    counting = [s for s in PIPELINE if rank(s) >= rank(rules.counting_stage)]
    late = [s for s in PIPELINE if rank(s) >= rank(LATE_STAGE)]  # as compute_attainment asks
    eligible = []  # the counting rules' filters, for candidates (the facts stay complete)
    if rules.manufacturing_only:
        eligible.append(Project.is_manufacturing.is_(True))
    if rules.new_only:
        eligible.append(Project.project_type == "new")
    copied = COPIED.get(rules.counting_stage)  # the project's own copy of the stored date
    first = getattr(Project, copied) if copied else ProjectMilestone.reached_on
    columns = (
        Project.id,
        Project.zone_id,
        _amount_column(),
        Project.stage,
        Project.is_manufacturing,
        Project.project_type,
        Project.expected_landing_on,
        func.coalesce(func.nullif(Project.code_name, ""), Project.name),
        first,
    )
    live = (Project.zone_id.in_(zone_ids), Project.deleted_at.is_(None))
    milestone = and_(
        ProjectMilestone.project_id == Project.id,
        ProjectMilestone.stage == rules.counting_stage,
    )

    def stored(stmt: Any, outer: bool = False) -> Any:
        """``stmt`` over projects with their stored first date (the milestone row joined when
        the counting stage has no copy on the project)."""
        if copied:
            return stmt.select_from(Project)
        if outer:
            return stmt.select_from(Project).outerjoin(ProjectMilestone, milestone)
        return stmt.select_from(ProjectMilestone).join(Project, milestone)

    # first reached the counting stage this year: a range of the stored dates
    reached = stored(select(*columns, first)).where(first.between(start, end), *live)
    again = (  # counted in an earlier year and back at the counting stage during this one
        stored(select(*columns, func.min(StageEvent.effective_on)))
        .join(StageEvent, StageEvent.project_id == Project.id)
        .where(
            first < start,
            StageEvent.to_stage.in_(counting),
            StageEvent.effective_on.between(start, end),
            *live,
        )
        .group_by(*columns)
    )
    candidates = (  # never reached it, late stage, expected to land this year
        stored(select(*columns, first), outer=True).where(
            first.is_(None),
            Project.stage.in_(late),
            Project.expected_landing_on.between(start, end),
            *live,
            *eligible,
        )
    )
    floor = lowest_threshold(tiers) if tiers is not None else None
    if tiers is None:
        stmt = union_all(reached, again, candidates)
    else:  # what cannot change a tier, the forecast or the withdrawn list stays in the table
        withdrawn = or_(
            Project.stage == "terminated",
            and_(Project.stage != "paused", Project.stage.not_in(counting)),
        )
        if floor is None:  # no tiers: only the withdrawn list
            stmt = reached.where(*eligible, withdrawn if withdrawn_list else false())
        else:
            enough = _amount_at_least(floor)
            parts = [reached.where(*eligible, enough), candidates.where(enough)]
            if withdrawn_list:  # any amount
                below = func.coalesce(_amount_column(), 0) < floor
                parts.append(reached.where(*eligible, below, withdrawn))
            stmt = union_all(*parts)  # earlier years' projects are 未计入 only: not read
    facts: dict[int, list[ProjectFacts]] = defaultdict(list)
    for (
        pid,
        zone_id,
        amount,
        stage,
        manufacturing,
        kind,
        landing,
        name,
        first,
        during,
    ) in db.session.execute(stmt).all():  # fetchall: row by row costs ~40 µs a row
        events = tuple(StageFact(rules.counting_stage, day) for day in {first, during} if day)
        facts[zone_id].append(
            ProjectFacts(
                id=pid,
                amount_wan=amount,
                stage=stage,
                events=events,
                is_manufacturing=manufacturing,
                project_type=kind,
                expected_landing_on=landing,
                name=name,
            )
        )
    return facts

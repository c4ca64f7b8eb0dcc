"""Quotas: counting settings, tier validation and editing, attainment from the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from crm.core.access import scope_rule, zone_clause
from crm.core.audit import record_audit
from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.projects.models import Project, StageEvent
from crm.projects.stages import PIPELINE, rank, stage_choices, stage_probability
from crm.quotas.attainment import (
    LATE_STAGE,
    Attainment,
    ProjectFacts,
    Rules,
    StageFact,
    TierSpec,
    compute_attainment,
)
from crm.quotas.models import Quota, QuotaTier
from crm.zones.models import Zone

define_section("quota", _l("年度目标统计口径"))
define_setting(
    "quota.counting_stage",
    str,
    "signed",
    _l("计入年度目标的阶段"),
    _l("项目在当年首次进入这个阶段时计入当年的目标（默认：签约）。"),
    choices=stage_choices,
)
define_setting(
    "quota.matching_mode",
    str,
    "disjoint",
    _l("档次匹配方式"),
    _l(
        "不重复计入：一个项目只占一个档次的名额，从高档往低档依次填；累计计入：项目计入它达到的每个档次。"
    ),
    choices=lambda: [("disjoint", _l("不重复计入")), ("cumulative", _l("累计计入"))],
)
define_setting(
    "quota.amount_basis",
    str,
    "contract_else_planned",
    _l("按哪个金额统计"),
    _l("与档次门槛比较的投资额。"),
    choices=lambda: [
        ("contract_else_planned", _l("合同投资额，未填时按计划总投资")),
        ("planned", _l("计划总投资")),
    ],
)
define_setting(
    "quota.manufacturing_only",
    bool,
    True,
    _l("只统计制造业项目"),
    _l("关闭后，非制造业项目也计入年度目标。"),
)
define_setting(
    "quota.new_only",
    bool,
    True,
    _l("只统计新引进项目（不含增资扩产）"),
    _l("关闭后，增资扩产项目也计入年度目标。"),
)

MAX_REQUIRED = 100
YEAR_RANGE = 10


class QuotaError(ValueError):
    """Invalid quota data; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Quota)
def _quota_scope(user: Any):
    return zone_clause(Quota.zone_id, user)


def counting_rules() -> Rules:
    """The counting rules from the settings (invalid values fall back to the defaults)."""
    stage = get_setting("quota.counting_stage")
    mode = get_setting("quota.matching_mode")
    return Rules(
        counting_stage=stage if stage in PIPELINE else "signed",
        mode=mode if mode in ("disjoint", "cumulative") else "disjoint",
        manufacturing_only=bool(get_setting("quota.manufacturing_only")),
        new_only=bool(get_setting("quota.new_only")),
    )


def check_year(year: Any) -> int:
    """A year within ten years of today, else QuotaError."""
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise QuotaError("年份应为数字", "year") from None
    current = local_today().year
    if not current - YEAR_RANGE <= value <= current + YEAR_RANGE:
        raise QuotaError(f"年份应在 {current - YEAR_RANGE} 到 {current + YEAR_RANGE} 之间", "year")
    return value


def clean_tiers(rows: list[dict[str, Any]]) -> list[TierSpec]:
    """Validated tiers: positive thresholds, no two alike, 1–100 projects each."""
    tiers: list[TierSpec] = []
    seen: set[int] = set()
    for index, row in enumerate(rows, start=1):
        label = (row.get("label") or "").strip()
        threshold, required = row.get("threshold_wan"), row.get("required")
        if not label:
            raise QuotaError(f"第 {index} 档：请填写名称", "tiers")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0:
            raise QuotaError(f"第 {index} 档：金额门槛必须大于 0", "tiers")
        if threshold in seen:
            raise QuotaError(f"第 {index} 档：与其他档的金额门槛相同", "tiers")
        if (
            not isinstance(required, int)
            or isinstance(required, bool)
            or not (1 <= required <= MAX_REQUIRED)
        ):
            raise QuotaError(f"第 {index} 档：项目个数应在 1 到 {MAX_REQUIRED} 之间", "tiers")
        seen.add(threshold)
        tiers.append(TierSpec(label[:60], threshold, required))
    return tiers


def save_quota(zone: Zone, year: Any, rows: list[dict[str, Any]], actor: Any) -> Quota | None:
    """Set a zone's tiers for a year (no tiers: the quota is removed), audited."""
    year = check_year(year)
    tiers = clean_tiers(rows)
    quota = db.session.scalar(select(Quota).where(Quota.zone_id == zone.id, Quota.year == year))
    old = [(t.label, t.threshold_wan, t.required) for t in quota.tiers] if quota else []
    new = [(t.label, t.threshold_wan, t.required) for t in tiers]
    if quota is not None and not tiers:
        db.session.delete(quota)
        record_audit("delete", "quota", quota.id, {"tiers": [old, []]}, actor=actor)
        return None
    if quota is None:
        if not tiers:
            return None
        quota = Quota(zone_id=zone.id, year=year)
        db.session.add(quota)
    if quota.tiers:  # delete the old rows first: a kept threshold would break the unique key
        quota.tiers = []
        db.session.flush()
    quota.tiers = [QuotaTier(**asdict(t)) for t in tiers]
    quota.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    if old != new:
        record_audit("update", "quota", quota.id, {"tiers": [old, new], "year": year}, actor=actor)
    return quota


def quota_tiers(zone_ids: list[int], year: int) -> dict[int, list[TierSpec]]:
    rows = db.session.execute(
        select(Quota.zone_id, QuotaTier.label, QuotaTier.threshold_wan, QuotaTier.required)
        .join(QuotaTier.quota)
        .where(Quota.year == year, Quota.zone_id.in_(zone_ids))
    ).all()
    result: dict[int, list[TierSpec]] = defaultdict(list)
    for zone_id, label, threshold, required in rows:
        result[zone_id].append(TierSpec(label, threshold, required))
    return result


def _amount_column():
    if get_setting("quota.amount_basis") == "planned":
        return Project.planned_total_wan
    return func.coalesce(Project.contract_amount_wan, Project.planned_total_wan)


def load_facts(zone_ids: list[int], year: int, rules: Rules) -> dict[int, list[ProjectFacts]]:
    """Projects that can matter for ``year`` as plain facts, in one query: every project that
    reached the counting stage during the year, of whatever kind (the 未计入 list explains the
    ones that do not count), and late-stage candidates landing in it. Each fact carries the
    first time the project reached the counting stage and the first time during the year: all
    the counting reads."""
    counting = [s for s in PIPELINE if rank(s) >= rank(rules.counting_stage)]
    start, end = date(year, 1, 1), date(year, 12, 31)  # effective dates are Shanghai dates
    zone_projects = select(Project.id).where(Project.zone_id.in_(zone_ids))
    reached_in_year = select(StageEvent.project_id).where(
        StageEvent.to_stage.in_(counting),
        StageEvent.effective_on.between(start, end),
        StageEvent.project_id.in_(zone_projects),
    )
    in_year = case((StageEvent.effective_on.between(start, end), StageEvent.effective_on))
    first_reach = (  # only projects that reached the counting stage during the year
        select(
            StageEvent.project_id,
            func.min(StageEvent.effective_on).label("first"),
            func.min(in_year).label("in_year"),
        )
        .where(StageEvent.to_stage.in_(counting), StageEvent.project_id.in_(reached_in_year))
        .group_by(StageEvent.project_id)
        .subquery()
    )
    late = [s for s in PIPELINE if rank(LATE_STAGE) <= rank(s) < rank(rules.counting_stage)]
    eligible = []  # the counting rules' filters, for candidates (the facts stay complete)
    if rules.manufacturing_only:
        eligible.append(Project.is_manufacturing.is_(True))
    if rules.new_only:
        eligible.append(Project.project_type == "new")
    stmt = (
        select(
            Project.id,
            Project.zone_id,
            _amount_column(),
            Project.stage,
            Project.is_manufacturing,
            Project.project_type,
            Project.expected_landing_on,
            func.coalesce(func.nullif(Project.code_name, ""), Project.name),
            first_reach.c.first,
            first_reach.c.in_year,
        )
        .outerjoin(first_reach, first_reach.c.project_id == Project.id)
        .where(Project.zone_id.in_(zone_ids), Project.deleted_at.is_(None))
        .where(
            or_(
                first_reach.c.first.is_not(None),
                and_(
                    first_reach.c.first.is_(None),
                    Project.stage.in_(late),
                    Project.expected_landing_on.between(start, end),
                    *eligible,
                ),
            )
        )
    )
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
    ) in db.session.execute(stmt):
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


def zones_attainment(zones: list[Zone], year: int) -> dict[int, Attainment]:
    """Attainment of each zone for a year, in a constant number of queries."""
    rules = counting_rules()
    ids = [zone.id for zone in zones]
    tiers = quota_tiers(ids, year)
    facts = load_facts(ids, year, rules)
    return {
        zone.id: compute_attainment(
            facts.get(zone.id, []), tiers.get(zone.id, []), year, rules, stage_probability
        )
        for zone in zones
    }


def report(zones: list[Zone], year: int) -> dict[str, Any]:
    """The quota report as plain data (CLI --json and the API)."""
    results = zones_attainment(zones, year)
    out = []
    for zone in zones:
        result = results[zone.id]
        out.append(
            {
                "zone": zone.code,
                "name": zone.name,
                "tiers": [
                    {
                        "label": t.label,
                        "threshold_wan": t.threshold_wan,
                        "required": t.required,
                        "achieved": t.achieved,
                        "gap": t.gap,
                        "surplus": t.surplus,
                        "projects": t.projects,
                        "surplus_projects": t.surplus_projects,
                    }
                    for t in result.tiers
                ],
                "withdrawn": result.withdrawn,
                "forecast": {
                    t.label: {
                        "expected": t.forecast,
                        "candidates": t.candidates,
                        "at_risk": t.at_risk,
                    }
                    for t in result.tiers
                },
            }
        )
    return {"year": year, "zones": out}

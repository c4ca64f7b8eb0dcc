"""The 未计入 list: every project that reached the counting stage in the year and does not
count, with its reason in words. The reasons are the codes ``crm.quotas.attainment`` decides
while counting; this module only puts them into sentences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.money import format_yi
from crm.projects.stages import stage_label
from crm.quotas.attainment import (
    BELOW_THRESHOLD,
    EXPANSION,
    NO_QUOTA,
    NOT_MANUFACTURING,
    OTHER_YEAR,
    ROLLED_BACK,
    TERMINATED,
    Attainment,
    Exclusion,
    ProjectFacts,
)

REASON_LABELS = {
    EXPANSION: _l("增资扩产"),
    NOT_MANUFACTURING: _l("非制造业"),
    TERMINATED: _l("终止"),
    ROLLED_BACK: _l("退回"),
    BELOW_THRESHOLD: _l("低于最低档"),
    OTHER_YEAR: _l("计入其他年度"),
    NO_QUOTA: _l("未设目标"),
}


@dataclass(frozen=True)
class Excluded:
    fact: ProjectFacts
    exclusion: Exclusion

    @property
    def reason(self) -> str:
        return self.exclusion.reason

    @property
    def label(self) -> str:
        return str(REASON_LABELS.get(self.reason, self.reason))


def explain(item: Excluded, lowest_wan: int | None) -> str:
    """The reason as a sentence, e.g. 增资扩产项目，年度目标只计新引进项目."""
    reason = item.reason
    if reason == EXPANSION:
        return str(_l("增资扩产项目：年度目标只计新引进项目"))
    if reason == NOT_MANUFACTURING:
        return str(_l("非制造业项目：年度目标只计制造业项目"))
    if reason == TERMINATED:
        return str(_l("达到计入阶段后终止"))
    if reason == ROLLED_BACK:
        return str(_l("退回到“%(stage)s”", stage=stage_label(item.fact.stage)))
    if reason == BELOW_THRESHOLD:
        return str(_l("低于最低档门槛 %(amount)s", amount=format_yi(lowest_wan)))
    if reason == OTHER_YEAR:
        return str(_l("已计入 %(year)s 年（一个项目只计入一次）", year=item.exclusion.counted_year))
    if reason == NO_QUOTA:
        return str(_l("该开发区本年未设目标档位"))
    return item.label


def excluded(result: Attainment, facts: dict[int, ProjectFacts]) -> list[Excluded]:
    """The 未计入 projects of a zone's attainment, largest amount first."""
    rows = [Excluded(facts[e.project_id], e) for e in result.excluded if e.project_id in facts]
    return sorted(rows, key=lambda r: (-(r.fact.amount_wan or 0), r.fact.id))


def lowest_threshold(result: Attainment) -> int | None:
    return min((t.threshold_wan for t in result.tiers), default=None)


def excluded_rows(result: Attainment, projects: dict[int, Any]) -> list[dict[str, Any]]:
    """The 未计入 list as plain rows (name, amount, reason) for e-mails, from the projects the
    recipient may see (confidential ones by code name)."""
    lowest = lowest_threshold(result)
    rows = []
    for exclusion in result.excluded:
        project = projects.get(exclusion.project_id)
        if project is None:
            continue
        amount = project.quota_amount_wan
        item = Excluded(ProjectFacts(project.id, amount, project.stage, ()), exclusion)
        rows.append(
            {
                "id": project.id,
                "name": project.display_name(),
                "amount": format_yi(amount),
                "amount_wan": amount or 0,
                "label": item.label,
                "why": explain(item, lowest),
            }
        )
    return sorted(rows, key=lambda r: (-r["amount_wan"], r["id"]))

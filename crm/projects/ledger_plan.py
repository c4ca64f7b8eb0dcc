"""Planning a ledger import: what each checked row will do against the database.

A row matches a project by zone + name (or zone + enterprise + name among namesakes) and is
planned as created, updated or unchanged, with the stage steps it adds after the project's own
history (never a step back). Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from crm.auth.models import User
from crm.core.roles import ZONE_ROLES
from crm.enterprises.models import Enterprise
from crm.enterprises.names import normalize_name
from crm.enterprises.services import find_duplicates
from crm.extensions import db
from crm.imports.engine import ImportResult, RowError
from crm.projects.ledger import ALIASES, DATED, LedgerRow
from crm.projects.models import Project
from crm.projects.services import INITIAL_STAGES, can_write_project
from crm.projects.stages import PIPELINE, SIDE, rank, stage_label
from crm.zones.models import Zone


@dataclass
class LedgerPlan:
    """What one row will do: create a project, or change an existing one's fields and stage."""

    row: LedgerRow
    zone: Zone
    project: Project | None = None
    values: dict[str, Any] = field(default_factory=dict)
    initial: str = "lead"
    start: date | None = None
    steps: list[tuple[str, date]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.project is None:
            return "created"
        return "updated" if self.values or self.steps else "unchanged"


class RowProblem(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


class LedgerPlanner:
    """Plans checked rows for ``zone`` (None: each row names its zone) and ``actor``."""

    def __init__(
        self, zone: Zone | None, actor: Any, today: date, label: Callable[[str], str]
    ) -> None:
        self.zone, self.actor, self.today, self.label = zone, actor, today, label
        self._owners: dict[int, dict[str, list[User]]] = {}
        zones = db.session.scalars(select(Zone).where(Zone.active.is_(True))).all()
        self.zones = {key.lower(): z for z in zones for key in (z.code, z.name, z.short_name)}

    def problem(self, row: LedgerRow, name: str, reason: str) -> RowProblem:
        """An error on the row, in the column the file calls ``name``."""
        return RowProblem(RowError(row.row, self.label(name) if name in ALIASES else name, reason))

    def plan(self, rows: list[LedgerRow], result: ImportResult) -> list[LedgerPlan]:
        plans, seen = [], {}
        for row in rows:
            try:
                zone = self._zone_for(row)
                key = (zone.id, row.name)
                if key in seen:
                    raise self.problem(
                        row, "name", f"与第{seen[key]}行是同一个项目（开发区和名称相同）"
                    )
                seen[key] = row.row
                plan = self._plan_row(row, zone, result)
            except RowProblem as exc:
                result.add_errors([exc.error])
                continue
            plans.append(plan)
            result.count(plan.outcome)
            if plan.outcome != "unchanged":  # what was assumed matters only where it is written
                result.add_errors(row.warnings, "warnings")
        return plans

    def _zone_for(self, row: LedgerRow) -> Zone:
        found = self.zones.get(row.zone_text.lower()) if row.zone_text else None
        if row.zone_text and found is None:
            reason = f"未知的开发区“{row.zone_text}”（可填写开发区全称、简称或代码）"
            raise self.problem(row, "zone", reason)
        if self.zone is not None and found is not None and found.id != self.zone.id:
            reason = f"与导入时选择的开发区“{self.zone.short_name}”不一致"
            raise self.problem(row, "zone", reason)
        zone = self.zone or found
        if zone is None:
            raise self.problem(row, "zone", "请填写所属开发区")
        if self.actor.role in ZONE_ROLES and zone.id != self.actor.zone_id:
            raise self.problem(row, "zone", "开发区人员只能导入本开发区的项目")
        return zone

    def _plan_row(self, row: LedgerRow, zone: Zone, result: ImportResult) -> LedgerPlan:
        values = dict(row.values)
        if row.owner_text:
            values["owner_id"] = self._owner(row, zone)
        project = self._match(row, zone)
        if project is not None:
            changes = {k: v for k, v in values.items() if getattr(project, k) != v}
            if "owner_id" in changes:  # the owner only matters where the file changes it
                self._check_owner(row, changes["owner_id"])
            plan = LedgerPlan(row, zone, project, changes, steps=self._steps(row, project))
            if plan.outcome == "updated" and not can_write_project(self.actor, project):
                raise self.problem(row, "name", "该项目由其他人员负责，招商专员只能修改自己的项目")
            return plan
        if "owner_id" in values:
            self._check_owner(row, values["owner_id"])
        stage, steps = row.stage or "lead", []
        if stage not in INITIAL_STAGES:
            steps = [(code, row.dates[code]) for code in DATED if code in row.dates]
            if stage in SIDE:
                steps.append((stage, row.dates[stage]))
        start = row.entered_on or (steps[0][1] if steps else self.today)
        values.setdefault("is_manufacturing", zone.is_manufacturing)
        if self.enterprise(row) is None:
            hits = find_duplicates(row.enterprise, row.uscc, limit=1)
            if hits:
                hit = hits[0]
                reason = (
                    f"与已有企业“{hit.enterprise.name}”{hit.label}，将新建企业；"
                    "如为同一企业，请导入后在企业库中合并"
                )
                result.add_errors([RowError(row.row, self.label("enterprise"), reason)], "warnings")
        initial = stage if stage in INITIAL_STAGES else "lead"
        return LedgerPlan(row, zone, None, values, initial, start, steps)

    def _check_owner(self, row: LedgerRow, owner_id: int) -> None:
        if self.actor.role == "staff" and owner_id != self.actor.id:
            raise self.problem(row, "owner", "招商专员只能把项目分配给自己")

    def _owner(self, row: LedgerRow, zone: Zone) -> int:
        if zone.id not in self._owners:
            people: dict[str, list[User]] = {}
            stmt = select(User).where(User.zone_id == zone.id, User.active.is_(True))
            for user in db.session.scalars(stmt):
                for key in {user.login, user.display_name}:
                    people.setdefault(key, []).append(user)
            self._owners[zone.id] = people
        found = self._owners[zone.id].get(row.owner_text, [])
        if not found:
            reason = f"“{row.owner_text}”不是{zone.short_name}的在职人员（请填写姓名或登录名）"
            raise self.problem(row, "owner", reason)
        if len(found) > 1:
            raise self.problem(
                row, "owner", f"{zone.short_name}有多位人员叫“{row.owner_text}”，请改填登录名"
            )
        return found[0].id

    def enterprise(self, row: LedgerRow) -> Enterprise | None:
        """The existing enterprise of the row: same credit code, else the same name."""
        if row.uscc:
            found = db.session.scalar(select(Enterprise).where(Enterprise.uscc == row.uscc))
            if found is not None and (found.deleted_at or found.merged_into_id):
                raise self.problem(row, "uscc", f"该信用代码属于已删除或已合并的企业“{found.name}”")
            if found is not None:
                return found
        stmt = select(Enterprise).where(
            Enterprise.normalized_name == normalize_name(row.enterprise),
            Enterprise.deleted_at.is_(None),
            Enterprise.merged_into_id.is_(None),
        )
        same = [e for e in db.session.scalars(stmt) if not (row.uscc and e.uscc)]
        if len(same) > 1:
            raise self.problem(
                row, "enterprise", "名称与多家已有企业相同，请填写统一社会信用代码以区分"
            )
        return same[0] if same else None

    def _match(self, row: LedgerRow, zone: Zone) -> Project | None:
        stmt = select(Project).where(
            Project.zone_id == zone.id, Project.name == row.name, Project.deleted_at.is_(None)
        )
        candidates = db.session.scalars(stmt).all()
        if len(candidates) > 1:
            enterprise = self.enterprise(row)
            candidates = [p for p in candidates if enterprise and p.enterprise_id == enterprise.id]
            if len(candidates) != 1:
                reason = "该开发区有多个同名项目，无法按投资方区分；请先在系统中改名"
                raise self.problem(row, "name", reason)
        return candidates[0] if candidates else None

    def _steps(self, row: LedgerRow, project: Project) -> list[tuple[str, date]]:
        """Stage steps the row adds after the project's own history (never a step back)."""
        target = row.stage
        if target is None or target == project.stage:
            return []
        if target in PIPELINE and project.stage in PIPELINE and rank(target) < rank(project.stage):
            reason = (
                f"系统中该项目已处于“{stage_label(project.stage)}”，台账为“{stage_label(target)}”；"
                "导入不会回退阶段，请在系统中办理"
            )
            raise self.problem(row, "stage", reason)
        events = project.events
        reached = max((rank(e.to_stage) for e in events if e.to_stage in PIPELINE), default=-1)
        last = max((e.effective_on for e in events), default=project.stage_since)
        steps = [(c, row.dates[c]) for c in DATED if c in row.dates and rank(c) > reached]
        if target in SIDE:
            steps.append((target, row.dates[target]))
        elif not steps or steps[-1][0] != target:
            steps.append((target, self.today))  # 洽谈, 考察 … have no date column: today
        for code, on in steps:
            if on < last:
                reason = f"{stage_label(code)}日期（{on}）早于该项目最近一次阶段变更（{last}）"
                raise self.problem(row, code if code in row.dates else "stage", reason)
            last = on
        return steps

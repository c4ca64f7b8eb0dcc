"""Importing a zone's monthly progress sheet (月度进展表): every row checked first, then written.

The import pipeline's contract (``crm.imports.engine``): ``run(write=False)`` reads and checks
(errors and warnings as row, column, reason); ``run(write=True, batch_id=…)`` writes inside the
caller's transaction only when the whole file is clean — all or nothing. Rows name their project
by 项目编号 (the project's number in the system) or 项目名称 within the zone chosen on upload;
the figures are checked in month order per project against the months already stored and the
file's own earlier months (crm.progress.services); a locked month becomes a new revision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from crm.core.boundary import parse_id
from crm.core.period_lock import locked_periods
from crm.extensions import db
from crm.imports.engine import ImportResult, RowError
from crm.imports.models import ImportChange
from crm.imports.sheet_importer import SheetImporter
from crm.progress.models import AMOUNT_FIELDS, FIELDS
from crm.progress.recording import current_rows, save_progress
from crm.progress.services import (
    ProgressError,
    check_figures,
    parse_figures,
    parse_period,
    reportable,
)
from crm.projects.models import Project
from crm.projects.stages import stage_label

MAX_ROWS = 20_000
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "编号", "项目id"),
    "name": ("项目名称", "项目"),
    "period": ("月份", "填报月份", "报告期", "所属月份", "统计月份"),
    "month_investment_wan": ("本月完成投资", "当月完成投资", "本月完成固定资产投资"),
    "total_investment_wan": (
        "累计完成投资",
        "累计完成固定资产投资",
        "累计完成固投",
        "累计固定资产投资",
    ),
    "month_funds_wan": ("本月到位资金", "当月到位资金", "本月实际到位"),
    "total_funds_wan": ("累计到位资金", "累计实际到位", "累计到位"),
    "image_progress": ("形象进度", "工程形象进度", "项目形象进度"),
    "problems": ("存在问题", "存在的问题", "困难问题"),
    "coordination": ("需协调事项", "需协调解决事项", "需要协调的问题", "协调事项"),
}


def column_label(name: str) -> str:
    return ALIASES[name][0]


@dataclass
class SheetRow:
    row: int
    project: Project
    period: str
    values: dict[str, Any]
    warnings: list[RowError] = field(default_factory=list)


class ProgressImporter(SheetImporter):
    """One monthly sheet into ``zone`` (its id) by ``actor`` (the pipeline's importer call)."""

    ALIASES = ALIASES
    ZONE_REQUIRED = _l("月度进展须导入到一个开发区")
    MAX_ROWS = MAX_ROWS

    # --- reading -------------------------------------------------------------------------

    def _read(self, result: ImportResult) -> list[SheetRow]:
        stream, header, problems = self.open_header()
        if "code" not in header.columns and "name" not in header.columns:
            problems.append(RowError(header.row, "项目名称", _l("缺少“项目名称”或“项目编号”列")))
        if "period" not in header.columns:
            problems.append(RowError(header.row, "月份", _l("缺少该列")))
        if not set(AMOUNT_FIELDS) & set(header.columns):
            problems.append(RowError(header.row, "", _l("缺少完成投资或到位资金列")))
        if problems:
            result.add_errors(problems)
            return []
        projects = list(
            db.session.scalars(
                select(Project).where(Project.zone_id == self.zone_id, Project.deleted_at.is_(None))
            ).unique()
        )
        by_id = {p.id: p for p in projects}
        by_name: dict[str, list[Project]] = defaultdict(list)
        for project in projects:
            by_name[project.name].append(project)
        self.seen: dict[tuple[int, str], int] = {}
        self.by_id, self.by_name = by_id, by_name
        return self.each_row(stream, header, result, self._row)

    def _row(self, number: int, cells: Any, result: ImportResult) -> SheetRow | None:
        """One data row read and checked on its own (errors recorded in ``result``)."""
        header = self.header

        def cell(name: str) -> str:
            return header.value(cells, name).strip()

        errors: list[RowError] = []
        project = self._project(number, cell("code"), cell("name"), errors)
        period = None
        try:
            period = parse_period(cell("period"))
        except ProgressError as exc:
            errors.append(RowError(number, self.label("period"), str(exc)))
        values: dict[str, Any] = {}
        for name in FIELDS:
            try:
                values[name] = parse_figures({name: cell(name)}, header.units)[name]
            except ProgressError as exc:
                errors.append(RowError(number, self.label(name), str(exc)))
        if project is not None and period is not None:
            key = (project.id, period)
            if key in self.seen:
                reason = _l("与第 %(row)s 行是同一项目的同一月份", row=self.seen[key])
                errors.append(RowError(number, self.label("period"), reason))
            self.seen.setdefault(key, number)
        if errors:
            result.add_errors(errors)
            return None
        if project is None or period is None:
            return None
        return SheetRow(number, project, period, {n: values.get(n) for n in FIELDS})

    def _project(self, number: int, code: str, name: str, errors: list) -> Project | None:
        by_id, by_name = self.by_id, self.by_name
        project = None
        if code:
            ident = parse_id(code)
            project = by_id.get(ident) if ident is not None else None
            if project is None:
                reason = _l("项目编号“%(code)s”不是本开发区的项目", code=code[:20])
                errors.append(RowError(number, self.label("code"), reason))
                return None
            if name and name != project.name:
                reason = _l(
                    "项目编号 %(code)s 是“%(name)s”，与项目名称不一致", code=code, name=project.name
                )
                errors.append(RowError(number, self.label("name"), reason))
                return None
        elif name:
            matches = by_name.get(name, [])
            if not matches:
                reason = _l("本开发区没有名为“%(name)s”的项目", name=name[:60])
                errors.append(RowError(number, self.label("name"), reason))
                return None
            if len(matches) > 1:
                reason = _l("本开发区有 %(n)s 个同名项目，请填写项目编号", n=len(matches))
                errors.append(RowError(number, self.label("name"), reason))
                return None
            project = matches[0]
        else:
            errors.append(RowError(number, self.label("name"), _l("请填写项目名称或项目编号")))
            return None
        if not reportable(project):
            reason = _l(
                "项目尚未签约（当前阶段：%(stage)s），签约后才填报月度进展",
                stage=stage_label(project.stage),
            )
            errors.append(RowError(number, self.label("name" if name else "code"), reason))
            return None
        return project

    # --- checking against the stored months and the file's earlier months -----------------

    def _check(self, rows: list[SheetRow], result: ImportResult) -> None:
        locked = locked_periods(self.zone_id)
        states: dict[int, dict[str, Any]] = {}
        for row in sorted(rows, key=lambda r: (r.project.id, r.period)):
            if row.project.id not in states:
                states[row.project.id] = {r.period: r for r in current_rows(row.project.id)}
            state = states[row.project.id]
            earlier = sorted(p for p in state if p < row.period)
            previous = state[earlier[-1]] if earlier else None
            checked = check_figures(row.period, row.values, previous)
            if checked.errors:
                result.add_errors(
                    [RowError(row.row, self.label(f), reason) for f, reason in checked.errors]
                )
                continue
            current = state.get(row.period)
            warnings = [RowError(row.row, self.label(f), r) for f, r in checked.warnings]
            if current is None:
                result.count("created")
            elif all(getattr(current, f) == checked.values[f] for f in FIELDS):
                result.count("unchanged")
            else:
                result.count("updated")
                if row.period in locked:
                    reason = _l("%(period)s 已锁定，将保存为该月的新版本", period=row.period)
                    warnings.append(RowError(row.row, self.label("period"), reason))
            result.add_errors(warnings, "warnings")
            row.values = checked.values
            state[row.period] = SimpleNamespace(period=row.period, **checked.values)

    # --- writing -------------------------------------------------------------------------

    def _write(self, rows: list[SheetRow], batch_id: int | None, result: ImportResult) -> None:
        created: set[tuple[str, int]] = set()
        updated: dict[tuple[str, int], dict[str, list]] = {}
        for row in sorted(rows, key=lambda r: (r.project.id, r.period)):
            try:
                note = f"导入 {self.filename} 第{row.row}行"
                saved = save_progress(
                    row.project, row.period, row.values, self.actor, note=note, batch_id=batch_id
                )
            except ProgressError as exc:
                column = self.label(exc.field) if exc.field in ALIASES else ""
                result.add_errors([RowError(row.row, column, str(exc))])
                return
            for entity, entity_id, before in saved.changes:
                if before is None:
                    created.add((entity, entity_id))
                    continue
                merged = updated.setdefault((entity, entity_id), {})
                for name, (old, new) in before.items():  # the first old value, the last new one
                    merged[name] = [merged[name][0] if name in merged else old, new]
        log = [
            {"batch_id": batch_id, "entity": e, "entity_id": i, "action": "created", "before": None}
            for e, i in sorted(created)
        ] + [
            {"batch_id": batch_id, "entity": e, "entity_id": i, "action": "updated", "before": b}
            for (e, i), b in updated.items()
            if (e, i) not in created
        ]
        if batch_id is not None and log:
            db.session.execute(insert(ImportChange.__table__), log)

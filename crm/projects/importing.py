"""Importing a project ledger (台账): every row checked and planned first, then written.

The contract is the target-list import's (``crm.imports.engine``): ``run(write=False)`` only
reads and plans (created / updated / unchanged per row, errors as row, column, reason);
``run(write=True, batch_id=…)`` writes inside the caller's transaction only when the whole
file is clean, and the caller rolls back when the result still has errors — all or nothing.

Projects match by zone + name (or zone + enterprise + name among namesakes). Stage dates become
StageEvents in date order — 线索 on 入库日期 (else the first date), then each dated step —
so quota counting sees when a project first reached 签约. Evidence of an imported step is the
ledger row itself (file and row number); history already in the system is never rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from crm.core.audit import record_audit
from crm.core.tabular import TabularError, find_header, is_uncomputed
from crm.core.timeutil import local_today
from crm.enterprises.services import EnterpriseError, create_enterprise
from crm.extensions import db
from crm.imports.engine import ImportResult, Limits, Progress, RowError, plain
from crm.imports.models import ImportChange
from crm.imports.services import SYSTEM_ACTOR
from crm.imports.sheet_importer import too_many_rows
from crm.imports.sheets import data_rows
from crm.projects.ledger import ALIASES, LedgerReader, LedgerRow, column_label
from crm.projects.ledger_plan import LedgerPlan, LedgerPlanner, RowProblem
from crm.projects.models import Project, StageEvent
from crm.projects.services import ProjectError, create_project, update_project
from crm.projects.stages import SIDE
from crm.targets.chain_hooks import link_imported, node_resolver
from crm.zones.models import Zone

MAX_ROWS = 20_000
PROGRESS_EVERY = 200  # rows between progress reports
DATE_FIELDS = {
    "signed": "contract_signed_on",
    "construction": "started_on",
    "production": "produced_on",
    "full_production": "full_production_on",
}
# a service's field name → the ledger column to blame
FIELD_COLUMNS = {"owner_id": "owner", "started_on": "entered_on", "contract_signed_on": "signed"}


class LedgerImporter:
    """One ledger file into ``zone`` (a Zone or its id; None: each row names its zone), by
    ``actor`` — called like the target list's ``Importer`` (``limits`` caps the rows)."""

    def __init__(
        self,
        path: str | Path,
        filename: str,
        zone: Zone | int | None,
        actor: Any = None,
        limits: Limits | None = None,
        progress: Progress | None = None,
    ) -> None:
        if isinstance(zone, int):
            zone = db.session.get(Zone, zone)
        self.path, self.filename, self.zone = path, filename, zone
        self.max_rows = min(MAX_ROWS, limits.max_rows) if limits else MAX_ROWS
        self.actor = actor or SYSTEM_ACTOR
        self.today = local_today()
        self.reader: LedgerReader | None = None
        self.planner = LedgerPlanner(zone, self.actor, self.today, self.label)
        self.progress = progress  # (phase, rows done): the import page's progress bar

    def run(self, *, write: bool, batch_id: int | None = None) -> ImportResult:
        """Check and plan every row; with ``write`` and no errors, write them (no commit)."""
        result = ImportResult()
        try:
            plans = self.planner.plan(self._read(result), result)
        except TabularError as exc:
            result.add_errors([RowError(0, "", str(exc))])
            return result
        if write and not result.error_count:
            self._write(plans, batch_id, result)
        return result

    def label(self, name: str) -> str:
        """The file's header for a field (its canonical name before the header is read)."""
        return self.reader.label(name) if self.reader else column_label(name)

    # --- reading -------------------------------------------------------------------------

    def _read(self, result: ImportResult) -> list[LedgerRow]:
        rows, seen = data_rows(self.path, self.filename, ALIASES), {}

        def remember():
            for number, cells in rows:
                if len(seen) < 40:
                    seen[number] = cells
                yield number, cells

        stream = remember()
        header = find_header(stream, ALIASES, min_matches=2)
        labels = {name: seen[header.row][i] for name, i in header.columns.items()}
        problems = [
            RowError(header.row, cell, _l("与另一列表示同一项内容，请删除其中一列"))
            for cell in header.duplicates
        ]
        required = ("name", "enterprise") + (("zone",) if self.zone is None else ())
        for name in required:
            if name not in header.columns:
                hint = "（未指定开发区时必填）" if name == "zone" else ""
                problems.append(
                    RowError(header.row, column_label(name), _l("缺少该列%(hint)s", hint=hint))
                )
        if problems:
            result.add_errors(problems)
            return []
        self.reader = LedgerReader(header, labels, self.today)
        parsed, known = [], list(header.columns.values())
        for number, cells in stream:
            if not any(cells[i] or is_uncomputed(cells[i]) for i in known if i < len(cells)):
                continue  # a note below the table, with nothing in a known column
            result.rows += 1
            if self.progress and result.rows % PROGRESS_EVERY == 0:
                self.progress("validating", result.rows)
            if result.rows > self.max_rows:
                reason = too_many_rows(self.max_rows)
                result.add_errors([RowError(number, "", reason)])
                break
            if (row := self.reader.read(number, cells)) is not None:
                parsed.append(row)
        result.add_errors(self.reader.errors)
        if result.rows == 0 and not result.error_count:
            result.add_errors([RowError(header.row, "", _l("文件中没有数据行"))])
        return parsed

    # --- writing -------------------------------------------------------------------------

    def _write(self, plans: list[LedgerPlan], batch_id: int | None, result: ImportResult) -> None:
        log: list[dict[str, Any]] = []
        self.chain_texts: dict[int, str] = {}
        for done, plan in enumerate(plans, start=1):
            if self.progress and done % PROGRESS_EVERY == 0:
                self.progress("writing", done)
            try:
                self._write_plan(plan, batch_id, log)
            except (ProjectError, EnterpriseError) as exc:
                column = FIELD_COLUMNS.get(exc.field, exc.field)
                label = self.label(column) if column in ALIASES else ""
                result.add_errors([RowError(plan.row.row, label, str(exc))])
                return
            except RowProblem as exc:
                result.add_errors([exc.error])
                return
        if batch_id is not None and log:
            db.session.execute(insert(ImportChange.__table__), log)
        if self.chain_texts:
            link_imported("project", self.chain_texts, node_resolver())
        result.written = True

    def _write_plan(self, plan: LedgerPlan, batch_id: int | None, log: list) -> None:
        """Write one row; every row created or changed is logged as an ImportChange (the
        import-revert shape: ``before`` is None when created, else {field: [old, new]})."""
        row = plan.row

        def change(entity: str, entity_id: int, before: dict | None = None) -> None:
            action = "created" if before is None else "updated"
            log.append(
                {
                    "batch_id": batch_id,
                    "entity": entity,
                    "entity_id": entity_id,
                    "action": action,
                    "before": before,
                }
            )

        project = plan.project
        if project is None:
            enterprise = self.planner.enterprise(row)
            if enterprise is None:
                raw = {"name": row.enterprise, "uscc": row.uscc}
                enterprise = create_enterprise(raw, self.actor, confirm_duplicate=True)
                change("enterprise", enterprise.id)
            values = {"name": row.name, **plan.values}
            project = create_project(
                enterprise,
                plan.zone.id,
                values,
                self.actor,
                stage=plan.initial,
                started_on=plan.start,
            )
            project.import_batch_id = batch_id
            change("project", project.id)
            before: dict = {}
        else:
            before = update_project(project, plan.values, project.version, self.actor)
        if row.chain_text:
            self.chain_texts[project.id] = row.chain_text
        old = (project.stage, project.stage_since)
        for event_id in self._append_steps(project, plan.steps, row):
            change("stage_event", event_id)
        if plan.project is not None:
            if plan.steps:
                before |= {
                    "stage": [old[0], project.stage],
                    "stage_since": [old[1], project.stage_since],
                }
            if before:  # an unchanged row leaves no trace
                change("project", project.id, {k: plain(v) for k, v in before.items()})

    def _append_steps(self, project: Project, steps: list, row: LedgerRow) -> list[int]:
        """Record each dated step as a StageEvent whose evidence is the ledger row."""
        if not steps:
            return []
        old, events = project.stage, []
        for stage, on in steps:
            evidence: dict[str, Any] = {"source": "台账导入", "file": self.filename, "row": row.row}
            if stage == "signed" and row.values.get("contract_amount_wan"):
                project.contract_amount_wan = row.values["contract_amount_wan"]
                evidence["contract_amount_wan"] = str(project.contract_amount_wan)
            elif stage == "signed":  # the quota falls back to the planned total
                evidence["assumed_amount"] = "按计划总投资计入"
            if stage in row.assumed:
                evidence["assumed"] = row.assumed[stage]
            if stage in DATE_FIELDS:
                setattr(project, DATE_FIELDS[stage], on)
                evidence[DATE_FIELDS[stage]] = on.isoformat()
            if stage == "terminated":
                project.terminated_reason = row.reason[:500]
            note = row.reason if stage in SIDE else f"台账导入（{self.filename} 第{row.row}行）"
            if stage in row.assumed:
                note = f"{note}；{row.assumed[stage]}"
            event = StageEvent(
                project_id=project.id,
                from_stage=project.stage,
                to_stage=stage,
                effective_on=on,
                actor_id=self.actor.id,
                note=note,
                evidence=evidence,
                amount_wan=project.quota_amount_wan,
            )
            project.stage, project.stage_since = stage, on
            db.session.add(event)
            events.append(event)
        project.updated_by_id = self.actor.id
        db.session.flush()
        record_audit(
            "stage",
            "project",
            project.id,
            {"stage": [old, project.stage]},
            actor=self.actor,
            note=f"台账导入 {self.filename} 第{row.row}行",
        )
        return [event.id for event in events]

"""Writing a project's month: in place while the zone's month is open, as a new revision once
it is locked; later months' cumulatives follow a corrected one; the project's 累计实际到位
follows the newest month (the rules are described in :mod:`crm.progress.services`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.period_lock import is_locked
from crm.extensions import db
from crm.progress.models import FIELDS, MonthlyProgress
from crm.progress.services import (
    PAIRS,
    ProgressError,
    check_figures,
    previous_month,
    reportable,
)
from crm.projects.models import Project

# --- reading the stored months -------------------------------------------------------------


def current_row(project_id: int, period: str) -> MonthlyProgress | None:
    """The newest revision of a project's month."""
    stmt = (
        select(MonthlyProgress)
        .where(MonthlyProgress.project_id == project_id, MonthlyProgress.period == period)
        .order_by(MonthlyProgress.revision.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def current_rows(project_id: int) -> list[MonthlyProgress]:
    """Each reported month's newest revision, oldest month first."""
    rows: dict[str, MonthlyProgress] = {}
    stmt = (
        select(MonthlyProgress)
        .where(MonthlyProgress.project_id == project_id)
        .order_by(MonthlyProgress.period, MonthlyProgress.revision)
    )
    for row in db.session.scalars(stmt):
        rows[row.period] = row
    return list(rows.values())


def previous_row(project_id: int, period: str) -> MonthlyProgress | None:
    """The current figures of the month reported last before ``period``."""
    before = [row for row in current_rows(project_id) if row.period < period]
    return before[-1] if before else None


# --- writing -------------------------------------------------------------------------------


@dataclass
class Saved:
    row: MonthlyProgress | None
    action: str  # created | updated | revised | unchanged
    # (entity, id, {field: [old, new]} or None when created): what an import logs for revert
    changes: list[tuple[str, int, dict | None]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _write(
    project: Project, period: str, values: dict, current: Any, actor: Any, note: str, batch: Any
) -> tuple[MonthlyProgress | None, str, dict | None]:
    """Insert, overwrite or revise one month; returns (row, action, {field: [old, new]})."""
    if current is not None:
        diff = {
            f: [getattr(current, f), values[f]]
            for f in FIELDS
            if f in values and getattr(current, f) != values[f]
        }
        if not diff:
            return current, "unchanged", None
        if not is_locked(project.zone_id, period):
            for name, (_old, new) in diff.items():
                setattr(current, name, new)
            current.updated_by_id = getattr(actor, "id", None)
            db.session.flush()
            record_audit("update", "monthly_progress", current.id, diff, actor=actor, note=period)
            return current, "updated", diff
    revision = 1 if current is None else current.revision + 1
    kept = {f: getattr(current, f) for f in FIELDS} if current is not None else {}
    row = MonthlyProgress(
        project_id=project.id,
        period=period,
        revision=revision,
        note=note[:500],
        import_batch_id=batch,
        created_by_id=getattr(actor, "id", None),
        updated_by_id=getattr(actor, "id", None),
        **{**kept, **{f: v for f, v in values.items() if f in FIELDS}},
    )
    db.session.add(row)
    db.session.flush()
    action = "created" if current is None else "revised"
    changes = {f: [kept.get(f), getattr(row, f)] for f in FIELDS if kept.get(f) != getattr(row, f)}
    audit_note = period if current is None else f"{period} v{revision} {note}".strip()
    record_audit(
        "create" if current is None else "revise",
        "monthly_progress",
        row.id,
        {"project_id": project.id, "period": period, **changes},
        actor=actor,
        note=audit_note,
    )
    return row, action, None


def save_progress(
    project: Project,
    period: str,
    values: dict[str, Any],
    actor: Any,
    *,
    note: str = "",
    batch_id: int | None = None,
) -> Saved:
    """Record a project's month (``values`` as :func:`parse_figures` gives them); raises
    ProgressError naming the field at fault. The caller commits."""
    if not reportable(project):
        raise ProgressError(_l("项目签约后才填报月度进展"), "period")
    current = current_row(project.id, period)
    checked = check_figures(period, values, previous_row(project.id, period))
    if checked.errors:
        raise ProgressError(checked.errors[0][1], checked.errors[0][0])
    if current is None:
        _check_next(project.id, period, checked.values)
    if current is not None and is_locked(project.zone_id, period) and not note.strip():
        note = str(_l("已锁定月份的更正"))
    before = {t: getattr(current, t) for _m, t, _label in PAIRS} if current else {}
    row, action, diff = _write(project, period, checked.values, current, actor, note, batch_id)
    saved = Saved(row, action, warnings=checked.warnings)
    if action == "unchanged":
        return saved
    saved.changes.append(("monthly_progress", row.id, diff))
    if current is not None:
        _shift_later(project, period, before, row, actor, batch_id, saved)
    sync_in_place(project, actor, saved, period)
    return saved


def _check_next(project_id: int, period: str, values: dict[str, Any]) -> None:
    """A month filled in before an already reported next month must lead up to it."""
    later = [r for r in current_rows(project_id) if r.period > period]
    if not later or previous_month(later[0].period) != period:
        return
    for month_f, total_f, label in PAIRS:
        expected = getattr(later[0], total_f) - getattr(later[0], month_f)
        if values[total_f] != expected:
            reason = _l(
                "%(next)s 已填报：其累计%(what)s减本月为 %(expected)s万元，本月累计应与之一致",
                next=later[0].period,
                what=label,
                expected=expected,
            )
            raise ProgressError(reason, total_f)


def _shift_later(
    project: Project, period: str, old: dict, new: Any, actor: Any, batch: Any, saved: Saved
) -> None:
    """Carry a changed cumulative (``old``: the month's totals before) into the later months
    (差额顺延)."""
    deltas = {
        total: getattr(new, total) - old[total]
        for _month, total, _label in PAIRS
        if old[total] != getattr(new, total)
    }
    if not deltas:
        return
    for later in [r for r in current_rows(project.id) if r.period > period]:
        values = {t: getattr(later, t) + d for t, d in deltas.items()}
        if any(v < 0 for v in values.values()):
            raise ProgressError(_l("修改后 %(period)s 的累计数将为负数", period=later.period), "")
        note = str(_l("随 %(period)s 修改顺延", period=period))
        row, action, diff = _write(project, later.period, values, later, actor, note, batch)
        if action != "unchanged":
            saved.changes.append(("monthly_progress", row.id, diff))


def sync_in_place(project: Project, actor: Any, saved: Saved | None = None, note: str = "") -> None:
    """The project's 累计实际到位 := the newest reported month's 累计到位资金 (audited)."""
    rows = current_rows(project.id)
    if not rows or rows[-1].total_funds_wan == project.actual_in_place_wan:
        return
    old, new = project.actual_in_place_wan, rows[-1].total_funds_wan
    project.actual_in_place_wan = new
    project.updated_by_id = getattr(actor, "id", None) or project.updated_by_id
    db.session.flush()
    change = {"actual_in_place_wan": [old, new]}
    record_audit("update", "project", project.id, change, actor=actor, note=note)
    if saved is not None:
        saved.changes.append(("project", project.id, change))

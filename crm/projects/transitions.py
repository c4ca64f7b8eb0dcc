"""Stage changes: evidence for forward steps, reasons for steps back, dated history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.core.audit import record_audit
from crm.core.settings import get_setting
from crm.core.timeutil import local_today
from crm.enterprises.uscc import UsccError, validate_uscc
from crm.extensions import db
from crm.projects.models import Project, StageEvent
from crm.projects.services import ProjectError, _amount, _area, check_version
from crm.projects.stages import (
    ALL_STAGES,
    evidence_for_step,
    needs_reason,
    rank,
    stage_label,
)


@dataclass
class StageChange:
    event: StageEvent
    warnings: list[str] = field(default_factory=list)


def _first_day(project: Project) -> date:
    first = db.session.scalar(
        select(func.min(StageEvent.effective_on)).where(StageEvent.project_id == project.id)
    )
    return first or project.created_at.date()


def _last_day(project: Project) -> date | None:
    return db.session.scalar(
        select(func.max(StageEvent.effective_on)).where(StageEvent.project_id == project.id)
    )


def _clean_evidence(
    project: Project, needed: tuple, raw: dict[str, Any], first: date, today: date
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in needed:
        value = raw.get(item.name)
        if value in (None, ""):
            if getattr(project, item.name) is not None:
                continue  # recorded earlier (e.g. before a pause)
            raise ProjectError(_l("进入该阶段须填写%(label)s", label=item.label), item.name)
        if item.kind == "date":
            if value > today:
                raise ProjectError(_l("%(label)s不能晚于今天", label=item.label), item.name)
            if value < first:
                raise ProjectError(
                    _l(
                        "%(label)s不能早于项目开始日期 %(day)s",
                        label=item.label,
                        day=first.isoformat(),
                    ),
                    item.name,
                )
        elif item.kind == "amount":
            value = _amount(value, item.label, item.name)
            if not value:
                raise ProjectError(_l("%(label)s应大于 0", label=item.label), item.name)
        elif item.kind == "area":
            value = _area(value, item.name)
        elif item.kind == "uscc":
            try:
                value = validate_uscc(str(value))
            except UsccError as exc:
                raise ProjectError(str(exc), item.name) from exc
        elif item.kind == "text":
            value = str(value).strip()[:200]
            if not value:
                raise ProjectError(_l("进入该阶段须填写%(label)s", label=item.label), item.name)
        values[item.name] = value
    return values


def change_stage(
    project: Project,
    to_stage: str,
    effective_on: date | None,
    raw_evidence: dict[str, Any],
    note: str,
    version: Any,
    actor: Any,
) -> StageChange:
    """Move a project to ``to_stage`` as of ``effective_on`` (past dates allowed, future
    not); forward steps need their evidence, steps back / pause / termination a reason."""
    check_version(project, version)
    old = project.stage
    if to_stage not in ALL_STAGES:
        raise ProjectError(_l("未知的阶段"), "to_stage")
    if to_stage == old:
        raise ProjectError(_l("项目已处于该阶段"), "to_stage")
    today = local_today()
    first = _first_day(project)
    needed = evidence_for_step(old, to_stage)
    evidence = _clean_evidence(project, needed, raw_evidence, first, today)
    if effective_on is None:
        # the evidence date of the target stage is the natural effective date
        effective_on = next(
            (evidence[e.name] for e in reversed(needed) if e.kind == "date" and e.name in evidence),
            today,
        )
    if effective_on > today:
        raise ProjectError(_l("生效日期不能晚于今天"), "effective_on")
    if effective_on < first:
        raise ProjectError(
            _l("生效日期不能早于项目开始日期 %(day)s", day=first.isoformat()), "effective_on"
        )
    last = _last_day(project)
    if last is not None and effective_on < last:
        raise ProjectError(
            _l("生效日期不能早于上一次阶段变更（%(day)s）", day=last.isoformat()), "effective_on"
        )
    note = (note or "").strip()
    if needs_reason(old, to_stage) and not note:
        raise ProjectError(_l("转到“%(stage)s”须填写原因", stage=stage_label(to_stage)), "note")
    warnings = []
    threshold = get_setting("projects.first_report_threshold_wan")
    amount = evidence.get("contract_amount_wan") or project.quota_amount_wan or 0
    crossing_signed = rank(to_stage) >= rank("signed") > rank(old)
    if crossing_signed and amount >= threshold and not project.first_reported:
        warnings.append("该项目投资额达到首报门槛，但尚未完成首报（须在签约前向省里首报）")
    for name, value in evidence.items():
        setattr(project, name, value)
    if to_stage == "terminated":
        project.terminated_reason = note[:500]
    project.stage = to_stage
    project.stage_since = effective_on
    project.updated_by_id = actor.id
    event = StageEvent(
        project_id=project.id,
        from_stage=old,
        to_stage=to_stage,
        effective_on=effective_on,
        actor_id=actor.id,
        note=note,
        evidence={
            k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in evidence.items()
        }
        or None,
        amount_wan=project.quota_amount_wan,
    )
    db.session.add(event)
    db.session.flush()
    record_audit(
        "stage",
        "project",
        project.id,
        {"stage": [old, to_stage], "effective_on": effective_on},
        actor=actor,
        note=note or None,
    )
    return StageChange(event, warnings)

"""The ``projects`` blueprint and what its templates share: money, stages, signals, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.boundary import parse_int
from crm.core.money import format_wan, format_yi
from crm.core.timeutil import local_today
from crm.projects.models import PROJECT_TYPES, Project
from crm.projects.services import Signals, can_write_project, project_signals
from crm.projects.stages import rot_days, stage_label

bp = Blueprint("projects", __name__, url_prefix="/projects")

FIELD_LABELS = {
    "name": "项目名称",
    "code_name": "项目代号",
    "owner_id": "负责人",
    "zone_id": "开发区",
    "industry": "所属行业",
    "is_manufacturing": "制造业项目",
    "project_type": "项目类型",
    "planned_total_wan": "计划总投资",
    "contract_amount_wan": "合同投资额",
    "actual_in_place_wan": "累计实际到位",
    "expected_landing_on": "预计落地日期",
    "land_need_mu": "用地需求（亩）",
    "first_reported": "已首报",
    "first_reported_on": "首报日期",
    "next_step": "下一步计划",
    "description": "项目简介",
    "stage": "阶段",
    "effective_on": "生效日期",
    "contract_signed_on": "签约日期",
    "registered_company_name": "注册公司名称",
    "registered_uscc": "统一社会信用代码",
    "land_area_mu": "供地面积（亩）",
    "started_on": "开工日期",
    "produced_on": "投产日期",
    "full_production_on": "达产日期",
}
ACTION_LABELS = {"create": "创建", "update": "修改", "stage": "阶段变更", "delete": "删除"}
AMOUNT_FIELDS = {"planned_total_wan", "contract_amount_wan", "actual_in_place_wan"}


@dataclass(frozen=True)
class Badge:
    key: str
    label: str
    title: str
    css: str


def signal_badges(project: Project, signals: Signals | None = None) -> list[Badge]:
    """The warning signs of a project as labelled badges (Chinese label and tooltip)."""
    s = signals or project_signals(project)
    badges = []
    if s.overdue:
        badges.append(
            Badge("overdue", _("跟进逾期"), _("下次跟进日期已过，请尽快跟进"), "text-bg-danger")
        )
    if s.no_next_step:
        badges.append(
            Badge("no_next_step", _("无下一步"), _("尚未填写下一步计划"), "text-bg-warning")
        )
    if s.rotting:
        limit = rot_days(project.stage) or 0
        badges.append(
            Badge(
                "rotting",
                _("停滞"),
                _(
                    "在当前阶段已停留 %(days)s 天，超过 %(limit)s 天的提醒线",
                    days=s.days_in_stage,
                    limit=limit,
                ),
                "text-bg-secondary",
            )
        )
    if s.first_report_missing:
        badges.append(
            Badge(
                "first_report",
                _("未首报"),
                _("投资额达到首报门槛，签约前须向省里首报"),
                "text-bg-danger",
            )
        )
    if s.confidential:
        badges.append(
            Badge("confidential", _("保密"), _("保密项目：看板和列表只显示代号"), "text-bg-dark")
        )
    return badges


def change_text(field: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """One old or new value of an audited change, as a person reads it."""
    if value is None or value == "":
        return "—"
    if field in AMOUNT_FIELDS and isinstance(value, int):
        return f"{format_yi(value)}（{format_wan(value)}）"
    if field == "stage":
        return stage_label(str(value))
    if field in ("owner_id", "zone_id") and isinstance(value, int):
        return names.get((field, value), f"#{value}")
    if field == "project_type":
        return PROJECT_TYPES.get(str(value), str(value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def evidence_text(name: str, value: Any) -> str:
    """One piece of a stage event's recorded evidence, labelled."""
    if name in AMOUNT_FIELDS and parse_int(value) is not None:
        value = parse_int(value)
    return f"{FIELD_LABELS.get(name, name)}：{change_text(name, value, {})}"


def audit_rows(entries: list, names: dict[tuple[str, int], str]) -> list[dict[str, Any]]:
    """Audit entries with their changes as (label, old, new) rows."""
    rows = []
    for entry, actor in entries:
        changes = []
        for field, value in (entry.changes or {}).items():
            label = FIELD_LABELS.get(field, field)
            if isinstance(value, list) and len(value) == 2:
                changes.append(
                    (
                        label,
                        change_text(field, value[0], names),
                        change_text(field, value[1], names),
                    )
                )
            else:
                changes.append((label, None, change_text(field, value, names)))
        rows.append(
            {
                "entry": entry,
                "actor": actor or _("系统"),
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "changes": changes,
            }
        )
    return rows


def audit_ids(entries: list, field: str) -> set[int]:
    """The ids an audited field (owner_id, zone_id) took in these entries."""
    ids: set[int] = set()
    for entry, _actor in entries:
        value = (entry.changes or {}).get(field)
        values = value if isinstance(value, list) else [value]
        ids.update(v for v in values if isinstance(v, int))
    return ids


@bp.context_processor
def project_helpers() -> dict[str, Any]:
    return {
        "format_yi": format_yi,
        "format_wan": format_wan,
        "stage_label": stage_label,
        "signal_badges": signal_badges,
        "evidence_text": evidence_text,
        "project_signals": project_signals,
        "project_types": PROJECT_TYPES,
        "can_write": lambda project: can_write_project(current_user, project),
        "today": local_today(),
    }

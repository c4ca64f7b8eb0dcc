"""Project rules: access, creation, edits with optimistic locking, activities, signals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import scope_rule, scoped_select, zone_clause
from crm.core.audit import apply_changes, record_audit
from crm.core.boundary import parse_id
from crm.core.conflicts import conflict_as
from crm.core.money import MAX_WAN
from crm.core.settings import get_setting
from crm.core.timeutil import local_today, utcnow
from crm.enterprises.models import Enterprise
from crm.enterprises.services import MERGE_HOOKS, PROJECT_LOOKUPS
from crm.extensions import db
from crm.projects.models import PROJECT_TYPES, Attachment, Project, StageEvent
from crm.projects.sections import maintained_fields
from crm.projects.stages import PIPELINE, rank, rot_days
from crm.targets.activities import ActivityError, build_activity, follow_subject
from crm.targets.conflicts import EXTRA_PURSUERS, detect_conflict
from crm.targets.models import Activity, Target

PROJECT_FIELDS = (
    "name",
    "code_name",
    "owner_id",
    "industry",
    "is_manufacturing",
    "project_type",
    "planned_total_wan",
    "contract_amount_wan",
    "actual_in_place_wan",
    "expected_landing_on",
    "land_need_mu",
    "first_reported",
    "first_reported_on",
    "next_step",
    "description",
)
INITIAL_STAGES = ("lead", "contact", "negotiation", "inspection")


class ProjectError(ValueError):
    """A project rule was broken; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class StaleVersion(ProjectError):
    """Someone else saved the project since this form was opened."""

    def __init__(self, project: Project) -> None:
        who = db.session.get(User, project.updated_by_id) if project.updated_by_id else None
        name = who.display_name if who else _l("其他用户")
        super().__init__(_l("该项目已被%(name)s修改，请刷新页面后重新填写", name=name), "version")
        self.project = project


@scope_rule(Project)
def _project_scope(user: Any):
    return zone_clause(Project.zone_id, user)  # projects are private to their zone and the city


@scope_rule(StageEvent)
def _event_scope(user: Any):
    clause = zone_clause(Project.zone_id, user)
    if clause is None:
        return None
    return StageEvent.project_id.in_(select(Project.id).where(clause))


@scope_rule(Attachment)
def _attachment_scope(user: Any):
    clause = zone_clause(Project.zone_id, user)
    if clause is None:
        return None
    return Attachment.project_id.in_(select(Project.id).where(clause))


def can_write_project(user: Any, project: Project) -> bool:
    """Coordinators and admins change any project; managers their zone's; staff their own."""
    if user.role in ("coordinator", "admin"):
        return True
    if user.role == "manager":
        return project.zone_id == user.zone_id
    if user.role == "staff":
        return project.zone_id == user.zone_id and project.owner_id in (None, user.id)
    return False


def writable_project_or_404(project_id: Any, user: Any) -> Project:
    """A project the user may change, else 404 (and nothing changes)."""
    ident = parse_id(project_id)
    project = db.session.get(Project, ident) if ident is not None else None
    if project is None or project.deleted_at is not None or not can_write_project(user, project):
        abort(404)
    return project


def check_version(project: Project, expected: Any) -> None:
    """Refuse a save made from a form opened before someone else's save."""
    try:
        expected_version = int(expected)
    except (TypeError, ValueError):
        raise ProjectError(_l("缺少版本号，请刷新页面后重试"), "version") from None
    if expected_version != project.version:
        raise StaleVersion(project)


def _amount(value: Any, label: str, field: str) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > MAX_WAN:
        raise ProjectError(_l("%(label)s应为 0 到 1000 万亿元之间的金额", label=label), field)
    return value


def _area(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        area = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ProjectError(_l("面积应为数字（亩）"), field) from None
    if area <= 0 or area > 1_000_000:
        raise ProjectError(_l("面积应大于 0 且不超过 100 万亩"), field)
    return area


def clean_project_values(raw: dict[str, Any], zone_id: int, actor: Any) -> dict[str, Any]:
    """Validated project values (only the keys given)."""
    values = {k: raw[k] for k in PROJECT_FIELDS if k in raw}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ProjectError(_l("请填写项目名称"), "name")
        if len(values["name"]) > 200:
            raise ProjectError(_l("项目名称不能超过 200 个字符"), "name")
    if "code_name" in values:
        values["code_name"] = (values["code_name"] or "").strip()[:60] or None
    if "project_type" in values and values["project_type"] not in PROJECT_TYPES:
        raise ProjectError(_l("项目类型只能是新引进或增资扩产"), "project_type")
    for field, label in (
        ("planned_total_wan", "计划总投资"),
        ("contract_amount_wan", "合同投资额"),
        ("actual_in_place_wan", "累计实际到位"),
    ):
        if field in values:
            values[field] = _amount(values[field], label, field)
    if "actual_in_place_wan" in values and values["actual_in_place_wan"] is None:
        values["actual_in_place_wan"] = 0
    if "land_need_mu" in values:
        values["land_need_mu"] = _area(values["land_need_mu"], "land_need_mu")
    landing = values.get("expected_landing_on")
    if landing is not None and not (date(2000, 1, 1) <= landing <= date(2100, 12, 31)):
        raise ProjectError(_l("预计落地日期不在合理范围内"), "expected_landing_on")
    reported = values.get("first_reported_on")
    if reported is not None and reported > local_today():
        raise ProjectError(_l("首报日期不能晚于今天"), "first_reported_on")
    if "owner_id" in values and values["owner_id"] is not None:
        owner = db.session.get(User, values["owner_id"])
        if owner is None or not owner.active or owner.zone_id != zone_id:
            raise ProjectError(_l("负责人必须是该开发区的在职人员"), "owner_id")
        if actor.role == "staff" and owner.id != actor.id:
            raise ProjectError(_l("招商专员只能把项目分配给自己"), "owner_id")
    for field in ("industry", "next_step", "description"):
        if field in values:
            values[field] = (values[field] or "").strip()
    return values


def create_project(
    enterprise: Enterprise,
    zone_id: int | None,
    raw: dict[str, Any],
    actor: Any,
    *,
    target: Target | None = None,
    stage: str = "lead",
    started_on: date | None = None,
) -> Project:
    """Open a project (from a target or directly); another zone pursuing the enterprise
    raises a cross-zone conflict."""
    if actor.role in ("staff", "manager"):
        zone_id = actor.zone_id
    if zone_id is None:
        raise ProjectError(_l("请选择开发区"), "zone_id")
    if stage not in INITIAL_STAGES:
        raise ProjectError(_l("新项目只能从线索、接洽、洽谈或考察阶段开始"), "stage")
    values = clean_project_values(raw, zone_id, actor)
    if not values.get("name"):
        raise ProjectError(_l("请填写项目名称"), "name")
    if actor.role == "staff" and values.get("owner_id") is None:
        values["owner_id"] = actor.id
    today = local_today()
    start = started_on or today
    if start > today:
        raise ProjectError(_l("开始日期不能晚于今天"), "started_on")
    project = Project(
        enterprise_id=enterprise.id,
        zone_id=zone_id,
        stage=stage,
        stage_since=start,
        created_by_id=actor.id,
        updated_by_id=actor.id,
        target_id=target.id if target else None,
        name=values["name"],
    )
    apply_changes(project, values, PROJECT_FIELDS)
    db.session.add(project)
    db.session.flush()
    db.session.add(
        StageEvent(
            project_id=project.id,
            from_stage=None,
            to_stage=stage,
            effective_on=start,
            actor_id=actor.id,
            note="创建项目",
            amount_wan=project.quota_amount_wan,
        )
    )
    if target is not None:  # the target's follow-up carries on as the project's
        target.status = "converted"
        project.next_follow_up = target.next_follow_up
        project.next_step = project.next_step or target.next_step or ""
    record_audit(
        "create", "project", project.id, {"name": project.name, "zone_id": zone_id}, actor=actor
    )
    detect_conflict(enterprise, actor)
    return project


def update_project(project: Project, raw: dict[str, Any], version: Any, actor: Any) -> dict:
    """Edit fields (not the stage); a stale version is refused, naming who saved last."""
    check_version(project, version)
    values = clean_project_values(raw, project.zone_id, actor)
    for name in maintained_fields(project):  # kept by another area (e.g. monthly progress)
        values.pop(name, None)
    with conflict_as(lambda: StaleVersion(project)):
        changes = apply_changes(project, values, PROJECT_FIELDS)
        if changes:
            project.updated_by_id = actor.id
    if changes:
        record_audit("update", "project", project.id, changes, actor=actor)
    return changes


def soft_delete_project(project: Project, actor: Any) -> None:
    """Remove a project from lists and boards (restorable by an admin; audited)."""
    project.deleted_at = utcnow()
    project.updated_by_id = actor.id
    db.session.flush()
    record_audit("delete", "project", project.id, {"name": project.name}, actor=actor)


def log_project_activity(project: Project, raw: dict[str, Any], actor: Any) -> Activity:
    """Record a contact on a project; its next follow-up and last activity follow."""
    try:
        activity = build_activity(raw, actor, project.zone_id)
    except ActivityError as exc:
        raise ProjectError(str(exc), exc.field) from exc
    activity.project_id = project.id
    db.session.add(activity)
    follow_subject(project, activity)
    if activity.next_step:
        project.next_step = activity.next_step
    db.session.flush()
    record_audit("create", "activity", activity.id, {"project_id": project.id}, actor=actor)
    return activity


@dataclass(frozen=True)
class Signals:
    overdue: bool
    no_next_step: bool
    rotting: bool
    first_report_missing: bool
    confidential: bool
    days_in_stage: int


def project_signals(project: Project, today: date | None = None) -> Signals:
    """The warning signs on a board card."""
    today = today or local_today()
    days = (today - project.stage_since).days
    limit = rot_days(project.stage)
    open_stage = project.stage in PIPELINE and rank(project.stage) < rank("production")
    amount = project.quota_amount_wan or 0
    threshold = get_setting("projects.first_report_threshold_wan")
    return Signals(
        overdue=project.next_follow_up is not None and project.next_follow_up < today,
        no_next_step=open_stage and not project.next_step,
        rotting=open_stage and limit is not None and days > limit,
        first_report_missing=amount >= threshold
        and not project.first_reported
        and project.stage != "terminated",
        confidential=project.is_confidential,
        days_in_stage=days,
    )


def stage_durations(project: Project, today: date | None = None) -> list[tuple[StageEvent, int]]:
    """Each stage event with the days spent in that stage (until the next event or today)."""
    today = today or local_today()
    events = list(project.events)
    result = []
    for index, event in enumerate(events):
        end = events[index + 1].effective_on if index + 1 < len(events) else today
        result.append((event, max(0, (end - event.effective_on).days)))
    return result


def _project_zones(enterprise_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Project.zone_id).where(
                Project.enterprise_id == enterprise_id,
                Project.deleted_at.is_(None),
                Project.stage != "terminated",
            )
        )
    )


def _move_projects_on_merge(source: Enterprise, kept: Enterprise, actor: Any) -> None:
    for project in db.session.scalars(select(Project).where(Project.enterprise_id == source.id)):
        project.enterprise_id = kept.id


EXTRA_PURSUERS.append(_project_zones)
MERGE_HOOKS.append(_move_projects_on_merge)


def _projects_of_enterprises(enterprise_ids: Any, user: Any) -> dict[int, list[Project]]:
    """Live projects of these enterprises the user may see (one query), newest first."""
    stmt = (
        scoped_select(Project, user)
        .where(Project.enterprise_id.in_(list(enterprise_ids)), Project.deleted_at.is_(None))
        .order_by(Project.id.desc())
    )
    found: dict[int, list[Project]] = {}
    for project in db.session.scalars(stmt):
        found.setdefault(project.enterprise_id, []).append(project)
    return found


PROJECT_LOOKUPS.append(_projects_of_enterprises)  # the enterprise and target pages list these

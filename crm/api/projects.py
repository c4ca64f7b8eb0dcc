"""API: projects, stage changes, events and activities — scoped like the pages (another
zone's project answers 404)."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, g, jsonify
from sqlalchemy import Select, select
from sqlalchemy.orm.exc import StaleDataError

from crm.api import project_schemas as s
from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.api.target_schemas import ActivityCreateSchema, DuplicateErrorSchema, PageArgsSchema
from crm.api.targets import _duplicate, _existing_enterprise, _new_enterprise
from crm.auth.models import User
from crm.core.access import SIGNED_IN, WRITERS, get_or_404, scoped
from crm.core.boundary import parse_id
from crm.core.pagination import Page, paginate
from crm.core.roles import CITY_ROLES
from crm.enterprises.models import Enterprise
from crm.enterprises.services import DuplicateEnterprise, EnterpriseError
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.queries import ProjectFilters, project_list_stmt, quota_amount
from crm.projects.services import (
    ProjectError,
    StaleVersion,
    create_project,
    log_project_activity,
    stage_durations,
    update_project,
    writable_project_or_404,
)
from crm.projects.stages import EVIDENCE
from crm.projects.transitions import change_stage
from crm.targets.models import Activity, Target
from crm.zones.models import Zone

bp = Blueprint("api_projects", __name__, url_prefix=API_PREFIX, description="项目库与阶段")
EVIDENCE_FIELDS = {item.name for items in EVIDENCE.values() for item in items}


def _invalid(field: str, message: str) -> NoReturn:
    """Answer 422 naming the field, with the service's Chinese message; nothing is saved."""
    db.session.rollback()
    response = jsonify(
        {
            "code": 422,
            "status": "Unprocessable Entity",
            "message": message,
            "errors": {"json": {field or "_schema": [message]}},
        }
    )
    response.status_code = 422
    abort(response)


def _stale(project_id: int, message: str) -> Any:
    """409: someone saved the project since it was read; say who, and the current version."""
    db.session.rollback()
    project = db.session.get(Project, project_id)
    who = db.session.get(User, project.updated_by_id) if project and project.updated_by_id else None
    response = jsonify(
        {
            "code": 409,
            "status": "Conflict",
            "message": message,
            "version": project.version if project else None,
            "updated_by": {"id": who.id, "display_name": who.display_name} if who else None,
        }
    )
    response.status_code = 409
    return response


def _commit_or_stale(project: Project) -> Any:
    """Commit; a concurrent save between our check and the UPDATE is also a 409."""
    try:
        db.session.commit()
    except StaleDataError:
        return _stale(project.id, "该项目刚被其他用户修改，请刷新后重新提交")
    return None


# --- list ------------------------------------------------------------------------------


def _list_stmt(user: Any, args: dict) -> Select:
    """The list page's query (``crm.projects.queries``) with the API's own extras: a zone
    code as well as an id, and any minimum amount rather than the page's tiers."""
    raw = {k: str(v) for k, v in args.items() if k not in ("page", "per_page", "min_amount")}
    if "manufacturing" in args:
        raw["manufacturing"] = "1" if args["manufacturing"] else "0"
    zone = raw.get("zone", "")
    if zone and parse_id(zone) is None:
        raw["zone"] = str(db.session.scalar(select(Zone.id).where(Zone.code == zone)) or 0)
    stmt = project_list_stmt(user, ProjectFilters.from_args(raw))
    if args.get("min_amount") is not None:
        stmt = stmt.where(quota_amount() >= args["min_amount"])
    return stmt


@bp.get("/projects")
@api_allow(*SIGNED_IN)
@bp.arguments(s.ProjectListArgsSchema, location="query")
@bp.response(200, s.ProjectPageSchema)
def projects(args: dict):
    """The projects in the user's scope, filtered; confidential ones under their code name."""
    return paginate(_list_stmt(g.api_user, args), per_page=args["per_page"])


# --- create, read, update --------------------------------------------------------------


def _zone_for_new_project(zone_id: int | None, user: Any) -> int:
    """Zone users open projects in their own zone; city-level users name the zone."""
    if user.role not in CITY_ROLES:
        if zone_id is not None and zone_id != user.zone_id:
            _invalid("zone_id", "开发区人员只能在本开发区建立项目")
        return user.zone_id
    if zone_id is None:
        _invalid("zone_id", "请选择开发区")
    if db.session.get(Zone, zone_id) is None:
        _invalid("zone_id", "开发区不存在")
    return zone_id


def _target_for(target_id: int | None, zone_id: int, enterprise: Enterprise) -> Target | None:
    if target_id is None:
        return None
    target = db.session.get(Target, target_id)
    if (
        target is None
        or target.deleted_at is not None
        or target.zone_id not in (None, zone_id)
        or target.enterprise_id != enterprise.id
    ):
        _invalid("target_id", "目标企业不存在、不属于本开发区或与所选企业不一致")
    return target


@bp.post("/projects")
@api_allow(*WRITERS)
@bp.arguments(s.ProjectCreateSchema)
@bp.response(201, s.ProjectDetailSchema)
@bp.alt_response(409, schema=DuplicateErrorSchema, description="内联新建的企业可能重复")
def create_project_view(values: dict):
    """Open a project for an existing enterprise (or one created inline)."""
    user = g.api_user
    zone_id = _zone_for_new_project(values.pop("zone_id", None), user)
    target_id = values.pop("target_id", None)
    stage, started_on = values.pop("stage"), values.pop("started_on", None)
    try:
        if "enterprise" in values:
            enterprise = _new_enterprise(values.pop("enterprise"))
        else:
            enterprise = _existing_enterprise(values.pop("enterprise_id"))
        target = _target_for(target_id, zone_id, enterprise)
        project = create_project(
            enterprise, zone_id, values, user, target=target, stage=stage, started_on=started_on
        )
    except DuplicateEnterprise as error:
        return _duplicate(error)
    except EnterpriseError as error:
        _invalid(f"enterprise.{error.field}", str(error))
    except ProjectError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return project


@bp.get("/projects/<id:project_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, s.ProjectDetailSchema)
def project(project_id: int):
    """One project, with its real name (the caller is in the project's scope)."""
    return get_or_404(Project, project_id, g.api_user)


def _writable(project_id: int) -> Project:
    """Another zone's project, or one a staff member does not own, answers 404."""
    row = get_or_404(Project, project_id, g.api_user)
    return writable_project_or_404(row.id, g.api_user)


@bp.patch("/projects/<id:project_id>")
@api_allow(*WRITERS)
@bp.arguments(s.ProjectPatchSchema)
@bp.response(200, s.ProjectDetailSchema)
@bp.alt_response(409, schema=s.StaleErrorSchema, description="版本过期：已被他人修改")
def update_project_view(values: dict, project_id: int):
    """Change fields; ``version`` must be the one read (a stale one answers 409)."""
    row = _writable(project_id)
    version = values.pop("version")
    try:
        update_project(row, values, version, g.api_user)
    except StaleVersion as error:
        return _stale(row.id, str(error))
    except ProjectError as error:
        _invalid(error.field, str(error))
    return _commit_or_stale(row) or row


# --- stage, events, activities ---------------------------------------------------------


@bp.post("/projects/<id:project_id>/stage")
@api_allow(*WRITERS)
@bp.arguments(s.StageChangeSchema)
@bp.response(200, s.StageChangeResultSchema)
@bp.alt_response(409, schema=s.StaleErrorSchema, description="版本过期：已被他人修改")
def change_stage_view(values: dict, project_id: int):
    """Move a project to another stage as of a (past or today's) date, with its evidence."""
    row = _writable(project_id)
    try:
        change = change_stage(
            row,
            values["to_stage"],
            values.get("effective_on"),
            values["evidence"],
            values["note"],
            values["version"],
            g.api_user,
        )
    except StaleVersion as error:
        return _stale(row.id, str(error))
    except ProjectError as error:
        field = f"evidence.{error.field}" if error.field in EVIDENCE_FIELDS else error.field
        _invalid(field, str(error))
    stale = _commit_or_stale(row)
    if stale is not None:
        return stale
    return {"project": row, "event": change.event, "warnings": change.warnings}


class _TimedEvent:
    """A stage event with the days spent in its stage, for TimedEventSchema."""

    def __init__(self, event: Any, days: int) -> None:
        self._event = event
        self.days_in_stage = days

    def __getattr__(self, name: str) -> Any:
        return getattr(self._event, name)


@bp.get("/projects/<id:project_id>/events")
@api_allow(*SIGNED_IN)
@bp.response(200, s.TimedEventSchema(many=True))
def events(project_id: int):
    """The stage history in date order, never rewritten."""
    row = get_or_404(Project, project_id, g.api_user)
    return [_TimedEvent(event, days) for event, days in stage_durations(row)]


@bp.get("/projects/<id:project_id>/activities")
@api_allow(*SIGNED_IN)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, s.ProjectActivityPageSchema)
def activities(args: dict, project_id: int):
    """A project's timeline, newest first."""
    row = get_or_404(Project, project_id, g.api_user)
    stmt = scoped(select(Activity), Activity, g.api_user).where(Activity.project_id == row.id)
    stmt = stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc())
    page: Page = paginate(stmt, per_page=args["per_page"])
    return page


@bp.post("/projects/<id:project_id>/activities")
@api_allow(*WRITERS)
@bp.arguments(ActivityCreateSchema)
@bp.response(201, s.ProjectActivitySchema)
def create_activity(values: dict, project_id: int):
    """Log a contact; the project's next follow-up, next step and last activity follow it."""
    row = _writable(project_id)
    try:
        activity = log_project_activity(row, values, g.api_user)
    except ProjectError as error:
        _invalid(error.field, str(error))
    stale = _commit_or_stale(row)
    return stale or activity

"""API: enterprises, targets and their activities, scoped exactly like the pages."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, g, jsonify
from sqlalchemy import Select, select

from crm.api import target_schemas as s
from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.core.access import SIGNED_IN, WRITERS, get_or_404, scoped, scoped_select
from crm.core.pagination import Page, paginate
from crm.core.roles import CITY_ROLES
from crm.enterprises.models import Enterprise
from crm.enterprises.search import search_clause
from crm.enterprises.services import (
    DuplicateEnterprise,
    EnterpriseError,
    create_enterprise,
    update_enterprise,
)
from crm.extensions import db
from crm.targets.models import Activity, Target
from crm.targets.queries import TargetFilters, target_count_stmt, target_list_stmt
from crm.targets.services import (
    TargetError,
    create_target,
    log_activity,
    stale_before,
    update_target,
)
from crm.targets.services import writable_target_or_404 as writable_or_404
from crm.zones.models import Zone

bp = Blueprint("api_targets", __name__, url_prefix=API_PREFIX, description="企业与目标企业清单")
UNSET: Any = object()


def _page(stmt: Select, args: dict, count: Select | None = None) -> Page:
    return paginate(stmt, per_page=args["per_page"], count=count)


def _invalid(field: str, message: str, within: str = "") -> NoReturn:
    """Answer 422 with one field error, shaped like the schema errors (nested ``within``)."""
    db.session.rollback()
    errors: dict[str, Any] = {field or "_schema": [message]}
    abort(422, description={"json": {within: errors} if within else errors})


def _duplicate(error: DuplicateEnterprise) -> Any:
    """Answer 409 with the possible duplicates (nothing is created)."""
    body = {
        "code": 409,
        "status": "Conflict",
        "message": str(error),
        "can_confirm": not error.blocking,
        "duplicates": [
            {
                "id": hit.enterprise.id,
                "name": hit.enterprise.name,
                "uscc": hit.enterprise.uscc,
                "reason": hit.reason,
                "reason_label": hit.label,
                "score": hit.score,
            }
            for hit in error.hits
        ],
    }
    db.session.rollback()
    response = jsonify(body)
    response.status_code = 409
    return response


def _new_enterprise(values: dict) -> Enterprise:
    values = dict(values)
    confirm = values.pop("confirm_duplicate", False)
    return create_enterprise(values, g.api_user, confirm_duplicate=confirm)


# --- enterprises -----------------------------------------------------------------------


@bp.get("/enterprises")
@api_allow(*SIGNED_IN)
@bp.arguments(s.EnterpriseListArgsSchema, location="query")
@bp.response(200, s.EnterprisePageSchema)
def enterprises(args: dict):
    """The shared enterprise list, searched by name, alias, pinyin or credit code."""
    stmt = scoped_select(Enterprise, g.api_user).where(Enterprise.deleted_at.is_(None))
    if not args["q"].strip():
        return _page(stmt.order_by(Enterprise.id.desc()), args)
    # matches by name: an order no index serves, so PostgreSQL sorts the (few) search hits
    # instead of walking the primary key past a million rows
    stmt = stmt.where(search_clause(args["q"])).order_by(Enterprise.name, Enterprise.id)
    return _page(stmt, args)


@bp.post("/enterprises")
@api_allow(*WRITERS)
@bp.arguments(s.EnterpriseCreateSchema)
@bp.response(201, s.EnterpriseDetailSchema)
@bp.alt_response(409, schema=s.DuplicateErrorSchema, description="可能重复的企业")
def create_enterprise_view(values: dict):
    """Create an enterprise; a possible duplicate answers 409 with the matches."""
    try:
        enterprise = _new_enterprise(values)
    except DuplicateEnterprise as error:
        return _duplicate(error)
    except EnterpriseError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return _enterprise_detail(enterprise)


@bp.get("/enterprises/<id:enterprise_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, s.EnterpriseDetailSchema)
def enterprise(enterprise_id: int):
    """One enterprise, with the zones that pursue it."""
    return _enterprise_detail(get_or_404(Enterprise, enterprise_id, g.api_user))


@bp.patch("/enterprises/<id:enterprise_id>")
@api_allow(*WRITERS)
@bp.arguments(s.EnterpriseUpdateSchema)
@bp.response(200, s.EnterpriseDetailSchema)
def update_enterprise_view(values: dict, enterprise_id: int):
    """Change an enterprise's fields (audited)."""
    row = get_or_404(Enterprise, enterprise_id, g.api_user)
    try:
        update_enterprise(row, values, g.api_user)
    except EnterpriseError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return _enterprise_detail(row)


class EnterpriseDetail:
    """An enterprise with the targets that pursue it, for EnterpriseDetailSchema."""

    def __init__(self, row: Enterprise, targets: list[Target]) -> None:
        self._row = row
        self.targets = targets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def _enterprise_detail(row: Enterprise) -> EnterpriseDetail:
    stmt = scoped(select(Target), Target, g.api_user).where(
        Target.enterprise_id == row.id, Target.deleted_at.is_(None)
    )
    return EnterpriseDetail(row, list(db.session.scalars(stmt.order_by(Target.id))))


# --- targets ---------------------------------------------------------------------------


@bp.get("/targets")
@api_allow(*SIGNED_IN)
@bp.arguments(s.TargetListArgsSchema, location="query")
@bp.response(200, s.TargetPageSchema)
def targets(args: dict):
    """The target list with the page's filters, search, sorting and pagination."""
    raw = {k: v for k, v in args.items() if k not in ("page", "per_page")}
    if "stale" in raw:
        raw["stale"] = "1" if raw["stale"] else ""
    filters = TargetFilters.from_args({k: str(v) for k, v in raw.items()})
    stale_before()  # read the setting up front: the query count must not depend on the rows
    user = g.api_user
    return _page(target_list_stmt(user, filters), args, target_count_stmt(user, filters))


@bp.post("/targets")
@api_allow(*WRITERS)
@bp.arguments(s.TargetCreateSchema)
@bp.response(201, s.TargetSchema)
@bp.alt_response(409, schema=s.DuplicateErrorSchema, description="内联新建的企业可能重复")
def create_target_view(values: dict):
    """Put an enterprise (existing, or created inline) on a zone's list or the city pool."""
    user = g.api_user
    zone_id = _zone_for_new_target(values.pop("zone_id", UNSET), user)
    try:
        if "enterprise" in values:
            enterprise_row = _new_enterprise(values.pop("enterprise"))
        else:
            enterprise_row = _existing_enterprise(values.pop("enterprise_id"))
        target = create_target(enterprise_row, zone_id, values, user)
    except DuplicateEnterprise as error:
        return _duplicate(error)
    except EnterpriseError as error:
        _invalid(error.field, str(error), within="enterprise")
    except TargetError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return target


def _zone_for_new_target(zone_id: Any, user: Any) -> int | None:
    """City-level users choose the zone (None: the city pool); zone users add to their own."""
    if user.role not in CITY_ROLES:
        if zone_id is not UNSET and zone_id != user.zone_id:
            _invalid("zone_id", "开发区人员只能把企业加入本开发区的目标清单")
        return user.zone_id
    if zone_id is UNSET or zone_id is None:
        return None
    if db.session.get(Zone, zone_id) is None:
        _invalid("zone_id", "开发区不存在")
    return zone_id


def _existing_enterprise(enterprise_id: int) -> Enterprise:
    stmt = scoped_select(Enterprise, g.api_user).where(
        Enterprise.id == enterprise_id, Enterprise.deleted_at.is_(None)
    )
    row = db.session.scalar(stmt)
    if row is None:
        _invalid("enterprise_id", "企业不存在")
    return row


@bp.get("/targets/<id:target_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, s.TargetSchema)
def target(target_id: int):
    """One target of the shared list."""
    return get_or_404(Target, target_id, g.api_user)


@bp.patch("/targets/<id:target_id>")
@api_allow(*WRITERS)
@bp.arguments(s.TargetUpdateSchema)
@bp.response(200, s.TargetSchema)
def update_target_view(values: dict, target_id: int):
    """Change a target the user may write (any other answers 404 and stays unchanged)."""
    row = writable_or_404(target_id, g.api_user)
    try:
        update_target(row, values, g.api_user)
    except TargetError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return row


# --- activities ------------------------------------------------------------------------


def _timeline_target_or_404(target_id: int) -> Target:
    """Timelines are private to the target's zone and the city level: others get 404."""
    row = get_or_404(Target, target_id, g.api_user)
    user = g.api_user
    if user.role not in CITY_ROLES and (row.zone_id is None or row.zone_id != user.zone_id):
        abort(404)
    return row


@bp.get("/targets/<id:target_id>/activities")
@api_allow(*SIGNED_IN)
@bp.arguments(s.PageArgsSchema, location="query")
@bp.response(200, s.ActivityPageSchema)
def activities(args: dict, target_id: int):
    """A target's timeline, newest first."""
    row = _timeline_target_or_404(target_id)
    stmt = scoped(select(Activity), Activity, g.api_user).where(Activity.target_id == row.id)
    return _page(stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc()), args)


@bp.post("/targets/<id:target_id>/activities")
@api_allow(*WRITERS)
@bp.arguments(s.ActivityCreateSchema)
@bp.response(201, s.ActivitySchema)
def create_activity(values: dict, target_id: int):
    """Log a contact; the target's next follow-up and last-activity date follow it."""
    row = _timeline_target_or_404(target_id)
    row = writable_or_404(row.id, g.api_user)
    try:
        activity = log_activity(row, values, g.api_user)
    except TargetError as error:
        _invalid(error.field, str(error))
    db.session.commit()
    return activity

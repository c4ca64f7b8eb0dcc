"""API: the quota report (``GET /api/v1/quota?year=Y[&zone=CODE]``), scoped like the pages —
zone users get their own zone only (another zone's code answers 404)."""

from __future__ import annotations

from flask import abort, g, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.core.access import SIGNED_IN
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.quotas.services import QuotaError, check_year, report
from crm.zones.models import Zone

bp = Blueprint("api_quota", __name__, url_prefix=API_PREFIX, description="年度目标完成情况")


class QuotaArgsSchema(Schema):
    year = fields.Str(
        load_default=None,
        metadata={"description": "公历年份，默认今年"},
        validate=validate.Length(max=10),
    )
    zone = fields.Str(
        load_default=None,
        metadata={"description": "开发区代码，如 gxq"},
        validate=validate.Length(max=20),
    )


class TierReportSchema(Schema):
    label = fields.Str()
    threshold_wan = fields.Int(metadata={"description": "金额门槛（万元，≥）"})
    required = fields.Int()
    achieved = fields.Int()
    gap = fields.Int()
    surplus = fields.Int()
    projects = fields.List(fields.Int(), metadata={"description": "计入该档的项目 id"})
    surplus_projects = fields.List(fields.Int(), metadata={"description": "超额项目 id"})


class ForecastSchema(Schema):
    expected = fields.Float(metadata={"description": "已完成 + 候选项目按阶段概率加权"})
    candidates = fields.List(fields.Int())
    at_risk = fields.Bool()


class ZoneReportSchema(Schema):
    zone = fields.Str()
    name = fields.Str()
    tiers = fields.List(fields.Nested(TierReportSchema))
    withdrawn = fields.List(fields.Int(), metadata={"description": "已退出统计的项目 id"})
    forecast = fields.Dict(keys=fields.Str(), values=fields.Nested(ForecastSchema))


class QuotaReportSchema(Schema):
    year = fields.Int()
    zones = fields.List(fields.Nested(ZoneReportSchema))


def _invalid(field: str, message: str):
    response = jsonify(
        {
            "code": 422,
            "status": "Unprocessable Entity",
            "message": message,
            "errors": {"query": {field: [message]}},
        }
    )
    response.status_code = 422
    abort(response)


@bp.get("/quota")
@api_allow(*SIGNED_IN)
@bp.arguments(QuotaArgsSchema, location="query")
@bp.response(200, QuotaReportSchema)
def quota(args: dict):
    """Each zone's attainment per tier with the projects behind each number, the withdrawn
    projects and the weighted forecast."""
    user = g.api_user
    try:
        year = check_year(args.get("year") or local_today().year)
    except QuotaError as exc:
        _invalid("year", str(exc))
    stmt = select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order, Zone.id)
    if user.role not in CITY_ROLES:
        stmt = stmt.where(Zone.id == user.zone_id)
    if args.get("zone"):
        stmt = stmt.where(Zone.code == args["zone"].strip())
    zones = list(db.session.scalars(stmt))
    if args.get("zone") and not zones:
        abort(404)
    return report(zones, year)

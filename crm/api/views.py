"""Core API endpoints: the current user and the zones."""

from __future__ import annotations

from flask import g

from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.api.schemas import MeSchema, MeUpdateSchema, ZoneSchema
from crm.core.access import SIGNED_IN, get_or_404
from crm.core.audit import apply_changes, record_audit
from crm.extensions import db
from crm.zones.models import Zone
from crm.zones.services import visible_zones

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, description="当前用户与开发区")


@bp.get("/me")
@api_allow(*SIGNED_IN)
@bp.response(200, MeSchema)
def me():
    """The user the token belongs to."""
    return g.api_user


@bp.patch("/me")
@api_allow(*SIGNED_IN)
@bp.arguments(MeUpdateSchema)
@bp.response(200, MeSchema)
def update_me(values: dict):
    """Change one's display name, e-mail or language."""
    user = g.api_user
    changes = apply_changes(user, values, ("display_name", "email", "locale"))
    if changes:
        record_audit("update", "user", user.id, changes, actor=user)
    db.session.commit()
    return user


@bp.get("/zones")
@api_allow(*SIGNED_IN)
@bp.response(200, ZoneSchema(many=True))
def zones():
    """The zones in display order."""
    return visible_zones(g.api_user)


@bp.get("/zones/<id:zone_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, ZoneSchema)
def zone(zone_id: int):
    """One zone."""
    return get_or_404(Zone, zone_id, g.api_user)

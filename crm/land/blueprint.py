"""The land blueprint and what its pages share: the zones a user may write, the template
helpers (status names, colours), and the project choices of a zone."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from sqlalchemy import select

from crm.core.access import scoped
from crm.core.forms import choices
from crm.extensions import db
from crm.land.models import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    CLAIM_KINDS,
    LAND_USES,
    PARCEL_STATUSES,
)
from crm.land.services import can_write_zone
from crm.projects.models import Project
from crm.zones.services import visible_zones

bp = Blueprint("land", __name__, url_prefix="/land")
PROJECT_CHOICES_LIMIT = 500
# map colours by status (the legend shows the same)
COLOURS = {
    "reserve": "#6f42c1",
    "approved": "#fd7e14",
    "supplied": "#198754",
    "idle": "#dc3545",
    "reviving": "#ffc107",
    "revived": "#20c997",
    "vacant": "#0d6efd",
    "reserved": "#ffc107",
    "leased": "#198754",
    "sold": "#6c757d",
}


def writable_zones(user: Any) -> list[Any]:
    return [z for z in visible_zones(user) if can_write_zone(user, z.id)]


def zone_choices(user: Any) -> list:
    return choices((z.id, z.short_name) for z in writable_zones(user))


def project_choices(zone_id: int, user: Any) -> list:
    """The zone's projects the user may see, newest first (for reserving from a parcel)."""
    stmt = scoped(
        select(Project.id, Project.name, Project.code_name)
        .where(Project.zone_id == zone_id, Project.deleted_at.is_(None))
        .order_by(Project.updated_at.desc(), Project.id.desc())
        .limit(PROJECT_CHOICES_LIMIT),
        Project,
        user,
    )
    return choices((pid, code or name) for pid, name, code in db.session.execute(stmt))


def label(names: dict[str, str], code: str | None) -> str:
    return _(names[code]) if code in names else (code or "—")


@bp.app_context_processor
def land_helpers() -> dict[str, Any]:
    return {
        "land_label": label,
        "PARCEL_STATUSES": PARCEL_STATUSES,
        "BUILDING_STATUSES": BUILDING_STATUSES,
        "BUILDING_KINDS": BUILDING_KINDS,
        "LAND_USES": LAND_USES,
        "CLAIM_KINDS": CLAIM_KINDS,
        "LAND_COLOURS": COLOURS,
    }

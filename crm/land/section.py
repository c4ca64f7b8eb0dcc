"""The land section of a project page: what the project holds, and the candidate parcels and
buildings of its zone that fit its land need (registered with crm.projects.sections)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm.core.settings import get_setting
from crm.extensions import db
from crm.land.forms import ClaimForm
from crm.land.matching import building_candidates, parcel_candidates
from crm.land.models import Building, LandClaim, Parcel
from crm.land.services import can_write_zone
from crm.projects.models import Project
from crm.projects.sections import register_side_section


def held_by(project: Project) -> list[tuple[LandClaim, Any]]:
    """The project's open reservations and supplies with their parcel or building."""
    claims = db.session.scalars(
        select(LandClaim)
        .where(LandClaim.project_id == project.id, LandClaim.released_on.is_(None))
        .order_by(LandClaim.started_on, LandClaim.id)
    ).all()
    parcels = {c.parcel_id for c in claims if c.parcel_id}
    buildings = {c.building_id for c in claims if c.building_id}
    found: dict[tuple[str, int], Any] = {}
    if parcels:
        for row in db.session.scalars(select(Parcel).where(Parcel.id.in_(parcels))):
            found["p", row.id] = row
    if buildings:
        for row in db.session.scalars(select(Building).where(Building.id.in_(buildings))):
            found["b", row.id] = row
    return [
        (c, found.get(("p", c.parcel_id) if c.parcel_id else ("b", c.building_id))) for c in claims
    ]


def land_section(project: Project, user: Any, writable: bool) -> dict[str, Any]:
    form = ClaimForm(formdata=None)
    return {
        "held": held_by(project),
        "parcels": parcel_candidates(project),
        "buildings": building_candidates(project),
        "tolerance": get_setting("land.area_tolerance_pct"),
        "can_reserve": can_write_zone(user, project.zone_id) and writable,
        "form": form,
    }


register_side_section("land/_project_section.html", land_section)

"""Carrier pages (载体: 标准厂房, 工业保障房 …): list, page, new and edit, status, claims."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import SIGNED_IN, WRITERS, allow, get_or_404, scoped
from crm.core.boundary import int_arg
from crm.core.forms import choices
from crm.core.pagination import paginate
from crm.enterprises.forms import field_error, form_values
from crm.extensions import db
from crm.land.actions import claim_view, claims_of, history, status_view
from crm.land.blueprint import bp, project_choices, zone_choices
from crm.land.forms import BuildingForm, ClaimForm, status_form
from crm.land.models import BUILDING_STATUSES, Building, LandClaim, LandEvent, Parcel
from crm.land.services import (
    BUILDING_FIELDS,
    LandError,
    can_write_zone,
    create_building,
    update_building,
    writable_or_404,
)
from crm.zones.services import visible_zones

PARCEL_CHOICES_LIMIT = 1000


@bp.get("/buildings")
@allow(*SIGNED_IN)
def buildings():
    zone_id = int_arg("zone", minimum=1)
    status = request.args.get("status", "")
    stmt = scoped(select(Building).where(Building.deleted_at.is_(None)), Building)
    if zone_id:
        stmt = stmt.where(Building.zone_id == zone_id)
    if status in BUILDING_STATUSES:
        stmt = stmt.where(Building.status == status)
    page = paginate(stmt.order_by(Building.zone_id, Building.name, Building.id))
    return render_template(
        "land/buildings.html",
        page=page,
        zones=visible_zones(),
        zone_id=zone_id,
        status=status,
        can_create=bool(zone_choices(current_user)),
    )


def _parcel_choices(zone_ids: list[int]) -> list:
    stmt = (
        select(Parcel.id, Parcel.code, Parcel.name)
        .where(Parcel.zone_id.in_(zone_ids), Parcel.deleted_at.is_(None))
        .order_by(Parcel.code)
        .limit(PARCEL_CHOICES_LIMIT)
    )
    rows = [(pid, f"{code} {name}") for pid, code, name in db.session.execute(stmt)]
    return choices([("", _("（不在已登记地块上）")), *rows])


@bp.route("/buildings/new", methods=["GET", "POST"])
@allow(*WRITERS)
def new_building():
    form = BuildingForm()
    form.zone_id.choices = zone_choices(current_user)
    zone_ids = [choice.value for choice in form.zone_id.choices]
    form.parcel_id.choices = _parcel_choices(zone_ids)
    if request.method == "GET" and current_user.zone_id:
        form.zone_id.data = current_user.zone_id
    if form.validate_on_submit():
        zone_id = form.zone_id.data
        if zone_id is None or not can_write_zone(current_user, zone_id):
            field_error(form, "zone_id", _("请选择开发区"), fallback="zone_id")
        else:
            try:
                building = create_building(
                    zone_id, form_values(form, BUILDING_FIELDS), current_user
                )
            except LandError as exc:
                db.session.rollback()
                field_error(form, exc.field, str(exc), fallback="name")
            else:
                db.session.commit()
                flash(_("载体已登记"), "success")
                return redirect(url_for("land.building", building_id=building.id))
    code = 400 if request.method == "POST" else 200
    return render_template("land/building_form.html", form=form, building=None), code


@bp.route("/buildings/<id:building_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit_building(building_id: int):
    building = writable_or_404(Building, building_id, current_user)
    form = BuildingForm(obj=building if request.method == "GET" else None)
    form.zone_id.choices = []
    form.parcel_id.choices = _parcel_choices([building.zone_id])
    if form.validate_on_submit():
        try:
            update_building(building, form_values(form, BUILDING_FIELDS), current_user)
        except LandError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="name")
        else:
            db.session.commit()
            flash(_("载体已保存"), "success")
            return redirect(url_for("land.building", building_id=building.id))
    code = 400 if request.method == "POST" else 200
    return render_template("land/building_form.html", form=form, building=building), code


def render_building(building: Building, status_form_=None, claim_form=None, code=200):
    claim_form = claim_form or ClaimForm(formdata=None)
    claim_form.project_id.choices = project_choices(building.zone_id, current_user)
    claims = claims_of(LandClaim.building_id, building.id)
    page = render_template(
        "land/building.html",
        building=building,
        writable=can_write_zone(current_user, building.zone_id),
        events=history(LandEvent.building_id, building.id),
        claims=claims,
        status_form=status_form_ or status_form(BUILDING_STATUSES, formdata=None),
        claim_form=claim_form,
    )
    return page, code


@bp.get("/buildings/<id:building_id>")
@allow(*SIGNED_IN)
def building(building_id: int):
    return render_building(get_or_404(Building, building_id))


@bp.post("/buildings/<id:building_id>/status")
@allow(*WRITERS)
def building_status(building_id: int):
    """Move a carrier to another status (a dated event; the history is never rewritten)."""
    return status_view(Building, building_id, BUILDING_STATUSES, render_building)


@bp.post("/buildings/<id:building_id>/claims")
@allow(*WRITERS)
def building_claim(building_id: int):
    """Reserve or supply the carrier to a project (from its page or the project's)."""
    return claim_view(Building, building_id, render_building)

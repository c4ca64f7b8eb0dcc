"""The zone's map: its planning image with parcels and buildings drawn as polygons (Leaflet in
a planar pixel CRS, no online tiles), the image upload, the features as JSON, polygon saves."""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import literal, select

from crm.core.access import CITY_LEVEL, SIGNED_IN, WRITERS, allow, get_or_404, scoped
from crm.core.boundary import int_arg
from crm.core.downloads import download
from crm.enterprises.forms import field_error
from crm.extensions import db
from crm.land.blueprint import COLOURS, bp, label
from crm.land.forms import UploadForm
from crm.land.models import BUILDING_STATUSES, PARCEL_STATUSES, Building, Parcel, ZonePlan
from crm.land.plans import PlanError, clean_polygon, save_plan, stored_path
from crm.land.services import can_write_zone, writable_or_404
from crm.zones.models import Zone
from crm.zones.services import visible_zones

MAX_FEATURES = 20000


def zone_or_404(zone_id: Any) -> Zone:
    """A zone the user may look into: their own, or any for city-level users (else 404)."""
    zone = get_or_404(Zone, zone_id)
    if current_user.role not in CITY_LEVEL and current_user.zone_id != zone.id:
        abort(404)
    return zone


def zone_plan(zone_id: int) -> ZonePlan | None:
    return db.session.scalar(scoped(select(ZonePlan).where(ZonePlan.zone_id == zone_id), ZonePlan))


def _pick_zone() -> Any:
    zone_id = int_arg("zone", minimum=1) or current_user.zone_id
    zones = visible_zones()
    if zone_id is None and zones:
        zone_id = zones[0].id
    return zone_or_404(zone_id) if zone_id else None


def render_map(zone: Any, form: UploadForm | None = None, code: int = 200):
    page = render_template(
        "land/map.html",
        zone=zone,
        zones=visible_zones(),
        plan=zone_plan(zone.id) if zone else None,
        writable=bool(zone) and can_write_zone(current_user, zone.id),
        form=form or UploadForm(formdata=None),
    )
    return page, code


@bp.get("/map")
@allow(*SIGNED_IN)
def map_page():
    """The selected zone's map (a zone user's own zone)."""
    return render_map(_pick_zone())


@bp.post("/zones/<id:zone_id>/plan")
@allow(*WRITERS)
def upload_plan(zone_id: int):
    """Upload (or replace) the zone's planning image: PNG or JPG, checked by content."""
    zone = zone_or_404(zone_id)
    if not can_write_zone(current_user, zone.id):
        abort(404)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            save_plan(zone.id, upload.stream, upload.filename or "", current_user)
        except PlanError as exc:
            db.session.rollback()
            field_error(form, "file", str(exc), fallback="file")
        else:
            db.session.commit()
            flash(_("规划图已上传"), "success")
            return redirect(url_for("land.map_page", zone=zone.id))
    return render_map(zone, form, 400)


@bp.get("/zones/<id:zone_id>/plan")
@allow(*SIGNED_IN)
def plan_image(zone_id: int):
    zone = zone_or_404(zone_id)
    plan = zone_plan(zone.id)
    if plan is None:
        abort(404)
    try:
        path = stored_path(plan.stored_name)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    ext = plan.stored_name.rsplit(".", 1)[-1]
    name = f"plan-{zone.code}.{ext}"
    return download(path, name, name, plan.content_type, inline=True, max_age=0)


SENTINEL = 987654321  # an id placeholder: a kind's links are cut from one url_for


def _kind(kind: str, statuses: dict[str, str]) -> dict[str, Any]:
    """What every feature of a kind shares, sent once: link templates (``{id}``), status
    labels and colours."""
    endpoint, key = (
        ("land.parcel", "parcel_id") if kind == "parcel" else ("land.building", "building_id")
    )
    links = {
        "url": url_for(endpoint, **{key: SENTINEL}),
        "polygon_url": url_for(f"land.{kind}_polygon", **{key: SENTINEL}),
    }
    return {name: link.replace(str(SENTINEL), "{id}") for name, link in links.items()} | {
        "statuses": {
            code: {"label": label(statuses, code), "colour": COLOURS.get(code, "#6c757d")}
            for code in statuses
        }
    }


def _features(kind: str, rows: list[Any]) -> list[str]:
    """Each row as a JSON object; the outline is spliced in as its stored JSON text (outlines
    are never parsed or serialised per request)."""
    quote = encode_basestring_ascii
    return [
        f'{{"kind": "{kind}", "id": {row_id}, "name": {quote(name)}, "code": {quote(code or "")}, '
        f'"status": {quote(status)}, "area": "{area}", "polygon": {outline or "null"}}}'
        for row_id, name, code, status, area, outline in rows
    ]


@bp.get("/zones/<id:zone_id>/map.json")
@allow(*SIGNED_IN)
def map_data(zone_id: int):
    """The zone's parcels and buildings with their polygons (two statements for the features;
    the outlines go out as stored, pre-serialised JSON)."""
    zone = zone_or_404(zone_id)
    plan = zone_plan(zone.id)
    parcels = db.session.execute(
        scoped(
            select(
                Parcel.id,
                Parcel.name,
                Parcel.code,
                Parcel.status,
                Parcel.area_mu,
                Parcel.outline_json,
            ).where(Parcel.zone_id == zone.id, Parcel.deleted_at.is_(None)),
            Parcel,
        )
        .order_by(Parcel.code)
        .limit(MAX_FEATURES)
    ).all()
    buildings = db.session.execute(
        scoped(
            select(
                Building.id,
                Building.name,
                literal(""),
                Building.status,
                Building.floor_area_sqm,
                Building.outline_json,
            ).where(Building.zone_id == zone.id, Building.deleted_at.is_(None)),
            Building,
        )
        .order_by(Building.id)
        .limit(MAX_FEATURES)
    ).all()
    head = json.dumps(
        {
            "image": url_for("land.plan_image", zone_id=zone.id) if plan else None,
            "width": plan.width if plan else 1000,
            "height": plan.height if plan else 1000,
            "writable": can_write_zone(current_user, zone.id),
            "kinds": {
                "parcel": _kind("parcel", PARCEL_STATUSES),
                "building": _kind("building", BUILDING_STATUSES),
            },
        }
    )
    features = _features("parcel", parcels) + _features("building", buildings)
    body = f'{head[:-1]}, "features": [{", ".join(features)}]}}'
    return current_app.response_class(body, mimetype="application/json")


def _save_polygon(model: type, ident: int):
    row = writable_or_404(model, ident, current_user)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "points" not in payload:
        return jsonify({"error": _('请求应为 JSON：{"points": [[x, y], …]}')}), 400
    try:
        row.polygon = clean_polygon(payload["points"], zone_plan(row.zone_id))
    except PlanError as exc:
        db.session.rollback()
        return jsonify({"error": str(exc)}), 400
    db.session.commit()
    return jsonify({"ok": True, "points": row.polygon or []})


@bp.post("/parcels/<id:parcel_id>/polygon")
@allow(*WRITERS)
def parcel_polygon(parcel_id: int):
    """Save a parcel's outline (JSON with the CSRF token in X-CSRFToken)."""
    return _save_polygon(Parcel, parcel_id)


@bp.post("/buildings/<id:building_id>/polygon")
@allow(*WRITERS)
def building_polygon(building_id: int):
    return _save_polygon(Building, building_id)

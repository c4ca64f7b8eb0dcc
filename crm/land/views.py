"""Parcel pages: the ledger, a parcel's page (history, projects, attachments), new and edit,
status moves, reservations and supply, and the city's list of conflicts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.core.access import SIGNED_IN, WRITERS, allow, get_or_404, scoped
from crm.core.boundary import int_arg
from crm.core.downloads import ascii_fallback, download
from crm.core.pagination import paginate
from crm.enterprises.forms import field_error, form_values
from crm.extensions import db
from crm.land.actions import claim_view, claims_of, history, status_view, subject_url
from crm.land.blueprint import bp, project_choices, zone_choices
from crm.land.claims import conflicting_claims, release
from crm.land.forms import ClaimForm, ParcelForm, UploadForm, status_form
from crm.land.models import (
    PARCEL_STATUSES,
    Building,
    LandAttachment,
    LandClaim,
    LandEvent,
    Parcel,
)
from crm.land.plans import save_land_attachment, stored_path
from crm.land.services import (
    PARCEL_FIELDS,
    LandError,
    can_write_zone,
    create_parcel,
    update_parcel,
    writable_or_404,
)
from crm.projects.attachments import AttachmentError
from crm.projects.forms import ConfirmForm
from crm.zones.services import visible_zones


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The parcel ledger (地块台账) with its totals by status."""
    zone_id = int_arg("zone", minimum=1)
    status = request.args.get("status", "")
    stmt = scoped(select(Parcel).where(Parcel.deleted_at.is_(None)), Parcel)
    if zone_id:
        stmt = stmt.where(Parcel.zone_id == zone_id)
    totals_stmt = select(Parcel.status, func.count(), func.sum(Parcel.area_mu)).group_by(
        Parcel.status
    )
    totals = db.session.execute(
        totals_stmt.where(Parcel.id.in_(stmt.with_only_columns(Parcel.id)))
    ).all()
    if status in PARCEL_STATUSES:
        stmt = stmt.where(Parcel.status == status)
    page = paginate(stmt.order_by(Parcel.zone_id, Parcel.code, Parcel.id))
    return render_template(
        "land/index.html",
        page=page,
        totals={s: (n, area) for s, n, area in totals},
        zones=visible_zones(),
        zone_id=zone_id,
        status=status,
        can_create=bool(zone_choices(current_user)),
    )


def _parcel_form(form: ParcelForm) -> ParcelForm:
    form.zone_id.choices = zone_choices(current_user)
    if request.method == "GET":  # from the map: its zone (the outline comes from the browser)
        zone_id = int_arg("zone", minimum=1)
        if any(zone_id == choice.value for choice in form.zone_id.choices):
            form.zone_id.data = zone_id
    if current_user.zone_id and form.zone_id.data is None:
        form.zone_id.data = current_user.zone_id
    return form


@bp.route("/parcels/new", methods=["GET", "POST"])
@allow(*WRITERS)
def new_parcel():
    form = _parcel_form(ParcelForm())
    if form.validate_on_submit():
        zone_id = form.zone_id.data
        if zone_id is None or not can_write_zone(current_user, zone_id):
            field_error(form, "zone_id", _("请选择开发区"), fallback="zone_id")
        else:
            try:
                parcel = create_parcel(
                    zone_id,
                    form_values(form, PARCEL_FIELDS),
                    current_user,
                    status=form.status.data,
                    on=form.effective_on.data,
                    outline=form.polygon.data,
                )
            except LandError as exc:
                db.session.rollback()
                field_error(form, exc.field, str(exc), fallback="code")
            else:
                db.session.commit()
                flash(_("地块已登记"), "success")
                return redirect(url_for("land.parcel", parcel_id=parcel.id))
    status = 400 if request.method == "POST" else 200
    return render_template("land/parcel_form.html", form=form, parcel=None), status


@bp.route("/parcels/<id:parcel_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit_parcel(parcel_id: int):
    parcel = writable_or_404(Parcel, parcel_id, current_user)
    form = ParcelForm(obj=parcel if request.method == "GET" else None)
    form.zone_id.choices = []
    del form.polygon  # the outline is edited on the map
    if form.validate_on_submit():
        try:
            update_parcel(parcel, form_values(form, PARCEL_FIELDS), current_user)
        except LandError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="code")
        else:
            db.session.commit()
            flash(_("地块已保存"), "success")
            return redirect(url_for("land.parcel", parcel_id=parcel.id))
    status = 400 if request.method == "POST" else 200
    return render_template("land/parcel_form.html", form=form, parcel=parcel), status


def render_parcel(parcel: Parcel, status_form_=None, claim_form=None, upload_form=None, code=200):
    writable = can_write_zone(current_user, parcel.zone_id)
    claims = claims_of(LandClaim.parcel_id, parcel.id)
    claim_form = claim_form or ClaimForm(formdata=None)
    claim_form.project_id.choices = project_choices(parcel.zone_id, current_user)
    attachments = db.session.scalars(
        select(LandAttachment)
        .where(LandAttachment.parcel_id == parcel.id, LandAttachment.deleted_at.is_(None))
        .order_by(LandAttachment.uploaded_at.desc())
    ).all()
    buildings = db.session.scalars(
        select(Building).where(Building.parcel_id == parcel.id, Building.deleted_at.is_(None))
    ).all()
    page = render_template(
        "land/parcel.html",
        parcel=parcel,
        writable=writable,
        events=history(LandEvent.parcel_id, parcel.id),
        claims=claims,
        open_projects={c.project_id for c in claims if c.released_on is None},
        buildings=buildings,
        attachments=attachments,
        status_form=status_form_ or status_form(PARCEL_STATUSES, formdata=None),
        claim_form=claim_form,
        upload_form=upload_form or UploadForm(formdata=None),
    )
    return page, code


@bp.get("/parcels/<id:parcel_id>")
@allow(*SIGNED_IN)
def parcel(parcel_id: int):
    return render_parcel(get_or_404(Parcel, parcel_id))


@bp.post("/parcels/<id:parcel_id>/status")
@allow(*WRITERS)
def parcel_status(parcel_id: int):
    """Move a parcel to another status (a dated event; the history is never rewritten)."""
    return status_view(Parcel, parcel_id, PARCEL_STATUSES, render_parcel)


@bp.post("/parcels/<id:parcel_id>/claims")
@allow(*WRITERS)
def parcel_claim(parcel_id: int):
    """Reserve or supply the parcel to a project (from its page or the project's)."""
    return claim_view(Parcel, parcel_id, render_parcel)


@bp.post("/claims/<id:claim_id>/release")
@allow(*WRITERS)
def release_claim(claim_id: int):
    held = get_or_404(LandClaim, claim_id)
    model = Parcel if held.parcel_id else Building
    subject = writable_or_404(model, held.parcel_id or held.building_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            release(held, subject, current_user)
        except LandError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已解除"), "success")
    return redirect(subject_url(subject, "claims"))


@bp.post("/parcels/<id:parcel_id>/attachments")
@allow(*WRITERS)
def parcel_attachment(parcel_id: int):
    parcel = writable_or_404(Parcel, parcel_id, current_user)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            upload = form.file.data
            save_land_attachment(parcel, upload.stream, upload.filename or "", current_user)
        except AttachmentError as exc:
            db.session.rollback()
            field_error(form, "file", str(exc), fallback="file")
        else:
            db.session.commit()
            flash(_("附件已上传"), "success")
            return redirect(url_for("land.parcel", parcel_id=parcel.id, _anchor="attachments"))
    return render_parcel(parcel, upload_form=form, code=400)


@bp.get("/parcels/<id:parcel_id>/attachments/<id:attachment_id>")
@allow(*SIGNED_IN)
def parcel_attachment_file(parcel_id: int, attachment_id: int):
    parcel = get_or_404(Parcel, parcel_id)
    attachment = get_or_404(LandAttachment, attachment_id)
    if attachment.parcel_id != parcel.id:
        abort(404)
    try:
        path = stored_path(attachment.stored_name)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    fallback = ascii_fallback(attachment.filename, f"attachment-{attachment.id}")
    response = download(path, attachment.filename, fallback, attachment.content_type, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/conflicts")
@allow(*SIGNED_IN)
def conflicts():
    """Parcels and buildings two projects hold at once (the city sees every zone's)."""
    return render_template("land/conflicts.html", rows=conflicting_claims(current_user))

"""Admin pages: users, zones, settings and the audit log (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.admin import services
from crm.admin.forms import ResetPasswordForm, UserCreateForm, UserForm, ZoneForm
from crm.auth.models import User
from crm.auth.services import AuthError, create_user
from crm.core.access import allow, get_or_404, scoped_select
from crm.core.boundary import parse_id
from crm.core.forms import choices
from crm.core.models import AuditLog
from crm.core.pagination import paginate
from crm.core.setting_forms import posted_values, setting_sections
from crm.core.settings import SettingError, set_setting
from crm.extensions import db
from crm.zones import services as zone_services
from crm.zones.models import Zone

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _zone_choices(form: UserForm) -> None:
    zones = zone_services.visible_zones(include_inactive=True)
    form.zone_id.choices = choices(
        [("", _("（市级，无开发区）"))] + [(str(z.id), z.name) for z in zones]
    )


def _user_values(form: UserForm) -> dict:
    return {
        "display_name": form.display_name.data.strip(),
        "email": form.email.data,
        "role": form.role.data,
        "zone_id": parse_id(form.zone_id.data),
        "active": form.active.data,
    }


@bp.get("/")
@allow("admin")
def index():
    """The admin overview."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
@allow("admin")
def users():
    """All users with their role, zone and state."""
    stmt = scoped_select(User).order_by(User.zone_id.is_(None).desc(), User.zone_id, User.login)
    return render_template("admin/users.html", users=db.session.scalars(stmt).all())


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def create_user_view():
    """Create a user who must change the initial password at first sign-in."""
    form = UserCreateForm()
    _zone_choices(form)
    if form.validate_on_submit():
        values = _user_values(form)
        try:
            user = create_user(
                login=form.login.data,
                password=form.password.data,
                actor=current_user,
                display_name=values["display_name"],
                email=values["email"],
                role=values["role"],
                zone_id=values["zone_id"],
            )
            user.active = values["active"]
        except AuthError as exc:
            db.session.rollback()
            form.login.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("用户 %(login)s 已创建", login=user.login), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        400 if form.errors else 200
    )


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@allow("admin")
def edit_user(user_id: int):
    """Edit a user's name, e-mail, role, zone and state."""
    user = get_or_404(User, user_id)
    form = UserForm(
        obj=user, data={"zone_id": str(user.zone_id or "")} if not request.form else None
    )
    form.login.data = user.login
    _zone_choices(form)
    if form.validate_on_submit():
        try:
            services.update_user(user, _user_values(form), current_user)
        except AuthError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("用户 %(login)s 已保存", login=user.login), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm()
    ), (400 if form.errors else 200)


@bp.post("/users/<id:user_id>/password")
@allow("admin")
def reset_password(user_id: int):
    """Give a user a temporary password (they change it at the next sign-in)."""
    user = get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data, current_user)
        except AuthError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已为 %(login)s 设置临时密码", login=user.login), "success")
    else:
        flash(_("请填写新的临时密码"), "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/zones")
@allow("admin")
def zones():
    """Zones in display order, with controls to edit and reorder."""
    return render_template(
        "admin/zones.html", zones=zone_services.visible_zones(include_inactive=True)
    )


@bp.route("/zones/new", methods=["GET", "POST"])
@bp.route("/zones/<id:zone_id>", methods=["GET", "POST"])
@allow("admin")
def edit_zone(zone_id: int | None = None):
    """Create or edit a zone."""
    zone = get_or_404(Zone, zone_id) if zone_id else None
    form = ZoneForm(obj=zone)
    if form.validate_on_submit():
        values = {f: getattr(form, f).data for f in zone_services.ZONE_FIELDS}
        values["lead_industries"] = values["lead_industries"] or ""
        try:
            if zone is None:
                zone = zone_services.create_zone(values, current_user)
            else:
                zone_services.update_zone(zone, values, current_user)
        except zone_services.ZoneError as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("开发区 %(name)s 已保存", name=zone.name), "success")
            return redirect(url_for("admin.zones"))
    return render_template("admin/zone_form.html", form=form, zone=zone), (
        400 if form.errors else 200
    )


@bp.post("/zones/<id:zone_id>/move")
@allow("admin")
def move_zone(zone_id: int):
    """Move a zone up or down in the display order."""
    zone = get_or_404(Zone, zone_id)
    zone_services.move_zone(zone, -1 if request.form.get("direction") == "up" else 1, current_user)
    db.session.commit()
    return redirect(url_for("admin.zones"))


@bp.post("/zones/<id:zone_id>/delete")
@allow("admin")
def delete_zone(zone_id: int):
    """Delete an empty zone; a zone that still holds users or records is refused."""
    zone = get_or_404(Zone, zone_id)
    try:
        services.delete_zone(zone, current_user)
    except zone_services.ZoneError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("开发区已删除"), "success")
    return redirect(url_for("admin.zones"))


@bp.route("/settings", methods=["GET", "POST"])
@allow("admin")
def settings():
    """Rule settings as a typed form: labels, help, bounds, choices, rows for mappings."""
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        from flask_wtf.csrf import validate_csrf

        validate_csrf(request.form.get("csrf_token"))
        posted = posted_values(request.form)
        for key, raw in posted.items():
            try:
                set_setting(key, raw, current_user)
            except SettingError as exc:
                errors[key] = str(exc)
        if errors:
            db.session.rollback()
            flash(_("设置未保存，请按提示修改"), "danger")
        else:
            db.session.commit()
            flash(_("设置已保存"), "success")
            return redirect(url_for("admin.settings"))
    sections = setting_sections(posted if errors else {}, errors)
    return render_template("admin/settings.html", sections=sections), (400 if errors else 200)


@bp.get("/audit")
@allow("admin")
def audit():
    """The audit log, newest first."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    entity = request.args.get("entity", "").strip()
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    page = paginate(stmt, per_page=50)
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return render_template("admin/audit.html", page=page, users=users, entity=entity)

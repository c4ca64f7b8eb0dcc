"""Creating a project: from 项目库 for an enterprise picked (search as you type) or new by
name (with the duplicate checks), from a target ("转为项目"), or for a preset enterprise; an
open target of the enterprise in the zone is offered for conversion."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import WRITERS, allow, get_or_404
from crm.core.boundary import parse_id
from crm.core.forms import choices
from crm.core.i18n import mark
from crm.core.roles import ZONE_ROLES
from crm.enterprises.forms import field_error
from crm.enterprises.models import Enterprise
from crm.enterprises.search import visible_enterprise
from crm.enterprises.services import DuplicateEnterprise, EnterpriseError, create_enterprise
from crm.extensions import db
from crm.projects.blueprint import bp
from crm.projects.edit_views import show_error
from crm.projects.forms import ProjectCreateForm, project_values
from crm.projects.services import INITIAL_STAGES, ProjectError, create_project
from crm.projects.stages import stage_label
from crm.targets.conflicts import open_conflict_for
from crm.targets.forms import owner_choices
from crm.targets.models import Target
from crm.targets.queries import zone_people
from crm.targets.services import open_target_for, writable_target_or_404
from crm.zones.services import visible_zones

ENTERPRISE_FIELD = {"uscc": "enterprise_uscc", "name": "enterprise_name"}


def _project_zone(form: ProjectCreateForm, target: Target | None) -> int | None:
    if current_user.role in ZONE_ROLES:
        return current_user.zone_id
    if target is not None and target.zone_id is not None:
        return target.zone_id
    return parse_id(form.zone_id.data)


def _enterprise(form: ProjectCreateForm, preset: Enterprise | None) -> Enterprise | None:
    """The project's enterprise: given, picked, chosen among duplicates, or created here."""
    if preset is not None:
        return preset
    for field in (form.use_enterprise, form.enterprise_id):
        found = visible_enterprise(field.data, current_user)
        if found is not None:
            field.choices = choices([(str(found.id), found.name)])
            field.data = str(found.id)
            return found
    if (form.enterprise_id.data or "").strip():  # a value no picker offers: not typed by users
        form.enterprise_id.data = ""
        form.form_errors.append(_("请从列表中选择企业，或填写新企业的名称"))
        return None
    if not (form.enterprise_name.data or "").strip():
        field_error(form, "enterprise_name", _("请填写企业名称"))
        return None
    raw = {"name": form.enterprise_name.data, "uscc": form.enterprise_uscc.data or ""}
    try:
        return create_enterprise(raw, current_user, confirm_duplicate=form.confirm_duplicate.data)
    except DuplicateEnterprise as exc:
        form.use_enterprise.choices = choices(
            (str(hit.enterprise.id), f"{hit.enterprise.name}{mark('lp')}{hit.label}{mark('rp')}")
            for hit in exc.hits
        )
        hint = _("请选择使用已有企业")
        if not exc.blocking:
            hint = _("请选择使用已有企业，或勾选确认后新建")
        field_error(
            form,
            ENTERPRISE_FIELD.get(exc.field, "enterprise_name"),
            f"{exc}{mark('semicolon')}{hint}",
        )
    except EnterpriseError as exc:
        field_error(form, ENTERPRISE_FIELD.get(exc.field, "enterprise_name"), str(exc))
    return None


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITERS)
def create():
    """A new project, directly or from a target (?target_id=, "转为项目")."""
    target_arg = request.args.get("target_id", "")
    target = writable_target_or_404(target_arg, current_user) if target_arg else None
    enterprise_arg = request.args.get("enterprise_id", "")
    preset = target.enterprise if target else None
    if preset is None and enterprise_arg:
        preset = get_or_404(Enterprise, enterprise_arg)
    defaults: dict[str, Any] = {}
    if target is not None:
        defaults = {
            "name": f"{target.enterprise.name}项目",
            "owner_id": target.owner_id,
            "next_step": target.next_step,
        }
    form = ProjectCreateForm(data=defaults)
    form.stage.choices = choices((code, stage_label(code)) for code in INITIAL_STAGES)
    form.zone_id.choices = choices(
        [("", _("（请选择）"))] + [(str(z.id), z.short_name) for z in visible_zones()]
    )
    form.owner_id.choices = owner_choices(zone_people(current_user, _project_zone(form, target)))
    status = 200
    offer = None  # an open target of this enterprise in the zone: convert it?
    if target is None and preset is not None and request.method == "GET":
        offer = open_target_for(preset.id, _project_zone(form, None), current_user)
    if form.validate_on_submit():
        enterprise = _enterprise(form, preset)
        if enterprise is not None and target is None:
            offer = open_target_for(enterprise.id, _project_zone(form, None), current_user)
            answered = offer is not None and form.offered.data == str(offer.id)
            if answered and form.convert_target.data == "convert":
                target = offer
            elif offer is not None and not (answered and form.convert_target.data == "separate"):
                enterprise = None  # ask first (again, for another enterprise's target)
                form.convert_target.data = "convert"
        if enterprise is not None:
            try:
                project = create_project(
                    enterprise,
                    _project_zone(form, target),
                    project_values(form),
                    current_user,
                    target=target,
                    stage=form.stage.data,
                    started_on=form.started_on.data,
                )
            except ProjectError as exc:
                db.session.rollback()
                show_error(form, exc)
            else:
                conflict = open_conflict_for(enterprise.id)
                db.session.commit()
                flash(_("项目“%(name)s”已创建", name=project.display_name()), "success")
                if conflict is not None:
                    flash(_("该企业也有其他开发区在跟进，已提请市级协调"), "warning")
                return redirect(url_for("projects.detail", project_id=project.id))
        else:
            db.session.rollback()
    if request.method == "POST" and not (offer is not None and not form.errors):
        status = 400
    if offer is not None:
        form.offered.data = str(offer.id)
        form.convert_target.data = form.convert_target.data or "convert"
    return render_template(
        "projects/form.html", form=form, project=None, target=target, preset=preset, offer=offer
    ), status

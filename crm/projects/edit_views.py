"""Creating, editing, moving (stage changes) and deleting projects."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from crm.core.access import WRITERS, allow, get_or_404, scoped_select
from crm.core.boundary import parse_id
from crm.core.forms import choices
from crm.core.roles import ZONE_ROLES
from crm.core.timeutil import local_today
from crm.enterprises.forms import field_error
from crm.enterprises.models import Enterprise
from crm.enterprises.services import DuplicateEnterprise, EnterpriseError, create_enterprise
from crm.extensions import db
from crm.projects.blueprint import bp
from crm.projects.forms import (
    ConfirmForm,
    ProjectCreateForm,
    ProjectForm,
    evidence_values,
    project_values,
    stage_form,
)
from crm.projects.sections import maintained_fields
from crm.projects.services import (
    INITIAL_STAGES,
    ProjectError,
    StaleVersion,
    create_project,
    soft_delete_project,
    update_project,
    writable_project_or_404,
)
from crm.projects.stages import (
    ALL_STAGES,
    EVIDENCE,
    evidence_for_step,
    is_forward,
    needs_reason,
    stage_label,
)
from crm.projects.transitions import change_stage
from crm.targets.conflicts import open_conflict_for
from crm.targets.forms import owner_choices
from crm.targets.models import Target
from crm.targets.queries import zone_people
from crm.targets.services import open_target_for, writable_target_or_404
from crm.zones.services import visible_zones

STALE_MESSAGE = "该项目刚被其他用户修改，请刷新页面后重新填写"
ENTERPRISE_FIELD = {"uscc": "enterprise_uscc", "name": "enterprise_name"}


def show_error(form: Any, exc: ProjectError) -> None:
    """A service error at the field it names, else above the form (hidden or unknown field)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None or field.type in ("HiddenField", "CSRFTokenField"):
        form.form_errors.append(str(exc))
    else:
        field_error(form, exc.field, str(exc))


def _project_zone(form: ProjectCreateForm, target: Target | None) -> int | None:
    if current_user.role in ZONE_ROLES:
        return current_user.zone_id
    if target is not None and target.zone_id is not None:
        return target.zone_id
    return parse_id(form.zone_id.data)


def _enterprise(form: ProjectCreateForm, preset: Enterprise | None) -> Enterprise | None:
    """The project's enterprise: given, chosen among duplicates, or created here."""
    if preset is not None:
        return preset
    chosen = parse_id(form.use_enterprise.data)
    if chosen is not None:
        found = db.session.scalar(
            scoped_select(Enterprise).where(
                Enterprise.id == chosen, Enterprise.deleted_at.is_(None)
            )
        )
        if found is not None:
            form.use_enterprise.choices = choices([(str(found.id), found.name)])
            return found
    if not (form.enterprise_name.data or "").strip():
        field_error(form, "enterprise_name", _("请填写企业名称"))
        return None
    raw = {"name": form.enterprise_name.data, "uscc": form.enterprise_uscc.data or ""}
    try:
        return create_enterprise(raw, current_user, confirm_duplicate=form.confirm_duplicate.data)
    except DuplicateEnterprise as exc:
        form.use_enterprise.choices = choices(
            (str(hit.enterprise.id), f"{hit.enterprise.name}（{hit.label}）") for hit in exc.hits
        )
        hint = _("请选择使用已有企业")
        if not exc.blocking:
            hint = _("请选择使用已有企业，或勾选确认后新建")
        field_error(form, ENTERPRISE_FIELD.get(exc.field, "enterprise_name"), f"{exc}。{hint}")
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
        defaults = {"name": f"{target.enterprise.name}项目", "owner_id": target.owner_id}
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
            if offer is not None and form.convert_target.data == "convert":
                target = offer
            elif offer is not None and form.convert_target.data != "separate":
                enterprise = None  # ask first: the form comes back with the choice
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
    if offer is not None and not form.convert_target.data:
        form.convert_target.data = "convert"
    return render_template(
        "projects/form.html", form=form, project=None, target=target, preset=preset, offer=offer
    ), status


@bp.route("/<id:project_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit(project_id: int):
    """Edit a project's fields; a save from a stale form is refused (409) naming who saved."""
    project = writable_project_or_404(project_id, current_user)
    form = ProjectForm(obj=project)
    if request.method == "POST":
        form.version.data = request.form.get("version")  # only the form's, never the row's
    form.owner_id.choices = owner_choices(zone_people(current_user, project.zone_id))
    status = 200
    if form.validate_on_submit():
        try:
            update_project(project, project_values(form), form.version.data, current_user)
            db.session.commit()
        except StaleVersion as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = 409
        except StaleDataError:
            db.session.rollback()
            form.form_errors.append(_(STALE_MESSAGE))
            status = 409
        except ProjectError as exc:
            db.session.rollback()
            show_error(form, exc)
            status = 400
        else:
            flash(_("项目“%(name)s”已保存", name=project.display_name()), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    elif request.method == "POST":
        status = 400
    maintained = maintained_fields(project)
    return render_template(
        "projects/form.html", form=form, project=project, maintained=maintained
    ), status


def _stage_defaults(project: Any, to: str, needed: tuple) -> dict[str, Any]:
    data: dict[str, Any] = {"to_stage": to, "version": project.version}
    for item in needed:
        data[item.name] = getattr(project, item.name)
    if not any(item.kind == "date" for item in EVIDENCE.get(to, ())):
        data["effective_on"] = local_today()  # else the stage's own date is the natural default
    return data


@bp.route("/<id:project_id>/stage", methods=["GET", "POST"])
@allow(*WRITERS)
def stage(project_id: int):
    """Move a project to another stage with the evidence every stage passed needs."""
    project = writable_project_or_404(project_id, current_user)
    chosen = request.form.get("to_stage") if request.method == "POST" else request.args.get("to")
    to = chosen if chosen in ALL_STAGES and chosen != project.stage else ""
    needed = evidence_for_step(project.stage, to) if to else ()
    form = stage_form(needed, data=_stage_defaults(project, to, needed))
    status = 200
    if request.method == "POST":
        form.version.data = request.form.get("version")  # only the form's, never the row's
        status = 400
        if not to:
            form.form_errors.append(_("请选择要转到的阶段"))
        elif form.validate_on_submit():
            try:
                result = change_stage(
                    project,
                    to,
                    form.effective_on.data,
                    evidence_values(form, needed),
                    form.note.data or "",
                    form.version.data,
                    current_user,
                )
                db.session.commit()
            except (StaleVersion, StaleDataError) as exc:
                db.session.rollback()
                message = str(exc) if isinstance(exc, StaleVersion) else _(STALE_MESSAGE)
                form.form_errors.append(message)
                status = 409
            except ProjectError as exc:
                db.session.rollback()
                show_error(form, exc)
            else:
                label = stage_label(to)
                flash(_("已转到“%(stage)s”阶段", stage=label), "success")
                for warning in result.warnings:
                    flash(warning, "warning")
                back = url_for("projects.detail", project_id=project.id, _anchor="history")
                return redirect(back)
    options = [
        (code, stage_label(code), is_forward(project.stage, code))
        for code in ALL_STAGES
        if code != project.stage
    ]
    return render_template(
        "projects/stage.html",
        project=project,
        form=form,
        to=to,
        needed=needed,
        options=options,
        reason_required=bool(to) and needs_reason(project.stage, to),
    ), status


@bp.post("/<id:project_id>/delete")
@allow("manager", "coordinator", "admin")
def delete(project_id: int):
    """Soft-delete a project (an admin can restore it); audited."""
    project = writable_project_or_404(project_id, current_user)
    if ConfirmForm().validate_on_submit():
        name = project.display_name()
        soft_delete_project(project, current_user)
        db.session.commit()
        flash(_("项目“%(name)s”已删除", name=name), "success")
        return redirect(url_for("projects.index"))
    return redirect(url_for("projects.detail", project_id=project.id))

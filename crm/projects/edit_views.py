"""Editing, moving (stage changes) and deleting projects; creating them is in ``create_views``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from crm.core.access import WRITERS, allow
from crm.core.timeutil import local_today
from crm.enterprises.forms import field_error
from crm.extensions import db
from crm.projects.blueprint import bp
from crm.projects.forms import (
    ConfirmForm,
    ProjectForm,
    evidence_values,
    project_values,
    stage_form,
)
from crm.projects.sections import maintained_fields
from crm.projects.services import (
    ProjectError,
    StaleVersion,
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
from crm.targets.forms import owner_choices
from crm.targets.queries import zone_people

STALE_MESSAGE = "该项目刚被其他用户修改，请刷新页面后重新填写"


def show_error(form: Any, exc: ProjectError) -> None:
    """A service error at the field it names, else above the form (hidden or unknown field)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None or field.type in ("HiddenField", "CSRFTokenField"):
        form.form_errors.append(str(exc))
    else:
        field_error(form, exc.field, str(exc))


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

"""The project page: amounts, evidence, stage history, activities, attachments, audit."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import SIGNED_IN, WRITERS, allow, get_or_404, scoped
from crm.core.downloads import ascii_fallback, download
from crm.core.timeutil import local_today
from crm.enterprises.forms import field_error, submit_form
from crm.extensions import db
from crm.projects.attachments import (
    AttachmentError,
    attachment_path,
    delete_attachment,
    save_attachment,
)
from crm.projects.blueprint import audit_ids, audit_rows, bp
from crm.projects.forms import ActivityForm, AttachmentForm, ConfirmForm
from crm.projects.models import Attachment, Project
from crm.projects.queries import project_audit, user_names
from crm.projects.sections import render_sections, side_sections
from crm.projects.services import (
    ProjectError,
    can_write_project,
    log_project_activity,
    stage_durations,
    writable_project_or_404,
)
from crm.targets.chain_hooks import chain_links
from crm.targets.forms import ACTIVITY_FIELDS
from crm.targets.models import Activity
from crm.zones.services import visible_zones

TIMELINE_LIMIT = 200


def _attachments(project: Project) -> list[tuple[Attachment, str | None]]:
    stmt = scoped(
        select(Attachment, User.display_name)
        .outerjoin(User, User.id == Attachment.uploaded_by_id)
        .where(Attachment.project_id == project.id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc()),
        Attachment,
    )
    return [(attachment, name) for attachment, name in db.session.execute(stmt)]


def _activities(project: Project) -> list[Activity]:
    stmt = scoped(
        select(Activity)
        .where(Activity.project_id == project.id)
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
        .limit(TIMELINE_LIMIT),
        Activity,
    )
    return list(db.session.scalars(stmt).unique())


def render_detail(
    project: Project,
    activity_form: ActivityForm | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> Any:
    """The project page (also re-rendered with a form's errors, keeping what was typed)."""
    entries = project_audit(project.id)
    names = {("owner_id", k): v for k, v in user_names(audit_ids(entries, "owner_id")).items()}
    zone_ids = audit_ids(entries, "zone_id")
    names.update({("zone_id", z.id): z.short_name for z in visible_zones() if z.id in zone_ids})
    if activity_form is None:
        activity_form = ActivityForm(formdata=None, data={"occurred_on": local_today()})
    writable = can_write_project(current_user, project)
    page = render_template(
        "projects/detail.html",
        project=project,
        history=stage_durations(project),
        activities=_activities(project),
        attachments=_attachments(project),
        audit=audit_rows(entries, names),
        writable=writable,
        chain=chain_links("project", project.id, current_user, writable),
        sections=render_sections(project, current_user, writable),
        side_sections=side_sections(project, current_user, writable),
        activity_form=activity_form,
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )
    return page, status


@bp.get("/<id:project_id>")
@allow(*SIGNED_IN)
def detail(project_id: int):
    """One project; the real name of a confidential project is shown here only."""
    return render_detail(get_or_404(Project, project_id))


@bp.post("/<id:project_id>/activities")
@allow(*WRITERS)
def log_activity(project_id: int):
    """Log a contact; the project's next follow-up and next step follow it."""
    project = writable_project_or_404(project_id, current_user)
    form = ActivityForm()
    if submit_form(
        form,
        ACTIVITY_FIELDS,
        lambda values: log_project_activity(project, values, current_user),
        ProjectError,
        fallback="summary",
    ):
        flash(_("跟进记录已保存"), "success")
        return redirect(url_for("projects.detail", project_id=project.id, _anchor="activities"))
    return render_detail(project, activity_form=form, status=400)


@bp.post("/<id:project_id>/attachments")
@allow(*WRITERS)
def upload_attachment(project_id: int):
    """Attach a PDF, image or Office document (type checked by content)."""
    project = writable_project_or_404(project_id, current_user)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            save_attachment(project, upload.stream, upload.filename or "", current_user)
        except AttachmentError as exc:
            db.session.rollback()
            field_error(form, "file", str(exc), fallback="file")
        else:
            db.session.commit()
            flash(_("附件已上传"), "success")
            return redirect(
                url_for("projects.detail", project_id=project.id, _anchor="attachments")
            )
    return render_detail(project, attachment_form=form, status=400)


def _attachment_of(project: Project, attachment_id: int) -> Attachment:
    attachment = get_or_404(Attachment, attachment_id)
    if attachment.project_id != project.id:
        abort(404)
    return attachment


@bp.get("/<id:project_id>/attachments/<id:attachment_id>")
@allow(*SIGNED_IN)
def download_attachment(project_id: int, attachment_id: int):
    """Download an attachment through the access scope (always as a download, never inline)."""
    project = get_or_404(Project, project_id)
    attachment = _attachment_of(project, attachment_id)
    try:
        path = attachment_path(attachment)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    fallback = ascii_fallback(attachment.filename, f"attachment-{attachment.id}")
    response = download(path, attachment.filename, fallback, attachment.content_type, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<id:project_id>/attachments/<id:attachment_id>/delete")
@allow(*WRITERS)
def delete_attachment_view(project_id: int, attachment_id: int):
    """Remove an attachment from the project (kept for an admin to restore)."""
    project = writable_project_or_404(project_id, current_user)
    attachment = _attachment_of(project, attachment_id)
    if ConfirmForm().validate_on_submit():
        delete_attachment(attachment, current_user)
        db.session.commit()
        flash(_("附件“%(name)s”已删除", name=attachment.filename), "success")
    return redirect(url_for("projects.detail", project_id=project.id, _anchor="attachments"))

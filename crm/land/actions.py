"""What the parcel and carrier pages share: a subject's history and claims, and the bodies of
their status-move and claim views (validate → one service call → commit → redirect, or the
page again with the form's errors and 400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import scoped
from crm.enterprises.forms import field_error
from crm.extensions import db
from crm.land.blueprint import label, project_choices
from crm.land.claims import claim
from crm.land.forms import ClaimForm, status_form
from crm.land.models import CLAIM_KINDS, LandClaim, LandEvent, Parcel
from crm.land.services import LandError, change_status, writable_or_404
from crm.projects.models import Project

Render = Callable[..., Any]  # render_parcel / render_building: (subject, **forms, code=…)


def subject_url(subject: Any, anchor: str | None = None) -> str:
    """The page of a parcel or a building."""
    if isinstance(subject, Parcel):
        return url_for("land.parcel", parcel_id=subject.id, _anchor=anchor)
    return url_for("land.building", building_id=subject.id, _anchor=anchor)


def history(column: Any, ident: int) -> list[LandEvent]:
    stmt = select(LandEvent).where(column == ident)
    return list(db.session.scalars(stmt.order_by(LandEvent.effective_on, LandEvent.id)))


def claims_of(column: Any, ident: int) -> list[LandClaim]:
    stmt = select(LandClaim).where(column == ident)
    stmt = stmt.order_by(LandClaim.released_on.is_not(None), LandClaim.started_on.desc())
    return list(db.session.scalars(stmt))


def status_view(model: type, ident: int, statuses: dict[str, str], render: Render):
    """Move a parcel or building to another status (a dated event, never an edit)."""
    subject = writable_or_404(model, ident, current_user)
    form = status_form(statuses)
    if form.validate_on_submit():
        try:
            change_status(
                subject, form.status.data, current_user, form.effective_on.data, form.note.data
            )
        except LandError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="status")
        else:
            db.session.commit()
            flash(_("状态已变更"), "success")
            return redirect(subject_url(subject, "history"))
    return render(subject, status_form_=form, code=400)


def claim_project(form: ClaimForm, zone_id: int) -> Project | None:
    project_id = form.project_id.data
    project = db.session.get(Project, project_id) if project_id else None
    visible = project is not None and db.session.scalar(
        scoped(select(Project.id).where(Project.id == project.id), Project, current_user)
    )
    if not visible or project.zone_id != zone_id or project.deleted_at is not None:
        field_error(form, "project_id", _("请选择本开发区的项目"), fallback="project_id")
        return None
    return project


def submit_claim(subject: Any, form: ClaimForm) -> bool:
    """Reserve or supply ``subject`` from a submitted claim form; True when committed."""
    if not form.validate_on_submit():
        return False
    project = claim_project(form, subject.zone_id)
    if project is None:
        return False
    try:
        claim(
            subject, project, form.kind.data, current_user, form.effective_on.data, form.note.data
        )
    except LandError as exc:
        db.session.rollback()
        field_error(form, exc.field, str(exc), fallback="project_id")
        return False
    db.session.commit()
    kind = label(CLAIM_KINDS, form.kind.data)
    flash(_("已记录：%(kind)s给项目“%(name)s”", kind=kind, name=project.display_name()), "success")
    return True


def claim_view(model: type, ident: int, render: Render):
    """Reserve or supply a parcel or building to a project of its zone; back to the project's
    page when the form came from there."""
    subject = writable_or_404(model, ident, current_user)
    form = ClaimForm()
    form.project_id.choices = project_choices(subject.zone_id, current_user)
    if submit_claim(subject, form):
        if request.form.get("back") == "project":
            return redirect(url_for("projects.detail", project_id=form.project_id.data))
        return redirect(subject_url(subject, "claims"))
    return render(subject, claim_form=form, code=400)

"""The target page: details, timeline, activity and contact forms, edit, claim, delete, restore.

Registered on the ``targets`` blueprint by ``crm.targets.views``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.core.access import SIGNED_IN, WRITERS, allow, get_or_404, scoped_select
from crm.core.boundary import parse_id
from crm.core.forms import commit_or_flash
from crm.core.timeutil import local_today
from crm.enterprises.forms import (
    CONTACT_FIELDS,
    ContactForm,
    field_error,
    form_values,
    submit_form,
)
from crm.enterprises.services import EnterpriseError, add_contact, projects_by_enterprise
from crm.extensions import db
from crm.targets.chain_hooks import chain_links
from crm.targets.forms import (
    ACTIVITY_FIELDS,
    PRIORITY_LABELS,
    TARGET_FORM_FIELDS,
    ActivityForm,
    TargetFieldsForm,
    owner_choices,
)
from crm.targets.models import OPEN_STATUSES, Activity, Conflict, Target
from crm.targets.queries import pursued_elsewhere, zone_people
from crm.targets.services import (
    TargetError,
    can_write_target,
    claim_target,
    is_stale,
    log_activity,
    restore_target,
    soft_delete_target,
    update_target,
    writable_target_or_404,
)

TIMELINE_LIMIT = 200


def has_errors(form: FlaskForm) -> bool:
    return any(field.errors for field in form)


def _page_target(target_id: int) -> Target:
    if current_user.role == "admin":
        # admins also open removed targets, to restore them
        target = db.session.get(Target, target_id)
        if target is None:
            abort(404)
        return target
    return get_or_404(Target, target_id)


def sees_timeline(target: Target) -> bool:
    """Activities are private to their zone and the city level (as the Activity scope)."""
    if current_user.is_city_level:
        return True
    return target.zone_id is not None and target.zone_id == current_user.zone_id


def render_detail(
    target: Target,
    *,
    activity_form: ActivityForm | None = None,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> Any:
    """The target page, with any failed form kept as typed."""
    writable = target.deleted_at is None and can_write_target(current_user, target)
    activities = None
    if sees_timeline(target):
        stmt = (
            scoped_select(Activity)
            .where(Activity.target_id == target.id)
            .order_by(Activity.occurred_on.desc(), Activity.id.desc())
            .limit(TIMELINE_LIMIT)
        )
        activities = db.session.scalars(stmt).unique().all()
    conflict = db.session.scalars(
        scoped_select(Conflict).where(
            Conflict.enterprise_id == target.enterprise_id, Conflict.status == "open"
        )
    ).first()
    if writable:
        activity_form = activity_form or ActivityForm(formdata=None)
        contact_form = contact_form or ContactForm(formdata=None)
    projects = [
        p
        for p in projects_by_enterprise([target.enterprise_id], current_user).get(
            target.enterprise_id, []
        )
        if p.target_id == target.id or (target.zone_id is not None and p.zone_id == target.zone_id)
    ]
    page = render_template(
        "targets/detail.html",
        projects=projects,
        can_convert=writable
        and target.zone_id is not None
        and target.status in OPEN_STATUSES
        and current_user.role in ("staff", "manager", "coordinator", "admin"),
        target=target,
        enterprise=target.enterprise,
        writable=writable,
        chain=chain_links("target", target.id, current_user, writable),
        activities=activities,
        timeline_limit=TIMELINE_LIMIT,
        others=pursued_elsewhere([target], current_user)[target.id],
        conflict=conflict,
        stale=is_stale(target),
        today=local_today(),
        priorities=PRIORITY_LABELS,
        activity_form=activity_form if writable else None,
        contact_form=contact_form if writable else None,
        can_claim=target.is_pool
        and target.deleted_at is None
        and current_user.role in ("staff", "manager"),
    )
    return page, status


@allow(*SIGNED_IN)
def detail(target_id: int):
    """A target: the enterprise, its contacts, this zone's timeline and who else pursues it."""
    return render_detail(_page_target(target_id))


@allow(*WRITERS)
def log_activity_view(target_id: int):
    """Record a call, visit or meeting; the target's next follow-up follows it."""
    target = writable_target_or_404(target_id, current_user)
    form = ActivityForm()
    if submit_form(
        form,
        ACTIVITY_FIELDS,
        lambda values: log_activity(target, values, current_user),
        TargetError,
        fallback="summary",
    ):
        flash(_("跟进记录已保存"), "success")
        return redirect(url_for("targets.detail", target_id=target.id, _anchor="timeline"))
    return render_detail(target, activity_form=form, status=400)


@allow(*WRITERS)
def add_contact_view(target_id: int):
    """Add a contact person to the target's enterprise."""
    target = writable_target_or_404(target_id, current_user)
    form = ContactForm()
    if submit_form(
        form,
        CONTACT_FIELDS,
        lambda values: add_contact(target.enterprise, values, current_user),
        EnterpriseError,
    ):
        flash(_("联系人已添加"), "success")
        return redirect(url_for("targets.detail", target_id=target.id, _anchor="contacts"))
    return render_detail(target, contact_form=form, status=400)


def _setup_edit_form(form: TargetFieldsForm, target: Target) -> None:
    if target.status == "converted":
        del form.status  # set by converting to a project, not here
    if target.zone_id is None:
        del form.owner_id  # the city pool has no owners
        return
    if current_user.role == "staff":
        people = [current_user]
    else:
        people = zone_people(current_user, zone_id=target.zone_id)
    if target.owner is not None and target.owner not in people:
        people = [*people, target.owner]
    form.owner_id.choices = owner_choices(people, blank=_("（无负责人）"))


@allow(*WRITERS)
def edit(target_id: int):
    """Edit a target's modes, priority, status, owner, follow-up and notes."""
    target = writable_target_or_404(target_id, current_user)
    form = TargetFieldsForm(obj=target)
    _setup_edit_form(form, target)
    if form.validate_on_submit():
        names = tuple(name for name in (*TARGET_FORM_FIELDS, "owner_id") if name in form)
        values = form_values(form, names)
        if "owner_id" in values:
            values["owner_id"] = parse_id(values["owner_id"])
        try:
            changes = update_target(target, values, current_user)
        except TargetError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="note")
        else:
            db.session.commit()
            flash(_("已保存") if changes else _("没有需要保存的修改"), "success")
            return redirect(url_for("targets.detail", target_id=target.id))
    return render_template("targets/edit.html", form=form, target=target), (
        400 if has_errors(form) else 200
    )


@allow("staff", "manager")
def claim(target_id: int):
    """Take a target from the city pool into the user's zone."""
    target = get_or_404(Target, target_id)
    commit_or_flash(lambda: claim_target(target, current_user), TargetError, _("已认领到本开发区"))
    return redirect(url_for("targets.detail", target_id=target_id))


@allow(*WRITERS)
def delete(target_id: int):
    """Remove a target from the list (an admin can restore it)."""
    target = writable_target_or_404(target_id, current_user)
    soft_delete_target(target, current_user)
    db.session.commit()
    flash(_("已从目标清单移除“%(name)s”，管理员可恢复", name=target.enterprise.name), "success")
    return redirect(url_for("targets.index"))


@allow("admin")
def restore(target_id: int):
    """Bring a removed target back onto the list."""
    target = db.session.get(Target, target_id)
    if target is None:
        abort(404)
    if target.deleted_at is None:
        flash(_("该目标未被删除"), "info")
        return redirect(url_for("targets.detail", target_id=target_id))
    commit_or_flash(lambda: restore_target(target, current_user), TargetError, _("目标已恢复"))
    return redirect(url_for("targets.detail", target_id=target_id))

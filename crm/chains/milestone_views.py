"""Roadmap milestones: add (from the roadmap row), edit, mark done, remove."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.chains import milestones
from crm.chains.forms import MilestoneForm
from crm.chains.models import ChainNode, RoadmapMilestone
from crm.core.access import allow, get_or_404
from crm.extensions import db

EDITORS = ("manager", "coordinator", "admin")


def _roadmap(node: ChainNode):
    return redirect(url_for("chains.roadmap", chain_id=node.chain_id))


def _editable(milestone_id: int) -> RoadmapMilestone:
    milestone = get_or_404(RoadmapMilestone, milestone_id)
    if not milestones.can_edit_milestone(milestone, current_user):
        abort(404)  # another zone's milestone: as if it did not exist
    return milestone


def _page(form: MilestoneForm, node: ChainNode, milestone: RoadmapMilestone | None):
    return render_template(
        "chains/milestone_form.html",
        form=form,
        node=node,
        milestone=milestone,
        example=milestones.next_quarter(),
    ), (400 if form.errors else 200)


def _show(form: MilestoneForm, exc: milestones.MilestoneError) -> None:
    field = getattr(form, exc.field or "", None) or form.quarter
    field.errors = [*field.errors, str(exc)]


def add_milestone(node_id: int):
    """Add a quarterly milestone to a roadmap node; a wrong quarter keeps what was typed."""
    node = get_or_404(ChainNode, node_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            milestones.add_milestone(
                node, form.quarter.data, form.title.data, current_user, form.status.data
            )
        except milestones.MilestoneError as exc:
            db.session.rollback()
            _show(form, exc)
        else:
            db.session.commit()
            flash(_("里程碑已添加"), "success")
            return _roadmap(node)
    return _page(form, node, None)


def edit_milestone(milestone_id: int):
    """Change a milestone's quarter, title or status."""
    milestone = _editable(milestone_id)
    node = db.session.get(ChainNode, milestone.node_id)
    form = MilestoneForm(obj=milestone)
    if form.validate_on_submit():
        try:
            changed = milestones.update_milestone(
                milestone, form.quarter.data, form.title.data, form.status.data, current_user
            )
        except milestones.MilestoneError as exc:
            db.session.rollback()
            _show(form, exc)
        else:
            db.session.commit()
            flash(_("里程碑已保存") if changed else _("没有改动"), "success" if changed else "info")
            return _roadmap(node)
    return _page(form, node, milestone)


def complete_milestone(milestone_id: int):
    """Mark a milestone done."""
    milestone = _editable(milestone_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    node = db.session.get(ChainNode, milestone.node_id)
    if milestones.complete_milestone(milestone, current_user):
        db.session.commit()
        flash(_("里程碑已标记为完成"), "success")
    else:
        flash(_("该里程碑已经是完成状态"), "info")
    return _roadmap(node)


def delete_milestone(milestone_id: int):
    """Remove a milestone (the audit log keeps what it said)."""
    milestone = _editable(milestone_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    node = db.session.get(ChainNode, milestone.node_id)
    milestones.remove_milestone(milestone, current_user)
    db.session.commit()
    flash(_("里程碑已删除"), "success")
    return _roadmap(node)


def register(bp: Blueprint) -> None:
    """Attach the milestone routes to the chains blueprint."""
    routes = [
        ("/nodes/<id:node_id>/milestones", add_milestone, ["POST"]),
        ("/milestones/<id:milestone_id>/edit", edit_milestone, ["GET", "POST"]),
        ("/milestones/<id:milestone_id>/done", complete_milestone, ["POST"]),
        ("/milestones/<id:milestone_id>/delete", delete_milestone, ["POST"]),
    ]
    for rule, view, methods in routes:
        bp.add_url_rule(rule, view.__name__, allow(*EDITORS)(view), methods=methods)

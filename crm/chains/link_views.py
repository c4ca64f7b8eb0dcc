"""Setting the chain nodes of a target or a project from its own page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.chains.forms import ChainLinksForm
from crm.chains.links import LinkError, linked_nodes, node_options, set_links
from crm.core.access import WRITERS, allow, get_or_404
from crm.core.forms import choices
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.services import can_write_project
from crm.targets.chain_hooks import provide
from crm.targets.services import writable_target_or_404


def chain_links(kind: str, owner_id: int, user: Any, writable: bool) -> dict[str, Any]:
    """For the target or project page: the linked nodes and, for writers, the form offering
    every visible node with the current links selected (two statements)."""
    nodes = linked_nodes(kind, owner_id, user)
    form = None
    if writable:
        form = ChainLinksForm(formdata=None)
        form.node_ids.choices = choices((str(o.id), o.label) for o in node_options(user))
        form.node_ids.data = [str(o.id) for o in nodes]
    endpoint = "chains.target_links" if kind == "target" else "chains.project_links"
    action = url_for(endpoint, **{f"{kind}_id": owner_id})
    return {"nodes": nodes, "form": form, "action": action}


provide(chain_links=chain_links)


def _save(kind: str, owner_id: int, back: str):
    form = ChainLinksForm()
    if not form.validate_on_submit():
        flash(_("请求已过期，请刷新页面后重试"), "danger")
        return redirect(back)
    try:
        set_links(kind, owner_id, form.node_ids.data or [], current_user)
    except LinkError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(back)
    db.session.commit()
    flash(_("产业链环节已更新"), "success")
    return redirect(back)


def target_links(target_id: int):
    """Replace the chain nodes a target is courted for."""
    target = writable_target_or_404(target_id, current_user)
    return _save(
        "target", target.id, url_for("targets.detail", target_id=target.id, _anchor="chain")
    )


def project_links(project_id: int):
    """Replace the chain nodes a project fills."""
    project = get_or_404(Project, project_id)
    if not can_write_project(current_user, project):
        abort(403)
    back = url_for("projects.detail", project_id=project.id, _anchor="chain")
    return _save("project", project.id, back)


def register(bp: Blueprint) -> None:
    """Attach the link routes to the chains blueprint."""
    for rule, view in (
        ("/links/target/<id:target_id>", target_links),
        ("/links/project/<id:project_id>", project_links),
    ):
        bp.add_url_rule(rule, view.__name__, allow(*WRITERS)(view), methods=["POST"])

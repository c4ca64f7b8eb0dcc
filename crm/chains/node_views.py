"""Node actions on the chain map: edit the tree, override status, link, fill gaps, milestones."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.chains import editing
from crm.chains.forms import (
    GapTargetsForm,
    LinkEnterpriseForm,
    NodeForm,
    OverrideForm,
)
from crm.chains.models import Chain, ChainNode
from crm.chains.roadmap import add_targets_for_node, enterprise_by_name
from crm.chains.services import ChainError
from crm.core.access import WRITERS, allow, get_or_404
from crm.core.forms import choices, commit_or_flash
from crm.enterprises.models import Enterprise
from crm.enterprises.services import EnterpriseError
from crm.extensions import db
from crm.targets.services import TargetError
from crm.zones.services import visible_zones

ID = "int(max=2147483647)"
OWNERS = ("coordinator", "admin")


def _back(node: ChainNode):
    return redirect(url_for("chains.detail", chain_id=node.chain_id, node=node.id))


def _errors(form) -> str:
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


def _parent_choices(form: NodeForm, chain: Chain, node: ChainNode | None) -> None:
    form.parent_id.choices = choices(
        [("", _("（无，顶层环节）"))]
        + [(str(n.id), n.name) for n in chain.nodes if node is None or n.id != node.id]
    )


def _node_form_page(chain: Chain, node: ChainNode | None):
    form = NodeForm(obj=node)
    if request.method == "GET" and node is not None:
        form.parent_id.data = str(node.parent_id or "")
    _parent_choices(form, chain, node)
    if form.validate_on_submit():
        raw = {
            "name": form.name.data,
            "segment": form.segment.data,
            "strategy": form.strategy.data or "",
            "key_products": form.key_products.data or "",
            "priority": form.priority.data,
            "notes": form.notes.data or "",
            "parent_id": int(form.parent_id.data)
            if (form.parent_id.data or "").isdigit()
            else None,
        }
        try:
            node = editing.save_node(chain, node, raw, current_user)
        except ChainError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.name).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("环节已保存"), "success")
            return _back(node)
    return render_template("chains/node_form.html", form=form, chain=chain, node=node), (
        400 if form.errors else 200
    )


def new_node(chain_id: int):
    """Add a node to a chain (coordinators and admins)."""
    return _node_form_page(get_or_404(Chain, chain_id), None)


def edit_node(node_id: int):
    """Edit a node: name, position, parent (no cycles), strategy, products, priority."""
    node = get_or_404(ChainNode, node_id)
    return _node_form_page(node.chain, node)


def delete_node(node_id: int):
    """Delete a node; one that holds links is refused unless they move to another node."""
    node = get_or_404(ChainNode, node_id)
    target = request.form.get("rehome_to", "")
    rehome = (
        db.session.get(ChainNode, int(target)) if target.isdigit() and len(target) < 10 else None
    )
    chain_id = node.chain_id
    try:
        editing.delete_node(node, current_user, rehome_to=rehome)
    except ChainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(node)
    db.session.commit()
    flash(_("环节已删除"), "success")
    return redirect(url_for("chains.detail", chain_id=chain_id))


def override(node_id: int):
    """Set a node's status by hand with a reason, or return to the computed status."""
    node = get_or_404(ChainNode, node_id)
    form = OverrideForm()
    if form.validate_on_submit():
        status, reason = form.status.data or None, form.reason.data
        commit_or_flash(
            lambda: editing.set_status_override(node, status, reason, current_user),
            ChainError,
            _("环节状态已更新"),
        )
    else:
        flash(_errors(form), "danger")
    return _back(node)


def link_enterprise(node_id: int):
    """Put an enterprise on the node as 本地企业, 目标企业 or 链主."""
    node = get_or_404(ChainNode, node_id)
    form = LinkEnterpriseForm()
    if form.validate_on_submit():
        enterprise = db.session.get(Enterprise, form.enterprise_id.data or 0)
        if enterprise is None or enterprise.deleted_at is not None:
            flash(_("企业不存在"), "danger")
            return _back(node)
        try:
            editing.link_enterprise(node, enterprise.id, form.role.data, current_user)
        except ChainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已关联企业"), "success")
    else:
        flash(_errors(form), "danger")
    return _back(node)


def gap_targets(node_id: int):
    """From a gap node: add enterprises to the target list, linked to the node."""
    node = get_or_404(ChainNode, node_id)
    form = GapTargetsForm()
    form.zone_id.choices = choices(
        [("", _("市级储备库"))] + [(str(z.id), z.name) for z in visible_zones()]
    )
    if not form.validate_on_submit():
        flash(_errors(form), "danger")
        return _back(node)
    ids = {
        int(x) for x in (form.enterprise_ids.data or "").replace("，", ",").split(",") if x.strip()
    }
    names = [line.strip() for line in (form.names.data or "").splitlines() if line.strip()]
    if not ids and not names:
        flash(_("请填写企业名称或企业编号"), "danger")
        return _back(node)
    enterprises = list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.deleted_at.is_(None))
        )
    )
    if len(enterprises) != len(ids):
        flash(_("部分企业编号不存在，请核对后重试"), "danger")
        return _back(node)
    try:
        enterprises += [enterprise_by_name(name, current_user) for name in names]
    except EnterpriseError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(node)
    zone = form.zone_id.data
    zone_id = int(zone) if zone.isdigit() and len(zone) < 10 else None
    try:
        added = add_targets_for_node(node, enterprises, zone_id, current_user)
    except TargetError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(node)
    db.session.commit()
    flash(_("已加入目标企业清单：%(n)s 家", n=len(added)), "success")
    return _back(node)


def register(bp: Blueprint) -> None:
    """Attach the node routes to the chains blueprint."""
    routes = [
        (f"/<{ID}:chain_id>/nodes/new", new_node, ["GET", "POST"], OWNERS),
        (f"/nodes/<{ID}:node_id>/edit", edit_node, ["GET", "POST"], OWNERS),
        (f"/nodes/<{ID}:node_id>/delete", delete_node, ["POST"], OWNERS),
        (f"/nodes/<{ID}:node_id>/override", override, ["POST"], OWNERS),
        (f"/nodes/<{ID}:node_id>/enterprises", link_enterprise, ["POST"], OWNERS),
        (f"/nodes/<{ID}:node_id>/targets", gap_targets, ["POST"], WRITERS),
    ]
    for rule, view, methods, roles in routes:
        bp.add_url_rule(rule, view.__name__, allow(*roles)(view), methods=methods)

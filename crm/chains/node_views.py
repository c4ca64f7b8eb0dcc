"""Node actions on the chain map: edit the tree, override status, link, fill gaps, milestones."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
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
from crm.core.access import WRITERS, allow, get_or_404, scoped
from crm.core.boundary import parse_id
from crm.core.forms import choices, commit_or_flash
from crm.enterprises.models import Enterprise
from crm.enterprises.services import EnterpriseError, find_duplicates
from crm.extensions import db
from crm.targets.services import TargetError
from crm.zones.services import visible_zones

OWNERS = ("coordinator", "admin")


def picked_ids(values: list[str]) -> set[int] | None:
    """The enterprise ids a picker posted (one per value; "1,2" from a script also works);
    None when one is not an id."""
    ids = set()
    for value in values:
        for part in value.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            number = parse_id(part)
            if number is None:
                return None
            ids.add(number)
    return ids


def _picked_enterprise(form: LinkEnterpriseForm) -> Enterprise | None:
    """The picked enterprise (among those the user may see), else the one named exactly."""
    ids = picked_ids([form.enterprise_id.data or ""])
    if ids:
        stmt = select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.deleted_at.is_(None))
        return db.session.scalar(scoped(stmt, Enterprise, current_user))
    name = (form.enterprise_name.data or "").strip()
    if not name:
        return None
    hits = find_duplicates(name, name.upper() if len(name) == 18 else None)
    return next((hit.enterprise for hit in hits if hit.reason in ("uscc", "name")), None)


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
            "parent_id": parse_id(form.parent_id.data),
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
    target = parse_id(request.form.get("rehome_to"))
    rehome = db.session.get(ChainNode, target) if target is not None else None
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
        enterprise = _picked_enterprise(form)
        if enterprise is None:
            flash(_("请选择企业（输入名称、拼音或信用代码查找）"), "danger")
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
    ids = picked_ids(form.enterprise_ids.data or [])
    names = [line.strip() for line in (form.names.data or "").splitlines() if line.strip()]
    if ids is None:
        flash(_("请从列表中选择企业"), "danger")
        return _back(node)
    if not ids and not names:
        flash(_("请选择已有企业或填写企业名称"), "danger")
        return _back(node)
    enterprises = list(
        db.session.scalars(
            scoped(
                select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.deleted_at.is_(None)),
                Enterprise,
                current_user,
            )
        )
    )
    if len(enterprises) != len(ids):
        flash(_("选择的企业有的已不存在，请重新选择"), "danger")
        return _back(node)
    try:
        enterprises += [enterprise_by_name(name, current_user) for name in names]
    except EnterpriseError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(node)
    zone_id = parse_id(form.zone_id.data)
    try:
        added = add_targets_for_node(node, enterprises, zone_id, current_user)
    except TargetError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(node)
    db.session.commit()
    flash(
        ngettext("已加入目标企业清单：%(num)s 家", "已加入目标企业清单：%(num)s 家", len(added)),
        "success",
    )
    return _back(node)


def register(bp: Blueprint) -> None:
    """Attach the node routes to the chains blueprint."""
    routes = [
        ("/<id:chain_id>/nodes/new", new_node, ["GET", "POST"], OWNERS),
        ("/nodes/<id:node_id>/edit", edit_node, ["GET", "POST"], OWNERS),
        ("/nodes/<id:node_id>/delete", delete_node, ["POST"], OWNERS),
        ("/nodes/<id:node_id>/override", override, ["POST"], OWNERS),
        ("/nodes/<id:node_id>/enterprises", link_enterprise, ["POST"], OWNERS),
        ("/nodes/<id:node_id>/targets", gap_targets, ["POST"], WRITERS),
    ]
    for rule, view, methods, roles in routes:
        bp.add_url_rule(rule, view.__name__, allow(*roles)(view), methods=methods)

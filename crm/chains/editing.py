"""Editing chain maps: nodes (no cycles, one chain), status overrides, links, deletion."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.chains.models import (
    ENTERPRISE_ROLES,
    SEGMENTS,
    STATUSES,
    STRATEGIES,
    Chain,
    ChainNode,
    NodeEnterprise,
    NodeProject,
    NodeTarget,
)
from crm.chains.services import NODE_FIELDS, ChainError
from crm.core.audit import apply_changes, record_audit
from crm.extensions import db


def _descendant_ids(node: ChainNode) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for other_id, parent_id in db.session.execute(
        select(ChainNode.id, ChainNode.parent_id).where(ChainNode.chain_id == node.chain_id)
    ):
        children[parent_id].append(other_id)
    found, stack = set(), [node.id]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def clean_node_values(raw: dict[str, Any]) -> dict[str, Any]:
    values = {k: raw[k] for k in NODE_FIELDS if k in raw}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()[:100]
        if not values["name"]:
            raise ChainError(_l("请填写环节名称"), "name")
    if "segment" in values and values["segment"] not in SEGMENTS:
        raise ChainError(_l("环节位置只能是上游、中游、下游或配套"), "segment")
    if values.get("strategy") and values["strategy"] not in STRATEGIES:
        raise ChainError(_l("策略只能是强链、补链或延链"), "strategy")
    if "priority" in values and values["priority"] not in (1, 2, 3, 4, 5):
        raise ChainError(_l("优先级应为 1 到 5"), "priority")
    return values


def check_parent(node: ChainNode, parent_id: int | None) -> None:
    """A parent in the same chain that is neither the node itself nor its descendant."""
    if parent_id is None:
        return
    parent = db.session.get(ChainNode, parent_id)
    if parent is None:
        raise ChainError(_l("上级环节不存在"), "parent_id")
    if parent.chain_id != node.chain_id:
        raise ChainError(_l("上级环节必须属于同一条产业链"), "parent_id")
    if node.id is not None and (parent.id == node.id or parent.id in _descendant_ids(node)):
        raise ChainError(_l("不能把环节挂到它自己或它的下级环节之下"), "parent_id")


def save_node(chain: Chain, node: ChainNode | None, raw: dict[str, Any], actor: Any) -> ChainNode:
    """Create or edit a node; a cycle, another chain's parent or a duplicate name is refused."""
    values = clean_node_values(raw)
    if node is not None and raw.get("chain_id") not in (None, chain.id):
        raise ChainError(_l("环节不能移到另一条产业链"), "chain_id")
    name = values.get("name", node.name if node else "")
    clash = db.session.scalar(
        select(ChainNode.id).where(ChainNode.chain_id == chain.id, ChainNode.name == name)
    )
    if clash is not None and (node is None or clash != node.id):
        raise ChainError(_l("本产业链已有环节“%(name)s”", name=name), "name")
    creating = node is None
    if node is None:
        node = ChainNode(chain_id=chain.id, name=name, segment=values.get("segment", "midstream"))
        db.session.add(node)
    parent_id = raw.get("parent_id", node.parent_id)
    check_parent(node, parent_id)
    changes = apply_changes(node, {**values, "parent_id": parent_id}, (*NODE_FIELDS, "parent_id"))
    db.session.flush()
    record_audit("create" if creating else "update", "chain_node", node.id, changes, actor=actor)
    return node


def set_status_override(node: ChainNode, status: str | None, reason: str, actor: Any) -> None:
    """Fix a node's status by hand (with a reason) or go back to the computed one."""
    if status and status not in STATUSES:
        raise ChainError(_l("未知的环节状态"), "status")
    if status and not (reason or "").strip():
        raise ChainError(_l("手动设置状态须填写原因"), "override_reason")
    changes = apply_changes(
        node,
        {"status_override": status or None, "override_reason": (reason or "").strip()[:500]},
        ("status_override", "override_reason"),
    )
    if changes:
        record_audit("override", "chain_node", node.id, changes, actor=actor)


def delete_node(node: ChainNode, actor: Any, rehome_to: ChainNode | None = None) -> None:
    """Delete a node; one holding enterprises, targets, projects or child nodes is refused
    unless they are re-homed to another node of the same chain."""
    children = db.session.scalars(select(ChainNode).where(ChainNode.parent_id == node.id)).all()
    links = [
        db.session.scalars(select(model).where(model.node_id == node.id)).all()
        for model in (NodeEnterprise, NodeTarget, NodeProject)
    ]
    held = len(children) + sum(len(rows) for rows in links)
    if held and rehome_to is None:
        raise ChainError(
            _l("该环节下还有 %(held)s 项关联（企业、目标、项目或下级环节），请先转移", held=held),
            "node",
        )
    if rehome_to is not None:
        if rehome_to.chain_id != node.chain_id or rehome_to.id == node.id:
            raise ChainError(_l("只能转移到同一条产业链的其他环节"), "rehome_to")
        if rehome_to.id in _descendant_ids(node):
            raise ChainError(_l("不能转移到该环节的下级环节"), "rehome_to")
        for child in children:
            child.parent_id = rehome_to.id
        for rows in links:
            for row in rows:
                twin = db.session.get(type(row), _rehomed_key(row, rehome_to.id))
                if twin is None:
                    db.session.add(_copy_link(row, rehome_to.id))
                db.session.delete(row)
    db.session.flush()
    record_audit("delete", "chain_node", node.id, {"name": node.name}, actor=actor)
    db.session.delete(node)


def _rehomed_key(row: Any, node_id: int) -> tuple:
    other = {NodeEnterprise: "enterprise_id", NodeTarget: "target_id", NodeProject: "project_id"}
    return (node_id, getattr(row, other[type(row)]))


def _copy_link(row: Any, node_id: int) -> Any:
    if isinstance(row, NodeEnterprise):
        return NodeEnterprise(node_id=node_id, enterprise_id=row.enterprise_id, role=row.role)
    if isinstance(row, NodeTarget):
        return NodeTarget(node_id=node_id, target_id=row.target_id)
    return NodeProject(node_id=node_id, project_id=row.project_id)


def link_enterprise(node: ChainNode, enterprise_id: int, role: str, actor: Any) -> None:
    """Put an enterprise on a node as 本地企业, 目标企业 or 链主."""
    if role not in ENTERPRISE_ROLES:
        raise ChainError(_l("未知的企业角色"), "role")
    row = db.session.get(NodeEnterprise, (node.id, enterprise_id))
    if row is None:
        db.session.add(NodeEnterprise(node_id=node.id, enterprise_id=enterprise_id, role=role))
    else:
        row.role = role
    record_audit(
        "link", "chain_node", node.id, {"enterprise_id": enterprise_id, "role": role}, actor=actor
    )


def link_target(node: ChainNode, target_id: int, actor: Any) -> None:
    if db.session.get(NodeTarget, (node.id, target_id)) is None:
        db.session.add(NodeTarget(node_id=node.id, target_id=target_id))
        record_audit("link", "chain_node", node.id, {"target_id": target_id}, actor=actor)


def link_project(node: ChainNode, project_id: int, actor: Any) -> None:
    if db.session.get(NodeProject, (node.id, project_id)) is None:
        db.session.add(NodeProject(node_id=node.id, project_id=project_id))
        record_audit("link", "chain_node", node.id, {"project_id": project_id}, actor=actor)

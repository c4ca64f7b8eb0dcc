"""Which chain nodes (产业链环节) a target or a project serves, seen and set from its own page.

The links are the chain map's (``NodeTarget``, ``NodeProject``): setting them here shows on the
map, its counts, the coverage and the roadmap at once. Only nodes of chains the user may see
are offered or accepted; a change is audited on the target or project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from crm.chains.models import Chain, ChainNode, NodeProject, NodeTarget
from crm.core.access import scoped
from crm.core.audit import record_audit
from crm.extensions import db

LINKS = {
    "target": (NodeTarget, NodeTarget.target_id),
    "project": (NodeProject, NodeProject.project_id),
}
MAX_NODES = 20  # a target or project serves a few links, not a whole chain


class LinkError(ValueError):
    """A node that does not exist or that the user may not see."""


@dataclass(frozen=True)
class NodeOption:
    id: int
    chain_id: int
    chain: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.chain} · {self.name}"


def _visible_nodes(user: Any) -> Any:
    chains = scoped(select(Chain.id), Chain, user)
    return (
        select(ChainNode.id, ChainNode.chain_id, Chain.name, ChainNode.name)
        .join(Chain, Chain.id == ChainNode.chain_id)
        .where(ChainNode.chain_id.in_(chains))
        .order_by(Chain.sort_order, Chain.id, ChainNode.sort_order, ChainNode.id)
    )


def node_options(user: Any) -> list[NodeOption]:
    """Every node of the chains the user may see, chain by chain (one statement)."""
    return [NodeOption(*row) for row in db.session.execute(_visible_nodes(user))]


def linked_nodes(kind: str, owner_id: int, user: Any) -> list[NodeOption]:
    """The visible nodes a target or project is linked to (one statement)."""
    model, column = LINKS[kind]
    stmt = _visible_nodes(user).where(
        ChainNode.id.in_(select(model.node_id).where(column == owner_id))
    )
    return [NodeOption(*row) for row in db.session.execute(stmt)]


def set_links(kind: str, owner_id: int, node_ids: Iterable[Any], user: Any) -> list[NodeOption]:
    """Replace the visible links of a target or project with ``node_ids`` (the caller commits;
    links to chains the user cannot see are kept as they are)."""
    wanted: set[int] = set()
    for value in node_ids:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 9):
            raise LinkError("请选择有效的产业链环节")
        wanted.add(int(text))
    if len(wanted) > MAX_NODES:
        raise LinkError(
            f"一个{'项目' if kind == 'project' else '目标企业'}最多关联 {MAX_NODES} 个环节"
        )
    visible = {option.id: option for option in node_options(user)}
    unknown = wanted - set(visible)
    if unknown:
        raise LinkError("所选环节不存在或您无权查看")
    model, column = LINKS[kind]
    before = {option.id for option in linked_nodes(kind, owner_id, user)}
    if before == wanted:
        return [visible[i] for i in sorted(wanted)]
    removed, added = before - wanted, wanted - before
    if removed:
        db.session.execute(
            delete(model).where(column == owner_id, model.node_id.in_(sorted(removed)))
        )
    for node_id in sorted(added):
        db.session.add(model(node_id=node_id, **{column.key: owner_id}))
    record_audit(
        "update",
        kind,
        owner_id,
        {"chain_nodes": [_labels(before, visible), _labels(wanted, visible)]},
        actor=user,
    )
    return [visible[i] for i in sorted(wanted)]


def _labels(ids: set[int], visible: dict[int, NodeOption]) -> list[str]:
    return [visible[i].label for i in sorted(ids) if i in visible]


def chain_filter(kind: str, chain_id: int | None, node_id: int | None) -> Any:
    """A WHERE clause: the target or project ids linked to a node, or to any node of a chain."""
    model, column = LINKS[kind]
    stmt = select(column)
    if node_id is not None:
        stmt = stmt.where(model.node_id == node_id)
    if chain_id is not None:
        stmt = stmt.join(ChainNode, ChainNode.id == model.node_id).where(
            ChainNode.chain_id == chain_id
        )
    return stmt


def chain_choices(user: Any) -> list[tuple[int, str]]:
    """(id, name) of the chains the user may see, for list filters (one statement)."""
    stmt = scoped(select(Chain.id, Chain.name), Chain, user).order_by(Chain.sort_order, Chain.id)
    return [(row.id, row.name) for row in db.session.execute(stmt)]

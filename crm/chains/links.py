"""Which chain nodes (产业链环节) a target or a project serves, seen and set from its own page.

The links are the chain map's (``NodeTarget``, ``NodeProject``): setting them here shows on the
map, its counts, the coverage and the roadmap at once. Only nodes of chains the user may see
are offered or accepted; a change is audited on the target or project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from crm.chains.models import Chain, ChainNode, NodeProject, NodeTarget
from crm.core.access import scoped
from crm.core.audit import record_audit
from crm.extensions import db
from crm.targets.chain_hooks import provide

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


SEPARATORS = re.compile(r"[、,，;；\n]+")
PATH = re.compile(r"\s*(?:-|—|－|>|＞|/|·|\|)\s*")


class NodeResolver:
    """Chain nodes named in an import's 产业链环节 cell: "电子铜箔", "有色金属材料-电子铜箔" or
    "有色金属材料 / 铜冶炼 / 电子铜箔", several separated by 、 or ；. A name that fits several
    nodes without its chain, or none, is left as text only (loaded once per import)."""

    def __init__(self) -> None:
        rows = db.session.execute(
            select(ChainNode.id, ChainNode.name, Chain.name).join(
                Chain, Chain.id == ChainNode.chain_id
            )
        )
        self.by_name: dict[str, list[tuple[int, str]]] = {}
        for node_id, name, chain in rows:
            self.by_name.setdefault(name.strip(), []).append((node_id, chain))

    def resolve(self, text: str) -> list[int]:
        found: list[int] = []
        for piece in SEPARATORS.split(text or ""):
            node_id = self._one(piece.strip())
            if node_id is not None and node_id not in found:
                found.append(node_id)
        return found

    def _one(self, piece: str) -> int | None:
        if not piece:
            return None
        parts = [p for p in PATH.split(piece) if p]
        candidates = self.by_name.get(piece) or self.by_name.get(parts[-1] if parts else "", [])
        if len(parts) > 1:
            chain = parts[0].removesuffix("产业链").removesuffix("链")
            narrowed = [c for c in candidates if c[1].startswith(chain)]
            candidates = narrowed or candidates
        return candidates[0][0] if len(candidates) == 1 else None


def link_imported(kind: str, owner_texts: dict[int, str], resolver: NodeResolver) -> int:
    """Link imported targets or projects (id → their 产业链环节 text) to the nodes it names,
    keeping links they already have; returns the links added (the caller's transaction)."""
    wanted = {
        (owner_id, node_id)
        for owner_id, text in owner_texts.items()
        for node_id in resolver.resolve(text)
    }
    if not wanted:
        return 0
    model, column = LINKS[kind]
    owners = sorted({owner for owner, _node in wanted})
    have: set[tuple[int, int]] = set()
    for start in range(0, len(owners), 1000):
        chunk = owners[start : start + 1000]
        stmt = select(column, model.node_id).where(column.in_(chunk))
        have.update((owner, node) for owner, node in db.session.execute(stmt))
    rows = [
        {column.key: owner, "node_id": node}
        for owner, node in sorted(wanted)
        if (owner, node) not in have
    ]
    if rows:
        db.session.execute(insert(model.__table__), rows)
    return len(rows)


provide(
    chain_filter=chain_filter,
    chain_choices=chain_choices,
    node_resolver=NodeResolver,
    link_imported=link_imported,
)

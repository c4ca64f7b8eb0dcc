"""Where the chain maps plug into the target and project pages: the 产业链 filter of the lists,
the chain-links panel on a record's page and the 产业链环节 column of the imports.

The chain maps (crm.chains) build on targets and projects, so they register their functions
here when imported (:func:`provide`); the target and project modules call them through the
names below and never import crm.chains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDED: dict[str, Callable[..., Any]] = {}


def provide(**functions: Callable[..., Any]) -> None:
    """Register functions by the names below (done by crm.chains.links and .link_views)."""
    _PROVIDED.update(functions)


def chain_filter(kind: str, chain_id: int | None, node_id: int | None) -> Any:
    """A WHERE clause: the target or project ids linked to a node, or to any node of a chain."""
    return _PROVIDED["chain_filter"](kind, chain_id, node_id)


def chain_choices(user: Any) -> list[tuple[int, str]]:
    """(id, name) of the chains the user may see, for list filters."""
    return _PROVIDED["chain_choices"](user)


def chain_links(kind: str, owner_id: int, user: Any, writable: bool) -> dict[str, Any]:
    """The chain-links panel of a target's or project's page."""
    return _PROVIDED["chain_links"](kind, owner_id, user, writable)


def node_resolver() -> Any:
    """What finds the chain nodes an import's 产业链环节 cell names (loaded once per import)."""
    return _PROVIDED["node_resolver"]()


def link_imported(kind: str, owner_texts: dict[int, str], resolver: Any) -> int:
    """Link imported targets or projects (id → their 产业链环节 text) to the nodes it names."""
    return _PROVIDED["link_imported"](kind, owner_texts, resolver)

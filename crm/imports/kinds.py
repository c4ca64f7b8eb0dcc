"""The kinds of upload the import pipeline knows, each registered by its area (crm/areas.py).

The pipeline (upload → preview → validation → commit → revert) is the same for every kind; what
differs is here: how rows are read and written (``importer``), the headers that find the
header row (``aliases``) and the columns the preview shows, how a committed batch is undone
(``revert``), and which zone choices besides a zone the kind takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

POOL = "pool"  # the city pool: a target list without a zone
BY_COLUMN = "rows"  # each row names its zone (所属开发区), for city users


@dataclass(frozen=True)
class ImportKind:
    name: str  # ImportBatch.kind
    label: str  # what the upload form and messages call it
    # (path, filename, zone_id, actor, limits, progress) → an object answering
    # run(write=…, batch_id=…) with an ImportResult (crm.imports.engine)
    importer: Callable[..., Any]
    aliases: dict[str, tuple[str, ...]]  # field → header variants
    columns: list[tuple[str, str]]  # (field, canonical header) in the preview's order
    revert: Callable[[Any, Any], dict[str, int]]  # (batch, now) → summary (crm.imports.revert)
    no_zone: str | None = None  # POOL or BY_COLUMN: the choice that imports without a zone
    no_zone_label: Any = ""  # that choice on the upload form (lazily translated)
    zone_hint: str = ""  # the message for a zone choice this kind does not take
    tables: tuple[str, ...] = ()  # ANALYZEd on PostgreSQL after a large import


KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    """Make a kind of upload known to the pipeline (done by the app for every area)."""
    KINDS[kind.name] = kind


def kind_of(name: str) -> ImportKind:
    """The registered kind ``name`` (KeyError for an unknown one)."""
    return KINDS[name]

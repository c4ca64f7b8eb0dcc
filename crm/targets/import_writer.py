"""Bulk writes for planned import rows: inserts and updates per chunk, plus ImportChange rows.

Plain Core statements rather than ORM objects (100 000 rows would otherwise cost a unit-of-work
flush per object): new rows get ids allocated up front and go in by COPY on PostgreSQL
(``insert_rows``), changes by an executemany UPDATE. Nothing here commits; the
caller's transaction makes the whole import all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, update

from crm.core.dbutil import among, insert_rows
from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.services import build_search_text
from crm.extensions import db
from crm.imports.engine import plain
from crm.imports.models import ImportBatch, ImportChange
from crm.targets.chain_hooks import link_imported, node_resolver
from crm.targets.conflicts import detect_conflict
from crm.targets.import_planner import RowPlan
from crm.targets.models import Target

ENTERPRISE_DEFAULTS = {
    "aliases": "",
    "uscc": None,
    "hq_province": "",
    "hq_city": "",
    "industry": "",
    "ownership": "",
    "labels": [],
    "tier": "",
    "is_local": False,
    "website": "",
    "description": "",
    "legal_representative": "",
    "registered_capital_wan": None,
    "registered_capital_currency": "",
    "paid_in_capital_wan": None,
    "paid_in_capital_currency": "",
    "founded_on": None,
    "business_status": "",
    "insured_count": None,
    "business_scope": "",
    "gb_section": "",
    "gb_division": "",
    "merged_into_id": None,
    "deleted_at": None,
}


def allocate_ids(model: Any, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, so inserts need no RETURNING (which costs several
    times a plain executemany). PostgreSQL: from the table's sequence. SQLite: after the
    largest id — safe because the import holds SQLite's write lock by then (see ``lock``)."""
    if count == 0:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return list(db.session.scalars(stmt, {"t": table.name, "n": count}))
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _insert(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (executemany) with allocated ids; returns the ids in row order."""
    ids = allocate_ids(model, len(rows))
    if rows:
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        insert_rows(db.session, model.__table__, rows)
    return ids


def _update_by_id(model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """UPDATE … WHERE id = :id, one executemany per set of changed columns."""
    table = model.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(k for k in row if k != "id"))].append(
            {("b_" + k): v for k, v in row.items()}
        )
    for columns, params in groups.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam("b_" + name) for name in columns})
        )
        db.session.execute(stmt, params)


class ChunkWriter:
    """Writes planned rows into one zone (None: the city pool) for one import batch."""

    def __init__(self, batch_id: int, zone_id: int | None, actor: Any) -> None:
        self.batch_id = batch_id
        self.zone_id = zone_id
        self.actor = actor
        self.actor_id = getattr(actor, "id", None)
        self.resolver: Any = None  # loaded at the first row naming a node

    def lock(self) -> None:
        """Write first (to the batch row): on SQLite this takes the database's write lock for
        the rest of the transaction, so no one else can insert while ids are handed out."""
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == self.batch_id).values(processed_rows=0)
        )

    def write(self, plans: list[RowPlan], now: datetime) -> None:
        changes: list[dict[str, Any]] = []
        self._enterprises(plans, now, changes)
        created_targets = self._targets(plans, now, changes)
        self._chain_nodes(plans)
        self._contacts(plans, now, changes)
        if changes:
            insert_rows(db.session, ImportChange.__table__, changes)
        if self.zone_id is not None and created_targets:
            self._raise_conflicts(created_targets)

    def _change(self, entity: str, entity_id: int, changes: dict | None) -> dict[str, Any]:
        before = None if changes is None else {k: plain(v) for k, v in changes.items()}
        return {
            "batch_id": self.batch_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": "created" if changes is None else "updated",
            "before": before,
        }

    def _enterprises(self, plans: list[RowPlan], now: datetime, out: list[dict]) -> None:
        new = [p for p in plans if p.enterprise_new is not None]
        rows = []
        for plan in new:
            values = {**ENTERPRISE_DEFAULTS, **plan.enterprise_new}
            rows.append(
                {
                    **values,
                    "normalized_name": plan.parsed.normalized,
                    "search_text": build_search_text(
                        values["name"], values["aliases"], values["uscc"]
                    ),
                    "created_at": now,
                    "updated_at": now,
                    "created_by_id": self.actor_id,
                }
            )
        for plan, new_id in zip(new, _insert(Enterprise, rows), strict=True):
            plan.enterprise_id = new_id
            out.append(self._change("enterprise", new_id, None))
        updates = []
        for plan in plans:
            if not plan.enterprise_changes:
                continue
            row = {name: new for name, (_old, new) in plan.enterprise_changes.items()}
            if plan.search_basis is not None:
                row["search_text"] = build_search_text(*plan.search_basis)
            updates.append({"id": plan.enterprise_id, **row, "updated_at": now})
            out.append(self._change("enterprise", plan.enterprise_id, plan.enterprise_changes))
        _update_by_id(Enterprise, updates)

    def _targets(self, plans: list[RowPlan], now: datetime, out: list[dict]) -> list[int]:
        new = [p for p in plans if p.target_new is not None]
        rows = [
            {
                **plan.target_new,
                "enterprise_id": plan.enterprise_id,
                "zone_id": self.zone_id,
                "last_activity_on": None,
                "source": "",
                "import_batch_id": self.batch_id,
                "created_at": now,
                "updated_at": now,
                "created_by_id": self.actor_id,
                "deleted_at": None,
            }
            for plan in new
        ]
        for plan, new_id in zip(new, _insert(Target, rows), strict=True):
            plan.target_id = new_id
            out.append(self._change("target", new_id, None))
        updates = []
        for plan in plans:
            if plan.target_changes:
                row = {name: new for name, (_old, new) in plan.target_changes.items()}
                updates.append({"id": plan.target_id, **row, "updated_at": now})
                out.append(self._change("target", plan.target_id, plan.target_changes))
        _update_by_id(Target, updates)
        return [p.enterprise_id for p in new]

    def _chain_nodes(self, plans: list[RowPlan]) -> None:
        """Link each target to the chain nodes its 产业链环节 cell names (the text stays too)."""
        texts = {
            p.target_id: p.parsed.target["chain_position"]
            for p in plans
            if p.target_id is not None and p.parsed.target.get("chain_position")
        }
        if texts:
            if self.resolver is None:
                self.resolver = node_resolver()
            link_imported("target", texts, self.resolver)

    def _contacts(self, plans: list[RowPlan], now: datetime, out: list[dict]) -> None:
        new = [p for p in plans if p.contact_new is not None]
        rows = [
            {
                "enterprise_id": plan.enterprise_id,
                "title": "",
                "email": "",
                "note": "",
                "created_at": now,
                **plan.contact_new,
            }
            for plan in new
        ]
        for new_id in _insert(Contact, rows):
            out.append(self._change("contact", new_id, None))
        updates = []
        for plan in plans:
            if plan.contact_changes:
                row = {name: new for name, (_old, new) in plan.contact_changes.items()}
                updates.append({"id": plan.contact_id, **row})
                out.append(self._change("contact", plan.contact_id, plan.contact_changes))
        _update_by_id(Contact, updates)

    def _raise_conflicts(self, enterprise_ids: list[int]) -> None:
        """Open a conflict where another zone already pursues an enterprise just added."""
        stmt = (
            select(Target.enterprise_id)
            .where(
                among(db.session, Target.enterprise_id, enterprise_ids),
                Target.zone_id.is_not(None),
                Target.zone_id != self.zone_id,
                Target.deleted_at.is_(None),
                Target.status != "dropped",
            )
            .distinct()
        )
        for enterprise_id in db.session.scalars(stmt).all():
            detect_conflict(db.session.get(Enterprise, enterprise_id), self.actor)

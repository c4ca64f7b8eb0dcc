"""Bulk helpers: ``insert_rows`` (COPY on PostgreSQL) stores what ``insert()`` stores, and
``among`` (``= ANY`` on PostgreSQL) matches what ``IN`` matches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select

from crm.core.dbutil import among, insert_rows
from crm.enterprises.models import Contact, Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportChange

AWKWARD = "a\tb\\c\nd\r“引号”,'单' 豫光\u3000é😀 NULL \\N"


def _rows(table, ids):
    return [
        {k: v for k, v in row._mapping.items() if k not in ("created_at", "updated_at")}
        for row in db.session.execute(select(table).where(table.c.id.in_(ids)).order_by("id"))
    ]


def test_insert_rows_stores_what_insert_stores(app):
    table = Enterprise.__table__
    base = {
        "name": AWKWARD,
        "normalized_name": "豫光",
        "labels": ["专精特新", AWKWARD],
        "founded_on": date(2001, 2, 3),
        "registered_capital_wan": 1200,
        "registered_capital_currency": "美元",
        "is_local": True,
        "search_text": AWKWARD.lower(),
        "created_at": datetime(2026, 12, 7, 12, 0, 0),
    }
    plain = [{**base, "id": 900 + i, "uscc": None if i else "91410000MA0000001X"} for i in (0, 1)]
    copied = [{**row, "id": row["id"] + 10} for row in plain]
    copied[0]["uscc"] = "91410000MA0000002Y"
    db.session.execute(insert(table), plain)
    insert_rows(db.session, table, copied)
    stored_plain, stored_copied = _rows(table, [900, 901]), _rows(table, [910, 911])
    for row in (*stored_plain, *stored_copied):
        row.pop("id"), row.pop("uscc")
    assert stored_copied == stored_plain
    assert stored_copied[0]["labels"] == ["专精特新", AWKWARD]
    assert stored_copied[0]["description"] == ""  # a Python default, as insert() fills it
    contact = {"enterprise_id": 910, "name": AWKWARD, "phone": "1"}
    insert_rows(db.session, Contact.__table__, [contact])  # created_at: a callable default
    assert db.session.scalar(select(Contact.created_at).where(Contact.name == AWKWARD))


def test_insert_rows_keeps_json_null_as_insert_does(app):
    batch = ImportBatch(kind="targets", filename="x.csv", stored_path="", status="committing")
    db.session.add(batch)
    db.session.flush()
    row = {"batch_id": batch.id, "entity": "target", "action": "created"}
    db.session.execute(insert(ImportChange.__table__), [{**row, "entity_id": 1, "before": None}])
    insert_rows(
        db.session,
        ImportChange.__table__,
        [{**row, "entity_id": 2, "before": None}, {**row, "entity_id": 3, "before": {"a": [1]}}],
    )
    stored = db.session.execute(
        select(ImportChange.entity_id, ImportChange.before).order_by(ImportChange.entity_id)
    ).all()
    assert [tuple(r) for r in stored] == [(1, None), (2, None), (3, {"a": [1]})]
    # JSON null (not SQL NULL) for all three, as SQLAlchemy's JSON type stores None
    nulls = select(ImportChange.entity_id).where(ImportChange.before.is_(None))
    assert list(db.session.scalars(nulls)) == []


def test_among_matches_in(app):
    names = ["甲", "乙", AWKWARD]
    db.session.execute(
        insert(Enterprise.__table__),
        [
            {"id": 700 + i, "name": n, "normalized_name": n, "search_text": n}
            for i, n in enumerate(names)
        ],
    )
    wanted = {"乙", AWKWARD, "丙"}
    found = select(Enterprise.id).where(among(db.session, Enterprise.normalized_name, wanted))
    expected = select(Enterprise.id).where(Enterprise.normalized_name.in_(wanted))
    assert sorted(db.session.scalars(found)) == sorted(db.session.scalars(expected)) == [701, 702]
    ids = select(Enterprise.name).where(among(db.session, Enterprise.id, [700, 999]))
    assert list(db.session.scalars(ids)) == ["甲"]

"""Migration 0024 backfills each existing outline's JSON text, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.test_migrations import _flask, database  # noqa: F401 — the shared fixture

BEFORE = "0023_search_grams_split"
OUTLINE = [[10, 20], [30.5, 20], [30.5, 40]]


def test_the_outline_json_migration_backfills_and_downgrades(database, tmp_path):  # noqa: F811
    url, engine = database
    instance = tmp_path / "instance"
    _flask(url, instance, "db", "upgrade", BEFORE)
    _flask(url, instance, "seed")
    with engine.begin() as conn:
        zone = conn.scalar(text("SELECT id FROM zone ORDER BY id LIMIT 1"))
        for code, polygon in (("M-1", json.dumps(OUTLINE)), ("M-2", None)):
            conn.execute(
                text(
                    "INSERT INTO land_parcel (zone_id, code, name, location, area_mu, land_use,"
                    " status, status_since, batch, approval_no, constraints, notes, polygon,"
                    " created_at, updated_at) VALUES (:zone, :code, :code, '', 10, 'industrial',"
                    " 'approved', '2026-01-05', '', '', '', '', :polygon,"
                    " '2026-01-05 00:00:00', '2026-01-05 00:00:00')"
                ),
                {"zone": zone, "code": code, "polygon": polygon},
            )
    _flask(url, instance, "db", "upgrade")
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT code, outline_json FROM land_parcel")).all())
    assert json.loads(rows["M-1"]) == OUTLINE and rows["M-2"] is None
    _flask(url, instance, "db", "downgrade", BEFORE)
    with engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM land_parcel")).keys()
    assert "outline_json" not in columns

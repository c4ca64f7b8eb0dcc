"""The database half of a backup: a consistent copy, its inventory and loading it back.

PostgreSQL goes through ``pg_dump`` / ``pg_restore`` (custom format); the row counts and the
content hash are read in the same snapshot ``pg_dump`` copies (``pg_export_snapshot``).
SQLite goes through its online backup API; the inventory is read from the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, select, text


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is for the operator."""


def inventory(conn: Connection) -> dict[str, Any]:
    """Schema revision, rows per table and a SHA-256 over every row (in primary-key order)."""
    meta = MetaData()
    meta.reflect(bind=conn)
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for name in sorted(meta.tables):
        table = meta.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        digest.update(f"\x1e{name}\x1f".encode())
        n = 0
        for row in conn.execute(select(table).order_by(*order)):
            digest.update(json.dumps(list(row), default=str, ensure_ascii=False).encode())
            digest.update(b"\n")
            n += 1
        counts[name] = n
    revision = MigrationContext.configure(conn).get_current_revision()
    return {"revision": revision, "tables": counts, "content_sha256": digest.hexdigest()}


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = engine.url
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line
    return [*args, "--dbname", str(url.database)], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def dump(engine: Engine, folder: Path) -> tuple[str, dict[str, Any]]:
    """Copy the database into ``folder``; returns the file name and its inventory."""
    if engine.dialect.name == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_args(engine)
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
                _run([*command, f"--snapshot={snapshot}", "--file", str(target), *args], env)
                return target.name, inventory(conn)
    if engine.dialect.name == "sqlite":
        target = folder / "database.sqlite"
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        return target.name, sqlite_inventory(target)
    raise BackupError(f"unsupported database: {engine.dialect.name}")


def sqlite_inventory(path: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return inventory(conn)
    finally:
        engine.dispose()


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def load(engine: Engine, source: Path) -> None:
    """Load a copy made by :func:`dump` into the (empty) database of ``engine``."""
    engine.dispose()
    if engine.dialect.name == "postgresql":
        args, env = _pg_args(engine)
        # --clean --if-exists: objects outside the tables that an emptied database may keep
        # (the search_grams function) are replaced, not refused
        command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
        command += ["--clean", "--if-exists", "--exit-on-error"]
        _run([*command, *args, str(source)], env)
    elif engine.dialect.name == "sqlite":
        copy = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            copy.backup(target)
        finally:
            copy.close()
            target.close()
    else:
        raise BackupError(f"unsupported database: {engine.dialect.name}")

"""Migrations: upgrade from empty, downgrade one step, upgrade again, no drift from the models.

Runs on a temporary SQLite file always and on TEST_DATABASE_URL when it is set. Whatever the
head revision is, the test downgrades exactly one step from it, so new revisions are covered
without touching this file. The `flask db` commands run in subprocesses (as an operator would
run them, and so that Alembic's logging setup stays out of the test process).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url

import crm.models  # noqa: F401 — every model, so db.metadata is the whole schema
from crm.extensions import db, migrate
from crm.zones.models import Zone

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
FLASK = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _script() -> ScriptDirectory:
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _wipe(engine: Engine) -> None:
    """Drop every table (alembic_version included) and enum type the schema may hold."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname='public'"))
            for name in list(names):
                conn.execute(text(f'DROP TABLE IF EXISTS public."{name}" CASCADE'))
            enums = conn.scalars(
                text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    " WHERE n.nspname = 'public' AND t.typtype = 'e'"
                )
            )
            for name in list(enums):
                conn.execute(text(f'DROP TYPE IF EXISTS public."{name}" CASCADE'))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def _flask(url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "APP_ENV", "SECRET_KEY"}}
    env.update(DATABASE_URL=url, INSTANCE_PATH=str(instance))
    done = subprocess.run(
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done


def _current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _drift(engine: Engine) -> list:
    """Differences between the models and the migrated schema (empty when in sync)."""
    opts = dict(migrate.alembic_ctx_kwargs)  # the options `flask db migrate/check` use
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)


@pytest.fixture(params=["sqlite", "test_database"])
def database(request, tmp_path):
    """(url, engine) of an empty database; the schema is dropped again afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        url = TEST_DATABASE_URL
    engine = create_engine(_sqlalchemy_url(url), connect_args=_connect_args(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        message = f"{make_url(_sqlalchemy_url(url)).render_as_string()} unreachable: {exc}"
        pytest.fail(message) if CI else pytest.skip(message)
    _wipe(engine)
    try:
        yield url, engine
    finally:
        _wipe(engine)
        engine.dispose()


def _connect_args(url: str) -> dict:
    return {"connect_timeout": 5} if url.startswith("postgres") else {}


def _zone_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(Zone.code)))


def test_upgrade_downgrade_upgrade_with_seed_data_and_no_drift(database, tmp_path):
    url, engine = database
    script = _script()
    head = script.get_current_head()
    assert head, "no migration revisions found"
    previous = script.get_revision(head).down_revision
    assert not isinstance(previous, tuple), "head is a merge point; downgrade one step is ambiguous"
    instance = tmp_path / "instance"

    _flask(url, instance, "db", "upgrade")
    assert _current(engine) == head
    tables = set(inspect(engine).get_table_names())
    assert set(db.metadata.tables) <= tables, set(db.metadata.tables) - tables
    seeded = _flask(url, instance, "seed")
    assert re.search(r"\b3 zone\(s\)", seeded.stdout), seeded.stdout
    assert _zone_codes(engine) == {"gxq", "jkq", "xdfw"}

    _flask(url, instance, "db", "downgrade")  # one step, with the seed data in place
    assert _current(engine) == previous
    if previous is None:  # the first revision undone: nothing but alembic_version remains
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    _flask(url, instance, "db", "upgrade")
    assert _current(engine) == head
    assert _drift(engine) == [], "models and migrations differ: run `flask db migrate`"

    _flask(url, instance, "seed")
    assert _zone_codes(engine) == {"gxq", "jkq", "xdfw"}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Zone)) == 3


def test_drift_check_detects_a_model_without_migration(tmp_path):
    """The drift check is not vacuous: a table missing from the schema is reported."""
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        differences = _drift(engine)
    finally:
        engine.dispose()
    added = {diff[1].name for diff in differences if diff[0] == "add_table"}
    assert set(db.metadata.tables) <= added

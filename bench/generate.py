"""Scaled benchmark data: ``python -m bench.generate --scale city|province|<number>``.

The database is wiped, migrated with ``flask db upgrade`` and filled by the registered
generators in order. Each area adds its generators with ``@generator(name, order)`` in its own
module listed in ``PLUGINS`` (the foundation's zones and users: ``bench.gen_foundation``); a
generator reads ``ctx.scale.count(...)``, inserts with :func:`bulk_insert` and leaves the ids
later generators need in ``ctx.ids``.

DATABASE_URL (or ``--database-url``) selects the database; by default a SQLite file under
``bench/out/``. The database name must contain "bench": this script never wipes anything else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bench" / "out"
PASSWORD = os.environ.get("DEMO_PASSWORD", "Jiyuan@2026")

# Target row counts per scale (DESIGN §7). A number N means "N × city" (at least the demo set).
CITY = {"zones": 3, "users": 60, "enterprises": 5_000, "projects": 500, "activities": 20_000}
PROVINCE = {
    "zones": 180,
    "users": 5_000,
    "enterprises": 1_000_000,
    "projects": 100_000,
    "activities": 2_000_000,
}
MINIMUM = {"zones": 3, "users": 12}
# Modules whose @generator functions fill the database; each area adds its own module here.
PLUGINS: tuple[str, ...] = ("bench.gen_foundation", "bench.targets_list", "bench.gen_projects")


@dataclass(frozen=True)
class Scale:
    name: str
    counts: dict[str, int]

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)


def parse_scale(value: str) -> Scale:
    """``city``, ``province``, ``N`` (N × city), each optionally with row counts overridden:
    ``city:projects=1500`` (three zones of 500 projects each, e.g. for the board)."""
    base, _, overrides = value.partition(":")
    if overrides:
        scale = parse_scale(base)
        counts = dict(scale.counts)
        for item in overrides.split(","):
            key, _, number = item.partition("=")
            if key not in counts or not number.isdigit() or int(number) < MINIMUM.get(key, 1):
                raise argparse.ArgumentTypeError(f"scale override: {item!r}")
            counts[key] = int(number)
        return Scale(value, counts)
    if value == "city":
        return Scale("city", dict(CITY))
    if value == "province":
        return Scale("province", dict(PROVINCE))
    try:
        factor = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("scale: city, province or a number") from None
    if factor <= 0:
        raise argparse.ArgumentTypeError("scale must be positive")
    counts = {k: max(MINIMUM.get(k, 0), round(v * factor)) for k, v in CITY.items()}
    return Scale(f"{factor:g}×city", counts)


@dataclass
class Context:
    """What generators share: the scale, a seeded RNG, one password hash and the ids made."""

    scale: Scale
    rng: random.Random
    password_hash: str
    ids: dict[str, Any] = field(default_factory=dict)


Generator = Callable[[Context], int]
GENERATORS: list[tuple[int, str, Generator]] = []


def generator(name: str, order: int) -> Callable[[Generator], Generator]:
    """Register ``fn(ctx) -> rows inserted`` to run at ``order`` (lower first)."""

    def register(fn: Generator) -> Generator:
        GENERATORS.append((order, name, fn))
        return fn

    return register


def batched(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(model: Any, rows: Iterable[dict], chunk: int = 10_000) -> int:
    """Insert plain dicts in executemany batches (Core, no ORM objects); returns the count."""
    from crm.extensions import db

    count = 0
    for batch in batched(rows, chunk):
        db.session.execute(insert(model.__table__), batch)
        count += len(batch)
    return count


# --- the database ----------------------------------------------------------------------


def sqlalchemy_url(url: str) -> str:
    """The URL as the app uses it (PostgreSQL through psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def reset_database(url: str) -> None:
    """Drop everything in a benchmark database (creating a PostgreSQL one if missing)."""
    parsed = make_url(sqlalchemy_url(url))
    name = Path(parsed.database or "").name
    if "bench" not in name:
        raise SystemExit(f"refusing to wipe {name!r}: a benchmark database name contains 'bench'")
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(parsed.database) + suffix).unlink(missing_ok=True)
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def app_env(url: str, instance: Path, secret: str) -> dict[str, str]:
    """The environment for `flask` and gunicorn subprocesses on this database."""
    env = {k: v for k, v in os.environ.items() if k not in {"APP_ENV", "REDIS_URL"}}
    env.update(
        DATABASE_URL=url, INSTANCE_PATH=str(instance), SECRET_KEY=secret, DEMO_PASSWORD=PASSWORD
    )
    return env


def flask_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def make_app(url: str, secret: str):
    from app import create_app
    from config import Config

    return create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secret)


def fill(app: Any, scale: Scale, seed: int = 2026) -> dict[str, int]:
    """Run every registered generator in order; returns rows inserted per generator."""
    from werkzeug.security import generate_password_hash

    from crm.extensions import db

    for module in PLUGINS:
        importlib.import_module(module)
    ctx = Context(scale, random.Random(seed), generate_password_hash(PASSWORD, method="scrypt"))
    counts = {}
    with app.app_context():
        for _order, name, fn in sorted(GENERATORS, key=lambda item: item[0]):
            counts[name] = fn(ctx)
            db.session.commit()
        vacuum_analyze(db.engine)
    return counts


def vacuum_analyze(engine: Any) -> None:
    """Statistics and (PostgreSQL) the visibility map index-only reads need, as autovacuum
    keeps them in production after a bulk load or a backfill (it may be off on a bench box)."""
    pg = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))


REUSE = os.environ.get("BENCH_REUSE") == "1"
META = "bench_meta"  # scale name and rows per generator of a finished build


def scale_url(url: str, scale: Scale) -> str:
    """The database of one scale when builds are reused: ``<name>_<scale>``."""
    slug = scale.name.replace("×", "x").replace(".", "_")
    parsed = make_url(sqlalchemy_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        return f"sqlite:///{path.with_name(f'{path.stem}_{slug}{path.suffix}')}"
    return parsed.set(database=f"{parsed.database}_{slug}").render_as_string(hide_password=False)


def built_rows(url: str, scale: Scale) -> dict[str, int] | None:
    """Rows per generator of a finished build of ``scale`` in this database, else None."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            row = conn.execute(text(f"SELECT scale, rows FROM {META}")).first()
    except Exception:  # noqa: BLE001 — no database or no marker: not built
        return None
    finally:
        engine.dispose()
    if row is None or row[0] != scale.name:
        return None
    return json.loads(row[1])


def mark_built(app: Any, scale: Scale, rows: dict[str, int]) -> None:
    from crm.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {META} (scale VARCHAR(40), rows TEXT)"))
        conn.execute(
            text(f"INSERT INTO {META} VALUES (:s, :r)"), {"s": scale.name, "r": json.dumps(rows)}
        )


def prepare(url: str, scale: Scale, instance: Path, secret: str) -> tuple[Any, dict[str, int]]:
    """A fresh database at ``scale``: wiped, migrated, filled. Returns (app, counts).

    With ``BENCH_REUSE=1`` each scale lives in its own database (``<name>_<scale>``, see
    :func:`scale_url`), built once and then only migrated (``flask db upgrade``) by later runs;
    the app's ``SQLALCHEMY_DATABASE_URI`` tells callers which database that is."""
    if REUSE:
        url = scale_url(url, scale)
        rows = built_rows(url, scale)
        if rows is not None:
            flask_cli(app_env(url, instance, secret), "db", "upgrade")
            app = make_app(url, secret)
            with app.app_context():  # after a migration's backfill, as autovacuum would
                vacuum_analyze(importlib.import_module("crm.extensions").db.engine)
            return app, rows
    reset_database(url)
    flask_cli(app_env(url, instance, secret), "db", "upgrade")
    app = make_app(url, secret)
    rows = fill(app, scale)
    if REUSE:
        mark_built(app, scale, rows)
    return app, rows


def database_url(app: Any) -> str:
    """The database an app prepared by :func:`prepare` uses (as given to gunicorn)."""
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{OUT_DIR / 'bench.sqlite'}"
    instance = OUT_DIR / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["INSTANCE_PATH"] = str(instance)  # before the app's config is imported
    started = time.perf_counter()
    _app, counts = prepare(url, args.scale, instance, secrets.token_hex(32))
    rows = ", ".join(f"{name} {n:,}" for name, n in counts.items())
    print(f"{args.scale.name} on {make_url(url).render_as_string()}: {rows}")
    print(f"done in {time.perf_counter() - started:.1f}s; every user's password is {PASSWORD!r}")


if __name__ == "__main__":
    # Run the importable module's main: plug-ins register into bench.generate, not __main__.
    importlib.import_module("bench.generate").main()

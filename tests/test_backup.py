"""`flask backup` and `flask restore` (QUALITY: Data integrity), run as an operator runs them,
on a SQLite file always and on TEST_DATABASE_URL (restored into a second database beside it,
``<name>_restore``) when it is set."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from crm.backup.database import inventory
from tests.test_migrations import (
    CI,
    ROOT,
    TEST_DATABASE_URL,
    _connect_args,
    _current,
    _script,
    _sqlalchemy_url,
    _wipe,
)

FLASK = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
UPLOADS = {
    "projects/1/合同扫描件.pdf": b"%PDF-1.4 demo contract\n",
    "projects/2/nested/photo.png": bytes(range(256)) * 4,
}


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(_sqlalchemy_url(url), connect_args=_connect_args(url))

    def facts(self) -> dict:
        with self.engine.connect() as conn:
            return inventory(conn)

    def scalar(self, sql: str):
        with self.engine.connect() as conn:
            return conn.scalar(text(sql))


def _second_database(url: str) -> str:
    """``<name>_restore`` on the same server, created when missing."""
    base = make_url(_sqlalchemy_url(url))
    name = f"{base.database}_restore"
    engine = create_engine(base, isolation_level="AUTOCOMMIT", connect_args=_connect_args(url))
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request, tmp_path):
    """(source, target): two empty databases of one kind."""
    if request.param == "sqlite":
        urls = [
            f"sqlite:///{tmp_path / 'source.sqlite'}",
            f"sqlite:///{tmp_path / 'target.sqlite'}",
        ]
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        try:
            urls = [TEST_DATABASE_URL, _second_database(TEST_DATABASE_URL)]
        except Exception as exc:  # noqa: BLE001
            pytest.fail(str(exc)) if CI else pytest.skip(str(exc))
    databases = [Database(url) for url in urls]
    for database in databases:
        _wipe(database.engine)
    yield databases
    for database in databases:
        _wipe(database.engine)
        database.engine.dispose()


def flask(database: Database, uploads: Path, *args: str, ok: bool = True):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "APP_ENV", "SECRET_KEY"}}
    env.update(
        DATABASE_URL=database.url,
        UPLOAD_DIR=str(uploads),
        INSTANCE_PATH=str(uploads.parent / "instance"),
    )
    database.engine.dispose()
    done = subprocess.run(
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if ok:
        assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _write_uploads(folder: Path) -> None:
    for name, data in UPLOADS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def _read_uploads(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_demo_data_round_trips_with_uploads(pair, tmp_path):
    source, target = pair
    src_up, dst_up = tmp_path / "src" / "uploads", tmp_path / "dst" / "uploads"
    flask(source, src_up, "db", "upgrade")
    flask(source, src_up, "demo")
    _write_uploads(src_up)
    uploads = _read_uploads(src_up)  # the two above and the demo's own (zones' plan images)
    archive = tmp_path / "nightly.tar.gz"
    backed_up = flask(source, src_up, "backup", str(archive))
    assert f"{len(uploads)} upload(s)" in backed_up.stdout, backed_up.stdout

    restored = flask(target, dst_up, "restore", str(archive))
    assert "verified" in restored.stdout and "upgraded" not in restored.stdout

    before, after = source.facts(), target.facts()
    assert after["tables"] == before["tables"]
    assert after["content_sha256"] == before["content_sha256"]
    assert after["revision"] == _script().get_current_head()
    assert before["tables"]["user"] == 12 and before["tables"]["project"] == 42
    assert target.scalar("SELECT count(*) FROM target") == before["tables"]["target"] > 0
    assert _read_uploads(dst_up) == uploads
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"] == before["tables"]
    assert manifest["content_sha256"] == before["content_sha256"]

    again = flask(target, tmp_path / "third" / "uploads", "restore", str(archive), ok=False)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert target.facts()["content_sha256"] == before["content_sha256"]  # untouched


def test_an_older_schema_is_restored_and_upgraded(pair, tmp_path):
    source, target = pair
    script = _script()
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    uploads = tmp_path / "uploads"
    flask(source, uploads, "db", "upgrade", previous)
    with source.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO zone (code, name, short_name, kind, sort_order, lead_industries,"
                " active, created_at) VALUES ('old', '旧开发区', '旧区', 'manufacturing', 1, '',"
                " true, '2026-01-01 00:00:00')"
            )
        )
    archive = tmp_path / "old.tar.gz"
    flask(source, uploads, "backup", str(archive))

    restored = flask(target, tmp_path / "restored", "restore", str(archive))
    assert f"schema upgraded to {head}" in restored.stdout, restored.stdout
    assert _current(target.engine) == head
    assert target.scalar("SELECT name FROM zone WHERE code = 'old'") == "旧开发区"


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy ``archive`` to ``out`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    """An archive of a migrated, seeded SQLite database (made once for the module)."""
    folder = tmp_path_factory.mktemp("small")
    source = Database(f"sqlite:///{folder / 'small.sqlite'}")
    flask(source, folder / "uploads", "db", "upgrade")
    flask(source, folder / "uploads", "seed")
    archive = folder / "small.tar.gz"
    flask(source, folder / "uploads", "backup", str(archive))
    source.engine.dispose()
    return archive


@pytest.fixture
def empty(tmp_path):
    target = Database(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    yield target
    target.engine.dispose()


def _newer(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["revision"] = "9999_from_a_newer_version"
    return json.dumps(manifest).encode()


def _damaged(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name == "database.sqlite" else data


@pytest.mark.parametrize(
    "change,message",
    [
        (_newer, "newer schema"),
        (_damaged, "checksum mismatch: database.sqlite"),
        (lambda name, data: b"{}" if name == "manifest.json" else data, "format"),
    ],
)
def test_a_newer_or_damaged_archive_is_refused_and_nothing_is_written(
    small_archive, empty, tmp_path, change, message
):
    archive, target = small_archive, empty
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, change)
    done = flask(target, tmp_path / "restored", "restore", str(bad), ok=False)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert target.facts()["tables"] == {}
    assert not (tmp_path / "restored").exists()


def test_not_an_archive_and_a_non_empty_uploads_folder_are_refused(small_archive, empty, tmp_path):
    archive, target = small_archive, empty
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    done = flask(target, tmp_path / "restored", "restore", str(junk), ok=False)
    assert done.returncode == 1 and "cannot read" in done.stderr, done.stderr
    busy = tmp_path / "busy"
    (busy / "projects").mkdir(parents=True)
    (busy / "projects" / "x.pdf").write_bytes(b"x")
    done = flask(target, busy, "restore", str(archive), ok=False)
    assert done.returncode == 1 and "uploads folder" in done.stderr, done.stderr
    assert target.facts()["tables"] == {}

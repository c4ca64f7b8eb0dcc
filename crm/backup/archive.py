"""One archive per backup: ``manifest.json``, the database copy and ``uploads/``.

The manifest holds the schema revision, the rows per table, a content hash over every row and
a SHA-256 per member; restore checks all of them before it writes anything, refuses an archive
from a newer schema, loads into an empty database only, and then upgrades an older schema.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from crm.backup.database import (
    BackupError,
    dump,
    inventory,
    is_empty,
    load,
    sqlite_inventory,
)

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _digest(handle)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def create_backup(target: Path, engine: Engine, upload_dir: Path) -> dict[str, Any]:
    """Write the archive ``target`` (a gzip'd tar); returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="crm-backup-") as tmp:
        name, facts = dump(engine, Path(tmp))
        members = {name: Path(tmp) / name}
        for path in _files(upload_dir):
            members[f"{UPLOADS}/{path.relative_to(upload_dir).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "dialect": engine.dialect.name,
            "database": name,
            **facts,
            "files": {arcname: _sha256(path) for arcname, path in members.items()},
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = Path(tmp) / MANIFEST
            data.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.add(data, MANIFEST)
            for arcname, path in members.items():
                archive.add(path, arcname)
        partial.replace(target)  # never a half-written archive under the final name
    return manifest


@dataclass
class Restored:
    manifest: dict[str, Any]
    upgraded_to: str | None  # the head revision, when the archive's schema was older


def _known_revisions(script: ScriptDirectory) -> set[str]:
    return {rev.revision for rev in script.walk_revisions()}


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError) as exc:
        raise BackupError("not a backup archive: manifest.json missing or unreadable") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a backup archive of this format")
    return manifest


def _checked_manifest(source: Path) -> dict[str, Any]:
    """The manifest, once every member's checksum matches it."""
    try:
        with tarfile.open(source, "r:*") as archive:
            manifest = _read_manifest(archive)
            names = {m.name for m in archive.getmembers() if m.isfile()} - {MANIFEST}
            if names != set(manifest.get("files", {})):
                raise BackupError("the archive's files differ from its manifest")
            for name, expected in manifest["files"].items():
                handle = archive.extractfile(name)
                if handle is None or _digest(handle) != expected:
                    raise BackupError(f"checksum mismatch: {name} is damaged")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"cannot read {source}: {exc}") from exc
    return manifest


def check_archive(source: Path, engine: Engine, script: ScriptDirectory) -> dict[str, Any]:
    """Everything restore checks before it writes: manifest, checksums, dialect, revision."""
    manifest = _checked_manifest(source)
    if manifest.get("dialect") != engine.dialect.name:
        raise BackupError(
            f"the archive holds a {manifest.get('dialect')} database; "
            f"this database is {engine.dialect.name}"
        )
    revision = manifest.get("revision")
    if revision is None:
        raise BackupError("the archive's database has no schema revision (not migrated)")
    if revision not in _known_revisions(script):
        raise BackupError(
            f"the archive is from a newer schema (revision {revision} is unknown to this "
            "version): upgrade the application first"
        )
    return manifest


def restore_backup(
    source: Path,
    engine: Engine,
    upload_dir: Path,
    script: ScriptDirectory,
    upgrade: Callable[[], None],
) -> Restored:
    """Restore ``source`` into an empty database and uploads folder, then upgrade the schema."""
    manifest = check_archive(source, engine, script)
    if not is_empty(engine):
        raise BackupError("the database is not empty: restore only into an empty database")
    if _files(upload_dir):
        raise BackupError(f"the uploads folder {upload_dir} is not empty")
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as tmp, tarfile.open(source) as tar:
        tar.extractall(tmp, filter="data")
        copy = Path(tmp) / manifest["database"]
        if engine.dialect.name == "sqlite":
            _same(manifest, sqlite_inventory(copy), "the archived database")
        load(engine, copy)
        for path in _files(Path(tmp) / UPLOADS):
            destination = upload_dir / path.relative_to(Path(tmp) / UPLOADS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
    with engine.connect() as conn:
        _same(manifest, inventory(conn), "the restored database")
    head = script.get_current_head()
    if manifest["revision"] != head:
        upgrade()
        return Restored(manifest, head)
    return Restored(manifest, None)


def _same(manifest: dict[str, Any], facts: dict[str, Any], what: str) -> None:
    for key in ("revision", "tables", "content_sha256"):
        if manifest.get(key) != facts.get(key):
            raise BackupError(f"{what} does not match the manifest ({key})")

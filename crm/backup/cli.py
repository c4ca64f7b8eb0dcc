"""``flask backup FILE`` and ``flask restore FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app

from crm.backup.archive import create_backup, restore_backup
from crm.backup.database import BackupError
from crm.extensions import db


def _migrations() -> str:
    return current_app.extensions["migrate"].directory


def _script() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", _migrations())
    return ScriptDirectory.from_config(config)


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Back up the database and the uploads folder into one archive FILE."""
    try:
        manifest = create_backup(file, db.engine, Path(current_app.config["UPLOAD_DIR"]))
    except (BackupError, OSError) as exc:
        _fail(exc)
    rows = sum(manifest["tables"].values())
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(
        f"backup: {file} — {manifest['dialect']}, revision {manifest['revision']}, "
        f"{len(manifest['tables'])} table(s), {rows} row(s), {uploads} upload(s), "
        f"content {manifest['content_sha256'][:16]}"
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore archive FILE into an empty database and uploads folder (then upgrade)."""
    from flask_migrate import upgrade

    try:
        done = restore_backup(
            file,
            db.engine,
            Path(current_app.config["UPLOAD_DIR"]),
            _script(),
            lambda: upgrade(directory=_migrations()),
        )
    except (BackupError, OSError) as exc:
        _fail(exc)
    manifest = done.manifest
    rows = sum(manifest["tables"].values())
    click.echo(
        f"restore: {file} — revision {manifest['revision']}, {rows} row(s) and "
        f"content {manifest['content_sha256'][:16]} verified"
        + (f"; schema upgraded to {done.upgraded_to}" if done.upgraded_to else "")
    )

"""`flask projects import FILE [--zone CODE] [--dry-run] [--json]`: project ledgers (台账)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, or_, select

from crm.extensions import db


@click.group()
def projects() -> None:
    """Import and export project ledgers (台账)."""


def _zone(code: str) -> Any:
    """The zone of a code (or its name or short name); unknown ends the command (status 2)."""
    from crm.zones.models import Zone

    zone = db.session.scalar(
        select(Zone).where(
            or_(
                func.lower(Zone.code) == code.strip().lower(),
                Zone.name == code,
                Zone.short_name == code,
            )
        )
    )
    if zone is None:
        known = ", ".join(db.session.scalars(select(Zone.code).order_by(Zone.sort_order)))
        raise click.BadParameter(f"unknown zone {code!r} (known: {known})", param_hint="--zone")
    return zone


def _user(login: str) -> Any:
    from crm.auth.models import User

    user = db.session.scalar(select(User).where(User.login == login))
    if user is None or not user.active or user.role == "viewer":
        raise click.BadParameter(f"{login!r} may not import", param_hint="--user")
    return user


def _print_text(result: Any, dry_run: bool, batch_id: int | None) -> None:
    verb = "nothing imported" if result.error_count else "would import" if dry_run else "imported"
    click.echo(
        f"{verb}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.error_count} error(s)"
        + (f" (batch {batch_id})" if batch_id is not None else "")
    )
    for error in result.errors:
        click.echo(f"  row {error['row']} [{error['column'] or '-'}]: {error['reason']}")
    for warning in result.warnings:
        click.echo(f"  warning: row {warning['row']} [{warning['column']}]: {warning['reason']}")


@projects.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--zone", "zone_code", default=None, help="Zone code (else the 所属开发区 column).")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--user", "login", default=None, help="Record the import as this user.")
@click.pass_context
def import_command(
    ctx: click.Context,
    file: Path,
    zone_code: str | None,
    dry_run: bool,
    as_json: bool,
    login: str | None,
) -> None:
    """Import a ledger (.xlsx or .csv) into projects with their stage history, all or nothing.

    Exit status 0 when committed (or, with --dry-run, when the file is clean); 1 when there
    were errors and nothing was written; 2 for an unknown --zone or --user.
    """
    from crm.core.audit import record_audit
    from crm.core.timeutil import utcnow
    from crm.imports.models import ImportBatch
    from crm.projects.importing import LedgerImporter

    zone = _zone(zone_code) if zone_code else None
    actor = _user(login) if login else None
    batch = None
    importer = LedgerImporter(file, file.name, zone, actor)
    if not dry_run:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        batch = ImportBatch(
            kind="projects",
            zone_id=zone.id if zone else None,
            filename=file.name[:255],
            sha256=digest,
            status="committing",
            created_by_id=actor.id if actor else None,
        )
        db.session.add(batch)
        db.session.flush()
    result = importer.run(write=not dry_run, batch_id=batch.id if batch else None)
    if result.error_count or dry_run or batch is None:
        db.session.rollback()
        batch = None
    else:
        batch.status, batch.committed_at = "committed", utcnow()
        batch.total_rows = batch.processed_rows = result.rows
        batch.counts, batch.errors = {**result.counts(), "warnings": result.warnings}, []
        record_audit("import", "import_batch", batch.id, result.counts(), actor=actor)
        db.session.commit()
    if as_json:
        click.echo(json.dumps(result.summary(), ensure_ascii=False))
    else:
        _print_text(result, dry_run, batch.id if batch else None)
    ctx.exit(1 if result.error_count else 0)

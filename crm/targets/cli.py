"""`flask targets import|export`: the target list from and to spreadsheets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.extensions import db
from crm.targets.queries import POOL, TargetFilters, target_list_stmt
from crm.zones.models import Zone


def _zone_id(code: str | None) -> int | None:
    """The zone of a code; "pool" is the city pool. Unknown codes end the command (status 2)."""
    if code is None or code == POOL:
        return None
    zone_id = db.session.scalar(select(Zone.id).where(Zone.code == code))
    if zone_id is None:
        known = ", ".join(db.session.scalars(select(Zone.code).order_by(Zone.sort_order)))
        raise click.BadParameter(
            f"unknown zone {code!r} (known: {known}, or pool)", param_hint="--zone"
        )
    return zone_id


@click.group()
def targets() -> None:
    """Import and export the target-enterprise list."""


@targets.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--zone", "zone_code", required=True, help="Zone code, or 'pool' for the city pool.")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_command(file: Path, zone_code: str, dry_run: bool, as_json: bool) -> None:
    """Import FILE (.xlsx or .csv) into a zone's target list, all or nothing.

    Exit status 0 when committed (or, with --dry-run, when the file is clean); 1 when there
    were errors and nothing was written.
    """
    from crm.targets.importer import import_file

    result, batch = import_file(file, _zone_id(zone_code), dry_run=dry_run)
    failed = bool(result.error_count)
    if as_json:
        click.echo(json.dumps(result.summary(), ensure_ascii=False))
    else:
        verb = "would import" if dry_run else "imported"
        if failed:
            verb = "nothing imported"
        click.echo(
            f"{verb}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.error_count} error(s)"
            + (f" (batch {batch.id})" if batch is not None else "")
        )
        for error in result.errors:
            row = error["row"] if error["row"] is not None else "-"
            click.echo(f"  row {row} [{error['column'] or '-'}]: {error['reason']}")
    if result.error_count > len(result.errors):
        click.echo(f"{result.error_count} errors; the first {len(result.errors)} shown", err=True)
    sys.exit(1 if failed else 0)


@targets.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--zone", "zone_code", default=None, help="Zone code, or 'pool' (default: all).")
def export_command(file: Path, zone_code: str | None) -> None:
    """Export the target list to FILE (.xlsx or .csv, by extension) in the template's columns."""
    from crm.imports.services import SYSTEM_ACTOR
    from crm.targets import exporting

    suffix = file.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.BadParameter("FILE must end in .xlsx or .csv", param_hint="FILE")
    zone_id = _zone_id(zone_code)
    zone = "" if zone_code is None else (POOL if zone_id is None else str(zone_id))
    stmt = target_list_stmt(SYSTEM_ACTOR, TargetFilters(zone=zone, sort="name"))
    write = exporting.write_xlsx if suffix == ".xlsx" else exporting.write_csv
    count = write(stmt, str(file))
    record_audit("export", "target", None, {"format": suffix[1:], "file": str(file), "rows": count})
    db.session.commit()
    click.echo(f"exported {count} target(s) to {file}")

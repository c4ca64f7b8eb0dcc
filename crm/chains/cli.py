"""`flask chains export FILE` and `flask chains import FILE` (JSON or .xlsx)."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from crm.chains.models import Chain
from crm.chains.transfer import (
    ChainImportError,
    definitions_workbook,
    export_definitions,
    import_definitions,
    read_definitions_file,
)
from crm.core.tabular import TabularError
from crm.extensions import db


@click.group()
def chains() -> None:
    """Import and export industry-chain definitions."""


@chains.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write every chain with its node tree to PATH (.json or .xlsx)."""
    items = list(db.session.scalars(select(Chain).order_by(Chain.sort_order, Chain.id)))
    if path.lower().endswith(".xlsx"):
        with open(path, "wb") as handle:
            handle.write(definitions_workbook(items))
    elif path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(export_definitions(items), handle, ensure_ascii=False, indent=2)
    else:
        raise click.ClickException("只支持 .json 和 .xlsx 文件")
    click.echo(f"exported {len(items)} chain(s) to {path}")


@chains.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Load chains from PATH, all or nothing; chains that already exist are skipped."""
    try:
        result = import_definitions(read_definitions_file(path))
    except (ChainImportError, TabularError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"imported: {result['created']} created, {result['skipped']} skipped")

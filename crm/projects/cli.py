"""`flask projects import|export`."""

from __future__ import annotations

import click


@click.group()
def projects() -> None:
    """Import and export project ledgers (台账)."""

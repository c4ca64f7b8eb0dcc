"""`flask targets import|export`."""

from __future__ import annotations

import click


@click.group()
def targets() -> None:
    """Import and export the target-enterprise list."""

"""The app-wide commands: the seed and the demo data, run from every area's steps."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app

from crm.areas import AREAS, steps
from crm.core.settings import REGISTRY, SettingError, get_setting, set_setting
from crm.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(demo)
    app.cli.add_command(settings)
    for area in AREAS:
        for group in area.cli:
            app.cli.add_command(group)


def load_seed() -> dict[str, int]:
    """The plan's seed data (idempotent): every area's seed steps, in order."""
    counts = {step.kind: step.run() for step in steps("seed")}
    db.session.commit()
    return counts


@click.command()
def seed() -> None:
    """Load the plan's seed data (idempotent): zones, quotas, chains."""
    counts = load_seed()
    click.echo("seed: " + ", ".join(f"{n} {kind}(s)" for kind, n in counts.items()) + " created")


@click.command()
@click.option("--password", envvar="DEMO_PASSWORD", default=None, help="Demo users' password.")
def demo(password: str | None) -> None:
    """Load demo users and data (refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        click.echo("demo data is never loaded in production", err=True)
        sys.exit(2)
    load_seed()
    password = password or current_app.config["DEMO_PASSWORD"]
    counts = {}
    for step in steps("demo"):
        counts[step.kind] = step.run(password) if step.password else step.run()
        db.session.commit()
    click.echo("demo: " + ", ".join(f"{n} {kind}(s)" for kind, n in counts.items()) + " created")


@click.group()
def settings() -> None:
    """Read and change the rules settings (规则设置) from the server's shell."""


@settings.command("get")
@click.argument("key")
def get_value(key: str) -> None:
    """Print a setting's current value as JSON."""
    if key not in REGISTRY:
        click.echo(f"unknown setting: {key}", err=True)
        sys.exit(2)
    click.echo(json.dumps(get_setting(key), ensure_ascii=False))


@settings.command("set")
@click.argument("key")
@click.argument("value")
def set_value(key: str, value: str) -> None:
    """Validate and store a setting (VALUE as the admin form takes it: text or JSON); audited
    as a change by the system."""
    try:
        stored = set_setting(key, value, None)
    except SettingError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"{key} = {json.dumps(stored, ensure_ascii=False)}")

"""Command-line interface: seed and demo data, users and tokens."""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from crm.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(demo)
    app.cli.add_command(users)
    from crm.chains.cli import chains
    from crm.projects.cli import projects
    from crm.quotas.cli import quota
    from crm.reminders.cli import reminders
    from crm.targets.cli import targets

    app.cli.add_command(targets)
    app.cli.add_command(chains)
    app.cli.add_command(projects)
    app.cli.add_command(quota)
    app.cli.add_command(reminders)


def load_seed() -> dict[str, int]:
    """The plan's seed data (idempotent): zones, quotas, chains."""
    from crm.chains.seed import seed_chains
    from crm.enterprises.seed import seed_industry_classes
    from crm.quotas.indicators import seed_indicators
    from crm.quotas.seed import seed_quotas
    from crm.zones.seed import seed_zones

    counts = {"zone": seed_zones(), "quota": seed_quotas(), "chain": seed_chains()}
    counts["goal"] = seed_indicators()
    counts["industry class"] = seed_industry_classes()
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
    from crm.core.demo import load_demo_users
    from crm.projects.demo import load_demo_projects
    from crm.targets.demo import load_demo_targets

    load_seed()
    counts = {"user": load_demo_users(password or current_app.config["DEMO_PASSWORD"])}
    db.session.commit()
    counts["target"] = load_demo_targets()
    db.session.commit()
    counts["project"] = load_demo_projects()
    db.session.commit()
    from crm.chains.demo import load_demo_chains

    counts["chain link"] = load_demo_chains()
    db.session.commit()
    click.echo("demo: " + ", ".join(f"{n} {kind}(s)" for kind, n in counts.items()) + " created")


@click.group()
def users() -> None:
    """Create users and API tokens."""


@users.command("create")
@click.argument("login")
@click.option("--name", "display_name", default="", help="Display name (default: the login).")
@click.option(
    "--role",
    type=click.Choice(["staff", "manager", "coordinator", "viewer", "admin"]),
    default="admin",
    show_default=True,
)
@click.option("--zone", "zone_code", default=None, help="Zone code for staff and managers.")
@click.option("--email", default=None)
@click.option("--password", default=None, help="Initial password (prompted when omitted).")
def create_user_command(
    login: str,
    display_name: str,
    role: str,
    zone_code: str | None,
    email: str | None,
    password: str | None,
) -> None:
    """Create a user; they must change the password at the first sign-in."""
    from crm.auth.services import AuthError, create_user
    from crm.zones.models import Zone

    zone_id = None
    if zone_code:
        zone_id = db.session.scalar(select(Zone.id).where(Zone.code == zone_code))
        if zone_id is None:
            raise click.ClickException(f"unknown zone code: {zone_code}")
    if password is None:
        password = getpass.getpass("Password: ")
    try:
        user = create_user(
            login=login,
            display_name=display_name or login,
            password=password,
            role=role,
            zone_id=zone_id,
            email=email,
        )
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created user {user.login} ({user.role})")


@users.command("token")
@click.argument("login")
@click.option("--name", default="cli", show_default=True)
def token_command(login: str, name: str) -> None:
    """Create an API token for a user and print it once."""
    from crm.auth.models import User
    from crm.auth.services import create_api_token

    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"unknown user: {login}")
    plaintext = create_api_token(user, name)
    db.session.commit()
    click.echo(plaintext)


@users.command("list")
def list_users() -> None:
    """List users with role and zone."""
    from crm.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.id)):
        zone = user.zone.code if user.zone else "-"
        state = "active" if user.active else "disabled"
        click.echo(f"{user.login}\t{user.role}\t{zone}\t{state}")

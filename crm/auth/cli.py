"""Users and API tokens from the command line: `flask --app app users create|token|list`."""

from __future__ import annotations

import getpass

import click
from sqlalchemy import select

from crm.extensions import db


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

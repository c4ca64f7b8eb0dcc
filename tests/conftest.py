"""Fixtures: a fresh app and database per test, clients and a login helper.

The suite runs on SQLite by default. With TEST_DATABASE_URL set it runs against that database
(PostgreSQL in CI); under CI=true a database or Redis that is configured but unreachable fails
the run instead of skipping.
"""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from config import TestConfig
from crm.extensions import db
from tests.factories import PASSWORD


def _per_worker_services() -> None:
    """Under pytest-xdist each worker after the first gets its own PostgreSQL database and Redis
    database (tests drop and recreate every table), named after the configured ones."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or worker == "gw0":
        return
    number = int(worker[2:])
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        import psycopg

        base, _, name = url.rpartition("/")
        own = f"{name}_{worker}"
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone():
                conn.execute(f'CREATE DATABASE "{own}"')
        os.environ["TEST_DATABASE_URL"] = f"{base}/{own}"
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    base, _, db_number = redis_url.rpartition("/")
    if db_number.isascii() and db_number.isdigit():
        os.environ["TEST_REDIS_URL"] = f"{base}/{(int(db_number) - number) % 16}"


_per_worker_services()
CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def database_url(tmp_path) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (own ``g`` and database session), as in
    production, even though the test body holds an app context of its own."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url(tmp_path),
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    application.test_client_class = FreshContextClient
    with application.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"test database unreachable: {exc}") if CI else pytest.skip(str(exc))
        db.drop_all()
        db.create_all()
        yield application
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """A valid CSRF token for this client's session, read from a page's form."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf token on {path} ({response.status_code})"
    return match.group(1)


def login(client, user_or_login, password: str = PASSWORD, follow: bool = False):
    login_name = getattr(user_or_login, "login", user_or_login)
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"login": login_name, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


def post(client, path: str, data: dict | None = None, token_page: str = "/about", **kwargs):
    """POST with a valid CSRF token (taken from a page the client can open)."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_page))
    return client.post(path, data=payload, **kwargs)


@pytest.fixture
def login_as(client):
    def _login(user, password: str = PASSWORD):
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login

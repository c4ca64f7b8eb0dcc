"""Configuration: production secrets, the development secret, database URLs, SQLite pragmas."""

from __future__ import annotations

import secrets
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import config
from app import create_app
from config import Config, ProductionConfig, TestConfig
from crm.auth.models import User
from crm.extensions import db

STRONG_SECRET = secrets.token_hex(32)


@pytest.mark.parametrize(
    "key", [None, "", "dev", "changeme", "please-change-me", "short-but-random-9f8e7d", "x" * 31]
)
def test_production_refuses_a_missing_or_weak_secret_key(key, tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            ProductionConfig,
            SECRET_KEY=key,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}",
        )


def test_production_starts_with_a_strong_secret_key(tmp_path):
    app = create_app(
        ProductionConfig,
        SECRET_KEY=STRONG_SECRET,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}",
    )
    assert app.secret_key == STRONG_SECRET
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.testing


def test_development_generates_a_secret_once_and_reuses_it(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    settings = {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}

    first = create_app(Config, **settings)
    path = instance / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert first.secret_key == key
    assert len(key) >= 64 and key.lower() not in config.WEAK_SECRETS

    second = create_app(Config, **settings)
    assert second.secret_key == key
    assert path.read_text().strip() == key


def test_an_explicit_development_secret_is_not_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    app = create_app(Config, SECRET_KEY=STRONG_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.secret_key == STRONG_SECRET
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://crm:pw@db.example:5432/crm",
            "postgresql+psycopg://crm:pw@db.example:5432/crm",
        ),
        ("postgres://crm@db.example/crm", "postgresql+psycopg://crm@db.example/crm"),
        ("postgresql+psycopg://crm@db.example/crm", "postgresql+psycopg://crm@db.example/crm"),
        ("sqlite:////srv/crm/crm.sqlite", "sqlite:////srv/crm/crm.sqlite"),
    ],
)
def test_database_urls_use_psycopg_3(given, expected):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=given)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    with app.app_context():
        assert db.engine.url.render_as_string(hide_password=False) == expected
        if expected.startswith("postgresql"):
            assert db.engine.dialect.driver == "psycopg"


def _pragmas(app) -> list[tuple[int, str]]:
    """(foreign_keys, journal_mode) of two distinct pool connections."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as one, engine.connect() as two:
            return [
                (
                    conn.execute(text("PRAGMA foreign_keys")).scalar(),
                    conn.execute(text("PRAGMA journal_mode")).scalar(),
                )
                for conn in (one, two)
            ]


def test_sqlite_file_database_has_foreign_keys_and_wal(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        assert _pragmas(app) == [(1, "wal"), (1, "wal")]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_sqlite_memory_database_has_foreign_keys(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    try:
        assert {fk for fk, _mode in _pragmas(app)} == {1}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fk.sqlite'}")
    with app.app_context():
        db.create_all()
        db.session.add(
            User(login="orphan", display_name="孤儿", role="staff", zone_id=999, password_hash="x")
        )
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://", "postgresql+psycopg://"])
def test_postgresql_urls_use_psycopg_without_prepared_statements(scheme):
    app = create_app(Config, SECRET_KEY=STRONG_SECRET, SQLALCHEMY_DATABASE_URI=f"{scheme}u@h/db")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"prepare_threshold": None}  # no generic-plan flips
    assert options["pool_pre_ping"] is True


def test_sqlite_urls_get_no_psycopg_options():
    app = create_app(Config, SECRET_KEY=STRONG_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_load_shedding_is_installed_when_configured(tmp_path, monkeypatch):
    from crm.core.overload import OverloadGuard

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    off = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    assert not isinstance(off.wsgi_app, OverloadGuard)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, OVERLOAD_MAX_IN_FLIGHT=3)
    assert isinstance(app.wsgi_app, OverloadGuard) and app.wsgi_app.max_in_flight == 3
    response = app.test_client().get("/about", headers={"X-Request-Start": "t=1500000000"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"

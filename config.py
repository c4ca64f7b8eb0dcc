"""Configuration read from the environment, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "please-change-me", "test"}


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret() -> str:
    """Generate the development secret once and keep it in instance/."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def server_address() -> str:
    """The address `make run` serves on (WEB_HOST / WEB_PORT, as the Procfile binds gunicorn);
    a wildcard bind is reached through the loopback address."""
    host = os.environ.get("WEB_HOST", "").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 — a bind address, not a bind
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = os.environ.get("WEB_PORT", "").strip() or "5000"
    return f"http://{host}:{port}"


def _celery_settings(broker_url: str, result_backend: str) -> dict:
    # visibility_timeout is a Redis transport option; Kombu's SQLAlchemy transport passes its
    # transport options to create_engine(), which rejects unknown keywords.
    transport_options = {"visibility_timeout": 3600} if broker_url.startswith("redis") else {}
    return {
        "broker_url": broker_url,
        "result_backend": result_backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "timezone": "Asia/Shanghai",
        "enable_utc": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": transport_options,
        "result_expires": 3600,
    }


class Config:
    """Settings for development and `make run`; every value can come from the environment."""

    ENV_NAME = "development"
    TESTING = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'crm.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Absolute links in e-mails and calendar entries. Production sets it to the public address;
    # by default it follows the address the server was started on.
    BASE_URL = (os.environ.get("BASE_URL") or server_address()).rstrip("/")
    TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    # Import files go to UPLOAD_DIR/imports (never served; web and worker must share it).
    IMPORT_ASYNC_ROWS = int(os.environ.get("IMPORT_ASYNC_ROWS", "2000"))  # more: Celery task
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
    IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_MB", "200"))
    IMPORT_MAX_ZIP_ENTRIES = int(os.environ.get("IMPORT_MAX_ZIP_ENTRIES", "2000"))
    # project attachments: stored outside static/, served only through the access scope
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "招商引资管理平台 <crm@localhost>")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    # A worker that dies mid-send holds its outbox row this long; then a scan re-queues it.
    REMINDER_LEASE_SECONDS = int(os.environ.get("REMINDER_LEASE_SECONDS", "300"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    SESSION_COOKIE_NAME = "crm_session"
    # The cookie outlives every allowed absolute lifetime (at most 168 h, a setting); the login
    # session row decides. It is signed once at login, not again on every response.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=168)
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Load shedding (crm/core/overload.py): requests running at once per process (0 = off),
    # how long one more may wait for a slot, and the longest queue time a proxy may report.
    OVERLOAD_MAX_IN_FLIGHT = int(os.environ.get("OVERLOAD_MAX_IN_FLIGHT", "0"))
    OVERLOAD_MAX_WAIT_MS = int(os.environ.get("OVERLOAD_MAX_WAIT_MS", "200"))
    OVERLOAD_MAX_WAITING = int(os.environ.get("OVERLOAD_MAX_WAITING", "0"))  # 0: = in flight
    OVERLOAD_MAX_QUEUE_MS = int(os.environ.get("OVERLOAD_MAX_QUEUE_MS", "1000"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        os.environ.get("REDIS_URL") or "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_USER = os.environ.get("LOGIN_LIMIT_PER_USER", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes")

    API_TITLE = "招商引资管理平台 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Jiyuan@2026")

    CELERY = _celery_settings(
        os.environ.get("REDIS_URL") or "sqla+sqlite:///" + str(INSTANCE_DIR / "broker.sqlite"),
        os.environ.get("REDIS_URL")
        or "db+sqlite:///" + str(INSTANCE_DIR / "celery-results.sqlite"),
    )

    @classmethod
    def finalize(cls, config: dict) -> None:
        """Fill values that need the file system (run by the app factory, not at import)."""
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _development_secret()
        if config["SQLALCHEMY_DATABASE_URI"].startswith("postgres://"):
            config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"].replace(
                "postgres://", "postgresql+psycopg://", 1
            )
        elif config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
            config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"].replace(
                "postgresql://", "postgresql+psycopg://", 1
            )
        if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://"):
            # No server-side prepared statements: psycopg prepares a query after 5 runs and
            # PostgreSQL may then switch it to a generic plan, which doubled the dashboards'
            # SQL at province scale (bench/README.md); it also keeps PgBouncer's transaction
            # mode safe.
            options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            connect_args = {"prepare_threshold": None, **options.get("connect_args", {})}
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


class TestConfig(Config):
    """Settings for the test suite: a throw-away database per test, eager Celery."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = ""
    CELERY = {
        **_celery_settings("memory://", "cache+memory://"),
        "task_always_eager": True,
        "task_eager_propagates": True,
    }

    @classmethod
    def finalize(cls, config: dict) -> None:
        Config.finalize(config)


class ProductionConfig(Config):
    """Production: refuses to start without a strong SECRET_KEY; secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True

    @classmethod
    def finalize(cls, config: dict) -> None:
        key = config.get("SECRET_KEY") or ""
        if key.lower() in WEAK_SECRETS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        Config.finalize(config)


def config_from_env() -> type[Config]:
    """Pick the configuration class named by APP_ENV (development by default)."""
    return {"production": ProductionConfig, "testing": TestConfig}.get(
        os.environ.get("APP_ENV", "development"), Config
    )

"""/healthz: the database, the broker and the last beat tick, as JSON for monitors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from app import create_app
from config import TestConfig, _celery_settings
from crm.core.tasks import heartbeat, ping
from tests.factories import make_user

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def _parse(stamp: str) -> datetime:
    assert stamp.endswith("Z"), stamp
    return datetime.fromisoformat(stamp[:-1]).replace(tzinfo=UTC)


def test_healthz_reports_database_broker_and_no_beat_yet(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    report = response.get_json()
    assert report["status"] == "ok"
    assert report["database"] == {
        "ok": True,
        "dialect": app.extensions["sqlalchemy"].engine.dialect.name,
    }
    assert report["broker"] == {"ok": True, "transport": "memory"}
    assert report["last_beat"] is None
    assert report["last_worker_ping"] is None


def test_healthz_answers_a_user_who_must_change_the_password(client, login_as):
    login_as(make_user(role="admin", must_change_password=True))
    assert client.get("/").status_code == 302  # everything else sends them to the form
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_last_beat_is_set_after_the_heartbeat_task_runs(client):
    before = datetime.now(UTC) - timedelta(seconds=1)
    heartbeat.delay().get(timeout=5)
    after = datetime.now(UTC) + timedelta(seconds=1)

    report = client.get("/healthz").get_json()
    assert report["last_beat"] is not None
    assert before <= _parse(report["last_beat"]) <= after
    assert before <= _parse(report["last_worker_ping"]) <= after  # a worker ran the tick

    ping.delay("x").get(timeout=5)
    report = client.get("/healthz").get_json()
    assert before <= _parse(report["last_worker_ping"]) <= datetime.now(UTC) + timedelta(seconds=1)


def test_healthz_reports_an_unreachable_broker_without_failing(app, tmp_path):
    celery = _celery_settings("redis://127.0.0.1:1/0", "redis://127.0.0.1:1/0")
    broken = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], CELERY=celery
    )
    started = time.monotonic()
    response = broken.test_client().get("/healthz")
    assert time.monotonic() - started < 15
    report = response.get_json()
    assert response.status_code == 200  # the site works; the broker is reported, not fatal
    assert report["database"]["ok"] is True
    assert report["broker"]["ok"] is False
    assert report["broker"]["transport"] == "redis"
    with broken.app_context():
        broken.extensions["sqlalchemy"].engine.dispose()


def test_healthz_reports_the_embedded_broker(app, tmp_path):
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    embedded = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY=_celery_settings(url, "cache+memory://"),
    )
    report = embedded.test_client().get("/healthz").get_json()
    assert report["broker"] == {"ok": True, "transport": "sqla+sqlite"}
    with embedded.app_context():
        embedded.extensions["sqlalchemy"].engine.dispose()


def test_healthz_is_503_when_the_database_is_down():
    down = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 3}},
    )
    started = time.monotonic()
    response = down.test_client().get("/healthz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    report = response.get_json()
    assert report["status"] == "error"
    assert report["database"]["ok"] is False
    assert report["database"]["error"]
    assert report["last_beat"] is None


REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


def test_healthz_tells_a_remote_visitor_only_ok(client):
    response = client.get("/healthz", environ_base=REMOTE)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_through_a_proxy_on_this_machine_is_not_the_local_probe(client):
    response = client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.4"})
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("role", ["coordinator", "staff", "viewer"])
def test_healthz_details_not_for_other_roles(client, login_as, role):
    login_as(make_user(role))
    assert client.get("/healthz", environ_base=REMOTE).get_json() == {"status": "ok"}


def test_healthz_details_for_admins_anywhere(client, login_as, app):
    login_as(make_user("admin"))
    report = client.get("/healthz", environ_base=REMOTE).get_json()
    assert report["status"] == "ok"
    assert report["database"]["dialect"] == app.extensions["sqlalchemy"].engine.dialect.name
    assert {"broker", "last_beat", "last_worker_ping"} <= set(report)


def test_healthz_down_tells_a_remote_visitor_only_error():
    down = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 3}},
    )
    response = down.test_client().get("/healthz", environ_base=REMOTE)
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}

"""The sign-in throttle across processes: a real gunicorn with several workers on the test
database (a SQLite file, the embedded default; PostgreSQL on the TEST_DATABASE_URL pass).
Every request opens a new connection, so the workers take turns answering."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user
from tests.processes import Browser, server_env, start_gunicorn

WORKERS = 2


@pytest.fixture
def web(app, tmp_path):
    env = server_env(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", TRUSTED_PROXIES="1"
    )
    server = start_gunicorn(env, WORKERS, tmp_path)
    yield server
    server.stop()


def _from(web, address: str) -> Browser:
    return Browser(web.url, headers={"X-Forwarded-For": address})


def test_the_limits_hold_whichever_worker_answers(app, web):
    user = make_user("staff", login="victim")
    for attempt in range(10):
        status, _ = _from(web, "198.51.100.1").sign_in("victim", "wrong-password")
        assert status == 401, attempt
    status, headers = _from(web, "198.51.100.1").sign_in("victim", PASSWORD)
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
    # the real user from an address that has not been failing signs in
    status, _ = _from(web, "203.0.113.9").sign_in(user.login, PASSWORD)
    assert status == 302
    # fifty failures from one address (five per name) hold back every name from it
    other = make_user("staff")
    for attempt in range(50):
        status, _ = _from(web, "198.51.100.2").sign_in(f"guess{attempt // 5}", "wrong-password")
        assert status == 401, attempt
    assert _from(web, "198.51.100.2").sign_in(other.login, PASSWORD)[0] == 429
    assert _from(web, "198.51.100.3").sign_in(other.login, PASSWORD)[0] == 302
    served = web.served_by("/login")
    assert len(served) >= 2, web.access_log.read_text()

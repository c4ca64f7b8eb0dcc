"""The sign-in throttle (QUALITY: Authentication): per user name and address, per address, and
a delay — never a lock — per user name from everywhere. Counters live in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.auth.models import LoginFailure
from crm.auth.throttle import MAX_DELAY, record_failure, sign_in_wait
from crm.core.timeutil import utcnow
from crm.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user


def _attempt(client, login: str, password: str, address: str):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def _fresh(app):
    return app.test_client()


def test_ten_failures_from_one_address_hold_back_that_address_only(app):
    user = make_user("staff", login="victim")
    attacker = _fresh(app)
    for _ in range(10):
        assert _attempt(attacker, "victim", "wrong-password", "198.51.100.1").status_code == 401
    refused = _attempt(attacker, "victim", PASSWORD, "198.51.100.1")  # even the right one
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    assert "操作过于频繁" in refused.get_data(as_text=True)
    # the real user, from an address that has not been failing, signs in at once
    assert _attempt(_fresh(app), user.login, PASSWORD, "203.0.113.9").status_code == 302


def test_a_refused_attempt_checks_no_password_and_is_not_counted(app):
    make_user("staff", login="victim")
    client = _fresh(app)
    for _ in range(10):
        _attempt(client, "victim", "wrong-password", "198.51.100.1")
    for _ in range(3):
        assert _attempt(client, "victim", "wrong-password", "198.51.100.1").status_code == 429
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 10


def test_fifty_failures_from_one_address_hold_back_every_name_from_it(app):
    other = make_user("staff")
    client = _fresh(app)
    for n in range(50):
        response = _attempt(client, f"nobody{n // 5}", "wrong-password", "198.51.100.2")
        assert response.status_code == 401, n
    assert _attempt(client, other.login, PASSWORD, "198.51.100.2").status_code == 429
    assert _attempt(_fresh(app), other.login, PASSWORD, "198.51.100.3").status_code == 302


def test_guesses_from_many_addresses_delay_them_but_never_lock_the_user(app):
    user = make_user("staff", login="victim")
    client = _fresh(app)
    for n in range(12):  # one guess each from twelve addresses: 12 failures for the name
        assert _attempt(client, "victim", "wrong", f"198.51.100.{n}").status_code == 401
    # an address that already guessed waits before its next try ...
    delayed = _attempt(client, "victim", "wrong", "198.51.100.3")
    assert delayed.status_code == 429
    assert int(delayed.headers["Retry-After"]) >= 1
    # ... the real user from an address that has not been failing signs in
    assert _attempt(_fresh(app), user.login, PASSWORD, "203.0.113.9").status_code == 302


def test_the_delay_doubles_up_to_its_cap_and_then_lets_the_address_try(app):
    now = utcnow()
    for n in range(10):
        record_failure("victim", f"10.0.0.{n}", now - timedelta(minutes=1))
    record_failure("victim", "10.0.1.1", now)
    assert sign_in_wait("victim", "10.0.1.1", now) == 2  # 11 failures: 2 s after the last
    assert sign_in_wait("victim", "10.0.1.1", now + timedelta(seconds=3)) == 0
    assert sign_in_wait("victim", "10.9.9.9", now) == 0  # never failed for this name
    for _ in range(8):  # 19 failures: 2**9 s, capped
        record_failure("victim", "10.0.1.2", now)
    assert sign_in_wait("victim", "10.0.1.2", now) == int(MAX_DELAY.total_seconds())
    db.session.commit()


def test_failures_leave_the_window_and_old_rows_are_deleted(app):
    old = utcnow() - timedelta(minutes=16)
    for _ in range(10):
        record_failure("victim", "10.0.0.1", old)
    db.session.commit()
    assert sign_in_wait("victim", "10.0.0.1", old + timedelta(minutes=1)) > 0
    assert sign_in_wait("victim", "10.0.0.1") == 0
    record_failure("someone", "10.0.0.2")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_names_are_matched_trimmed_and_case_blind_and_stored_hashed(app):
    for name in ("Victim", " victim ", "VICTIM"):
        record_failure(name, "10.0.0.1")
    db.session.commit()
    keys = set(db.session.scalars(select(LoginFailure.login_key)))
    assert len(keys) == 1 and "victim" not in next(iter(keys))


@pytest.mark.parametrize("limit", ["3 per 1 minute", "3/minute"])
def test_limits_are_settings(app, limit):
    app.config["LOGIN_LIMIT_PER_USER"] = limit
    for _ in range(3):
        record_failure("victim", "10.0.0.1")
    db.session.commit()
    assert 0 < sign_in_wait("victim", "10.0.0.1") <= 60

"""Sign-in, sessions, passwords, CSRF and security headers (QUALITY: Authentication)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.auth.models import LoginSession, User
from crm.core.models import AuditLog
from crm.extensions import db
from tests.conftest import csrf_token, login, post
from tests.factories import PASSWORD, make_user

SAME_MESSAGE = "用户名或密码不正确"


def test_login_page_is_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "登录招商引资管理平台" in html
    assert '<html lang="zh-CN">' in html


def test_login_and_home_shows_zone(app, client):
    user = make_user("staff", display_name="赵一帆")
    response = login(client, user)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "赵一帆" in home
    assert user.zone.name in home


@pytest.mark.parametrize("login_name,password", [("nobody", PASSWORD), ("exists", "wrong-pass-1")])
def test_unknown_user_and_wrong_password_answer_the_same(app, client, login_name, password):
    make_user("staff", login="exists")
    response = login(client, login_name, password)
    assert response.status_code == 401
    assert SAME_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_disabled_user_cannot_sign_in(app, client):
    user = make_user("staff", active=False)
    response = login(client, user)
    assert response.status_code == 401
    assert SAME_MESSAGE in response.get_data(as_text=True)


def test_eleventh_failed_login_is_limited_whatever_x_forwarded_for_says(app, client):
    make_user("staff", login="victim")
    other = make_user("staff", login="bystander")
    for attempt in range(10):
        token = csrf_token(client)
        response = client.post(
            "/login",
            data={"login": "victim", "password": "bad-password", "csrf_token": token},
            headers={"X-Forwarded-For": f"10.0.0.{attempt}"},
        )
        assert response.status_code == 401
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"login": "victim", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)
    # another user from the same address is not locked out
    assert login(client, other).status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(app, client):
    user = make_user("staff")
    for _ in range(12):
        assert login(client, user).status_code == 302
        post(client, "/logout")


@pytest.mark.parametrize(
    "next_url,expected",
    [
        ("/zones/", "/zones/"),
        ("https://evil.example", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_is_followed_only_inside_the_site(app, client, next_url, expected):
    user = make_user("staff")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"login": user.login, "password": PASSWORD, "csrf_token": token, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_session_cookie_changes_at_login(app, client):
    user = make_user("staff")
    client.get("/login")
    before = client.get_cookie("crm_session").value
    login(client, user)
    after = client.get_cookie("crm_session").value
    assert before != after


def test_cookie_flags(app, client):
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_replayed_cookie_after_logout_goes_to_login(app, client):
    user = make_user("staff")
    login(client, user)
    captured = client.get_cookie("crm_session").value
    assert post(client, "/logout").status_code == 302
    client.set_cookie("crm_session", captured)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_by_get_is_not_allowed(app, client, login_as):
    login_as(make_user("staff"))
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_missing_csrf_token_is_refused_and_changes_nothing(app, client, login_as):
    user = make_user("staff")
    login_as(user)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "A-much-better-pass", "confirm": "A-much-better-pass"},
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_change_ends_other_sessions(app, login_as):
    user = make_user("staff")
    first = app.test_client()
    second = app.test_client()
    login(first, user)
    login(second, user)
    response = post(
        first,
        "/account/password",
        {"current": PASSWORD, "new": "新的 密码 phrase 2026", "confirm": "新的 密码 phrase 2026"},
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302
    assert login(app.test_client(), user, "新的 密码 phrase 2026").status_code == 302


@pytest.mark.parametrize(
    "new,error",
    [
        ("short1", "密码至少 8 个字符"),
        ("password123", "密码过于常见"),
        ("12345678", "密码过于常见"),
    ],
)
def test_weak_passwords_are_refused(app, client, login_as, new, error):
    user = make_user("staff")
    login_as(user)
    response = post(client, "/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_long_chinese_passphrase_is_accepted_and_needed_exactly(app, client, login_as):
    passphrase = "济源 高新区 招商引资 manufacturing 项目 30亿 与 10亿 目标 一定 完成 ok!"
    assert len(passphrase) >= 40
    passphrase = (passphrase + " 再加一些字符确保六十四位")[:64]
    user = make_user("staff")
    login_as(user)
    response = post(
        client, "/account/password", {"current": PASSWORD, "new": passphrase, "confirm": passphrase}
    )
    assert response.status_code == 302
    post(client, "/logout")
    assert login(client, user, passphrase[:-1]).status_code == 401
    assert login(client, user, passphrase).status_code == 302


def test_password_is_stored_as_scrypt_hash(app):
    from crm.auth.services import create_user

    user = create_user(
        login="hashcheck", display_name="哈希", password="Plain-Text-99", role="viewer"
    )
    db.session.commit()
    assert user.password_hash.startswith("scrypt:")
    assert "Plain-Text-99" not in user.password_hash


def test_admin_created_user_must_change_password_first(app, client):
    from crm.auth.services import create_user

    user = create_user(
        login="newbie", display_name="新人", password="Initial-Pass-1", role="viewer"
    )
    db.session.commit()
    assert login(client, user, "Initial-Pass-1").headers["Location"] == "/account/password"
    response = client.get("/zones/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    post(
        client,
        "/account/password",
        {"current": "Initial-Pass-1", "new": "Better-Pass-2026", "confirm": "Better-Pass-2026"},
        token_page="/account/password",
    )
    assert client.get("/zones/").status_code == 200


def test_disabling_a_user_ends_their_sessions(app, client, login_as):
    user = make_user("staff")
    login_as(user)
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_idle_session_expires(app, client, login_as):
    from datetime import timedelta

    user = make_user("staff")
    login_as(user)
    row = db.session.scalars(select(LoginSession)).one()
    row.last_seen_at -= timedelta(hours=5)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_security_headers_when_signed_in(app, client, login_as):
    login_as(make_user("staff"))
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_login_and_failures_are_audited(app, client):
    user = make_user("staff")
    login(client, "ghost", "whatever-123")
    login(client, user)
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["login_failed", "login"]


def test_english_switch(app, client):
    token = csrf_token(client)
    client.post("/locale", data={"locale": "en", "csrf_token": token, "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_unknown_locale_is_refused(app, client):
    token = csrf_token(client)
    assert client.post("/locale", data={"locale": "xx", "csrf_token": token}).status_code == 400


def test_user_row_has_no_plaintext(app):
    user = make_user("staff")
    row = db.session.execute(select(User.__table__).where(User.id == user.id)).one()
    assert PASSWORD not in " ".join(str(v) for v in row)


def test_a_signed_in_request_loads_user_and_session_in_one_statement_and_keeps_the_cookie(
    app, client
):
    from sqlalchemy import event

    user = make_user("staff")
    login(client, user)
    client.get("/about")  # a first request may refresh the session row
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get("/about")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # signed at login, not on every response
    loads = [s for s in statements if "login_session" in s or "user.login" in s.replace('"', "")]
    assert len(loads) == 1, statements

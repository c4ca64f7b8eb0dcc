"""Sign-in, login sessions, passwords, users and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from crm.auth.models import ApiToken, LoginSession, User, hash_secret
from crm.core.access import scope_rule, zone_clause
from crm.core.audit import record_audit
from crm.core.boundary import parse_id
from crm.core.i18n import mark
from crm.core.roles import CITY_ROLES, ROLES, ZONE_ROLES
from crm.core.settings import get_setting
from crm.core.timeutil import utcnow
from crm.extensions import db, login_manager

MIN_PASSWORD = 8
MAX_PASSWORD = 256
TOKEN_PREFIX = "crm_"


class AuthError(ValueError):
    """A rule about users or passwords was broken; the message is for the user."""


@scope_rule(User)
def _user_scope(user: User):
    return zone_clause(User.zone_id, user)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8), method="scrypt")


def password_problems(password: str, login: str = "") -> list:
    """Reasons a new password is refused (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(_l("密码至少 %(count)s 个字符", count=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        problems.append(_l("密码不能超过 %(count)s 个字符", count=MAX_PASSWORD))
    if password.lower() in _common_passwords():
        problems.append(_l("密码过于常见，请换一个"))
    if login and password.lower() == login.lower():
        problems.append(_l("密码不能与用户名相同"))
    return problems


def refuse_weak_password(password: str, login: str = "") -> None:
    """AuthError naming every reason the password is refused, in the reader's language."""
    if problems := password_problems(password, login):
        raise AuthError(mark("semicolon").join(str(p) for p in problems))


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, else None (same cost either way)."""
    user = db.session.execute(select(User).where(User.login == login.strip())).scalar_one_or_none()
    if user is None:
        from werkzeug.security import check_password_hash

        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def start_login_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """Open a new login session row and return its id (goes into the session cookie)."""
    sid = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(id=sid, user_id=user.id, ip=ip, user_agent=(user_agent or "")[:255])
    )
    user.last_login_at = utcnow()
    record_audit("login", "user", user.id, actor=user)
    return sid


def touch_login_session(sid: str, user: User) -> bool:
    """True while the session is alive; ends it after the idle or absolute lifetime."""
    row = db.session.get(LoginSession, sid)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    now = utcnow()
    idle = timedelta(minutes=get_setting("session.idle_minutes"))
    absolute = timedelta(hours=get_setting("session.absolute_hours"))
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.revoked_at = now
        db.session.commit()
        return False
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    return True


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user only while their login session is alive."""
    sid = session.get("sid")
    ident = parse_id(user_id)
    if not sid or ident is None:
        return None
    # the user and the login session in one statement (held here: the session's identity
    # map is weak, and touch_login_session finds the row in it instead of querying again)
    row = db.session.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == ident, LoginSession.id == sid)
    ).first()
    if row is None:
        return None
    user, _login_session = row
    if not user.active:
        return None
    if not touch_login_session(sid, user):
        return None
    return user


def end_login_session(sid: str | None) -> None:
    """Revoke one login session (logout)."""
    if sid:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == sid, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user: User, keep: str | None = None) -> None:
    """Revoke every login session of the user except ``keep``."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep:
        stmt = stmt.where(LoginSession.id != keep)
    db.session.execute(stmt.values(revoked_at=utcnow()))


def change_password(user: User, current: str, new: str, keep_sid: str | None) -> None:
    """Change one's own password; other sessions of the user end."""
    if not user.check_password(current):
        raise AuthError(_l("当前密码不正确"))
    refuse_weak_password(new, user.login)
    user.set_password(new)
    user.must_change_password = False
    end_all_sessions(user, keep=keep_sid)
    record_audit("password_change", "user", user.id, actor=user)


def validate_role_zone(role: str, zone_id: int | None) -> None:
    """Zone roles need a zone; city-level roles have none."""
    if role not in ROLES:
        raise AuthError(_l("未知角色"))
    if role in ZONE_ROLES and zone_id is None:
        raise AuthError(_l("招商专员和开发区负责人必须属于一个开发区"))
    if role in CITY_ROLES and zone_id is not None:
        raise AuthError(_l("市级角色不属于任何开发区"))


def create_user(
    *,
    login: str,
    display_name: str,
    password: str,
    role: str,
    zone_id: int | None = None,
    email: str | None = None,
    must_change_password: bool = True,
    actor: User | None = None,
) -> User:
    """Create a user (the caller commits); admin-created users change the password first."""
    login = login.strip()
    if db.session.execute(select(User.id).where(User.login == login)).first():
        raise AuthError(_l("用户名 %(login)s 已存在", login=login))
    validate_role_zone(role, zone_id)
    refuse_weak_password(password, login)
    user = User(
        login=login,
        display_name=display_name.strip() or login,
        email=(email or "").strip() or None,
        role=role,
        zone_id=zone_id,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_audit(
        "create", "user", user.id, {"login": login, "role": role, "zone_id": zone_id}, actor=actor
    )
    return user


def create_api_token(user: User, name: str, actor: User | None = None) -> str:
    """Make a bearer token; the plaintext is returned once and only its hash is stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=(name or "API").strip()[:60],
        token_hash=hash_secret(plaintext),
        prefix=plaintext[:10],
    )
    db.session.add(token)
    db.session.flush()
    record_audit("create", "api_token", token.id, {"name": token.name}, actor=actor or user)
    return plaintext


def revoke_api_token(token: ApiToken, actor: User) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit("revoke", "api_token", token.id, actor=actor)


def user_for_token(plaintext: str) -> User | None:
    """The active user owning a live token, else None."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(plaintext))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return token.user

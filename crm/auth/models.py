"""User, login session and API token models."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from crm.core.roles import CITY_ROLES, ROLE_LABELS
from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.zones.models import Zone


def hash_secret(value: str) -> str:
    """SHA-256 of a random token (tokens are long and random, so no salt is needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


class User(UserMixin, db.Model):
    """A person who signs in; staff and managers belong to one zone."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default="staff")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    notify: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    zone: Mapped[Zone | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot sign in
        return self.active

    @property
    def is_city_level(self) -> bool:
        return self.role in CITY_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class LoginSession(db.Model):
    """One signed-in browser session; revoking the row ends the session."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ApiToken(db.Model):
    """A personal bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """One failed sign-in (the throttle's counters, shared by every web process and machine);
    rows older than the longest throttle window are deleted as new ones arrive."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_login_key_failed_at", "login_key", "failed_at"),
        Index("ix_login_failure_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalised name
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

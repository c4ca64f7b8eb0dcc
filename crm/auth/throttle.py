"""The sign-in throttle: failed sign-ins counted in the database, so every web process and
machine shares the same counters in every configuration (SQLite or PostgreSQL, with or
without Redis).

Three rules, each over a sliding window (the limits are ``LOGIN_LIMIT_PER_USER`` and
``LOGIN_LIMIT_PER_ADDRESS``, e.g. ``10 per 15 minutes``, parsed by the ``limits`` library):

1. one user name from one address: after the limit, that pair is refused (429) until its
   oldest failure leaves the window;
2. one address: after the limit, every sign-in from it is refused (429) likewise;
3. one user name from everywhere: past the per-user limit, an address that has already
   failed for this name waits between attempts, twice as long for every further failure (up
   to ``MAX_DELAY``). An address that has not failed for the name is never held back, so
   guesses from elsewhere cannot lock the real user out.

A refused attempt checks no password and is not counted. Two attempts in flight at the same
moment may both pass the check: the limits can be exceeded by the number of requests being
served at once, never more.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, func, select

from crm.auth.models import LoginFailure
from crm.core.timeutil import utcnow
from crm.extensions import db

MAX_DELAY = timedelta(minutes=5)


def login_key(login: str) -> str:
    """The stored form of a user name: hashed, so no typed text is kept (nor its length)."""
    return hashlib.sha256(login.strip().lower().encode("utf-8", "replace")).hexdigest()


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]


def _limit(name: str) -> tuple[int, timedelta]:
    item = parse(current_app.config[name])
    return item.amount, timedelta(seconds=item.get_expiry())


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _window_wait(where, amount: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``amount`` failures matching ``where`` are in the window."""
    times = db.session.scalars(
        select(LoginFailure.failed_at)
        .where(*where, LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(amount)
    ).all()
    if len(times) < amount:
        return 0
    return _seconds(times[-1] + window - now)


def sign_in_wait(login: str, address: str | None, now: datetime | None = None) -> int:
    """Seconds this user name must wait before signing in from this address (0: go ahead)."""
    now, key, address = now or utcnow(), login_key(login), _address(address)
    user_amount, user_window = _limit("LOGIN_LIMIT_PER_USER")
    address_amount, address_window = _limit("LOGIN_LIMIT_PER_ADDRESS")
    pair = (LoginFailure.login_key == key, LoginFailure.address == address)
    wait = max(
        _window_wait(pair, user_amount, user_window, now),
        _window_wait((LoginFailure.address == address,), address_amount, address_window, now),
    )
    if wait:
        return wait
    last_here = db.session.scalar(
        select(func.max(LoginFailure.failed_at)).where(
            *pair, LoginFailure.failed_at > now - user_window
        )
    )
    if last_here is None:
        return 0  # this address has not failed for this name: never held back
    everywhere = db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.login_key == key, LoginFailure.failed_at > now - user_window)
    )
    if everywhere < user_amount:
        return 0
    delay = min(timedelta(seconds=2 ** min(everywhere - user_amount, 20)), MAX_DELAY)
    remaining = last_here + delay - now
    return _seconds(remaining) if remaining > timedelta(0) else 0


def record_failure(login: str, address: str | None, now: datetime | None = None) -> None:
    """Count one failed sign-in and forget those older than every window (caller commits)."""
    now = now or utcnow()
    longest = max(_limit("LOGIN_LIMIT_PER_USER")[1], _limit("LOGIN_LIMIT_PER_ADDRESS")[1])
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - longest))
    db.session.add(
        LoginFailure(login_key=login_key(login), address=_address(address), failed_at=now)
    )

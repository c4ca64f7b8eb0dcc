"""Access tokens shared by every worker: one ``channel_token`` row per provider application.

A token is used until ``REFRESH_MARGIN`` before it expires (the providers give 7 200 s), then
fetched again. A send answered "token expired/invalid" drops the row only if it still holds
the token that failed (another worker may have refreshed it already), fetches a new one and
retries once. Two workers refreshing at the same moment both get a valid token (the providers
keep an unexpired token valid while issuing the next), so no lock is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from crm.channels.models import ChannelToken
from crm.channels.providers import Token
from crm.core.timeutil import utcnow
from crm.extensions import db

REFRESH_MARGIN = timedelta(seconds=300)


def cached_token(name: str, fetch: Callable[[], Token], now: datetime | None = None) -> str:
    now = now or utcnow()
    row = db.session.get(ChannelToken, name, populate_existing=True)
    if row is not None and row.expires_at - REFRESH_MARGIN > now:
        return row.token
    fresh = fetch()
    expires = now + timedelta(seconds=max(60, min(fresh.expires_in, 86400)))
    values = {"name": name, "token": fresh.value, "expires_at": expires, "updated_at": now}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ChannelToken).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_=values)
    db.session.execute(stmt)
    db.session.commit()
    return fresh.value


def invalidate(name: str, token: str) -> None:
    """Forget the token that was refused (unless another worker already replaced it)."""
    db.session.execute(
        delete(ChannelToken).where(ChannelToken.name == name, ChannelToken.token == token)
    )
    db.session.commit()


def forget(prefix: str) -> None:
    """Drop every token of a provider (its settings changed)."""
    db.session.execute(delete(ChannelToken).where(ChannelToken.name.startswith(prefix)))

"""Time helpers: UTC in the database, Asia/Shanghai for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (how the database stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime as an aware Asia/Shanghai datetime."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI)


def local_today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def format_datetime_zh(moment: datetime | None) -> str:
    """2026-03-05 14:30, in Shanghai time."""
    local = to_local(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"

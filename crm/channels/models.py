"""Channel settings, user links, group robots, the channel outbox and the shared token cache.

The outbox is its own table (``channel_message``) beside the e-mail outbox (``reminder_log``):
one row per (channel, destination, kind, period key), UNIQUE, claimed and finished like an
e-mail. A destination is ``u<user id>`` for a person or ``g<group id>`` for a robot group.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.zones.models import Zone

# wecom: 企业微信 / 政务微信 application message · dingtalk: 钉钉 work notice
# wecom_robot / dingtalk_robot: a group robot's webhook
PERSONAL_CHANNELS = ("wecom", "dingtalk")
ROBOT_CHANNELS = ("wecom_robot", "dingtalk_robot")
CHANNELS = PERSONAL_CHANNELS + ROBOT_CHANNELS
STATUSES = ("pending", "sending", "retry", "sent", "failed", "skipped", "expired")
OPEN_STATUSES = ("pending", "sending", "retry")
# personal kinds (daily and weekly follow the e-mail periods) and group events
PERSONAL_KINDS = ("daily", "weekly", "alert")
EVENTS = ("zone_due", "big_deal", "conflict", "weekly_gap")


class ChannelConfig(db.Model):
    """One provider's application: 企业微信 (corp id, agent id, secret, base URL) or 钉钉
    (app key in corp_id, app secret, agent id). The secret is write-only in the admin."""

    __tablename__ = "channel_config"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    base_url: Mapped[str] = mapped_column(String(200), default="")
    corp_id: Mapped[str] = mapped_column(String(100), default="")
    agent_id: Mapped[str] = mapped_column(String(40), default="")
    secret: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelLink(db.Model):
    """A user's ids in the providers and, per kind, e-mail / app / both / none."""

    __tablename__ = "channel_link"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    wecom_userid: Mapped[str | None] = mapped_column(String(64))
    dingtalk_userid: Mapped[str | None] = mapped_column(String(64))
    prefs: Mapped[dict | None] = mapped_column(JSON)  # {"daily": "both", ...}
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class RobotGroup(db.Model):
    """A group chat's robot: a zone's group, or the city's (zone_id empty)."""

    __tablename__ = "robot_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    provider: Mapped[str] = mapped_column(String(20))  # wecom_robot | dingtalk_robot
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    webhook_url: Mapped[str] = mapped_column(String(500), default="")  # write-only (has a key)
    secret: Mapped[str] = mapped_column(String(200), default="")  # 钉钉 加签, write-only
    keyword: Mapped[str] = mapped_column(String(40), default="")  # 钉钉 keyword rule
    events: Mapped[list | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    zone: Mapped[Zone | None] = relationship(lazy="joined")


class ChannelMessage(db.Model):
    """The channel outbox: one message per (channel, destination, kind, period key)."""

    __tablename__ = "channel_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    dest: Mapped[str] = mapped_column(String(20))  # u<user id> | g<group id>
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("robot_group.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    period_key: Mapped[str] = mapped_column(String(60))
    period_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    queued_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)  # composed when queued (group events)
    address: Mapped[str | None] = mapped_column(String(64))  # the provider userid used
    provider_msgid: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]

    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_id], lazy="joined")
    group: Mapped[RobotGroup | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("channel", "dest", "kind", "period_key", name="uq_channel_message_key"),
        Index("ix_channel_message_dest_sent", "channel", "dest", "sent_at"),
    )


class ChannelToken(db.Model):
    """An access token shared by every worker (one row per provider application)."""

    __tablename__ = "channel_token"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    token: Mapped[str] = mapped_column(String(600))
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

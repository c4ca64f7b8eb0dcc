"""Builders for the channel tests: provider settings pointing at the local server, linked
users, robot groups, and outbox reads."""

from __future__ import annotations

from sqlalchemy import select

from crm.channels.models import ChannelConfig, ChannelLink, ChannelMessage, RobotGroup
from crm.extensions import db
from tests import channel_servers as cs


def configure(server, wecom: bool = True, dingtalk: bool = True) -> None:
    if wecom:
        db.session.merge(
            ChannelConfig(
                provider="wecom",
                enabled=True,
                base_url=server.url,
                corp_id=cs.CORP_ID,
                agent_id=cs.AGENT_ID,
                secret=cs.CORP_SECRET,
            )
        )
    if dingtalk:
        db.session.merge(
            ChannelConfig(
                provider="dingtalk",
                enabled=True,
                base_url=server.url,
                corp_id=cs.APP_KEY,
                agent_id=cs.DING_AGENT,
                secret=cs.APP_SECRET,
            )
        )
    db.session.commit()


def link(user, wecom: str | None = None, dingtalk: str | None = None, **prefs) -> ChannelLink:
    row = ChannelLink(
        user_id=user.id, wecom_userid=wecom, dingtalk_userid=dingtalk, prefs=prefs or None
    )
    db.session.add(row)
    db.session.commit()
    return row


def group(
    server,
    provider: str,
    events: list[str],
    zone=None,
    secret: str | None = None,
    keyword: str = cs.KEYWORD,
) -> RobotGroup:
    url = server.wecom_robot_url if provider == "wecom_robot" else server.ding_robot_url
    row = RobotGroup(
        name=f"{provider}-{events[0]}",
        provider=provider,
        zone_id=zone.id if zone else None,
        webhook_url=url,
        secret=cs.DING_ROBOT_SECRET if secret is None else secret,
        keyword=keyword,
        events=events,
        active=True,
    )
    db.session.add(row)
    db.session.commit()
    return row


def messages(**filters) -> list[ChannelMessage]:
    db.session.expire_all()
    stmt = select(ChannelMessage).order_by(ChannelMessage.id)
    for name, value in filters.items():
        stmt = stmt.where(getattr(ChannelMessage, name) == value)
    return list(db.session.scalars(stmt))

"""Demo data: linked accounts for the demo staff, the city's and one zone's group robots
(inactive: their webhooks are placeholders), and a week of delivered channel messages so the
channel outbox is not empty on a fresh `make run`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from crm.auth.models import User
from crm.channels.groups import zone_due_text
from crm.channels.models import ChannelConfig, ChannelLink, ChannelMessage, RobotGroup
from crm.core.timeutil import local_today, utcnow
from crm.extensions import db
from crm.zones.models import Zone

PLACEHOLDER = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-placeholder"


def load_demo_channels() -> int:
    """Create the demo channel data once; returns the outbox rows made."""
    if db.session.scalar(select(func.count()).select_from(RobotGroup)):
        return 0
    db.session.merge(
        ChannelConfig(
            provider="wecom",
            enabled=False,
            base_url="https://qyapi.weixin.qq.com",
            corp_id="",
            agent_id="",
            secret="",
        )
    )
    staff = list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(("staff", "manager")))
            .order_by(User.id)
            .limit(12)
        )
    )
    for user in staff:
        db.session.add(
            ChannelLink(
                user_id=user.id,
                wecom_userid=user.login,
                prefs={"daily": "both", "weekly": "email", "alert": "app"},
            )
        )
    zone = db.session.scalar(select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order))
    city = RobotGroup(
        name="全市招商工作群",
        provider="wecom_robot",
        zone_id=None,
        webhook_url=PLACEHOLDER,
        secret="",
        keyword="",
        events=["big_deal", "conflict", "zone_due"],
        active=False,
    )
    groups = [city]
    if zone is not None:
        groups.append(
            RobotGroup(
                name=f"{zone.short_name}招商群",
                provider="dingtalk_robot",
                zone_id=zone.id,
                webhook_url=PLACEHOLDER.replace("qyapi", "oapi"),
                secret="",
                keyword="招商",
                events=["zone_due", "weekly_gap"],
                active=False,
            )
        )
    db.session.add_all(groups)
    db.session.flush()
    made, now, today = 0, utcnow(), local_today()
    for back in range(1, 6):
        day = today - timedelta(days=back)
        text = zone_due_text(day, None)
        if text is None:
            continue
        at = now - timedelta(days=back)
        db.session.add(
            ChannelMessage(
                channel="wecom_robot",
                dest=f"g{city.id}",
                group_id=city.id,
                kind="zone_due",
                period_key=day.isoformat(),
                period_date=day,
                status="sent",
                attempts=1,
                expires_at=at,
                title=text[0][:200],
                body=text[1],
                created_at=at,
                updated_at=at,
                sent_at=at,
            )
        )
        made += 1
    for user in staff[:3]:
        at = now - timedelta(days=1)
        db.session.add(
            ChannelMessage(
                channel="wecom",
                dest=f"u{user.id}",
                recipient_id=user.id,
                kind="daily",
                period_key=(today - timedelta(days=1)).isoformat(),
                period_date=today - timedelta(days=1),
                status="sent",
                attempts=1,
                expires_at=at,
                address=user.login,
                title="【招商引资】今日跟进提醒",
                created_at=at,
                updated_at=at,
                sent_at=at,
            )
        )
        made += 1
    db.session.commit()
    return made

"""Business rules of the channel settings: provider applications (secrets write-only), user
links, robot groups, test messages, and the outbox listing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select

from crm.channels.compose import test_card
from crm.channels.models import (
    EVENTS,
    PERSONAL_CHANNELS,
    ROBOT_CHANNELS,
    ChannelConfig,
    ChannelLink,
    ChannelMessage,
    RobotGroup,
)
from crm.channels.scans import insert_rows, row
from crm.channels.tokens import forget
from crm.core.access import scope_rule, scoped, scoped_select
from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.reminders.periods import local_now

CHANNEL_LABELS = {
    "wecom": _l("企业微信 / 政务微信"),
    "dingtalk": _l("钉钉工作通知"),
    "wecom_robot": _l("企业微信群机器人"),
    "dingtalk_robot": _l("钉钉群机器人"),
}
EVENT_LABELS = {
    "zone_due": _l("每日待跟进汇总"),
    "big_deal": _l("10亿元以上项目签约或终止"),
    "conflict": _l("新的跨区冲突"),
    "weekly_gap": _l("每周指标缺口"),
}
STATUS_LABELS = {
    "pending": _l("待发送"),
    "sending": _l("发送中"),
    "retry": _l("等待重试"),
    "sent": _l("已发送"),
    "failed": _l("失败"),
    "skipped": _l("已跳过"),
    "expired": _l("已过期"),
}
USERID = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")
SECRET_FIELDS = ("secret",)


class ChannelError(ValueError):
    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def config_of(provider: str) -> ChannelConfig:
    return db.session.get(ChannelConfig, provider) or ChannelConfig(
        provider=provider, enabled=False, base_url="", corp_id="", agent_id="", secret=""
    )


def _url(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 500:
        raise ChannelError(_l("请填写以 http:// 或 https:// 开头的完整地址"), field)
    return value.rstrip("/") if field == "base_url" else value


def _text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ChannelError(_l("不能超过 %(n)s 个字符", n=limit), field)
    return value


def save_config(provider: str, values: dict[str, Any], actor: Any) -> ChannelConfig:
    """Save a provider's application; an empty secret keeps the stored one (write-only)."""
    if provider not in PERSONAL_CHANNELS:
        raise ChannelError(_l("未知的渠道"))
    config = config_of(provider)
    changed = []
    fresh = {
        "base_url": _url(values.get("base_url", ""), "base_url"),
        "corp_id": _text(values.get("corp_id", ""), 100, "corp_id"),
        "agent_id": _text(values.get("agent_id", ""), 40, "agent_id"),
        "enabled": bool(values.get("enabled")),
    }
    secret = _text(values.get("secret", ""), 200, "secret")
    if fresh["enabled"] and not (fresh["corp_id"] and (secret or config.secret)):
        raise ChannelError(_l("启用前请填写企业 ID / AppKey 和密钥"), "corp_id")
    for name, value in fresh.items():
        if getattr(config, name) != value:
            changed.append(name)
            setattr(config, name, value)
    if secret:
        config.secret = secret
        changed.append("secret")
    db.session.add(config)
    forget(f"{provider}:")
    # the audit names what changed, never a secret's value
    record_audit(
        "update", "channel_config", None, {"provider": provider, "fields": changed}, actor=actor
    )
    return config


def link_user(user: Any, wecom: str | None, dingtalk: str | None) -> ChannelLink:
    link = db.session.get(ChannelLink, user.id) or ChannelLink(user_id=user.id)
    for name, value in (("wecom_userid", wecom), ("dingtalk_userid", dingtalk)):
        value = (value or "").strip()
        if value and not USERID.match(value):
            raise ChannelError(_l("账号只能包含字母、数字和 _ . @ -，最多 64 个字符"), name)
        setattr(link, name, value or None)
    db.session.add(link)
    return link


def save_group(group: RobotGroup | None, values: dict[str, Any], actor: Any) -> RobotGroup:
    """Create or edit a robot group; empty webhook/secret fields keep the stored ones."""
    group = group or RobotGroup(webhook_url="", secret="", events=[])
    name = _text(values.get("name", ""), 60, "name")
    if not name:
        raise ChannelError(_l("请填写群名称"), "name")
    provider = values.get("provider")
    if provider not in ROBOT_CHANNELS:
        raise ChannelError(_l("请选择机器人类型"), "provider")
    webhook = _url(values.get("webhook_url", ""), "webhook_url")
    if not webhook and not group.webhook_url:
        raise ChannelError(_l("请填写 Webhook 地址"), "webhook_url")
    events = [e for e in values.get("events", []) if e in EVENTS]
    group.name, group.provider = name, provider
    group.zone_id = values.get("zone_id") or None
    group.keyword = _text(values.get("keyword", ""), 40, "keyword")
    group.events = events
    group.active = bool(values.get("active", True))
    if webhook:
        group.webhook_url = webhook
    secret = _text(values.get("secret", ""), 200, "secret")
    if secret:
        group.secret = secret
    db.session.add(group)
    db.session.flush()
    record_audit("update", "robot_group", group.id, {"name": name, "events": events}, actor=actor)
    return group


def masked(url: str) -> str:
    """A webhook shown without its key: scheme, host and path only."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{parts.path}?…" if parts.query else url


def queue_test(actor: Any, channel: str, user: Any = None, group: RobotGroup | None = None) -> int:
    """An outbox row for a test message to ``user`` (personal channel) or ``group``."""
    moment = local_now()
    card = test_card(str(CHANNEL_LABELS.get(channel, channel)))
    key = f"test-{moment:%Y%m%dT%H%M%S%f}"
    extra: dict[str, Any] = {
        "title": card.title,
        "body": card.markdown,
        "requested_by_id": actor.id,
        "expires_at": utcnow() + timedelta(hours=1),
    }
    if group is not None:
        values = row(
            group.provider, f"g{group.id}", "test", key, moment, group_id=group.id, **extra
        )
    else:
        link = db.session.get(ChannelLink, user.id)
        userid = (
            (link.wecom_userid if channel == "wecom" else link.dingtalk_userid) if link else None
        )
        if not userid:
            raise ChannelError(_l("该用户未绑定此渠道的账号"))
        values = row(
            channel,
            f"u{user.id}",
            "test",
            key,
            moment,
            recipient_id=user.id,
            address=userid,
            **extra,
        )
    (created,) = insert_rows([values])
    return created


@scope_rule(RobotGroup)
def _groups_scope(user: Any):
    return None if user.role == "admin" else false()


@scope_rule(ChannelMessage)
def _messages_scope(user: Any):
    return None if user.role == "admin" else ChannelMessage.recipient_id == user.id


@scope_rule(ChannelLink)
def _links_scope(user: Any):
    return None if user.role == "admin" else ChannelLink.user_id == user.id


def scoped_outbox(user: Any, channel: str | None, status: str | None):
    stmt = scoped_select(ChannelMessage, user).order_by(ChannelMessage.id.desc())
    if channel:
        stmt = stmt.where(ChannelMessage.channel == channel)
    if status:
        stmt = stmt.where(ChannelMessage.status == status)
    return stmt


def scoped_counts(user: Any, channel: str | None) -> dict[str, int]:
    stmt = scoped(
        select(ChannelMessage.status, func.count()).group_by(ChannelMessage.status),
        ChannelMessage,
        user,
    )
    if channel:
        stmt = stmt.where(ChannelMessage.channel == channel)
    return dict(db.session.execute(stmt).all())


def groups(user: Any) -> list[RobotGroup]:
    return list(db.session.scalars(scoped_select(RobotGroup, user).order_by(RobotGroup.id)))

"""Send one channel outbox row, exactly once per channel — the e-mail outbox's protocol.

1. Claim: one atomic UPDATE takes the row (pending, a retry whose time has come, or a lease
   that ran out) under a fresh claim token, committed before any HTTP call. A duplicate beat
   tick, a redelivered task or a rerun finds nothing to claim and stops.
2. Compose and send. The providers' error codes decide (see ``providers``): an expired or
   invalid token is refreshed once and the send retried at once; rate limits back off at
   least a minute; an unknown receiver ends in 'skipped' with the reason; 5xx, timeouts and
   "busy" retry with backoff until MAX_ATTEMPTS; anything else is 'failed' with the errcode.
3. Finish only while still holding the claim.

Robots take at most ``ROBOT_PER_MINUTE`` messages a minute (钉钉 and 企业微信 both document
20): a row over the limit goes back to 'retry' until the window has room — queued, not dropped,
and the wait does not count as an attempt. Residual window, as for e-mail: a worker that dies
after the provider accepted a message but before 'sent' is committed sends it again when the
lease runs out (企业微信 application messages carry ``enable_duplicate_check`` against that).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from crm.auth.models import User
from crm.channels import providers
from crm.channels.compose import LIMITS, Card, cut, personal_card
from crm.channels.models import ROBOT_CHANNELS, ChannelConfig, ChannelLink, ChannelMessage
from crm.channels.outbox import Outcome, claim, finish, not_claimed
from crm.channels.tokens import cached_token, invalidate
from crm.core.outbox import backoff
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.reminders.recipients import recipient_problem

log = logging.getLogger("crm.channels")

MAX_ATTEMPTS = 5
RATE_WAIT = 60.0  # seconds after a provider's rate-limit answer
ROBOT_PER_MINUTE = 20
PROVIDER_OF = {"wecom": "wecom", "dingtalk": "dingtalk"}


def userid_of(user: User, channel: str) -> str | None:
    link = db.session.get(ChannelLink, user.id)
    if link is None:
        return None
    return (link.wecom_userid if channel == "wecom" else link.dingtalk_userid) or None


def _config(provider: str) -> ChannelConfig | None:
    config = db.session.get(ChannelConfig, provider)
    if config is None or not config.enabled or not (config.corp_id and config.secret):
        return None
    return config


def _token_name(config: ChannelConfig) -> str:
    return f"{config.provider}:{config.corp_id}:{config.agent_id}"


def _fetch(config: ChannelConfig):
    base = config.base_url or (
        providers.WECOM_BASE if config.provider == "wecom" else providers.DINGTALK_BASE
    )
    if config.provider == "wecom":
        return base, lambda: providers.wecom_token(base, config.corp_id, config.secret)
    return base, lambda: providers.dingtalk_token(base, config.corp_id, config.secret)


def send_personal(channel: str, config: ChannelConfig, userid: str, card: Card) -> str:
    """Send with the shared token; a token error refreshes it once and retries."""
    base, fetch = _fetch(config)
    name = _token_name(config)
    text = cut(card.markdown, LIMITS[channel], card.link)
    for attempt in (1, 2):
        token = cached_token(name, fetch)
        try:
            if channel == "wecom":
                return providers.wecom_send(base, token, config.agent_id, userid, text)
            return providers.dingtalk_send(base, token, config.agent_id, userid, card.title, text)
        except providers.SendError as exc:
            if exc.kind != "token" or attempt == 2:
                raise
            log.info("%s token refused (errcode %s): refreshing once", channel, exc.code)
            invalidate(name, token)
    raise AssertionError("unreachable")


def send_robot(row: ChannelMessage, card: Card) -> str:
    group = row.group
    text = cut(card.markdown, LIMITS[row.channel], card.link)
    if row.channel == "wecom_robot":
        return providers.wecom_robot(group.webhook_url, text)
    if group.keyword and group.keyword not in text:
        text = f"{group.keyword}\n\n{text}"
    return providers.dingtalk_robot(group.webhook_url, group.secret, card.title, text)


def robot_wait(row: ChannelMessage, now: datetime) -> float | None:
    """Seconds until the robot's one-minute window has room, or None when it has room now."""
    since = now - timedelta(seconds=60)
    sent = select(func.count(), func.min(ChannelMessage.sent_at)).where(
        ChannelMessage.channel == row.channel,
        ChannelMessage.dest == row.dest,
        ChannelMessage.sent_at > since,
    )
    count, oldest = db.session.execute(sent).one()
    if count < ROBOT_PER_MINUTE:
        return None
    return max(1.0, (oldest + timedelta(seconds=60) - now).total_seconds())


def _problem(row: ChannelMessage) -> tuple[str | None, Card | None, object]:
    """(reason to skip, card, destination) of a row."""
    if row.channel in ROBOT_CHANNELS:
        group = row.group
        if group is None or not group.active or not group.webhook_url:
            return "群机器人已停用或未设置 Webhook", None, None
        return None, Card(row.title or "", row.body or "", _home()), group
    user = db.session.get(User, row.recipient_id)
    problem = person_problem(user)
    if problem:
        return problem, None, None
    config = _config(PROVIDER_OF[row.channel])
    if config is None:
        return "渠道未启用或未配置", None, None
    userid = userid_of(user, row.channel)
    if not userid:
        return "用户未绑定该渠道的账号", None, None
    if row.kind in ("daily", "weekly"):
        card = personal_card(user, row.kind, row.period_date)
        if card is None:
            return "没有需要提醒的事项", None, None
    else:
        card = Card(row.title or "", row.body or "", _home())
    return None, card, (config, userid)


def person_problem(user: User | None) -> str | None:
    """The e-mail recipient checks, less the address (an app message needs none)."""
    if user is not None and not user.email:
        return recipient_problem(
            SimpleNamespace(
                active=user.active,
                email="x@example.cn",
                role=user.role,
                zone_id=user.zone_id,
                zone=user.zone,
            )
        )
    return recipient_problem(user)


def _home() -> str:
    from crm.reminders.items import absolute

    return absolute("/")


def deliver(message_id: int, now: datetime | None = None) -> Outcome:
    now = now or utcnow()
    token = claim(message_id, now)
    if token is None:
        return not_claimed(message_id, now)
    row = db.session.get(ChannelMessage, message_id)
    if row.expires_at <= now:
        finish(message_id, token, status="expired", last_error="过期未发送")
        return Outcome("expired")
    if row.attempts > MAX_ATTEMPTS + 3:
        finish(
            message_id, token, status="failed", last_error=f"发送进程多次中断（{row.attempts} 次）"
        )
        return Outcome("failed")
    if row.channel in ROBOT_CHANNELS:
        wait = robot_wait(row, now)
        if wait is not None:  # over the robot's limit: wait, not an attempt
            at = now + timedelta(seconds=wait)
            finish(
                message_id,
                token,
                status="retry",
                lease_until=at,
                queued_at=at,
                attempts=row.attempts - 1,
                last_error="等待机器人限速窗口（每分钟 20 条）",
            )
            return Outcome("retry", later=wait)
    try:
        problem, card, dest = _problem(row)
    except Exception as exc:
        db.session.rollback()
        log.exception("composing channel message %s failed", message_id)
        finish(message_id, token, status="failed", last_error=f"生成失败：{exc.__class__.__name__}")
        return Outcome("failed")
    if problem:
        log.warning("skipped channel message %s (%s): %s", message_id, row.channel, problem)
        finish(message_id, token, status="skipped", last_error=problem)
        return Outcome("skipped")
    try:
        if row.channel in ROBOT_CHANNELS:
            msgid = send_robot(row, card)
            address = None
        else:
            config, address = dest
            msgid = send_personal(row.channel, config, address, card)
    except providers.SendError as exc:
        return _failed_send(row, token, exc, now)
    finish(
        message_id,
        token,
        status="sent",
        sent_at=now,
        title=card.title[:200],
        body=card.markdown,
        address=address,
        provider_msgid=msgid[:100] or None,
        last_error=None,
    )
    return Outcome("sent")


def _failed_send(
    row: ChannelMessage, token: str, exc: providers.SendError, now: datetime
) -> Outcome:
    error = str(exc)[:500]
    if exc.kind == "invalid_user":
        log.warning("channel message %s skipped: %s", row.id, error)
        finish(row.id, token, status="skipped", last_error=f"接收人无效：{error}"[:500])
        return Outcome("skipped")
    if exc.kind == "permanent" or row.attempts >= MAX_ATTEMPTS:
        log.warning("channel message %s failed: %s", row.id, error)
        suffix = f"（已重试 {row.attempts} 次）" if exc.kind != "permanent" else ""
        finish(row.id, token, status="failed", last_error=(error + suffix)[:500])
        return Outcome("failed")
    delay = backoff(row.attempts)
    if exc.kind == "rate":
        delay = max(RATE_WAIT, delay)
    log.info("channel message %s: %s, retry in %.0f s", row.id, error, delay)
    at = now + timedelta(seconds=delay)
    finish(row.id, token, status="retry", lease_until=at, queued_at=at, last_error=error)
    return Outcome("retry", later=delay)

"""The providers' documented server APIs, over plain HTTP (urllib: nothing logs a URL).

企业微信 / 政务微信 (same protocol, own base URL):
  GET  {base}/cgi-bin/gettoken?corpid=…&corpsecret=…        → access_token, expires_in (7200)
  POST {base}/cgi-bin/message/send?access_token=…  {touser, msgtype, agentid, markdown}
       → errcode 0 (``invaliduser`` lists ids that were refused), 81013 all receivers invalid
  POST {robot webhook}  {msgtype: markdown, markdown: {content}}   (content ≤ 4096 bytes)
钉钉:
  GET  {base}/gettoken?appkey=…&appsecret=…                 → access_token, expires_in (7200)
  POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=…
       {agent_id, userid_list, msg: {msgtype: markdown, markdown: {title, text}}} → task_id
  POST {robot webhook}&timestamp=…&sign=…  加签: base64(HMAC-SHA256(secret, ts + "\n" + secret)),
       URL-encoded; 130101 sends too fast (20 a minute), 310000 keyword/sign/IP refused.

Every answer is classified into :class:`SendError` kinds the outbox acts on. Error texts never
contain a URL, a token or a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT = 15  # seconds per request
WECOM_BASE = "https://qyapi.weixin.qq.com"
DINGTALK_BASE = "https://oapi.dingtalk.com"

# documented error codes
TOKEN_CODES = {40014, 42001, 40082}  # invalid / expired access_token → refresh once, retry
RATE_CODES = {45009, 45033, 45011, 130101, 90018}  # frequency limits → back off
INVALID_USER_CODES = {81013, 60111, 60103, 33012, 60121}  # receiver unknown → skipped
BUSY_CODES = {-1}  # provider busy → transient


class SendError(Exception):
    """kind: token | rate | invalid_user | transient | permanent."""

    def __init__(self, kind: str, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code


@dataclass(frozen=True)
class Token:
    value: str
    expires_in: int


def _call(url: str, payload: dict | None = None) -> dict[str, Any]:
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    if parts.scheme not in ("http", "https"):
        raise SendError("permanent", "地址必须以 http:// 或 https:// 开头")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 — checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        kind = "transient" if exc.code >= 500 or exc.code == 429 else "permanent"
        raise SendError(kind, f"HTTP {exc.code}（{host}）", exc.code) from None
    except OSError as exc:  # URLError, timeouts, refused connections
        reason = getattr(exc, "reason", exc)
        raise SendError("transient", f"连接失败（{host}）：{reason.__class__.__name__}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise SendError("transient", f"应答不是 JSON（{host}）") from None
    if not isinstance(answer, dict):
        raise SendError("transient", f"应答格式不正确（{host}）")
    return answer


def check(answer: dict[str, Any]) -> dict[str, Any]:
    """Raise the error an answer's errcode stands for; return the answer when it is 0."""
    try:
        code = int(answer.get("errcode", 0))
    except (TypeError, ValueError):
        code = -1
    if code == 0:
        return answer
    message = f"errcode {code}：{str(answer.get('errmsg', ''))[:200]}"
    if code in TOKEN_CODES:
        raise SendError("token", message, code)
    if code in RATE_CODES:
        raise SendError("rate", message, code)
    if code in INVALID_USER_CODES:
        raise SendError("invalid_user", message, code)
    if code in BUSY_CODES:
        raise SendError("transient", message, code)
    raise SendError("permanent", message, code)


def _token(answer: dict[str, Any]) -> Token:
    check(answer)
    value = answer.get("access_token")
    if not isinstance(value, str) or not value:
        raise SendError("transient", "应答中没有 access_token")
    try:
        expires = int(answer.get("expires_in", 7200))
    except (TypeError, ValueError):
        expires = 7200
    return Token(value, expires)


def _q(**params: str) -> str:
    return urllib.parse.urlencode(params)


# 企业微信 / 政务微信 ---------------------------------------------------------------------


def wecom_token(base: str, corp_id: str, secret: str) -> Token:
    return _token(
        _call(f"{base.rstrip('/')}/cgi-bin/gettoken?{_q(corpid=corp_id, corpsecret=secret)}")
    )


def wecom_send(base: str, token: str, agent_id: str, userid: str, markdown: str) -> str:
    """Send an application message; returns the msgid. A receiver the provider refused
    (``invaliduser``) is an invalid_user error."""
    payload = {
        "touser": userid,
        "msgtype": "markdown",
        "agentid": int(agent_id) if str(agent_id).isdigit() else agent_id,
        "markdown": {"content": markdown},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
    }
    url = f"{base.rstrip('/')}/cgi-bin/message/send?{_q(access_token=token)}"
    answer = check(_call(url, payload))
    refused = str(answer.get("invaliduser") or "").lower().split("|")
    if userid.lower() in refused:
        raise SendError("invalid_user", f"企业微信拒收该成员：{userid}（invaliduser）", 81013)
    return str(answer.get("msgid") or "")


def wecom_robot(webhook: str, markdown: str) -> str:
    check(_call(webhook, {"msgtype": "markdown", "markdown": {"content": markdown}}))
    return ""


# 钉钉 ------------------------------------------------------------------------------------


def dingtalk_token(base: str, app_key: str, app_secret: str) -> Token:
    return _token(_call(f"{base.rstrip('/')}/gettoken?{_q(appkey=app_key, appsecret=app_secret)}"))


def dingtalk_send(base: str, token: str, agent_id: str, userid: str, title: str, text: str) -> str:
    payload = {
        "agent_id": int(agent_id) if str(agent_id).isdigit() else agent_id,
        "userid_list": userid,
        "msg": {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
    }
    base = base.rstrip("/")
    url = f"{base}/topapi/message/corpconversation/asyncsend_v2?{_q(access_token=token)}"
    answer = check(_call(url, payload))
    return str(answer.get("task_id") or "")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """加签: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_robot(webhook: str, secret: str, title: str, text: str) -> str:
    url = webhook
    if secret:
        stamp = int(time.time() * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
    check(_call(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}))
    return ""

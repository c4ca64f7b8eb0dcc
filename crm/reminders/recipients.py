"""Who gets which digest: preferences per kind, and the checks a recipient must pass."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from crm.core.roles import ZONE_ROLES

KIND_LABELS = {"daily": "每日跟进提醒", "weekly": "每周工作周报"}
WEEKLY_ROLES = ("staff", "manager", "coordinator", "viewer")
DIGEST_VARIANTS = {
    "staff": "weekly_staff",
    "manager": "weekly_manager",
    "coordinator": "weekly_city",
    "viewer": "weekly_city",
}
# Outbox kinds other areas add, and the digest variant each renders (crm/areas.py registers
# them with crm.reminders.scans.EXTRA_SCANS and crm.reminders.rendering.BUILDERS).
KIND_VARIANTS: dict[str, str] = {}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def wants(user: Any, kind: str) -> bool:
    """Whether the user opted in to a kind (everyone is opted in until they opt out)."""
    prefs = user.notify if isinstance(user.notify, dict) else {}
    return bool(prefs.get(kind, True))


def preferences(user: Any) -> dict[str, bool]:
    return {kind: wants(user, kind) for kind in KIND_LABELS}


def clean_address(value: str | None) -> str | None:
    """The address when it is one plain mailbox; None for empty, CR/LF or malformed input."""
    if not value or _CONTROL.search(value):
        return None
    value = value.strip()
    if not _ADDRESS.match(value) or len(value) > 254:
        return None
    try:
        Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        return None
    return value


def clean_display_name(value: str | None) -> str:
    """A display name safe for a header: control characters (CR/LF among them) removed."""
    return _CONTROL.sub("", value or "").strip()[:60]


def digest_variant(user: Any, kind: str) -> str | None:
    """daily, weekly_staff, weekly_manager or weekly_city (None: no digest of that kind)."""
    if kind == "daily":
        return "daily"
    if kind in KIND_VARIANTS:
        return KIND_VARIANTS[kind]
    return DIGEST_VARIANTS.get(user.role)


def recipient_problem(user: Any, kind: str | None = None) -> str | None:
    """Why this user cannot receive a digest now, or None."""
    if user is None:
        return "收件人不存在"
    if not user.active:
        return "收件人已停用（负责人已停用，请重新分配其事项）"
    if not user.email:
        return "收件人没有邮箱地址"
    if clean_address(user.email) is None:
        return "收件人邮箱地址无效"
    if user.role in ZONE_ROLES and (
        user.zone_id is None or user.zone is None or not user.zone.active
    ):
        return "收件人所属开发区已删除或停用"
    if kind is not None and digest_variant(user, kind) is None:
        return "该角色没有此类摘要"
    return None

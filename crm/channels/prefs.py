"""Per kind, where a user's messages go: e-mail, the app channel, both, or nowhere.

The e-mail side is the reminders' own opt-in (``user.notify``), so the e-mail outbox needs no
change: choosing "app only" turns the e-mail of that kind off. Alerts exist only as app
messages (there is no alert e-mail), so their choice is app or none. A linked user who never
chose gets both (linking an account is asking for its messages).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm.channels.models import ChannelLink
from crm.extensions import db

KIND_LABELS = {"daily": _l("每日跟进提醒"), "weekly": _l("每周工作周报"), "alert": _l("重要提醒")}
CHOICES = {
    "email": _l("仅邮件"),
    "app": _l("仅企业微信/钉钉"),
    "both": _l("邮件和企业微信/钉钉"),
    "none": _l("不接收"),
}
ALERT_CHOICES = ("app", "none")


def choice(link: ChannelLink | None, user: Any, kind: str) -> str:
    email = bool((user.notify or {}).get(kind, True)) if kind != "alert" else False
    stored = (link.prefs or {}).get(kind) if link is not None else None
    app = stored in ("app", "both") if stored else link is not None
    if kind == "alert":
        return "app" if app else "none"
    return {(True, True): "both", (True, False): "email", (False, True): "app"}.get(
        (email, app), "none"
    )


def wants_app(link: ChannelLink, kind: str) -> bool:
    stored = (link.prefs or {}).get(kind)
    return stored in ("app", "both") if stored else True


def set_choices(user: Any, values: dict[str, str]) -> None:
    """Store each kind's choice: the app side on the link, the e-mail side in user.notify."""
    link = db.session.get(ChannelLink, user.id) or ChannelLink(user_id=user.id)
    db.session.add(link)
    prefs = dict(link.prefs or {})
    notify = dict(user.notify or {}) if isinstance(user.notify, dict) else {}
    for kind, value in values.items():
        allowed = ALERT_CHOICES if kind == "alert" else tuple(CHOICES)
        if kind not in KIND_LABELS or value not in allowed:
            raise ValueError(kind)
        prefs[kind] = value
        if kind != "alert":
            notify[kind] = value in ("email", "both")
    link.prefs = prefs
    user.notify = notify

"""Message texts: personal markdown cards built from the e-mail digests, and the byte limits.

Every message links back to the page through ``BASE_URL``. Markdown longer than a channel's
limit is cut at a line boundary (never inside a UTF-8 character) and ends with a link to the
rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from crm.reminders.items import absolute, path_for
from crm.reminders.rendering import build_context, recipient_locale, render_digest

# bytes of markdown content each channel accepts (企业微信 documents 2 048 for application
# markdown and 4 096 for a group robot; 钉钉 states no figure: the same 4 096 is kept)
LIMITS = {"wecom": 2048, "dingtalk": 4096, "wecom_robot": 4096, "dingtalk_robot": 4096}


@dataclass(frozen=True)
class Card:
    title: str
    markdown: str
    link: str


def cut(markdown: str, limit: int, link: str) -> str:
    """``markdown`` within ``limit`` UTF-8 bytes: whole lines, then a link to the rest."""
    if len(markdown.encode()) <= limit:
        return markdown
    tail = "\n\n…… [" + _("查看全部") + f"]({link})"
    budget = limit - len(tail.encode())
    kept: list[str] = []
    used = 0
    for line in markdown.split("\n"):
        size = len(line.encode()) + (1 if kept else 0)
        if used + size > budget:
            if not kept:  # one huge first line: cut it on a character boundary
                kept.append(line.encode()[:budget].decode(errors="ignore"))
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + tail


def _item_line(item: Any) -> str:
    late = _("已逾期 %(n)s 天", n=item.days_late) if item.days_late else _("今日到期")
    step = f" · {item.next_step}" if item.next_step else ""
    return f"- [{item.name}]({absolute(item.path)}) · {item.zone} · {late}{step}"


def personal_card(user: Any, kind: str, day: date) -> Card | None:
    """The daily or weekly card for ``user`` (None: nothing to send)."""
    mine = absolute(path_for("reminders.mine", "/reminders/"))
    digest = render_digest(user, kind, day, shared=True)
    if digest is None:
        return None
    with force_locale(recipient_locale(user)):
        lines = [f"**{digest.subject}**", ""]
        if kind == "daily":
            built = build_context(user, kind, day, shared=True)
            context = built[1] if built else {}
            for item in context.get("overdue", []) + context.get("due_today", []):
                lines.append(_item_line(item))
            if context.get("not_listed"):
                lines.append(_("另有 %(n)s 项未列出", n=context["not_listed"]))
        else:
            lines.extend(line for line in digest.text.splitlines() if line.strip())
        lines += ["", f"[{_('打开我的跟进')}]({mine})"]
    return Card(digest.subject, "\n".join(lines), mine)


def test_card(channel_label: str) -> Card:
    home = absolute("/")
    title = "【" + _("招商引资") + "】" + _("测试消息")
    text = _("这是一条来自招商引资管理平台的测试消息（%(channel)s）。", channel=channel_label)
    return Card(title, f"**{title}**\n\n{text}\n\n[{_('打开平台')}]({home})", home)

"""Render a digest for one recipient: subject, plain text and HTML, in their language.

The same templates serve the e-mail and the browser preview. HTML e-mails carry inline styles
(mail clients drop style sheets); the preview shows them inside a sandboxed frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from crm.auth.models import User
from crm.reminders.composing import Week, daily_digest, weekly_staff_digest
from crm.reminders.items import absolute, path_for
from crm.reminders.recipients import digest_variant
from crm.reminders.team_digests import weekly_city_digest, weekly_manager_digest

BUILDERS = {
    "weekly_manager": weekly_manager_digest,
    "weekly_city": weekly_city_digest,
}
LOCALES = ("zh_CN", "en")


@dataclass(frozen=True)
class Digest:
    variant: str
    subject: str
    text: str
    html: str
    locale: str


def recipient_locale(user: User) -> str:
    return user.locale if user.locale in LOCALES else "zh_CN"


def build_context(
    user: User, kind: str, day: date, shared: bool = False
) -> tuple[str, dict[str, Any]] | None:
    """(variant, template context) of the digest, or None when there is nothing to send.
    ``shared``: reuse sections that are the same for many recipients (the sending path)."""
    variant = digest_variant(user, kind)
    if variant is None:
        return None
    if variant == "daily":
        context = daily_digest(user, day)
    elif variant == "weekly_staff":
        context = weekly_staff_digest(user, Week.of(day))
    else:
        context = BUILDERS[variant](user, Week.of(day), shared=shared)
    return None if context is None else (variant, context)


def _subject(variant: str, user: User, context: dict[str, Any]) -> str:
    if variant == "daily":
        overdue = context["overdue_count"]
        if overdue:
            text = _(
                "今日跟进提醒：%(count)s 项待跟进（其中逾期 %(overdue)s 项）",
                count=context["count"],
                overdue=overdue,
            )
        else:
            text = _("今日跟进提醒：%(count)s 项待跟进", count=context["count"])
    elif variant == "weekly_manager":
        text = _(
            "%(zone)s招商周报（%(week)s）", zone=context["zone"].name, week=context["week"].label
        )
    elif "subject_line" in context:  # a variant another area registered
        text = context["subject_line"]
    elif variant == "weekly_city":
        text = _("全市招商周报（%(week)s）", week=context["week"].label)
    else:
        text = _("个人工作周报（%(week)s）", week=context["week"].label)
    return _("【招商引资】%(subject)s", subject=text)


def render_digest(user: User, kind: str, day: date, shared: bool = False) -> Digest | None:
    """The digest of ``kind`` for ``user`` on ``day``, or None when there is nothing to send."""
    locale = recipient_locale(user)
    with force_locale(locale):
        built = build_context(user, kind, day, shared)
        if built is None:
            return None
        variant, context = built
        subject = _subject(variant, user, context)
        values = {
            **context,
            "recipient": user,
            "subject": subject,
            "lang": "zh-CN" if locale == "zh_CN" else locale,
            "link": absolute,
            "app_url": absolute("/"),
            "preferences_url": absolute(
                path_for("reminders.preferences", "/reminders/preferences")
            ),
            "mine_url": absolute(path_for("reminders.mine", "/reminders/")),
            "product": current_app.config.get("MAIL_PRODUCT_NAME", _("招商引资管理平台")),
        }
        html = render_template(f"email/{variant}.html", **values)
        text = render_template(f"email/{variant}.txt", **values)
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip() + "\n"
    return Digest(variant, subject, text, html, locale)

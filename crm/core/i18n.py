"""Language-aware pieces of text: list separators and the English/Chinese choice."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_app_context, has_request_context
from flask_babel import get_locale


def is_english() -> bool:
    """True when the reader's language is English (the interface's other language)."""
    if has_request_context():
        locale = get_locale()
    elif has_app_context():  # e-mails and tasks: the locale forced for the recipient, if any
        locale = getattr(getattr(g, "_flask_babel", None), "babel_locale", None)
    else:
        return False
    return locale is not None and locale.language == "en"


def join_words(items: Iterable[object]) -> str:
    """Items as a list in the reader's language: 甲、乙 in Chinese, "a, b" in English."""
    return (", " if is_english() else "、").join(str(item) for item in items if item)

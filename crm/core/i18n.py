"""Language-aware pieces of text: list separators and the English/Chinese choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import g, has_app_context, has_request_context
from flask_babel import get_locale, gettext


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


def label(text: object) -> str:
    """A stored vocabulary word (招商方式, 企业标签 …) in the reader's language.

    These words are data (the database keeps the Chinese word) and msgids at once; they are
    listed in crm/translations/dynamic_msgids.py. Unknown words come back unchanged.
    """
    if text is None or text == "":
        return ""
    return gettext(str(text))


def words(items: Iterable[object] | None, empty: str = "—") -> str:
    """Stored vocabulary words, translated and joined: 企业招商、资本招商 / "a, b"."""
    return join_words(label(item) for item in items or ()) or empty


def labels(mapping: Mapping[str, str]) -> dict[str, str]:
    """A code → vocabulary-word mapping with the words in the reader's language."""
    return {code: label(word) for code, word in mapping.items()}

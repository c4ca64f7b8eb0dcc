"""Language-aware pieces of text: list separators and the English/Chinese choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import g, has_app_context, has_request_context
from flask_babel import Domain, get_locale, gettext


class RequestDomain(Domain):
    """flask_babel's message domain, remembering the reader's catalogue for the request.

    flask_babel looks the catalogue up again on every ``gettext`` (the context, the locale,
    its name, the cache: ≈ 10 µs, and a list page translates ≈ 600 times). This domain keeps
    what it found beside flask_babel's own locale in the request's context, keyed by that
    locale object, so ``force_locale`` (e-mails in the recipient's language) gets its own
    catalogue and the reader's comes back afterwards. Installed by ``create_app``.
    """

    def get_translations(self):
        state = g.get("_flask_babel") if has_app_context() else None
        locale = getattr(state, "babel_locale", None)
        if locale is None:  # outside a request, or before the locale is chosen
            return super().get_translations()
        remembered = getattr(state, "crm_translations", None)
        if remembered is None or remembered[0] is not locale or remembered[1] is not self:
            remembered = (locale, self, super().get_translations())
            state.crm_translations = remembered
        return remembered[2]


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


# Punctuation between the pieces of a line, in the reader's language (templates call these
# where a label meets a value: 名称：值 / "Name: value").
_MARKS = {
    "colon": ("：", ": "),
    "comma": ("，", ", "),
    "semicolon": ("；", "; "),
    "list_sep": ("、", ", "),
    "full_stop": ("。", "."),
    "lp": ("（", " ("),
    "rp": ("）", ")"),
}


def mark(name: str) -> str:
    """One punctuation mark (a key of _MARKS) as the reader's language writes it."""
    chinese, english = _MARKS[name]
    return english if is_english() else chinese


def marks() -> dict:
    """Template globals: colon(), comma(), semicolon(), list_sep(), full_stop(), lp(), rp()."""
    return {name: (lambda name=name: mark(name)) for name in _MARKS}


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

"""URL helpers."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, fallback: str) -> str:
    """Follow ``next`` only when it is a path inside this site."""
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return fallback
    return target


_PLACEHOLDER = 987654321


def id_url(endpoint: str, key: str, **values: object) -> Callable[[int], str]:
    """``url_for(endpoint, key=id, **values)`` for many ids, the URL built once: a list or
    report page links hundreds of records, and each ``url_for`` costs ≈ 15 µs."""
    built = url_for(endpoint, **{key: _PLACEHOLDER}, **values)
    before, _sep, after = built.partition(str(_PLACEHOLDER))
    return lambda record_id: f"{before}{int(record_id)}{after}"

"""A small per-process cache for digest sections that are the same for many recipients.

Kept on the Flask app (``app.extensions``), so every app — each test's, the worker's — has its
own; entries live ``CACHE_SECONDS``. Only the sending path uses it (a preview is always
fresh), and callers put every input of the access rules in the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

T = TypeVar("T")
CACHE_SECONDS = 600
MAX_ENTRIES = 64


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value under ``key`` if computed less than CACHE_SECONDS ago, else ``compute()``."""
    store: dict[Hashable, tuple[float, Any]] = current_app.extensions.setdefault(
        "reminders.digest_cache", {}
    )
    now = time.monotonic()
    hit = store.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = compute()
    if len(store) >= MAX_ENTRIES:
        store.clear()
    store[key] = (now, value)
    return value

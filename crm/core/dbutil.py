"""Small SQL helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast


def json_list_contains(column: Any, value: str):
    """A JSON list column holding ``value`` (matched on its JSON text, literally)."""
    return cast(column, String).contains(json.dumps(value, ensure_ascii=False), autoescape=True)

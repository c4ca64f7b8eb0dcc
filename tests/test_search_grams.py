"""The grams function cuts the same grams as its first definition (PostgreSQL)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from crm.extensions import db

# The first definition (migration 0011): every 1- and 2-character substring of the whole text,
# kept when it holds no ASCII and no space.
REFERENCE = r"""
  SELECT coalesce(array_agg(DISTINCT g ORDER BY g), '{}')
  FROM generate_series(1, char_length(:t)) AS i,
       LATERAL (VALUES (substr(:t, i, 1)), (substr(:t, i, 2))) AS grams(g)
  WHERE g ~ '^[^\x01-\x7f[:space:]]{1,2}$'
"""
PIECES = [
    "豫光金铅",
    "铜箔",
    "氢",
    "ａｂ",
    "１２",
    "\u3000",
    " ",
    "\t",
    "\n",
    "yg",
    "9141",
    "-",
    "（",
    "）",
    "😀",
    "é",
    "\u00a0",
    "\u2003",
    "新材料有限公司",
    "·",
]


def texts() -> list[str]:
    rng = random.Random(20261203)
    fixed = [
        "",
        "a",
        "豫",
        "豫光",
        "豫 光",
        "豫a光",
        "ａ豫",
        "豫\u3000光",
        "  豫光  ",
        "铜箔 tongbo tb",
    ]
    mixed = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    return fixed + mixed


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the grams function exists on PostgreSQL only")
    return db.session


def test_split_definition_cuts_the_same_grams(postgres):
    for value in texts():
        ours = postgres.scalar(
            text("SELECT ARRAY(SELECT unnest(search_grams(:t)) ORDER BY 1)"), {"t": value}
        )
        reference = postgres.scalar(text(REFERENCE), {"t": value})
        assert ours == reference, value
